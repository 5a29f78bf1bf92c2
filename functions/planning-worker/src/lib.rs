//! The `planning-worker` function: computes the tenant's plans, per pushed planning job
//! ([`platform::plan_runs::PlanningJob`]): a plan queued by `POST /v1/plans`, or the nightly
//! re-plan of the coming week the fan-out publishes every Sunday night.
//!
//! Its own deployable because it differs from `planning` in trigger (Pub/Sub push), scaling
//! (one plan per instance, minutes of CPU) and ingress (private).
//!
//! Layout: the job, its queue and its run are in `platform::plan_runs` (the `planning`
//! function queues what this one computes); the rest is the platform's job runtime.

use platform::routes::Routes;

pub use platform::plan_runs::NIGHTLY_SECONDS_VAR;

pub fn router() -> Routes {
    platform::job::route::<platform::plan_runs::PlanningJob>()
}
