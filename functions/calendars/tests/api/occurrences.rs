//! `GET /v1/calendars/{id}/occurrences`: a rule's concrete slots in the site's local time.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{calendar, seeded, starts};

/// Monday mornings 06:00-08:30 in the lobby, from March 2026; its path.
async fn monday_mornings() -> (platform::testing::TestApp, String, String) {
    let (app, admin, seed) = seeded().await;
    let body = json!({
        "siteId": seed.site, "areaId": seed.lobby, "name": "Monday mornings",
        "rrule": "FREQ=WEEKLY;BYDAY=MO", "startDate": "2026-03-02",
        "window": {"earliest": "06:00", "latest": "08:30"}
    });
    let id = app.created(&admin, "/v1/calendars", body).await.id();
    (app, admin, format!("/v1/calendars/{id}/occurrences"))
}

#[tokio::test]
async fn a_weekly_rule_keeps_its_local_time_when_the_clocks_go_forward() {
    let (app, admin, path) = monday_mornings().await;
    // Clocks go forward on 29 March 2026 in Berlin.
    let spring = app
        .get(&admin, &format!("{path}?from=2026-03-16&to=2026-04-06"))
        .await;
    assert_eq!(spring.status, StatusCode::OK, "{}", spring.body);
    assert_eq!(spring.body["timeZone"], "Europe/Berlin");
    assert_eq!(
        starts(&spring.body),
        [
            "2026-03-16T06:00:00+01:00",
            "2026-03-23T06:00:00+01:00",
            "2026-03-30T06:00:00+02:00",
            "2026-04-06T06:00:00+02:00"
        ]
    );
    assert_eq!(
        spring.body["occurrences"][2]["end"],
        "2026-03-30T08:30:00+02:00"
    );
}

#[tokio::test]
async fn a_weekly_rule_keeps_its_local_time_when_the_clocks_go_back() {
    let (app, admin, path) = monday_mornings().await;
    // Clocks go back on 25 October 2026 in Berlin.
    let autumn = app
        .get(&admin, &format!("{path}?from=2026-10-19&to=2026-10-26"))
        .await;
    assert_eq!(
        starts(&autumn.body),
        ["2026-10-19T06:00:00+02:00", "2026-10-26T06:00:00+01:00"]
    );
}

#[tokio::test]
async fn a_count_ends_the_rule() {
    let (app, admin, seed) = seeded().await;
    let body = calendar(&seed.site, "FREQ=DAILY;COUNT=3", "2026-01-01");
    let id = app.created(&admin, "/v1/calendars", body).await.id();
    let path = format!("/v1/calendars/{id}/occurrences?from=2026-01-01&to=2026-01-31");
    let counted = app.get(&admin, &path).await;
    assert_eq!(counted.body["occurrences"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_range_that_is_missing_backwards_too_long_or_malformed_is_a_422_naming_it() {
    let (app, admin, seed) = seeded().await;
    let body = calendar(&seed.site, "FREQ=DAILY;COUNT=3", "2026-01-01");
    let id = app.created(&admin, "/v1/calendars", body).await.id();
    for (query, fields) in [
        ("from=2026-01-01", vec!["to"]),
        ("from=2026-01-05&to=2026-01-01", vec!["to"]),
        ("from=2026-01-01&to=2027-06-01", vec!["to"]),
        ("from=yesterday&to=2026-01-01&x=1", vec!["from", "x"]),
    ] {
        let reply = app
            .get(&admin, &format!("/v1/calendars/{id}/occurrences?{query}"))
            .await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error_fields(), fields, "{query}");
    }
}
