//! Pub/Sub push delivery, for every worker function: the push request's OIDC token is
//! verified (issuer, audience, signature, expiry, and the push service account's email), the
//! envelope is parsed into a [`PushJob`] whose tenant comes from the verified message, and
//! [`PushJob::complete`] commits the job's effect together with a delivery record, so a message
//! delivered many times has one effect.
//!
//! Answers: 204 acks (done, a duplicate, or a permanently bad message, which is recorded with
//! its reason and never retried); 503 asks Pub/Sub to redeliver (a transient failure); 401/403
//! for a token that is not the push subscription's.

use std::collections::BTreeMap;

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::meta::format_timestamp;
use domain::store::{StoreError, TenantStore, Write};
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Verifier;
use crate::config::{self, ConfigError};
use crate::context::TenantData;
use crate::error::ApiError;
use crate::runtime::AppState;

/// Job runs (per tenant): one record per idempotency key, written with the run's effect. It is
/// the job's status for dispatchers (`GET /v1/jobs`) and what makes redeliveries no-ops.
pub const JOBS: &str = "jobs";
/// Google's issuer of OIDC tokens for push subscriptions.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";

/// The claims of a push request's OIDC token.
#[derive(Debug, Clone, Deserialize)]
pub struct PushClaims {
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
}

/// Where the keys that sign invoker tokens come from.
enum Keys {
    /// A configured key set and issuer (tests, the local cloud).
    Configured(Box<Verifier>),
    /// Google's published keys, fetched and cached as their `Cache-Control` says, refetched
    /// (at a bounded rate) for an unknown key id: Google rotates them.
    Google(Box<gcloud_sdk::id_token_verify::IdTokenVerifier>),
}

/// Verifies invoker tokens (Pub/Sub push, Cloud Scheduler): the signing keys, the audience the
/// subscription or job sets, and the service account it calls as.
pub struct PushVerifier {
    keys: Keys,
    service_account: String,
}

impl PushVerifier {
    /// Tokens signed by `jwks` for `issuer`.
    pub fn new(
        jwks: &JwkSet,
        issuer: &str,
        audience: &str,
        service_account: &str,
    ) -> Result<Self, String> {
        Ok(Self {
            keys: Keys::Configured(Box::new(Verifier::new(jwks, issuer, audience)?)),
            service_account: service_account.to_owned(),
        })
    }

    /// Google-signed ID tokens, with keys from `source` (Google's endpoint by default).
    pub fn google(
        audience: &str,
        service_account: &str,
        source: Option<Box<dyn gcloud_sdk::id_token_verify::IdTokenKeysSource>>,
    ) -> Result<Self, String> {
        use gcloud_sdk::IdTokenAudience;
        use gcloud_sdk::id_token_verify::IdTokenVerifier;
        let verifier = match source {
            Some(source) => {
                IdTokenVerifier::with_keys_source(IdTokenAudience::new(audience), BoxedKeys(source))
            }
            None => {
                IdTokenVerifier::new(IdTokenAudience::new(audience)).map_err(|e| e.to_string())?
            }
        };
        Ok(Self {
            keys: Keys::Google(Box::new(verifier)),
            service_account: service_account.to_owned(),
        })
    }

    /// `PUSH_AUDIENCE` (the audience of the invoker's OIDC tokens, usually the service URL) and
    /// `PUSH_SERVICE_ACCOUNT` (the email it calls as). Tokens are Google's, checked against
    /// Google's published keys, unless a key set is configured in `PUSH_JWKS` or the file
    /// `PUSH_JWKS_FILE`, with `PUSH_ISSUER` (default Google's).
    pub fn from_env() -> Result<Self, ConfigError> {
        let audience =
            config::required("PUSH_AUDIENCE", "the audience of the invoker's OIDC tokens")?;
        let service_account = config::required(
            "PUSH_SERVICE_ACCOUNT",
            "the service account email the invoker calls as",
        )?;
        let issuer = config::optional("PUSH_ISSUER").unwrap_or_else(|| GOOGLE_ISSUER.into());
        let Some((var, jwks)) = crate::auth::jwks_from_env("PUSH_JWKS", "PUSH_JWKS_FILE")? else {
            return Self::google(&audience, &service_account, None)
                .map_err(|e| ConfigError::new("PUSH_AUDIENCE", e));
        };
        Self::new(&jwks, &issuer, &audience, &service_account).map_err(|e| ConfigError::new(var, e))
    }

    /// 401 for a token that is not valid, 403 for a valid one from another identity, 503 when
    /// Google's keys cannot be fetched to check it.
    pub async fn verify(&self, token: &str) -> Result<(), ApiError> {
        let email = match &self.keys {
            Keys::Configured(verifier) => {
                let claims: PushClaims = verifier.verify_as(token)?;
                claims.email.filter(|_| claims.email_verified)
            }
            Keys::Google(verifier) => {
                use gcloud_sdk::id_token_verify::IdTokenVerifyError;
                match verifier.verify(token).await {
                    Ok(verified) => verified.verified_email().map(ToString::to_string),
                    Err(IdTokenVerifyError::KeysUnavailable(e)) => {
                        return Err(ApiError::Unavailable(format!(
                            "Google's token keys are unavailable: {e}"
                        )));
                    }
                    Err(e) => return Err(ApiError::Unauthenticated(e.to_string())),
                }
            }
        };
        match email {
            Some(email) if email == self.service_account => Ok(()),
            _ => Err(ApiError::Forbidden(
                "the token is not from the invoker's service account".into(),
            )),
        }
    }
}

/// A boxed key source is a key source.
struct BoxedKeys(Box<dyn gcloud_sdk::id_token_verify::IdTokenKeysSource>);

#[async_trait::async_trait]
impl gcloud_sdk::id_token_verify::IdTokenKeysSource for BoxedKeys {
    async fn fetch_keys(
        &self,
    ) -> gcloud_sdk::error::Result<gcloud_sdk::id_token_verify::IdTokenKeys> {
        self.0.fetch_keys().await
    }
}

/// Checks that a request comes from the identity allowed to invoke this function (the push
/// subscription's or the scheduler's service account): 401 without a valid token, 403 for
/// another identity.
pub async fn verify_invoker(
    headers: &axum::http::HeaderMap,
    state: &AppState,
) -> Result<(), ApiError> {
    let verifier = state
        .push
        .as_ref()
        .ok_or_else(|| ApiError::internal("this function has no invoker verifier configured"))?;
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::Unauthenticated("this endpoint needs the invoker's OIDC token".into())
        })?;
    verifier.verify(token).await
}

/// Proof that the request comes from the function's invoker (see [`verify_invoker`]); put it
/// before the body in a handler's arguments so callers are checked before their input.
pub struct Invoker;

impl<S> axum::extract::FromRequestParts<S> for Invoker
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        verify_invoker(&parts.headers, &AppState::from_ref(state))
            .await
            .map(|()| Invoker)
    }
}

/// The push request body Pub/Sub sends.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushEnvelope {
    pub message: PushMessage,
    pub subscription: String,
    /// Present when the subscription has a dead-letter policy.
    #[serde(default)]
    pub delivery_attempt: Option<u32>,
}

/// One Pub/Sub message: its attributes carry tenant, job, scheduledFor and idempotencyKey.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushMessage {
    /// The job's payload, JSON in base64.
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(alias = "message_id")]
    pub message_id: String,
    #[serde(alias = "publish_time")]
    pub publish_time: String,
}

/// A verified, parsed job delivery. Its tenant comes from the verified message's attributes.
pub struct PushJob {
    /// What the message says.
    pub message: JobMessage,
    /// When this delivery began to be handled.
    pub started_at: DateTime<Utc>,
    data: TenantData,
    /// What the function's router layered in for its jobs (a worker's senders).
    extensions: axum::http::Extensions,
    publisher: Option<std::sync::Arc<dyn domain::publish::Publisher>>,
    blobs: Option<std::sync::Arc<dyn blobs::BlobStore>>,
    system: TenantStore,
}

/// What a job delivery says: its tenant, job and scheduled time from the message's
/// attributes, and its payload.
#[derive(Debug)]
pub struct JobMessage {
    pub tenant: TenantId,
    pub job: String,
    pub scheduled_for: DateTime<Utc>,
    /// What a run asked for per thing is about (a plan's id), from the `subject` attribute.
    pub subject: Option<String>,
    /// Deterministic per job, tenant and scheduled time (or subject): the same work has the
    /// same key.
    pub idempotency_key: String,
    pub message_id: String,
    pub delivery_attempt: Option<u32>,
    /// The message's data, decoded (JSON if it parses, else a string; null when empty): the
    /// job's typed payload is read from it.
    pub payload: Value,
}

impl JobMessage {
    /// Decodes and checks a delivery's attributes and data; pure, so it is fuzzed.
    pub fn decode(envelope: PushEnvelope) -> Result<Self, Poison> {
        let attributes = &envelope.message.attributes;
        let poison = |tenant: Option<TenantId>, reason: String| Poison {
            tenant,
            key: None,
            reason,
        };
        let tenant = attributes
            .get("tenant")
            .ok_or_else(|| poison(None, "the message has no tenant attribute".into()))
            .and_then(|t| {
                TenantId::parse_external(t).map_err(|e| poison(None, format!("tenant {e}")))
            })?;
        let job = attributes
            .get("job")
            .filter(|j| domain::id::parse_id(j).is_ok())
            .ok_or_else(|| {
                poison(
                    Some(tenant.clone()),
                    "the message has no valid job attribute".into(),
                )
            })?
            .clone();
        let scheduled_for = attributes
            .get("scheduledFor")
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                poison(
                    Some(tenant.clone()),
                    "scheduledFor is missing or not an RFC 3339 time".into(),
                )
            })?;
        let subject = match attributes.get("subject") {
            None => None,
            Some(subject) if domain::id::parse_id(subject).is_ok() => Some(subject.as_str()),
            Some(_) => {
                return Err(poison(
                    Some(tenant.clone()),
                    "the subject attribute is not an id".into(),
                ));
            }
        };
        let key = idempotency_key(&job, &tenant, &scheduled_for, subject);
        let subject = subject.map(str::to_owned);
        if let Some(given) = attributes.get("idempotencyKey")
            && *given != key
        {
            return Err(Poison {
                tenant: Some(tenant),
                key: Some(key),
                reason: format!(
                    "idempotencyKey {given:?} does not match job, tenant and scheduledFor"
                ),
            });
        }
        let payload = match &envelope.message.data {
            None => Value::Null,
            Some(encoded) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|_| Poison {
                        tenant: Some(tenant.clone()),
                        key: Some(key.clone()),
                        reason: "message.data is not base64".into(),
                    })?;
                serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            }
        };
        Ok(Self {
            tenant,
            job,
            scheduled_for,
            subject,
            idempotency_key: key,
            message_id: envelope.message.message_id,
            delivery_attempt: envelope.delivery_attempt,
            payload,
        })
    }
}

/// Why a delivery cannot be processed, ever: acked and, when its tenant is known, recorded.
#[derive(Debug)]
pub struct Poison {
    pub tenant: Option<TenantId>,
    pub key: Option<String>,
    pub reason: String,
}

/// The idempotency key of a job run: `{job}:{tenant}:{scheduledFor}` made safe as a document
/// id; for a run asked for per thing (a plan), `{job}:{subject}`, the subject being a
/// globally unique id.
pub fn idempotency_key(
    job: &str,
    tenant: &TenantId,
    scheduled_for: &DateTime<Utc>,
    subject: Option<&str>,
) -> String {
    match subject {
        Some(subject) => format!("{job}_{subject}"),
        None => format!("{job}_{tenant}_{}", scheduled_for.format("%Y%m%dT%H%M%SZ")),
    }
}

impl PushJob {
    /// The message's tenant's data: the one way a worker reaches the store.
    pub fn data(&self) -> &TenantData {
        &self.data
    }

    /// Raises `event` for the message's tenant (see [`crate::notify`]).
    pub async fn notify(&self, event: &domain::notifications::NotificationEvent) {
        crate::notify::publish(
            self.publisher.as_deref(),
            &self.message.tenant,
            event,
            self.data.now(),
        )
        .await;
    }

    /// The message's tenant's documents, if the function's catalog entry says `documents`.
    pub fn bucket(&self) -> Option<crate::bucket::TenantBucket> {
        self.blobs
            .clone()
            .map(|store| crate::bucket::TenantBucket::new(store, self.message.tenant.clone()))
    }

    /// The platform's own scope (what holds for every tenant, such as SMS opt-outs): never
    /// another tenant's data.
    pub fn platform_scope(&self) -> &TenantStore {
        &self.system
    }

    /// A service the function's routes carry (see [`crate::routes::Routes::with_service`]).
    pub fn service<T: Clone + Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    fn parse(
        envelope: PushEnvelope,
        state: &AppState,
        extensions: axum::http::Extensions,
    ) -> Result<Self, Poison> {
        let message = JobMessage::decode(envelope)?;
        Ok(Self {
            data: TenantData::of(state, message.tenant.clone()),
            started_at: state.clock.now(),
            message,
            extensions,
            publisher: state.publisher.clone(),
            blobs: state.blobs.clone(),
            system: TenantStore::new(state.store.clone(), TenantId::system()),
        })
    }

    fn delivery_record(&self, state: &str, reason: Option<&str>, at: DateTime<Utc>) -> Write {
        JobRecord {
            job: Some(&self.message.job),
            state,
            message_id: Some(&self.message.message_id),
            scheduled_for: Some(format_timestamp(&self.message.scheduled_for)),
            started_at: format_timestamp(&self.started_at),
            finished_at: format_timestamp(&at),
            duration_ms: (at - self.started_at).num_milliseconds().max(0),
            // Pub/Sub counts deliveries only with a dead-letter policy; without one this is the
            // first delivery we know of.
            attempts: self.message.delivery_attempt.unwrap_or(1),
            progress: (state == "done").then_some(1.0),
            reason,
        }
        .write(self.message.idempotency_key.clone())
    }

    /// Commits `effect` with the delivery record, atomically. If the record exists, the job was
    /// done before and nothing is written: a duplicate is acked like a success.
    pub async fn complete(&self, effect: Vec<Write>, at: DateTime<Utc>) -> PushOutcome {
        let mut writes = vec![self.delivery_record("done", None, at)];
        writes.extend(effect);
        match self.data.store().commit(writes, at).await {
            Ok(_) => PushOutcome::Done,
            Err(StoreError::AlreadyExists { collection, .. }) if collection == JOBS => {
                PushOutcome::Duplicate
            }
            Err(e) if e.is_precondition_failure() => match self.was_done().await {
                Ok(true) => PushOutcome::Duplicate,
                // Our effect raced another writer; a redelivery recomputes it.
                _ => PushOutcome::Retry(e.to_string()),
            },
            Err(e) => PushOutcome::Retry(e.to_string()),
        }
    }

    /// Whether this run's record exists: the job was done (or rejected) before.
    pub async fn was_done(&self) -> Result<bool, StoreError> {
        Ok(self
            .data
            .store()
            .get(JOBS, &self.message.idempotency_key)
            .await?
            .is_some())
    }

    /// Records the delivery as rejected with `reason` and acks it: it will never succeed.
    pub async fn reject(&self, reason: &str, at: DateTime<Utc>) -> PushOutcome {
        tracing::error!(job = %self.message.job, key = %self.message.idempotency_key, reason, "job rejected");
        match self
            .data
            .store()
            .commit(vec![self.delivery_record("rejected", Some(reason), at)], at)
            .await
        {
            Ok(_) | Err(StoreError::AlreadyExists { .. }) => PushOutcome::Rejected,
            Err(e) => PushOutcome::Retry(e.to_string()),
        }
    }
}

/// The record of one job run (`jobs/{key}`): its status for dispatchers.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<&'a str>,
    /// done, or rejected (a message that can never succeed; reason says why).
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_for: Option<String>,
    started_at: String,
    finished_at: String,
    duration_ms: i64,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl JobRecord<'_> {
    /// Created once: a second record under the same key fails, which is what makes redeliveries
    /// no-ops.
    fn write(self, id: String) -> Write {
        let fields = match serde_json::to_value(&self) {
            Ok(Value::Object(fields)) => fields,
            _ => serde_json::Map::new(),
        };
        Write::Create {
            collection: JOBS,
            id,
            fields,
        }
    }
}

/// What a worker answers to Pub/Sub.
#[derive(Debug)]
pub enum PushOutcome {
    Done,
    Duplicate,
    Rejected,
    /// A transient failure: Pub/Sub redelivers with backoff.
    Retry(String),
}

impl IntoResponse for PushOutcome {
    fn into_response(self) -> Response {
        match self {
            PushOutcome::Done | PushOutcome::Duplicate | PushOutcome::Rejected => {
                StatusCode::NO_CONTENT.into_response()
            }
            PushOutcome::Retry(reason) => {
                tracing::warn!(reason, "job failed; asking for redelivery");
                ApiError::Unavailable(reason).into_response()
            }
        }
    }
}

/// The extractor's rejection: refuse the caller, or ack a message that can never be processed.
pub enum PushRejection {
    Refused(ApiError),
    Poisoned(PushOutcome),
}

impl IntoResponse for PushRejection {
    fn into_response(self) -> Response {
        match self {
            PushRejection::Refused(e) => e.into_response(),
            PushRejection::Poisoned(outcome) => outcome.into_response(),
        }
    }
}

impl<S> FromRequest<S> for PushJob
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = PushRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, PushRejection> {
        let state = AppState::from_ref(state);
        verify_invoker(request.headers(), &state)
            .await
            .map_err(PushRejection::Refused)?;
        let extensions = request.extensions().clone();
        let bytes = axum::body::Bytes::from_request(request, &state)
            .await
            .map_err(|e| PushRejection::Refused(ApiError::MalformedJson(e.to_string())))?;
        let poisoned = |reason: String| {
            tracing::error!(reason, "unprocessable push message acknowledged");
            PushRejection::Poisoned(PushOutcome::Rejected)
        };
        let envelope: PushEnvelope = serde_json::from_slice(&bytes)
            .map_err(|e| poisoned(format!("not a Pub/Sub push envelope: {e}")))?;
        match PushJob::parse(envelope, &state, extensions) {
            Ok(job) => {
                tracing::Span::current().record("tenant", job.message.tenant.as_str());
                Ok(job)
            }
            Err(Poison {
                tenant: Some(tenant),
                key,
                reason,
            }) => {
                // Recorded under its tenant so dispatchers see it; keyed so retries record once.
                let store = TenantStore::new(state.store.clone(), tenant);
                let id =
                    key.unwrap_or_else(|| format!("rejected_{}", uuid::Uuid::now_v7().simple()));
                let at = state.clock.now();
                let record = JobRecord {
                    job: None,
                    state: "rejected",
                    message_id: None,
                    scheduled_for: None,
                    started_at: format_timestamp(&at),
                    finished_at: format_timestamp(&at),
                    duration_ms: 0,
                    attempts: 1,
                    progress: None,
                    reason: Some(&reason),
                };
                let _ = store.commit(vec![record.write(id)], at).await;
                Err(poisoned(reason))
            }
            Err(Poison { reason, .. }) => Err(poisoned(reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(subject: Option<&str>) -> PushEnvelope {
        let mut attributes = BTreeMap::from([
            ("tenant".to_owned(), "acme".to_owned()),
            ("job".to_owned(), "planning".to_owned()),
            ("scheduledFor".to_owned(), "2026-12-03T10:00:00Z".to_owned()),
        ]);
        if let Some(subject) = subject {
            attributes.insert("subject".to_owned(), subject.to_owned());
        }
        PushEnvelope {
            message: PushMessage {
                data: None,
                attributes,
                message_id: "m1".into(),
                publish_time: "2026-12-03T10:00:01Z".into(),
            },
            subscription: "projects/p/subscriptions/planning".into(),
            delivery_attempt: None,
        }
    }

    #[test]
    fn a_run_about_a_subject_is_keyed_by_it_not_by_its_time() {
        let message = JobMessage::decode(envelope(Some("plan-1"))).unwrap();
        assert_eq!(message.idempotency_key, "planning_plan-1");
        assert_eq!(message.subject.as_deref(), Some("plan-1"));
        let scheduled = JobMessage::decode(envelope(None)).unwrap();
        assert_eq!(scheduled.idempotency_key, "planning_acme_20261203T100000Z");
    }

    #[test]
    fn a_subject_that_is_not_an_id_is_poison() {
        let poison = JobMessage::decode(envelope(Some("../plans"))).unwrap_err();
        assert!(poison.reason.contains("subject"), "{}", poison.reason);
    }
}
