//! Plans are computed on the planning worker, never in a request: [`queue`] stores a plan as
//! queued, and the [`PlanningJob`] computes it, writing its progress as it goes, then the
//! result. `POST /v1/plans` queues a plan and publishes its job; the nightly re-plan (the job
//! without a plan) queues its own and computes it in the same delivery. Locally the same
//! message goes through the local topic and the same push route.
//!
//! A tenant has one pending (queued or running) plan per week: each queued plan rewrites the
//! week's marker (`weekPlanRuns/{monday}`) in its commit, so of two requests for one week the
//! store lets one commit.
//!
//! Layout:
//! - [`queue`]: the week's marker and the queued plan, in one commit.
//! - [`PlanningJob`]: the job's payload and its run: claim, compute, write.
//! - `compute_with_progress`: the search, its progress written and its lease renewed.

use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use domain::Entity;
use domain::planning::{Plan, PlanRequest, PlanStatus};
use domain::store::Write;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::TenantData;
use crate::crud::{Stored, entity_fields, new_id};
use crate::error::{ApiError, ApiResult};
use crate::job::{BackgroundJob, JobError};
use crate::push::PushJob;

/// Which plan of a week was queued last: one document per week (its Monday).
const WEEK_PLAN_RUNS: &str = "weekPlanRuns";

/// The nightly plan's search time per tenant: `NIGHTLY_PLAN_SECONDS`, default 20.
pub const NIGHTLY_SECONDS_VAR: &str = "NIGHTLY_PLAN_SECONDS";

fn nightly_seconds() -> f64 {
    std::env::var(NIGHTLY_SECONDS_VAR)
        .ok()
        .and_then(|raw| raw.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && *s <= domain::planning::MAX_PLAN_SECONDS)
        .unwrap_or(20.0)
}

/// Stores `plan` (queued) as its week's pending plan: under a new id, or under `id`
/// replacing `existing` (the caller read it, and checked it may be replaced). 409 naming the
/// week's pending plan if there is one.
pub async fn queue(
    data: &TenantData,
    plan: Plan,
    id: Option<&str>,
    existing: Option<&Stored<Plan>>,
) -> ApiResult<Stored<Plan>> {
    let week = plan.week_start.to_string();
    let marker = data.store().get(WEEK_PLAN_RUNS, &week).await?;
    if let Some(pending) = pending_of(data, marker.as_ref()).await? {
        return Err(running(&pending));
    }
    let repo = data.repo::<Plan>();
    let id = id.map_or_else(new_id, str::to_owned);
    let fields = serde_json::Map::from_iter([
        ("weekStart".to_owned(), Value::from(week.clone())),
        ("planId".to_owned(), Value::from(id.clone())),
    ]);
    // The marker first: the emulator applies writes in order and stops at a failed guard.
    let mut writes = vec![match &marker {
        None => Write::Create {
            collection: WEEK_PLAN_RUNS,
            id: week.clone(),
            fields,
        },
        Some(marker) => Write::Update {
            collection: WEEK_PLAN_RUNS,
            id: week.clone(),
            expected_version: marker.meta.version,
            fields,
        },
    }];
    writes.push(Write::upsert(
        Plan::COLLECTION,
        id.clone(),
        existing.map(|p| &p.meta),
        entity_fields(&plan)?,
    ));
    match data.store().commit(writes, data.now()).await {
        Ok(_) => repo.get(&id).await,
        Err(e) if e.is_precondition_failure() => {
            // Another plan of this week was queued since we read: it is the pending one.
            let marker = data.store().get(WEEK_PLAN_RUNS, &week).await?;
            match pending_of(data, marker.as_ref()).await? {
                Some(pending) => Err(running(&pending)),
                None => Err(ApiError::LostRace(format!(
                    "the plans of the week of {week} changed while this one was queued; retry"
                ))),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The plan a week's marker names, if it is still pending and not abandoned.
async fn pending_of(
    data: &TenantData,
    marker: Option<&domain::store::Document>,
) -> ApiResult<Option<Stored<Plan>>> {
    let Some(plan_id) = marker
        .and_then(|m| m.fields.get("planId"))
        .and_then(Value::as_str)
    else {
        return Ok(None);
    };
    let plan = data.repo::<Plan>().find(plan_id).await?;
    Ok(plan.filter(|p| p.entity.is_pending() && !p.entity.is_abandoned(data.now())))
}

fn running(pending: &Stored<Plan>) -> ApiError {
    ApiError::Running {
        detail: format!(
            "plan {} of the week of {} is still being computed; follow it at /v1/plans/{}, \
             or plan again when it is done",
            pending.meta.id, pending.entity.week_start, pending.meta.id
        ),
        running_id: pending.meta.id.clone(),
    }
}

/// The planning job: computes the queued plan `planId`; without one, the nightly re-plan of
/// `weekStart` (by default the week after the scheduled run) as the draft
/// `nightly-{weekStart}`, replacing an earlier draft of that week (an activated plan stays).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanningJob {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_start: Option<NaiveDate>,
}

impl BackgroundJob for PlanningJob {
    const NAME: &'static str = "planning";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        // A redelivery of a finished run: its writes before the record (the queued plan, the
        // claim) must not happen again.
        if run.was_done().await? {
            return Ok(Vec::new());
        }
        let data = run.data();
        let plan = match self.plan_id {
            Some(id) => data.repo::<Plan>().find(&id).await?.ok_or_else(|| {
                JobError::Reject(format!("plan {id} does not exist (deleted before it ran)"))
            })?,
            None => match self.queue_nightly(run).await? {
                Some(plan) => plan,
                None => return Ok(Vec::new()),
            },
        };
        crate::progress::claim_and_run(data, plan, |claimed| compute_with_progress(data, claimed))
            .await
    }
}

impl PlanningJob {
    /// Queues the nightly draft of the week; `None` if that week's draft was activated.
    async fn queue_nightly(&self, run: &PushJob) -> Result<Option<Stored<Plan>>, JobError> {
        let week_start = match self.week_start {
            Some(monday) if monday.weekday() == Weekday::Mon => monday,
            Some(other) => {
                return Err(JobError::Reject(format!(
                    "weekStart {other} is not a Monday"
                )));
            }
            None => domain::planning::next_monday(
                run.message.scheduled_for.date_naive() + Duration::days(1),
            ),
        };
        let data = run.data();
        let id = format!("nightly-{week_start}");
        let existing = data.repo::<Plan>().find(&id).await?;
        if existing
            .as_ref()
            .is_some_and(|p| matches!(p.entity.status, PlanStatus::Active | PlanStatus::Superseded))
        {
            return Ok(None);
        }
        let request = PlanRequest {
            week_start: Some(week_start),
            seconds: nightly_seconds(),
            objective: Default::default(),
            travel: None,
            replan: None,
        };
        let plan = Plan::queued(
            week_start,
            &request,
            data.now() + crate::progress::QUEUE_LEASE,
        );
        Ok(Some(queue(data, plan, Some(&id), existing.as_ref()).await?))
    }
}

/// Computes a running plan as it asks, writing its progress (and renewing its lease) as it
/// goes: the plan as last written, and the finished plan.
async fn compute_with_progress(
    data: &TenantData,
    stored: Stored<Plan>,
) -> (Stored<Plan>, ApiResult<Plan>) {
    let request = stored.entity.request();
    let inputs = async {
        let travel = match request.travel {
            Some(travel) => travel,
            None => crate::tours::travel_model(data).await?,
        };
        crate::planning::load_inputs(data, stored.entity.week_start, travel).await
    };
    let inputs = match inputs.await {
        Ok(inputs) => inputs,
        Err(e) => return (stored, Err(e)),
    };
    let progress = Arc::new(Mutex::new(0.0));
    let week = inputs.week.clone();
    let work = crate::planning::compute(inputs, &request, progress.clone());
    let (stored, plan) = crate::progress::write_while(data, stored, &progress, work).await;
    let plan = match plan {
        Ok(plan) => Ok(with_risk(data, week, plan).await),
        Err(e) => Err(e),
    };
    (stored, plan)
}

/// The plan with its quick simulation ([`crate::simulation_runs::quick`]); a plan whose
/// simulation fails is kept without it (the simulation is advice, the plan the work).
async fn with_risk(data: &TenantData, week: domain::planning::Week, mut plan: Plan) -> Plan {
    if plan.tours.is_empty() {
        return plan;
    }
    let started = std::time::Instant::now();
    match crate::simulation_runs::quick(data, week, plan.tours.clone()).await {
        Ok(risk) => plan.risk = Some(risk),
        Err(e) => tracing::warn!(error = %e, "the plan's quick simulation failed"),
    }
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "simulated the plan {} times",
        domain::simulation::QUICK_REPLICATIONS
    );
    plan
}
