//! What every function answers around its routes: `/healthz`, problems for unknown routes and
//! methods, and CORS for the configured origins only.

use platform::Role;
use reqwest::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::{start, start_with};

fn cors() -> platform::HttpConfig {
    platform::HttpConfig {
        cors_origins: vec!["https://app.example.com".into()],
        ..platform::HttpConfig::default()
    }
}

#[tokio::test]
async fn healthz_answers_without_a_token() {
    let app = start().await;
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_and_an_unknown_method_a_405() {
    let app = start().await;
    let token = app.token("acme", Role::Admin);
    app.get(&token, "/v1/nothing-here")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.send(
        Method::PUT,
        "/v1/sites",
        Some(&token),
        Some(json!({})),
        None,
    )
    .await
    .assert_problem(StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_preflight_from_a_configured_origin_is_allowed() {
    let app = start_with(cors()).await;
    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, app.url("/v1/sites"))
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example.com"
    );
}

#[tokio::test]
async fn another_origin_gets_no_cors_headers() {
    let app = start_with(cors()).await;
    let foreign = reqwest::Client::new()
        .get(app.url("/healthz"))
        .header(header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        !foreign
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}
