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
async fn another_tenants_cleaner_of_the_same_name_is_unknown_here() {
    let (s, _, _) = with_tours().await;
    let impostor = s.app.token_of("globex", "maria", Role::Cleaner, None);
    s.app
        .get(&impostor, "/v1/tour-sheets?date=2026-11-23")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_sheet_for_a_mistyped_cleaner_is_a_404_naming_her() {
    let (s, _, _) = with_tours().await;
    let missing = s
        .app
        .get(&s.admin, "/v1/tour-sheets?date=2026-11-23&cleanerId=mraia")
        .await;
    missing.assert_problem(StatusCode::NOT_FOUND);
    assert!(
        missing.body["detail"].as_str().unwrap().contains("mraia"),
        "{}",
        missing.body
    );
}

#[tokio::test]
async fn a_tour_in_force_later_is_not_on_todays_sheet() {
    let s = scene().await;
    let mut later = tour("Maria later", "maria", 480, &[&s.seed.office]);
    later["validFrom"] = json!("2026-11-30");
    s.app.created(&s.admin, "/v1/tours", later).await;
    let before = s.app.get(&s.maria, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(before.body["tours"], json!([]));
    let after = s.app.get(&s.maria, "/v1/tour-sheets?date=2026-11-30").await;
    assert_eq!(after.body["tours"].as_array().unwrap().len(), 1);
}

/// The kitchen's own calendar: daily from `earliest` to `latest` (it wins over the site's).
async fn kitchen_daily(s: &Scene, earliest: &str, latest: &str) {
    let calendar = json!({
        "siteId": s.seed.site, "areaId": s.seed.kitchen, "name": "Kitchen",
        "rrule": "FREQ=DAILY", "startDate": "2026-01-01",
        "window": {"earliest": earliest, "latest": latest}
    });
    s.app
        .seed::<domain::calendars::Calendar>(&s.admin, calendar)
        .await;
}

#[tokio::test]
async fn a_hand_made_tour_travels_from_her_home_and_waits_for_a_window() {
    let s = scene().await;
    // Nika lives about 6 km south of the site; the kitchen opens at 07:00.
    crate::helpers::cleaner_at(&s.app, &s.admin, "nika", 52.47).await;
    kitchen_daily(&s, "07:00", "09:00").await;
    let body = tour("Nika", "nika", 480, &[&s.seed.lobby, &s.seed.kitchen]);
    let made = s.app.created(&s.admin, "/v1/tours", body).await;
    let monday = &made.body["days"][0]["stops"];
    let arrival = monday[0]["arrival"].as_str().unwrap();
    assert!(arrival > "06:00", "travel from home takes time: {arrival}");
    assert_eq!(monday[0]["start"], monday[0]["arrival"]);
    assert_eq!(
        monday[1]["start"], "07:00",
        "waits for the window: {monday}"
    );
    let nika = s.app.token_of("acme", "nika", Role::Cleaner, None);
    let sheet = s.app.get(&nika, "/v1/tour-sheets?date=2026-11-23").await;
    let stops = &sheet.body["tours"][0]["stops"];
    assert_eq!(stops[1]["plannedStart"], "2026-11-23T07:00:00+01:00");
    assert_eq!(
        stops[0]["plannedArrival"],
        format!("2026-11-23T{arrival}:00+01:00")
    );
}

#[tokio::test]
async fn a_hand_made_tour_warns_of_a_stop_after_its_window() {
    let s = scene().await;
    kitchen_daily(&s, "05:00", "06:30").await;
    // The office takes an hour from 06:00, so the kitchen starts after its window.
    let body = tour("Maria", "maria", 480, &[&s.seed.office, &s.seed.kitchen]);
    let made = s.app.created(&s.admin, "/v1/tours", body).await;
    let warnings = made.body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 7, "one a day: {warnings:?}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .contains("after its window closes at 06:30"),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn a_tour_for_an_unknown_cleaner_is_a_422_on_cleaner_id() {
    let s = scene().await;
    let body = tour("Ghost", "ghost", 480, &[&s.seed.office]);
    let refused = s.app.post(&s.admin, "/v1/tours", body).await;
    assert_eq!(refused.error_fields(), ["cleanerId"]);
}
