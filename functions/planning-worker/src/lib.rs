//! The `planning-worker` function: the nightly per-tenant re-plan, pushed through the fan-out.
//! Its own deployable because it differs from `planning` in trigger (Pub/Sub push), scaling
//! (one plan per instance, minutes of CPU) and ingress (private).

pub fn router() -> axum::Router<platform::AppState> {
    planning::worker_router()
}
