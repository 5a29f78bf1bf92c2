//! The `cockpit` function: the web app people use (dispatchers at a desk, cleaners on a
//! phone, customers in their portal) and the API's OpenAPI document, served from the origin
//! the API is served from (the load balancer sends every path no other function owns here),
//! so the app needs no CORS and its cookie stays first-party.
//!
//! # Layout
//!
//! - `build.rs`: builds `web/` (TypeScript, React, Vite) with npm once per state of its
//!   sources; the binary embeds the result ([`assets`]).
//! - [`assets`]: the app's files with their caching and security headers; unknown paths
//!   answer the app (it routes in the browser), unknown API paths a 404 problem.
//! - `openapi.json`: the merged document of every function, the one the app's typed client
//!   is generated from (`functions/local/tests/openapi.rs` fails when it is stale).
//! - `web/`: the app's sources, its unit tests and its end-to-end tests in Chromium.

pub mod assets;

use axum::body::Bytes;
use platform::api::{self, doc};
use platform::routes::Routes;

/// The API's document as committed: what the cloud serves at `/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// The function's routes: the document and the app.
pub fn router() -> Routes {
    serving(Bytes::from_static(OPENAPI_JSON.as_bytes()))
}

/// The app, with `spec` as the API's document (the local cloud serves the one it builds from
/// the routes it mounts, so a changed route shows before the committed file is rewritten).
pub fn serving(spec: Bytes) -> Routes {
    let document = move || {
        let spec = spec.clone();
        async move {
            (
                [
                    (axum::http::header::CONTENT_TYPE, "application/json"),
                    (axum::http::header::CACHE_CONTROL, "no-cache"),
                ],
                spec,
            )
        }
    };
    Routes::new()
        .route(
            "/v1/openapi.json",
            api::get(
                document,
                doc("The API's OpenAPI 3.1 document")
                    .about("Every function's routes; the cockpit's typed client is made from it.")
                    .public()
                    .answers_schema(200, "The document", api::any_object()),
            ),
        )
        .fallback(assets::app)
}
