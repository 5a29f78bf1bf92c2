//! The function runtime every cleanops function starts with, and the adapters it wires in.
//!
//! A function's `main.rs` is one line: `platform::run("sites", sites::router)`. From there
//! the runtime reads its config from the environment, sets up logs in Cloud Logging's format,
//! connects the store, and serves the function's router on Cloud Run (`$PORT`) or AWS Lambda
//! (when `AWS_LAMBDA_RUNTIME_API` is set), with auth, CORS, trace ids, problem+json errors and
//! `GET /healthz` around it.
//!
//! # Layout
//!
//! The runtime and the HTTP layer:
//! - `runtime`: from environment to a serving function (Cloud Run or Lambda); [`AppState`].
//! - [`config`]: environment variables read with errors that name them.
//! - [`logging`], [`trace`]: Cloud Logging JSON (or text) logs; trace ids from `traceparent`.
//! - [`error`]: [`ApiError`], the one error type of the HTTP layer, as problem+json.
//! - [`http`]: request decoding (JSON bodies, `If-Match`, listing parameters, page tokens).
//! - [`auth`]: bearer tokens verified into a [`Caller`] (tenant, user, role) and the
//!   customer-scope rule; [`issuer`]: the token issuer and its rotating key ring.
//! - [`api_keys`]: device API keys (`co_<prefix>_<secret>`) verified into a [`Caller`] whose
//!   routes their scopes name; [`secrets`]: one-time secrets and their stored hashes.
//! - [`context`]: [`RequestContext`], the extractor every authenticated handler takes, and
//!   [`TenantData`], the one way into a tenant's store; [`bucket`]: the one way into a
//!   tenant's documents in the bucket.
//! - [`crud`]: typed access to an entity collection ([`crud::Repo`]) and entity responses.
//! - [`resource`]: generic CRUD routes for an entity kind, with hooks.
//! - [`routes`]: [`routes::Routes`], a function's router that knows its paths and documents
//!   them; [`api`]: each operation's OpenAPI 3.1 documentation ([`api::Doc`]) and the document.
//!
//! Work that is not a request:
//! - [`push`]: verified Pub/Sub push deliveries, committed once with their job record.
//! - [`notify`]: raising a notification (an event on the `notifications` topic).
//! - [`job`]: typed background jobs ([`BackgroundJob`], [`JobError`]) served at `/push/{name}`.
//! - [`pubsub`], [`local_topic`]: publishing to Pub/Sub, or to the local cloud's topic.
//! - [`tenants`]: the registry of active tenants the fan-out pages through.
//!
//! Loaders shared by several functions (they read the store, then hand pure domain code its
//! input):
//! - [`schedule`]: a site's calendars and closures, as a [`domain::schedule::SiteSchedule`].
//! - [`planning`]: a week's planner input, and running the planner off the async workers.
//! - [`plan_runs`]: plans queued (one pending per week) and computed by the planning job.
//! - [`tours`]: the tours in force over some days; [`proof`]: a site's month of service.
//! - [`demand`]: demand-based cleaning where functions meet it (a demand made due, closed
//!   by the visit that cleaned the area, shown on sheets and counted in proof of service).
//! - [`billing_run`]: the monthly billing job (drafts per contract), with [`billing_facts`],
//!   what a contract's sites held over the days it covered.
//!
//! And: [`signing`] (HMAC signatures, and the check-in code and feed token formats), `testing` (behind
//! the `testing` feature: apps on real sockets, tokens, seeding, a fixed clock).

// Every function's process (and the local cloud) allocates with mimalloc: a request
// allocates and frees many small strings on several threads at once, where glibc's arenas
// contend; a list of 50 areas went from 15 % to 22 % of bare axum's rate (scripts/bench).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod api;
pub mod api_keys;
pub mod auth;
pub mod billing_facts;
pub mod billing_run;
pub mod bucket;
pub mod config;
pub mod context;
pub mod crud;
pub mod demand;
pub mod error;
pub mod http;
pub mod issuer;
pub mod job;
pub mod local_topic;
pub mod logging;
pub mod notify;
pub mod plan_runs;
pub mod planning;
pub mod progress;
pub mod proof;
pub mod pubsub;
pub mod push;
pub mod resource;
pub mod routes;
mod runtime;
pub mod schedule;
pub mod secrets;
pub mod signing;
pub mod simulation_runs;
pub mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tours;
pub mod trace;

pub use auth::{Caller, Role};
pub use config::ConfigError;
pub use context::{RequestContext, TenantData};
pub use error::ApiError;
pub use job::{BackgroundJob, JobError};
pub use runtime::{AppState, HttpConfig, SystemClock, app, run, serve, shutdown_signal};
