//! The local topic: a durable Pub/Sub stand-in in the store's system scope, used by the local
//! cloud. Publishing writes one document per message (keyed by its idempotency key when it has
//! one, so a repeated publish of the same job adds nothing); the local cloud's delivery loop
//! pushes them to the subscribed worker.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use domain::TenantId;
use domain::publish::{OutboundMessage, PublishError, Publisher};
use domain::store::{DocumentStore, MAX_WRITES, StoreError, TenantStore, Write};
use serde_json::json;

use crate::runtime::SystemClock;
use domain::Clock;

/// Messages waiting for (or in) delivery.
pub const TOPIC_MESSAGES: &str = "topicMessages";

pub struct LocalTopic {
    store: Arc<dyn DocumentStore>,
}

impl LocalTopic {
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn scope(&self) -> TenantStore {
        TenantStore::new(self.store.clone(), TenantId::system())
    }
}

/// The document id of a message: the topic and its idempotency key, or a fresh id.
pub fn message_id(topic: &str, message: &OutboundMessage) -> String {
    match message.attributes.get("idempotencyKey") {
        Some(key) => format!("{topic}_{key}"),
        None => format!("{topic}_{}", uuid::Uuid::now_v7().simple()),
    }
}

fn unavailable(e: StoreError) -> PublishError {
    PublishError::Unavailable(e.to_string())
}

#[async_trait]
impl Publisher for LocalTopic {
    async fn publish(
        &self,
        topic: &str,
        messages: Vec<OutboundMessage>,
    ) -> Result<(), PublishError> {
        domain::publish::check_batch(&messages)?;
        if !domain::store::is_field_name(&topic.replace('-', "_")) {
            return Err(PublishError::Invalid(format!(
                "{topic:?} is not a topic name"
            )));
        }
        let scope = self.scope();
        let now = SystemClock.now();
        let keyed: Vec<(String, OutboundMessage)> = messages
            .into_iter()
            .map(|m| (message_id(topic, &m), m))
            .collect();
        for chunk in keyed.chunks(MAX_WRITES) {
            // Retried publishes of the same keys add nothing: existing messages are skipped, and a
            // race with a concurrent publish is settled by reading again.
            for _ in 0..5 {
                let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
                let existing: Vec<String> = scope
                    .get_many(TOPIC_MESSAGES, &ids)
                    .await
                    .map_err(unavailable)?
                    .into_iter()
                    .map(|d| d.meta.id)
                    .collect();
                let writes: Vec<Write> = chunk
                    .iter()
                    .filter(|(id, _)| !existing.contains(id))
                    .map(|(id, message)| Write::Create {
                        collection: TOPIC_MESSAGES,
                        id: id.clone(),
                        fields: json!({
                            "topic": topic,
                            "attributes": message.attributes,
                            "data": base64::engine::general_purpose::STANDARD.encode(&message.data),
                            "state": "pending",
                            "attempts": 0,
                            "nextAttemptAt": domain::meta::format_timestamp(&now),
                        })
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    })
                    .collect();
                if writes.is_empty() {
                    break;
                }
                match scope.commit(writes, now).await {
                    Ok(_) => break,
                    Err(StoreError::AlreadyExists { .. }) => continue,
                    Err(e) => return Err(unavailable(e)),
                }
            }
        }
        Ok(())
    }
}
