//! Local Pub/Sub push: delivers the local topic's messages to the subscribed workers as Pub/Sub
//! would, with the real push envelope and a signed OIDC token; a message is leased for its ack
//! deadline while it is pushed; a 2xx acks; anything else, or no answer within the ack
//! deadline, is retried with exponential backoff between the
//! subscription's minimum and maximum; after the last attempt the message moves to the dead
//! letters with the reason. Messages are durable in the store, so a restart loses none.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::store::{
    Direction, Document, DocumentStore, Filter, FilterOp, Query, TenantStore, Write,
};
use platform::auth::TokenIssuer;
use platform::local_topic::TOPIC_MESSAGES;
use serde_json::{Value, json};

/// Messages that exhausted their attempts, with the reason.
pub const DEAD_LETTERS: &str = "deadLetters";

/// Where a topic's messages go, and how hard to try.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub url: String,
    pub ack_deadline: Duration,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    pub max_attempts: u32,
}

impl Subscription {
    /// The wait before attempt `attempts + 1`: doubling from the minimum, capped at the maximum.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
        self.min_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// The local cloud's push subscriptions, from the catalog: one per push trigger.
pub fn subscriptions(catalog: &catalog::Catalog, base_url: &str) -> HashMap<String, Subscription> {
    catalog
        .triggers()
        .filter_map(|trigger| match trigger {
            catalog::Trigger::Push {
                topic,
                path,
                ack_deadline_seconds,
                min_backoff_seconds,
                max_backoff_seconds,
                max_delivery_attempts,
            } => Some((
                topic.clone(),
                Subscription {
                    url: format!("{base_url}{path}"),
                    ack_deadline: Duration::from_secs((*ack_deadline_seconds).into()),
                    min_backoff: Duration::from_secs((*min_backoff_seconds).into()),
                    max_backoff: Duration::from_secs((*max_backoff_seconds).into()),
                    max_attempts: *max_delivery_attempts,
                },
            )),
            _ => None,
        })
        .collect()
}

/// Delivers the local topic's due messages.
pub struct Deliverer {
    store: Arc<dyn DocumentStore>,
    subscriptions: HashMap<String, Subscription>,
    issuer: Arc<TokenIssuer>,
    audience: String,
    account: String,
    http: reqwest::Client,
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub acked: usize,
    pub retried: usize,
    pub dead_lettered: usize,
}

impl Deliverer {
    pub fn new(
        store: Arc<dyn DocumentStore>,
        subscriptions: HashMap<String, Subscription>,
        issuer: Arc<TokenIssuer>,
        audience: &str,
        account: &str,
    ) -> Self {
        Self {
            store,
            subscriptions,
            issuer,
            audience: audience.into(),
            account: account.into(),
            http: reqwest::Client::new(),
        }
    }

    fn topic(&self) -> TenantStore {
        TenantStore::new(self.store.clone(), TenantId::system())
    }

    fn token(&self) -> String {
        let now = Utc::now().timestamp();
        self.issuer.sign(&json!({
            "iss": self.issuer.issuer, "aud": self.audience, "sub": "local-pubsub",
            "email": self.account, "email_verified": true, "iat": now, "exp": now + 3600,
        }))
    }

    /// Delivers every message due at `now` (up to 100), concurrently.
    pub async fn round(self: &Arc<Self>, now: DateTime<Utc>) -> Round {
        let query = Query::new(TOPIC_MESSAGES)
            .filter(Filter::new(
                "nextAttemptAt",
                FilterOp::Le,
                domain::meta::format_timestamp(&now),
            ))
            .order_by("nextAttemptAt", Direction::Asc)
            .limit(100);
        let due = match self.topic().query(&query).await {
            Ok(page) => page.documents,
            Err(e) => {
                tracing::warn!("cannot read the local topic: {e}");
                return Round::default();
            }
        };
        let mut deliveries = tokio::task::JoinSet::new();
        for message in due {
            let deliverer = self.clone();
            deliveries.spawn(async move { deliverer.deliver(message, now).await });
        }
        let mut round = Round::default();
        while let Some(outcome) = deliveries.join_next().await {
            match outcome.unwrap_or(Outcome::Skipped) {
                Outcome::Acked => round.acked += 1,
                Outcome::Retried => round.retried += 1,
                Outcome::DeadLettered => round.dead_lettered += 1,
                Outcome::Skipped => {}
            }
        }
        round
    }

    async fn deliver(&self, message: Document, now: DateTime<Utc>) -> Outcome {
        let topic = message.fields["topic"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let attempts = message.fields["attempts"].as_u64().unwrap_or(0) as u32 + 1;
        let Some(subscription) = self.subscriptions.get(&topic) else {
            return self
                .dead_letter(
                    &message,
                    message.meta.version,
                    attempts,
                    format!("no subscription to topic {topic}"),
                    now,
                )
                .await;
        };
        // Leased for its ack deadline, as Pub/Sub does: no other round delivers it meanwhile,
        // and if this process stops, it is due again after the deadline.
        let deadline =
            now + chrono::Duration::from_std(subscription.ack_deadline).unwrap_or_default();
        let mut leased = message.fields.clone();
        leased.insert(
            "nextAttemptAt".into(),
            json!(domain::meta::format_timestamp(&deadline)),
        );
        let lease = Write::Update {
            collection: TOPIC_MESSAGES,
            id: message.meta.id.clone(),
            expected_version: message.meta.version,
            fields: leased,
        };
        let version = match self.topic().commit(vec![lease], now).await.as_deref() {
            Ok([domain::store::WriteOutcome::Written(doc)]) => doc.meta.version,
            _ => return Outcome::Skipped,
        };
        let envelope = json!({
            "message": {
                "data": message.fields["data"],
                "attributes": message.fields["attributes"],
                "messageId": message.meta.id,
                "publishTime": domain::meta::format_timestamp(&message.meta.created_at),
            },
            "subscription": format!("projects/local/subscriptions/{topic}"),
            "deliveryAttempt": attempts,
        });
        let response = self
            .http
            .post(&subscription.url)
            .bearer_auth(self.token())
            .timeout(subscription.ack_deadline)
            .json(&envelope)
            .send()
            .await;
        let failure = match response {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                Some(format!(
                    "HTTP {status}: {}",
                    body.chars().take(300).collect::<String>()
                ))
            }
            Err(e) if e.is_timeout() => Some(format!(
                "no answer within the ack deadline of {:?}",
                subscription.ack_deadline
            )),
            Err(e) => Some(format!("cannot reach {}: {e}", subscription.url)),
        };
        let Some(reason) = failure else {
            let ack = Write::Delete {
                collection: TOPIC_MESSAGES,
                id: message.meta.id.clone(),
                expected_version: None,
            };
            return match self.topic().commit(vec![ack], now).await {
                Ok(_) => Outcome::Acked,
                Err(_) => Outcome::Skipped,
            };
        };
        if attempts >= subscription.max_attempts {
            return self
                .dead_letter(&message, version, attempts, reason, now)
                .await;
        }
        let next =
            now + chrono::Duration::from_std(subscription.backoff(attempts)).unwrap_or_default();
        let mut fields = message.fields.clone();
        fields.insert("attempts".into(), json!(attempts));
        fields.insert(
            "nextAttemptAt".into(),
            json!(domain::meta::format_timestamp(&next)),
        );
        fields.insert("lastError".into(), json!(reason));
        let nack = Write::Update {
            collection: TOPIC_MESSAGES,
            id: message.meta.id.clone(),
            expected_version: version,
            fields,
        };
        tracing::warn!(topic, attempts, reason, "push failed; will retry");
        match self.topic().commit(vec![nack], now).await {
            Ok(_) => Outcome::Retried,
            Err(_) => Outcome::Skipped,
        }
    }

    async fn dead_letter(
        &self,
        message: &Document,
        version: u64,
        attempts: u32,
        reason: String,
        now: DateTime<Utc>,
    ) -> Outcome {
        tracing::error!(message = %message.meta.id, attempts, reason, "message dead-lettered");
        let mut fields = message.fields.clone();
        fields.insert("attempts".into(), json!(attempts));
        fields.insert("reason".into(), Value::String(reason));
        fields.insert(
            "deadLetteredAt".into(),
            json!(domain::meta::format_timestamp(&now)),
        );
        let writes = vec![
            Write::Delete {
                collection: TOPIC_MESSAGES,
                id: message.meta.id.clone(),
                expected_version: Some(version),
            },
            Write::Create {
                collection: DEAD_LETTERS,
                id: message.meta.id.clone(),
                fields,
            },
        ];
        match self.topic().commit(writes, now).await {
            Ok(_) => Outcome::DeadLettered,
            Err(_) => Outcome::Skipped,
        }
    }

    /// Delivers for as long as the process runs, polling every `interval`. A round does not
    /// wait for the last one: a long job (a plan) holds up no other message.
    pub async fn run(self: Arc<Self>, interval: Duration) {
        loop {
            let deliverer = self.clone();
            tokio::spawn(async move { deliverer.round(Utc::now()).await });
            tokio::time::sleep(interval).await;
        }
    }
}

enum Outcome {
    Acked,
    Retried,
    DeadLettered,
    /// Someone else changed the message meanwhile; it is looked at again next round.
    Skipped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_minimum_up_to_the_maximum() {
        let s = Subscription {
            url: String::new(),
            ack_deadline: Duration::from_secs(10),
            min_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            max_attempts: 5,
        };
        let waits: Vec<u64> = (1..=5).map(|a| s.backoff(a).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 60, 60]);
    }
}
