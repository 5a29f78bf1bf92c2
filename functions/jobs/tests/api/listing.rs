//! `GET /v1/jobs`: the tenant's runs for those who plan, latest first.

use platform::Role;
use reqwest::StatusCode;

use crate::helpers::{ids, start};

#[tokio::test]
async fn dispatchers_see_the_runs_latest_finished_first() {
    let app = start().await;
    let all = app
        .get(&app.token("acme", Role::Dispatcher), "/v1/jobs")
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(ids(&all.body), ["r3", "r2", "r1"]);
}

#[tokio::test]
async fn the_runs_filter_by_state() {
    let app = start().await;
    let rejected = app
        .get(
            &app.token("acme", Role::Dispatcher),
            "/v1/jobs?state=rejected",
        )
        .await;
    assert_eq!(rejected.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(rejected.body["items"][0]["id"], "r2");
}

#[tokio::test]
async fn the_runs_filter_by_job() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let reports = app.get(&dispatcher, "/v1/jobs?job=workload-report").await;
    assert_eq!(reports.status, StatusCode::OK, "{}", reports.body);
    assert_eq!(ids(&reports.body), ["r3", "r2", "r1"]);
    let plans = app
        .get(&dispatcher, "/v1/jobs?job=planning&state=done")
        .await;
    assert_eq!(plans.status, StatusCode::OK, "{}", plans.body);
    assert!(ids(&plans.body).is_empty());
}

#[tokio::test]
async fn the_runs_come_in_pages() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let paged = app.get(&dispatcher, "/v1/jobs?limit=2").await;
    let token = paged.body["nextPageToken"].as_str().unwrap();
    let rest = app
        .get(&dispatcher, &format!("/v1/jobs?limit=2&pageToken={token}"))
        .await;
    assert_eq!(rest.body["items"][0]["id"], "r1");
}

#[tokio::test]
async fn cleaners_may_not_read_the_runs() {
    let app = start().await;
    app.get(&app.token("acme", Role::Cleaner), "/v1/jobs")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_unknown_filter_is_a_422() {
    let app = start().await;
    app.get(
        &app.token("acme", Role::Dispatcher),
        "/v1/jobs?state=done&colour=red",
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn another_tenant_sees_none_of_the_runs() {
    let app = start().await;
    let rival = app.get(&app.token("rival", Role::Admin), "/v1/jobs").await;
    assert!(rival.body["items"].as_array().unwrap().is_empty());
}
