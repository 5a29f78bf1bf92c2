//! The `planning-worker` function: plans a tenant's week as a draft, per pushed job. The
//! fan-out publishes one every Sunday night (the nightly re-plan of the coming week).
//!
//! Its own deployable because it differs from `planning` in trigger (Pub/Sub push), scaling
//! (one plan per instance, minutes of CPU) and ingress (private).
//!
//! Layout:
//! - [`PlanningJob`]: the job's payload and its run; the rest is the platform's job runtime
//!   (`platform::job`) and the shared planner loader (`platform::planning`).

use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use domain::Entity;
use domain::planning::{Plan, PlanRequest, PlanStatus};
use domain::store::Write;
use platform::crud::entity_fields;
use platform::push::PushJob;
use platform::routes::Routes;
use platform::{BackgroundJob, JobError};
use serde::Deserialize;

/// The nightly plan's search time per tenant: `NIGHTLY_PLAN_SECONDS`, default 20.
pub const NIGHTLY_SECONDS_VAR: &str = "NIGHTLY_PLAN_SECONDS";

fn nightly_seconds() -> f64 {
    std::env::var(NIGHTLY_SECONDS_VAR)
        .ok()
        .and_then(|raw| raw.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && *s <= 240.0)
        .unwrap_or(20.0)
}

pub fn router() -> Routes {
    platform::job::route::<PlanningJob>()
}

/// Plans one week of the tenant as the draft `nightly-{weekStart}`, replacing an earlier
/// draft of that week (an activated plan stays as it is). Without `weekStart`, the week after
/// the scheduled run.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanningJob {
    #[serde(default)]
    pub week_start: Option<NaiveDate>,
}

impl BackgroundJob for PlanningJob {
    const NAME: &'static str = "planning";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
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
        // An activated plan stays as it is: nothing to read or compute.
        if existing
            .as_ref()
            .is_some_and(|p| p.entity.status == PlanStatus::Active)
        {
            return Ok(Vec::new());
        }
        let travel = platform::tours::travel_model(data).await?;
        let inputs = platform::planning::load_inputs(data, week_start, travel).await?;
        let request = PlanRequest {
            week_start: Some(week_start),
            seconds: nightly_seconds(),
            objective: Default::default(),
            travel: Some(travel),
            replan: None,
        };
        let plan = platform::planning::compute(inputs, &request, Arc::new(Mutex::new(0.0))).await?;
        Ok(vec![Write::upsert(
            Plan::COLLECTION,
            id,
            existing.as_ref().map(|p| &p.meta),
            entity_fields(&plan)?,
        )])
    }
}
