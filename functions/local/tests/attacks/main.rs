//! The attack suite: what an attacker from outside tries, against every function of the
//! catalog at once, on real sockets.
//!
//! - `matrix`: every route and method, for each role of a second tenant and of the same
//!   tenant, against the expectation table `expected.txt`; no leak, and the first tenant's
//!   data unchanged.
//! - `tokens`: forged, foreign, expired, premature and oversized bearer tokens on every route.
//! - `http`: timeouts, body and URI limits, problem bodies for every error.

mod helpers;
mod http;
mod matrix;
mod tokens;
