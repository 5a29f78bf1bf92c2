//! The savings report, against figures worked by hand.

use domain::sensors::DemandCleaning;
use domain::tours::Visit;
use serde_json::json;

use crate::helpers::*;

/// A meeting room cleaned twice a five-day week (every 2.5 working days), 30 minutes a
/// cleaning (30 m² at 60 m²/h), in December 2026 with the 24th to 31st closed: 17 working
/// days, so its frequency gives 17 / 2.5 = 6.8 cleanings. Cleaned on 27 November, then:
///
/// | date   | trigger   | working days since | by frequency | saved         |
/// |--------|-----------|--------------------|--------------|---------------|
/// | Wed 2  | limit     | 3                  | 1.2          | 0 (under 0.5) |
/// | Tue 8  | limit     | 4                  | 1.6          | 0.6           |
/// | Wed 9  | button    | 1                  | 0.4          | −0.6 (added)  |
/// | Fri 18 | fallback  | 7                  | 2.8          | 1.8           |
/// | Wed 23 | scheduled | 3                  | 1.2          | 0 (under 0.5) |
///
/// Saved 1.8 cleanings, 54 minutes. The washroom (daily, by demand, never cleaned in the
/// month) adds its 17 by frequency and nothing done.
#[tokio::test]
async fn the_savings_of_a_month_match_the_figures_worked_by_hand() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let meetings = app
        .seed::<domain::sites::AreaType>(
            &token,
            json!({"name": "Meeting room", "performanceSqmPerHour": 60, "cleaningsPerWeek": 2,
                   "demand": {"mode": "demand-with-fallback", "limit": 40}}),
        )
        .await
        .id();
    let room = app
        .seed::<domain::sites::Area>(
            &token,
            json!({"siteId": world.site, "name": "Meeting room Spree", "sizeSqm": 30,
                   "areaTypeId": meetings}),
        )
        .await
        .id();
    app.seed::<domain::calendars::Closure>(
        &token,
        json!({"siteId": world.site, "from": "2026-12-24", "to": "2026-12-31",
               "reason": "Christmas shutdown"}),
    )
    .await;
    let data = app.data_of(&token);
    for (date, trigger) in [
        ("2026-11-27", None),
        ("2026-12-02", Some("limit")),
        ("2026-12-08", Some("limit")),
        ("2026-12-09", Some("button")),
        ("2026-12-18", Some("fallback")),
        ("2026-12-23", None),
    ] {
        let at = format!("{date}T17:00:00Z");
        let visit: Visit = serde_json::from_value(json!({
            "areaId": room, "siteId": world.site, "cleanerId": "ana", "checkedInAt": at,
            "localDate": date, "checkedOutAt": format!("{date}T17:30:00Z"),
            "durationMinutes": 30.0, "status": "done"
        }))
        .unwrap();
        let visit = data
            .repo::<Visit>()
            .create(visit, Vec::new())
            .await
            .unwrap();
        if let Some(trigger) = trigger {
            let cleaning: DemandCleaning = serde_json::from_value(json!({
                "areaId": room, "siteId": world.site, "trigger": trigger,
                "triggeredAt": format!("{date}T08:00:00Z"), "localDate": date,
                "dueFrom": format!("{date}T08:00:00Z"), "events": 40, "status": "done",
                "visitId": visit.meta.id, "doneAt": at, "doneDate": date
            }))
            .unwrap();
            data.repo::<DemandCleaning>()
                .create(cleaning, Vec::new())
                .await
                .unwrap();
        }
    }
    // The month is over (a running month is weighed up to today).
    let january: chrono::DateTime<chrono::Utc> = "2027-01-04T12:00:00Z".parse().unwrap();
    if app.clock_now() < january {
        app.clock.advance(january - app.clock_now());
    }
    let reply = app
        .get(
            &token,
            &format!("/v1/savings?siteId={}&month=2026-12", world.site),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["countedUntil"], "2026-12-31");
    let report = &reply.body;
    assert_eq!(report["workingDays"], 17);
    assert_eq!(
        report["closedDays"],
        json!([
            "2026-12-24",
            "2026-12-25",
            "2026-12-28",
            "2026-12-29",
            "2026-12-30",
            "2026-12-31"
        ])
    );
    let meeting = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["areaId"] == json!(room))
        .expect("the meeting room");
    assert_eq!(meeting["byFrequency"], 6.8);
    assert_eq!(meeting["done"], 5);
    assert_eq!(meeting["savedCleanings"], 1.8);
    assert_eq!(meeting["minutesSaved"], 54.0);
    assert_eq!(
        meeting["triggers"],
        json!({"limit": 2, "fallback": 1, "level": 0, "button": 1, "scheduled": 1})
    );
    let saved: Vec<f64> = meeting["cleanings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["saved"].as_f64().unwrap())
        .collect();
    assert_eq!(saved, [0.0, 0.6, -0.6, 1.8, 0.0]);
    assert_eq!(
        report["totals"]["byFrequency"], 23.8,
        "6.8 + the washroom's 17"
    );
    assert_eq!(report["totals"]["minutesSaved"], 54.0);
    let names: Vec<&str> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["areaName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Meeting room Spree", "WC 2. OG"],
        "only areas cleaned by demand"
    );
}

#[tokio::test]
async fn the_report_names_a_bad_month() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let reply = app
        .get(
            &token,
            &format!("/v1/savings?siteId={}&month=2026-13", world.site),
        )
        .await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["month"]);
}
