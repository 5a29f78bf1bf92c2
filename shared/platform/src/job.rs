//! Typed background jobs, after the registry's own worker (`BackgroundJob` in rust-lang's
//! `crates_io_worker`): a job is a type with a name (its Pub/Sub topic) and a typed payload
//! (the message's data), and its `run` returns the writes of its effect or a [`JobError`]
//! saying whether a redelivery could help.
//!
//! [`route`] serves a job at `/push/{NAME}`: the push runtime ([`crate::push`]) verifies the
//! delivery, decodes the payload, runs the job in a span that names the tenant and the job,
//! and commits the writes together with the run's record, so a redelivered message has one
//! effect. A [`JobError::Reject`] is recorded and acked at once (Pub/Sub never redelivers it);
//! a [`JobError::Retry`] answers 503 and Pub/Sub redelivers with backoff.

use std::collections::BTreeMap;
use std::future::Future;

use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::publish::{OutboundMessage, PublishError, Publisher};
use domain::store::{StoreError, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::error::ApiError;
use crate::push::{PushJob, PushOutcome};
use crate::runtime::AppState;

/// Why a job run did not produce its effect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// A transient failure (the store unreachable, a lost race): a redelivery may succeed.
    #[error("retry: {0}")]
    Retry(String),
    /// The job can never succeed as it is (a bad payload, a missing or invalid entity):
    /// recorded with its reason and never retried.
    #[error("rejected: {0}")]
    Reject(String),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        match e {
            // A race with another writer: the next delivery recomputes from fresh data.
            StoreError::VersionMismatch { .. }
            | StoreError::AlreadyExists { .. }
            | StoreError::NotFound { .. }
            | StoreError::Unavailable(_) => JobError::Retry(e.to_string()),
            StoreError::Invalid(_) | StoreError::Internal(_) => JobError::Reject(e.to_string()),
        }
    }
}

impl From<ApiError> for JobError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unavailable(_)
            | ApiError::Conflict(_)
            | ApiError::Running { .. }
            | ApiError::PreconditionFailed { .. } => JobError::Retry(e.to_string()),
            // What was wrong, field by field, rather than how many fields were.
            ApiError::Validation(errors) => JobError::Reject(
                errors
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => JobError::Reject(other.to_string()),
        }
    }
}

impl From<domain::ValidationErrors> for JobError {
    fn from(e: domain::ValidationErrors) -> Self {
        JobError::Reject(format!("invalid payload: {e}"))
    }
}

impl From<domain::schedule::ScheduleError> for JobError {
    fn from(e: domain::schedule::ScheduleError) -> Self {
        JobError::Reject(e.to_string())
    }
}

/// A job a worker runs for one tenant per delivered message.
pub trait BackgroundJob: DeserializeOwned + Send + 'static {
    /// The job's name: the Pub/Sub topic (and the catalog's `job`) it is published to.
    const NAME: &'static str;

    /// The effect of one run for `run`'s tenant and scheduled time, as writes to commit with
    /// the run's record. Reads go through `run.data()`.
    fn run(self, run: &PushJob) -> impl Future<Output = Result<Vec<Write>, JobError>> + Send;
}

/// The message of one run of `job` for `tenant` at `scheduled_for` (and of `subject`, if
/// the run is one per thing): the attributes the push runtime checks, and `payload` as data.
pub fn message(
    job: &str,
    tenant: &TenantId,
    scheduled_for: &DateTime<Utc>,
    subject: Option<&str>,
    payload: &serde_json::Value,
) -> OutboundMessage {
    let mut attributes = BTreeMap::from([
        ("tenant".to_owned(), tenant.to_string()),
        ("job".to_owned(), job.to_owned()),
        (
            "scheduledFor".to_owned(),
            domain::meta::format_timestamp(scheduled_for),
        ),
        (
            "idempotencyKey".to_owned(),
            crate::push::idempotency_key(job, tenant, scheduled_for, subject),
        ),
    ]);
    if let Some(subject) = subject {
        attributes.insert("subject".to_owned(), subject.to_owned());
    }
    OutboundMessage {
        attributes,
        data: payload.to_string().into_bytes(),
    }
}

/// Publishes one run of `job` for `tenant`, now, about `subject`: work a request hands to a
/// worker. 503 if the topic cannot be reached (nothing was published).
pub async fn enqueue<J: BackgroundJob + Serialize>(
    publisher: Option<&dyn Publisher>,
    tenant: &TenantId,
    job: &J,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let publisher = publisher.ok_or_else(|| {
        ApiError::internal(format!(
            "no publisher: list the {} topic in the function's catalog entry (publishes)",
            J::NAME
        ))
    })?;
    let payload = serde_json::to_value(job).map_err(ApiError::internal)?;
    let message = message(J::NAME, tenant, &now, Some(subject), &payload);
    publisher
        .publish(J::NAME, vec![message])
        .await
        .map_err(|e| match e {
            PublishError::Unavailable(e) => ApiError::Unavailable(e),
            other => ApiError::internal(other),
        })
}

/// Where a job's pushes are served: `/push/{NAME}` (the catalog's push path for its topic).
fn path<J: BackgroundJob>() -> String {
    format!("/push/{}", J::NAME)
}

/// The push route of `J`, to merge into a worker function's router.
pub fn route<J: BackgroundJob>() -> crate::routes::Routes {
    let doc = crate::api::doc(&format!("Run a {} job delivered by Pub/Sub", J::NAME))
        .about(
            "Pub/Sub pushes each message of the job's topic here. 204 acks (done, or a message \
             that can never succeed, recorded as rejected); 503 asks for redelivery with backoff.",
        )
        .push()
        .body::<crate::push::PushEnvelope>()
        .no_content("Done once: this delivery or an earlier one of the same message");
    crate::routes::Routes::new().route(&path::<J>(), crate::api::post(deliver::<J>, doc))
}

async fn deliver<J: BackgroundJob>(
    State(state): State<AppState>,
    delivery: PushJob,
) -> PushOutcome {
    let span = tracing::info_span!(
        "job",
        job = J::NAME,
        tenant = %delivery.message.tenant,
        key = %delivery.message.idempotency_key,
    );
    async move {
        let result = match decode::<J>(&delivery) {
            Ok(job) => job.run(&delivery).await,
            Err(e) => Err(e),
        };
        let at = state.clock.now();
        match result {
            Ok(writes) => delivery.complete(writes, at).await,
            Err(JobError::Reject(reason)) => delivery.reject(&reason, at).await,
            Err(JobError::Retry(reason)) => PushOutcome::Retry(reason),
        }
    }
    .instrument(span)
    .await
}

/// The typed payload; a message without data is an empty object.
fn decode<J: BackgroundJob>(delivery: &PushJob) -> Result<J, JobError> {
    let payload = match &delivery.message.payload {
        serde_json::Value::Null => serde_json::json!({}),
        other => other.clone(),
    };
    serde_json::from_value(payload)
        .map_err(|e| JobError::Reject(format!("the payload is not a {} job: {e}", J::NAME)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_store_is_retried_and_a_bad_request_rejected() {
        assert!(matches!(
            JobError::from(StoreError::Unavailable("down".into())),
            JobError::Retry(_)
        ));
        assert!(matches!(
            JobError::from(StoreError::Invalid("bad field".into())),
            JobError::Reject(_)
        ));
        assert!(matches!(
            JobError::from(ApiError::NotFound {
                kind: "plan",
                id: "p1".into()
            }),
            JobError::Reject(_)
        ));
        assert!(matches!(
            JobError::from(domain::ValidationErrors::single(
                "weekStart",
                "must be a date"
            )),
            JobError::Reject(_)
        ));
    }
}
