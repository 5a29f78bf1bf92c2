//! `/v1/inspections` and `GET /v1/inspections/summary`: scored quality checks.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Scene, scene};

/// Three inspections by dispatcher Ines: two in November (APPA levels and a checklist), one
/// in December.
async fn inspected() -> (Scene, String) {
    let s = scene().await;
    let ines = s.app.token_of("acme", "ines", Role::Dispatcher, None);
    for body in [
        json!({"siteId": s.seed.site, "date": "2026-11-02", "areas": [
            {"areaId": s.seed.lobby, "appaLevel": 1},
            {"areaId": s.seed.office, "appaLevel": 3, "note": "dust on sills"}]}),
        json!({"siteId": s.seed.site, "date": "2026-11-20", "areas": [{"areaId": s.seed.kitchen,
            "checklist": [{"item": "sink", "passed": true}, {"item": "floor", "passed": true},
                {"item": "bins", "passed": false}, {"item": "fridge", "passed": true}]}]}),
        json!({"siteId": s.seed.site, "date": "2026-12-01",
            "areas": [{"areaId": s.seed.lobby, "appaLevel": 5}]}),
    ] {
        s.app.created(&ines, "/v1/inspections", body).await;
    }
    let summary = format!(
        "/v1/inspections/summary?siteId={}&month=2026-11",
        s.seed.site
    );
    (s, summary)
}

#[tokio::test]
async fn an_inspection_is_scored_and_recorded_by_whoever_inspected() {
    let s = scene().await;
    let ines = s.app.token_of("acme", "ines", Role::Dispatcher, None);
    // The inspector is whoever records it, whatever the body says.
    let body = json!({"siteId": s.seed.site, "date": "2026-11-02", "inspectorId": "someone-else",
        "areas": [{"areaId": s.seed.lobby, "appaLevel": 1}, {"areaId": s.seed.office, "appaLevel": 3}]});
    let first = s.app.created(&ines, "/v1/inspections", body).await;
    assert_eq!(first.body["scorePercent"], 75.0);
    assert_eq!(first.body["inspectorId"], "ines");
}

#[tokio::test]
async fn the_months_summary_averages_every_inspected_area() {
    let (s, summary) = inspected().await;
    let summary = s.app.get(&s.admin, &summary).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert_eq!(summary.body["inspections"], 2);
    assert_eq!(summary.body["inspectedAreas"], 3);
    assert_eq!(summary.body["scorePercent"], 75.0, "(100 + 50 + 75) / 3");
}

#[tokio::test]
async fn the_sites_customer_reads_the_summary_but_not_the_inspections() {
    let (s, summary) = inspected().await;
    let customer = s
        .app
        .token_of("acme", "c1-user", Role::Customer, Some("c1"));
    let theirs = s.app.get(&customer, &summary).await;
    assert_eq!(theirs.body["scorePercent"], 75.0);
    s.app
        .get(&customer, "/v1/inspections")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bad_inspection_is_a_422_naming_each_field() {
    let s = scene().await;
    let bad = s
        .app
        .post(
            &s.admin,
            "/v1/inspections",
            json!({"siteId": s.seed.site, "date": "2026-11-31", "areas": [
                {"areaId": s.seed.lobby, "appaLevel": 0},
                {"areaId": s.seed.office, "appaLevel": 2, "checklist": []}]}),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.error_fields(),
        ["date", "areas[0].appaLevel", "areas[1].checklist"]
    );
}

#[tokio::test]
async fn an_area_of_another_site_is_a_422_on_it() {
    let s = scene().await;
    let body = json!({"siteId": s.seed.other_site, "date": "2026-11-03",
        "areas": [{"areaId": s.seed.lobby, "appaLevel": 2}]});
    let elsewhere = s.app.post(&s.admin, "/v1/inspections", body).await;
    assert_eq!(elsewhere.error_fields(), ["areas[0].areaId"]);
}

#[tokio::test]
async fn cleaners_may_not_record_inspections() {
    let s = scene().await;
    let cleaner = s.app.token("acme", Role::Cleaner);
    let body = json!({"siteId": s.seed.site, "date": "2026-11-03",
        "areas": [{"areaId": s.seed.lobby, "appaLevel": 2}]});
    s.app
        .post(&cleaner, "/v1/inspections", body)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_inspection_below_the_threshold_tells_the_dispatchers_and_the_customer_once() {
    let (s, _) = inspected().await;
    // APPA 3 and 1 average 66.67 % and a checklist 75 %: both under 80 %; APPA 5 is 0 %.
    let failed: Vec<serde_json::Value> = s
        .app
        .raised()
        .await
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["message"]["kind"] == "inspectionFailed")
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert_eq!(
        failed[0]["to"],
        json!([{"type": "dispatchers"}, {"type": "customer", "customerId": "c1"}])
    );
    assert_eq!(failed[0]["message"]["thresholdPercent"], 80.0);
    assert_eq!(failed[0]["message"]["siteName"], "HQ");
}

#[tokio::test]
async fn an_inspection_at_or_above_the_threshold_tells_nobody() {
    let s = scene().await;
    let ines = s.app.token_of("acme", "ines", Role::Dispatcher, None);
    let body = json!({"siteId": s.seed.site, "date": "2026-11-02",
        "areas": [{"areaId": s.seed.lobby, "appaLevel": 1}]});
    s.app.created(&ines, "/v1/inspections", body).await;
    assert!(s.app.raised().await.is_empty());
}
