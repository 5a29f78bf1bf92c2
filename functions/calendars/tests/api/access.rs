//! Schedules are the staff's: other tenants see none of them, customers neither, and only
//! planners write.

use platform::Role;
use platform::testing::{Reply, TestApp};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{calendar, seeded};

/// A daily calendar of acme's first site; the app, its create reply and its path.
async fn scheduled() -> (TestApp, Reply, String, String) {
    let (app, admin, seed) = seeded().await;
    let body = calendar(&seed.site, "FREQ=DAILY", "2026-01-01");
    let created = app.created(&admin, "/v1/calendars", body).await;
    let path = format!("/v1/calendars/{}", created.id());
    (app, created, path, seed.site)
}

#[tokio::test]
async fn another_tenant_reads_none_of_the_calendars_or_their_occurrences() {
    let (app, _, path, _) = scheduled().await;
    let intruder = app.token("globex", Role::Admin);
    app.get(&intruder, &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.get(
        &intruder,
        &format!("{path}/occurrences?from=2026-01-01&to=2026-01-02"),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&intruder, "/v1/calendars").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn another_tenant_can_neither_schedule_our_site_nor_delete_our_calendar() {
    let (app, created, path, site) = scheduled().await;
    let intruder = app.token("globex", Role::Admin);
    let foreign = app
        .post(
            &intruder,
            "/v1/calendars",
            calendar(&site, "FREQ=DAILY", "2026-01-01"),
        )
        .await;
    assert_eq!(foreign.error_fields(), ["siteId"]);
    app.delete(&intruder, &path, &created.etag())
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cleaners_read_schedules_but_may_not_write_them() {
    let (app, _, path, _) = scheduled().await;
    let cleaner = app.token("acme", Role::Cleaner);
    assert_eq!(app.get(&cleaner, &path).await.status, StatusCode::OK);
    let closure = json!({"from": "2026-01-01", "to": "2026-01-01", "reason": "x"});
    app.post(&cleaner, "/v1/closures", closure)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn customers_read_no_schedules() {
    let (app, _, path, _) = scheduled().await;
    let customer = app.token("acme", Role::Customer);
    app.get(&customer, &path)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.get(&customer, "/v1/closures")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}
