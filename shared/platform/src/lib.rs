//! The function runtime every cleanops function starts with, and the adapters it wires in.
//!
//! A function's `main.rs` is one line: `platform::run("sites", sites::router)`. From there
//! the runtime reads its config from the environment, sets up logs in Cloud Logging's format,
//! connects the store, and serves the function's router on Cloud Run (`$PORT`) or AWS Lambda
//! (when `AWS_LAMBDA_RUNTIME_API` is set), with auth, CORS, trace ids, problem+json errors and
//! `GET /healthz` around it.

pub mod auth;
pub mod config;
pub mod context;
pub mod crud;
pub mod error;
pub mod http;
pub mod job;
pub mod local_topic;
pub mod logging;
pub mod planning;
pub mod pubsub;
pub mod push;
pub mod resource;
mod runtime;
pub mod schedule;
pub mod signing;
pub mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trace;

pub use auth::{Caller, Role};
pub use config::ConfigError;
pub use context::{RequestContext, TenantData};
pub use error::ApiError;
pub use job::{BackgroundJob, JobError};
pub use runtime::{AppState, HttpConfig, SystemClock, app, run, serve, shutdown_signal};
