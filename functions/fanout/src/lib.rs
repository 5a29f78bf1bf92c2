//! The `fanout` function: Cloud Scheduler calls it for a job; it pages through the active
//! tenants and publishes one message per tenant to the job's topic, in batches of up to 1,000
//! per publish call. Each message carries `tenant`, `job`, `scheduledFor` and the idempotency
//! key derived from them, so a retried scheduler call has no second effect: workers record the
//! key with their effect. An operator's run (`cleanops run JOB --tenant T`) may name one
//! active tenant in the body; only that tenant's message is published.

use platform::routes::Routes;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use domain::publish::{MAX_PUBLISH_BATCH, OutboundMessage, PublishError, Publisher};
use domain::store::DocumentStore;
use domain::{Fields, TenantId};
use platform::error::ApiResult;
use platform::http::JsonBody;
use platform::push::Invoker;
use platform::{ApiError, AppState};
use serde::Serialize;

pub const PATH: &str = "/internal/fanout";
/// The header Cloud Scheduler sets to the time the run was scheduled for.
pub const SCHEDULE_TIME_HEADER: &str = "X-CloudScheduler-ScheduleTime";

pub fn router() -> Routes {
    let doc = platform::api::doc("Publish one message of a job per active tenant")
        .about(
            "Cloud Scheduler's target (X-CloudScheduler-ScheduleTime names the tick); an \
             operator's run may name one tenant.",
        )
        .push()
        .body::<FanoutRequest>()
        .ok::<FanoutResult>();
    Routes::new().route(PATH, platform::api::post(handle, doc))
}

/// The body of a fan-out call (read with `Fields`; this describes it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct FanoutRequest {
    /// The job: a topic a worker subscribes to.
    job: String,
    /// One active tenant only (an operator's run).
    tenant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FanoutResult {
    pub job: String,
    pub scheduled_for: String,
    pub tenants: usize,
    pub publish_calls: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    #[error(transparent)]
    Store(domain::store::StoreError),
    #[error(transparent)]
    Publish(PublishError),
}

/// The message for one tenant's run of `job`.
pub fn job_message(job: &str, tenant: &TenantId, scheduled_for: &DateTime<Utc>) -> OutboundMessage {
    let data = serde_json::json!({
        "job": job,
        "tenant": tenant.as_str(),
        "scheduledFor": domain::meta::format_timestamp(scheduled_for),
    });
    platform::job::message(job, tenant, scheduled_for, None, &data)
}

/// Publishes `job` for every active tenant, a page of tenants per publish call.
pub async fn fan_out(
    store: &Arc<dyn DocumentStore>,
    publisher: &dyn Publisher,
    job: &str,
    scheduled_for: &DateTime<Utc>,
) -> Result<FanoutResult, FanoutError> {
    let (mut tenants, mut publish_calls, mut cursor) = (0, 0, None);
    loop {
        let (page, next) = platform::tenants::active_page(store, cursor, MAX_PUBLISH_BATCH)
            .await
            .map_err(FanoutError::Store)?;
        if !page.is_empty() {
            let messages = page
                .iter()
                .map(|tenant| job_message(job, tenant, scheduled_for))
                .collect();
            publisher
                .publish(job, messages)
                .await
                .map_err(FanoutError::Publish)?;
            publish_calls += 1;
            tenants += page.len();
            tracing::info!(job, tenants, "published a page of tenants");
        }
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(FanoutResult {
        job: job.to_owned(),
        scheduled_for: domain::meta::format_timestamp(scheduled_for),
        tenants,
        publish_calls,
    })
}

/// Publishes `job` for `tenant` alone (an operator's run).
async fn publish_one(
    publisher: &dyn Publisher,
    job: &str,
    tenant: &TenantId,
    scheduled_for: &DateTime<Utc>,
) -> Result<FanoutResult, FanoutError> {
    let message = job_message(job, tenant, scheduled_for);
    publisher
        .publish(job, vec![message])
        .await
        .map_err(FanoutError::Publish)?;
    Ok(FanoutResult {
        job: job.to_owned(),
        scheduled_for: domain::meta::format_timestamp(scheduled_for),
        tenants: 1,
        publish_calls: 1,
    })
}

async fn handle(
    State(state): State<AppState>,
    _: Invoker,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<FanoutResult>> {
    // The catalog was checked when the function started (`platform::run`); this is a lookup.
    let catalog = catalog::Catalog::get().map_err(ApiError::internal)?;
    let mut fields = Fields::new(&body, &[])?;
    let job = fields.required_parsed("job", |raw| {
        catalog
            .push_topics()
            .find(|topic| *topic == raw)
            .map(str::to_owned)
            .ok_or_else(|| {
                let jobs: Vec<&str> = catalog.push_topics().collect();
                format!("must be a job a worker subscribes to: {}", jobs.join(", "))
            })
    });
    let tenant = fields.optional_parsed("tenant", |raw| {
        TenantId::parse_external(raw).map_err(|e| e.to_string())
    });
    let (job, tenant) = fields.finish(|| Some((job?, tenant)))?;
    let scheduled_for = headers
        .get(SCHEDULE_TIME_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            ApiError::field(
                SCHEDULE_TIME_HEADER,
                "is required: the RFC 3339 time the run was scheduled for",
            )
        })?;
    let publisher = state
        .publisher
        .clone()
        .ok_or_else(|| ApiError::internal("the fan-out has no publisher"))?;
    let outcome = match tenant {
        Some(tenant) => {
            if !platform::tenants::is_active(&state.store, &tenant).await? {
                return Err(ApiError::field(
                    "tenant",
                    "is not a registered, active tenant",
                ));
            }
            publish_one(publisher.as_ref(), &job, &tenant, &scheduled_for).await
        }
        None => fan_out(&state.store, publisher.as_ref(), &job, &scheduled_for).await,
    };
    match outcome {
        Ok(result) => Ok(Json(result)),
        // A retry of the whole call is safe: messages carry their idempotency keys.
        Err(FanoutError::Store(e)) => Err(e.into()),
        Err(FanoutError::Publish(PublishError::Unavailable(e))) => Err(ApiError::Unavailable(e)),
        Err(FanoutError::Publish(e)) => Err(ApiError::internal(e)),
    }
}
