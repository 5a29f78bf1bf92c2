//! `GET /v1/tour-sheets`: a cleaner's day, her stops in order with times and windows.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Scene, scene, today, tour};

/// Maria's tour (office, then lobby, from 06:00) and Jana's (the kitchen), every day.
async fn with_tours() -> (Scene, String, String) {
    let s = scene().await;
    let marias = tour(
        "Maria early",
        "maria",
        480,
        &[&s.seed.office, &s.seed.lobby],
    );
    let marias = s.app.created(&s.admin, "/v1/tours", marias).await.id();
    let janas = tour("Jana late", "jana", 480, &[&s.seed.kitchen]);
    let janas = s.app.created(&s.admin, "/v1/tours", janas).await.id();
    (s, marias, janas)
}

#[tokio::test]
async fn a_cleaners_sheet_lists_her_stops_in_order_from_the_start_time() {
    let (s, marias, _) = with_tours().await;
    // 23 November 2026 is a Monday, in winter time.
    let sheet = s.app.get(&s.maria, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
    assert_eq!(sheet.body["cleanerId"], "maria");
    let tours = sheet.body["tours"].as_array().unwrap();
    assert_eq!(tours.len(), 1);
    assert_eq!(tours[0]["tourId"], marias.as_str());
    assert_eq!(tours[0]["plannedMinutes"], 90.0);
    let stops = tours[0]["stops"].as_array().unwrap();
    let order: Vec<&str> = stops
        .iter()
        .map(|s| s["areaName"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Office", "Lobby"]);
    assert_eq!(stops[0]["plannedStart"], "2026-11-23T06:00:00+01:00");
    assert_eq!(stops[1]["plannedStart"], "2026-11-23T07:00:00+01:00");
    assert_eq!(stops[1]["plannedEnd"], "2026-11-23T07:30:00+01:00");
    assert_eq!(
        stops[0]["windows"],
        json!([{"earliest": "05:00", "latest": "22:00"}])
    );
}

#[tokio::test]
async fn without_a_date_the_sheet_is_todays() {
    let (s, _, _) = with_tours().await;
    let sheet = s.app.get(&s.maria, "/v1/tour-sheets").await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
    assert_eq!(sheet.body["date"], today(&s.app).to_string());
}

#[tokio::test]
async fn a_cleaner_may_not_read_a_colleagues_sheet_who_reads_her_own() {
    let (s, _, janas) = with_tours().await;
    s.app
        .get(&s.maria, "/v1/tour-sheets?date=2026-11-23&cleanerId=jana")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    let jana = s.app.token_of("acme", "jana", Role::Cleaner, None);
    let hers = s.app.get(&jana, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(hers.body["tours"][0]["tourId"], janas.as_str());
}

#[tokio::test]
async fn a_dispatcher_reads_anyones_sheet_by_naming_her() {
    let (s, _, janas) = with_tours().await;
    let dispatcher = s.app.token("acme", Role::Dispatcher);
    let hers = s
        .app
        .get(
            &dispatcher,
            "/v1/tour-sheets?cleanerId=jana&date=2026-11-23",
        )
        .await;
    assert_eq!(hers.body["tours"][0]["tourId"], janas.as_str());
    let unnamed = s
        .app
        .get(&dispatcher, "/v1/tour-sheets?date=2026-11-23")
        .await;
    assert_eq!(unnamed.error_fields(), ["cleanerId"]);
}

#[tokio::test]
async fn customers_read_no_sheet() {
    let (s, _, _) = with_tours().await;
    let customer = s.app.token("acme", Role::Customer);
    s.app
        .get(&customer, "/v1/tour-sheets")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_tenants_cleaner_of_the_same_name_has_no_tours_here() {
    let (s, _, _) = with_tours().await;
    let impostor = s.app.token_of("globex", "maria", Role::Cleaner, None);
    let empty = s
        .app
        .get(&impostor, "/v1/tour-sheets?date=2026-11-23")
        .await;
    assert_eq!(empty.body["tours"], json!([]));
}
