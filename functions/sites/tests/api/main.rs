//! The sites function over real sockets, on a fresh store per test.

mod areas;
mod auth;
mod helpers;
mod http;
mod import;
mod listing;
mod reports;
mod roles;
mod sites;
mod tenancy;
mod validation;
mod versions;
mod workload;
