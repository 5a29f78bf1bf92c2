//! The publisher port: messages to a topic, delivered at least once to its subscribers.

use std::collections::BTreeMap;

use async_trait::async_trait;

/// The most messages one publish call carries (Pub/Sub's limit per request).
pub const MAX_PUBLISH_BATCH: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    pub attributes: BTreeMap<String, String>,
    pub data: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublishError {
    /// The request cannot be published as it is (too many messages, an unknown topic).
    #[error("cannot publish: {0}")]
    Invalid(String),
    /// The broker could not take the messages now; a retry may succeed.
    #[error("publishing failed: {0}")]
    Unavailable(String),
}

/// Refuses a batch no adapter may send in one call.
pub fn check_batch(messages: &[OutboundMessage]) -> Result<(), PublishError> {
    if messages.len() > MAX_PUBLISH_BATCH {
        return Err(PublishError::Invalid(format!(
            "at most {MAX_PUBLISH_BATCH} messages per call"
        )));
    }
    Ok(())
}

#[async_trait]
pub trait Publisher: Send + Sync + 'static {
    /// Publishes up to [`MAX_PUBLISH_BATCH`] messages to `topic` in one call; on success every
    /// message is durably accepted.
    async fn publish(
        &self,
        topic: &str,
        messages: Vec<OutboundMessage>,
    ) -> Result<(), PublishError>;
}
