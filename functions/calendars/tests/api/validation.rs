//! Bad calendars and closures: a 422 naming each field, and nothing written.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::seeded;

#[tokio::test]
async fn a_calendar_with_bad_fields_is_a_422_naming_each_and_writes_nothing() {
    let (app, admin, seed) = seeded().await;
    let reply = app
        .post(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "name": "", "rrule": "FREQ=FORTNIGHTLY",
                "startDate": "2026-02-30", "endDate": "soon",
                "window": {"earliest": "09:00", "latest": "07:00"}, "colour": "red"
            }),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error_fields(),
        [
            "name",
            "rrule",
            "startDate",
            "endDate",
            "window.latest",
            "colour"
        ]
    );
    assert_eq!(
        app.get(&admin, "/v1/calendars").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn an_area_of_another_site_is_a_422_on_area_id() {
    let (app, admin, seed) = seeded().await;
    let body = json!({
        "siteId": seed.other_site, "areaId": seed.lobby, "name": "x", "rrule": "FREQ=DAILY",
        "startDate": "2026-01-01", "window": {"earliest": "06:00", "latest": "07:00"}
    });
    let elsewhere = app.post(&admin, "/v1/calendars", body).await;
    elsewhere.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(elsewhere.error_fields(), ["areaId"]);
}

#[tokio::test]
async fn a_closure_ending_before_it_starts_is_a_422_on_to() {
    let (app, admin, _) = seeded().await;
    let body = json!({"siteId": "nope", "from": "2026-12-24", "to": "2026-12-23", "reason": "x"});
    let closure = app.post(&admin, "/v1/closures", body).await;
    closure.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(closure.error_fields(), ["to"]);
}

#[tokio::test]
async fn a_rule_costlier_than_once_a_day_is_a_422_and_writes_nothing() {
    let (app, admin, seed) = seeded().await;
    let every = |n: u32| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let attack = format!(
        "FREQ=DAILY;BYHOUR={};BYMINUTE={};BYSECOND={}",
        every(24),
        every(60),
        every(60)
    );
    for rule in [
        attack.as_str(),
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=5;UNTIL=20270101T000000Z",
        // Once a panic in the rrule crate (a 500), found by fuzzing.
        "FREQ=WEEKLY;BYDAY=MO\u{4b9}R",
    ] {
        let body = crate::helpers::calendar(&seed.site, rule, "2026-03-02");
        let reply = app.post(&admin, "/v1/calendars", body).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error_fields(), ["rrule"], "{rule}");
    }
    let stored = app.get(&admin, "/v1/calendars").await;
    assert_eq!(stored.body["items"], json!([]));
}

#[tokio::test]
async fn a_start_in_year_zero_or_with_a_trailing_space_is_a_422() {
    let (app, admin, seed) = seeded().await;
    for start in ["0000-01-01", "2026-03-02 "] {
        let body = crate::helpers::calendar(&seed.site, "FREQ=DAILY", start);
        let reply = app.post(&admin, "/v1/calendars", body).await;
        assert_eq!(reply.error_fields(), ["startDate"], "{start:?}");
    }
}
