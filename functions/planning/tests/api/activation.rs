//! `POST /v1/plans/{id}/activate`: the draft's tours replace the tenant's, once, at the plan's
//! version.

use platform::Role;
use platform::testing::{Reply, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::planned_demo;

async fn activate(app: &TestApp, token: &str, plan: &Reply, etag: &str) -> Reply {
    let path = format!("/v1/plans/{}/activate", plan.id());
    app.send(Method::POST, &path, Some(token), None, Some(etag))
        .await
}

#[tokio::test]
async fn a_stale_version_does_not_activate() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, "\"1\"")
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn activation_replaces_the_tours_with_one_per_planned_cleaner() {
    let (app, admin, _, plan) = planned_demo().await;
    let active = activate(&app, &admin, &plan, &plan.etag()).await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    assert_eq!(active.body["status"], "active");
    let tours = app.stored::<domain::tours::Tour>(&admin).await;
    let cleaners: std::collections::BTreeSet<&str> =
        tours.iter().map(|t| t.entity.cleaner_id.as_str()).collect();
    let planned = plan.body["kpis"]["cleaners"].as_u64().unwrap() as usize;
    assert_eq!(cleaners.len(), planned);
}

#[tokio::test]
async fn an_active_plan_is_not_activated_again() {
    let (app, admin, _, plan) = planned_demo().await;
    let active = activate(&app, &admin, &plan, &plan.etag()).await;
    activate(&app, &admin, &plan, &active.etag())
        .await
        .assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_new_plan_compares_itself_with_the_tours_in_force() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, &plan.etag()).await;
    let body = json!({"weekStart": "2026-11-30", "seconds": 0.7});
    let next = app.created(&admin, "/v1/plans", body).await;
    assert_eq!(
        next.body["current"]["cleaners"],
        plan.body["kpis"]["cleaners"]
    );
    assert!(next.body["current"]["cleaningMinutes"].as_i64().unwrap() > 0);
    let listed = app.get(&admin, "/v1/plans?status=draft").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn other_tenants_see_no_plan_and_cleaners_may_not_plan() {
    let (app, _, _, plan) = planned_demo().await;
    app.get(
        &app.token("globex", Role::Admin),
        &format!("/v1/plans/{}", plan.id()),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    app.post(&app.token("acme", Role::Cleaner), "/v1/plans", json!({}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}
