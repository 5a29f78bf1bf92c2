//! A calendar says how its rule's frequency compares with the one agreed for its areas.

use platform::testing::TestApp;
use serde_json::{Value, json};

use crate::helpers::{Seed, seeded};

fn office_calendar(seed: &Seed, rule: &str) -> Value {
    json!({
        "siteId": seed.site, "areaTypeId": seed.office, "name": rule, "rrule": rule,
        "startDate": "2026-11-02", "window": {"earliest": "06:00", "latest": "08:00"}
    })
}

async fn create(app: &TestApp, admin: &str, body: Value) -> Value {
    app.created(admin, "/v1/calendars", body).await.body
}

#[tokio::test]
async fn a_rule_that_contradicts_the_agreed_frequency_is_flagged_with_a_warning() {
    let (app, admin, seed) = seeded().await;
    let twice = create(
        &app,
        &admin,
        office_calendar(&seed, "FREQ=WEEKLY;BYDAY=MO,WE"),
    )
    .await;
    assert_eq!(twice["frequency"]["scheduledPerWeek"], 2.0);
    assert_eq!(twice["frequency"]["agreedPerWeek"], json!([5.0]));
    assert_eq!(twice["frequency"]["matches"], false);
    let warning = twice["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("2 cleanings a week") && warning.contains('5'),
        "{warning}"
    );
}

#[tokio::test]
async fn a_matching_rule_has_no_warning_and_is_stored_without_its_prefix() {
    let (app, admin, seed) = seeded().await;
    let rule = "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR";
    let weekdays = create(&app, &admin, office_calendar(&seed, rule)).await;
    assert_eq!(weekdays["frequency"]["matches"], true);
    assert_eq!(weekdays["warnings"], json!([]));
    assert_eq!(weekdays["rrule"], "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
}

#[tokio::test]
async fn the_flag_is_there_when_listed_too() {
    let (app, admin, seed) = seeded().await;
    create(
        &app,
        &admin,
        office_calendar(&seed, "FREQ=WEEKLY;BYDAY=MO,WE"),
    )
    .await;
    create(
        &app,
        &admin,
        office_calendar(&seed, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    )
    .await;
    let listed = app
        .get(&admin, &format!("/v1/calendars?siteId={}", seed.site))
        .await;
    let flags: Vec<&Value> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["frequency"]["matches"])
        .collect();
    assert_eq!(flags.len(), 2);
    assert!(flags.contains(&&json!(false)) && flags.contains(&&json!(true)));
}
