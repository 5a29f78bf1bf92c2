//! `/v1/simulations`: how likely a plan (or the tours in force) is to hold, and what-if
//! comparisons. `POST` queues a simulation for the simulation worker and answers 202; `GET
//! /v1/simulations/{id}` shows its progress, then its result.

use axum::http::StatusCode;
use axum::response::Response;
use domain::simulation::{Simulation, SimulationRequest, Subject};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_response};
use platform::error::ApiResult;
use platform::http::{JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::simulation_runs::{self, SimulationJob};
use platform::{ApiError, Caller, RequestContext, Role};
use serde_json::Value;

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/v1/simulations",
            api::get(
                resource::list::<Simulations>,
                resource::list_doc::<Simulations>(),
            )
            .post(
                create,
                doc("Simulate a plan, or the tours in force, many times (queued for the simulation worker)")
                    .about(
                        "Roles: admin, dispatcher. Answers 202 with the queued simulation; GET \
                         /v1/simulations/{id} shows its status (queued, running, then done) and \
                         progress, then per visit the chance it starts within its window, per \
                         cleaner-day the chance of overtime and the expected overtime, per site \
                         the service level, each with its 95 % interval, and the model's \
                         assumptions. With changes or comparePlanId: a what-if, the variant \
                         beside the result and their difference figure by figure.",
                    )
                    .body::<SimulationRequestBody>()
                    .answers::<Stored<Simulation>>(202, "The queued simulation, with its ETag"),
            ),
        )
        .route(
            "/v1/simulations/{id}",
            api::get(
                resource::read::<Simulations>,
                resource::read_doc::<Simulations>(),
            )
            .delete(
                resource::delete::<Simulations>,
                doc("Delete a simulation")
                    .about("Roles: admin.")
                    .if_match()
                    .no_content("Deleted"),
            ),
        )
}

/// The body of `POST /v1/simulations` (parsed by [`SimulationRequest::parse`]).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct SimulationRequestBody {
    /// The plan to simulate (or weekStart).
    plan_id: Option<String>,
    /// A Monday: the tours in force that week (or planId).
    week_start: Option<chrono::NaiveDate>,
    /// 100 to 100,000 (default 10,000).
    #[schema(minimum = 100, maximum = 100000)]
    replications: Option<u64>,
    /// The same seed gives the same figures (default 1).
    seed: Option<u64>,
    /// What-if: the variant is the week with these changes.
    changes: Option<domain::simulation::Changes>,
    /// What-if: another plan of the same week, compared with the first.
    compare_plan_id: Option<String>,
}

pub struct Simulations;

impl Resource for Simulations {
    type Entity = Simulation;
    const PATH: &'static str = "/v1/simulations";
    const ORDERS: &'static [Order] = &[Order::desc("id"), Order::asc("id")];
    /// Simulations are run, never written whole; admins may delete them.
    const WRITERS: &'static [Role] = &[Role::Admin];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read simulations")?;
        Ok(Vec::new())
    }

    /// A pending simulation whose lease has passed is marked failed as it is read.
    async fn present(
        items: Vec<Stored<Simulation>>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<platform::crud::Shown>> {
        platform::progress::present(items, cx).await
    }
}

/// The computed plan `id` names, if a simulation can take its week (422 naming `field`).
async fn simulable(
    cx: &RequestContext,
    id: &str,
    field: &str,
) -> ApiResult<domain::planning::Plan> {
    let plan = simulation_runs::computed_plan(cx.data(), id, field)
        .await?
        .entity;
    let visits: usize = plan.tours.iter().map(|t| t.stops.len()).sum();
    if visits > domain::simulation::MAX_VISITS {
        return Err(ApiError::field(
            field,
            format!(
                "the plan has {visits} visits; a simulation takes at most {}",
                domain::simulation::MAX_VISITS
            ),
        ));
    }
    Ok(plan)
}

/// `POST /v1/simulations`: checks what is simulated exists and is computed (a plan of the
/// same week to compare with, a site to add), stores the simulation as queued and hands it
/// to the simulation worker.
async fn create(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "simulate plans")?;
    let request = SimulationRequest::parse(&body)?;
    let week_start = match &request.subject {
        Subject::Plan(id) => simulable(&cx, id, "planId").await?.week_start,
        Subject::InForce(monday) => *monday,
    };
    if let Some(other) = &request.compare_plan_id {
        let compared = simulable(&cx, other, "comparePlanId").await?;
        if compared.week_start != week_start {
            return Err(ApiError::field(
                "comparePlanId",
                format!("must be a plan of the week of {week_start}"),
            ));
        }
    }
    if let Some(site) = request
        .changes
        .as_ref()
        .and_then(|c| c.add_site_id.as_ref())
        && cx
            .repo::<domain::sites::Site>()
            .find(site.as_str())
            .await?
            .is_none()
    {
        return Err(ApiError::field("changes.addSiteId", "no site has this id"));
    }
    let simulation = Simulation::queued(
        &request,
        week_start,
        cx.now() + platform::progress::QUEUE_LEASE,
    );
    let queued = cx
        .repo::<Simulation>()
        .create(simulation, Vec::new())
        .await?;
    let id = queued.meta.id.clone();
    let job = SimulationJob {
        simulation_id: id.clone(),
    };
    if let Err(e) = cx.enqueue(&job, &id).await {
        let _ = platform::progress::fail(
            cx.data(),
            &queued,
            "it could not be handed to a simulation worker",
        )
        .await;
        return Err(e);
    }
    Ok(entity_response(
        StatusCode::ACCEPTED,
        &queued.meta,
        &queued,
        Some(format!("/v1/simulations/{id}")),
    ))
}
