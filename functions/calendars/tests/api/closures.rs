//! `/v1/closures`: days a site (or every site) is closed take exactly their occurrences away.

use platform::testing::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Seed, seeded, starts};

/// A daily calendar 18:00-21:00 from December; Christmas closed at the site, New Year at
/// every site, and works at the other site. The calendar's id and Christmas's.
async fn with_closures(app: &TestApp, admin: &str, seed: &Seed) -> (String, String) {
    let daily = json!({
        "siteId": seed.site, "name": "Daily", "rrule": "FREQ=DAILY",
        "startDate": "2026-12-01", "window": {"earliest": "18:00", "latest": "21:00"}
    });
    let calendar = app.created(admin, "/v1/calendars", daily).await.id();
    let christmas = json!({"siteId": seed.site, "from": "2026-12-24", "to": "2026-12-26", "reason": "Christmas"});
    let christmas = app.created(admin, "/v1/closures", christmas).await.id();
    for closure in [
        json!({"from": "2027-01-01", "to": "2027-01-01", "reason": "New Year"}),
        json!({"siteId": seed.other_site, "from": "2026-12-28", "to": "2026-12-30", "reason": "Depot works"}),
    ] {
        app.created(admin, "/v1/closures", closure).await;
    }
    (calendar, christmas)
}

#[tokio::test]
async fn a_closure_removes_exactly_its_occurrences() {
    let (app, admin, seed) = seeded().await;
    let (calendar, _) = with_closures(&app, &admin, &seed).await;
    let path = format!("/v1/calendars/{calendar}/occurrences?from=2026-12-20&to=2027-01-03");
    let reply = app.get(&admin, &path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let dates: Vec<&str> = reply.body["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2026-12-20",
            "2026-12-21",
            "2026-12-22",
            "2026-12-23",
            "2026-12-27",
            "2026-12-28",
            "2026-12-29",
            "2026-12-30",
            "2026-12-31",
            "2027-01-02",
            "2027-01-03"
        ]
    );
}

#[tokio::test]
async fn the_closed_days_are_listed_with_their_reason_and_closure() {
    let (app, admin, seed) = seeded().await;
    let (calendar, christmas) = with_closures(&app, &admin, &seed).await;
    let path = format!("/v1/calendars/{calendar}/occurrences?from=2026-12-20&to=2027-01-03");
    let reply = app.get(&admin, &path).await;
    let closed: Vec<(&str, &str)> = reply.body["closed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["date"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        closed,
        [
            ("2026-12-24", "Christmas"),
            ("2026-12-25", "Christmas"),
            ("2026-12-26", "Christmas"),
            ("2027-01-01", "New Year")
        ]
    );
    assert_eq!(reply.body["closed"][0]["closureId"], christmas.as_str());
}

#[tokio::test]
async fn the_sites_whole_schedule_says_the_same_slot_by_slot() {
    let (app, admin, seed) = seeded().await;
    with_closures(&app, &admin, &seed).await;
    let path = format!(
        "/v1/calendars/occurrences?siteId={}&areaId={}&from=2026-12-23&to=2026-12-27",
        seed.site, seed.lobby
    );
    let schedule = app.get(&admin, &path).await;
    assert_eq!(schedule.status, StatusCode::OK, "{}", schedule.body);
    assert_eq!(
        starts(&schedule.body),
        ["2026-12-23T18:00:00+01:00", "2026-12-27T18:00:00+01:00"]
    );
    assert_eq!(schedule.body["occurrences"][0]["calendarName"], "Daily");
}
