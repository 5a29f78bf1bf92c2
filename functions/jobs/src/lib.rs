//! The `jobs` function (platform context): what became of the tenant's job runs.
//!
//! Route: `GET /v1/jobs`, the runs the workers recorded (one per job, tenant and scheduled
//! time), the latest finished first; `?job=` and `?state=` (`done`, `rejected`) filter, and
//! `limit` and `pageToken` page as in every listing. Admins and dispatchers read it.
//!
//! Its own deployable because it is public and serves people, unlike the private fan-out and
//! the workers that write the runs.

use axum::extract::Query;
use axum::response::Response;
use platform::routes::Routes;

use platform::api::{self, doc};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order};
use platform::push::JOBS;
use platform::{RequestContext, Role};

/// The filters of the listing.
pub const FILTERS: &[FilterParam] = &[FilterParam::text("job"), FilterParam::text("state")];
/// Its one order: the latest finished first.
const ORDER: Order = Order::desc("finishedAt");

/// The function's routes; the runtime adds auth, `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    let listing = doc("List the job runs, the latest finished first")
        .about("Roles: admin, dispatcher. One per job, tenant and scheduled time.")
        .page::<platform::crud::Stored<platform::push::JobRecord<'static>>>()
        .query("job", api::string(), "Only runs of this job.")
        .query(
            "state",
            api::string(),
            "Only runs that ended so: done or rejected.",
        );
    Routes::new().route("/v1/jobs", api::get(list_jobs, listing))
}

async fn list_jobs(
    cx: RequestContext,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "read jobs")?;
    platform::crud::document_listing(cx.store(), JOBS, &query, FILTERS, ORDER).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every filter combination the listing accepts, first pages and later ones.
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        store::indexes::assert_served(platform::crud::listing_queries(JOBS, FILTERS, &[ORDER]));
    }
}
