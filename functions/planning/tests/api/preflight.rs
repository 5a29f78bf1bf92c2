//! `GET /v1/plans/preflight`: each contradiction the planner would meet, found before it runs.

use platform::Role;
use platform::testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{cleaner, demo, site, start, weekdays};

const WEEK: &str = "2026-12-07";

/// A tenant with one cleaner (weekdays 06:00-14:00) and one area at a site with `access`,
/// of an area type with `area_type`'s extra fields; the admin and the area's and site's ids.
async fn one_area(access: Value, area_type: Value, size: i64) -> (TestApp, String, String, String) {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let site = app
        .seed::<domain::sites::Site>(&admin, site("Practice", 52.52, 13.40, access))
        .await
        .id();
    let mut kind = json!({"name": "Room", "performanceSqmPerHour": 100, "cleaningsPerWeek": 5});
    kind.as_object_mut()
        .unwrap()
        .extend(area_type.as_object().unwrap().clone());
    let kind = app.seed::<domain::sites::AreaType>(&admin, kind).await.id();
    let body = json!({"siteId": site, "name": "Room 1", "sizeSqm": size, "areaTypeId": kind});
    let area = app.seed::<domain::sites::Area>(&admin, body).await.id();
    cleaner(&app, &admin, "maria", 52.50).await;
    (app, admin, site, area)
}

async fn calendar(app: &TestApp, admin: &str, body: Value) {
    app.seed::<domain::calendars::Calendar>(admin, body).await;
}

fn weekly(site: &str, name: &str, days: &str, from: &str, to: &str) -> Value {
    json!({"siteId": site, "name": name, "rrule": format!("FREQ=WEEKLY;BYDAY={days}"),
        "startDate": "2026-01-05", "window": {"earliest": from, "latest": to}})
}

async fn contradictions(app: &TestApp, admin: &str) -> Vec<Value> {
    let reply = app
        .get(admin, &format!("/v1/plans/preflight?weekStart={WEEK}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["contradictions"].as_array().unwrap().clone()
}

/// The one contradiction with `code`, failing if there is not exactly one.
fn the_one<'a>(found: &'a [Value], code: &str) -> &'a Value {
    let matching: Vec<&Value> = found.iter().filter(|c| c["code"] == code).collect();
    assert_eq!(matching.len(), 1, "{code}: {found:?}");
    matching[0]
}

#[tokio::test]
async fn a_calendar_day_when_the_site_cannot_be_entered() {
    let mondays = json!([{"day": "mon", "from": "06:00", "to": "20:00"}]);
    let (app, admin, site, area) = one_area(mondays, json!({}), 50).await;
    calendar(
        &app,
        &admin,
        weekly(&site, "Weekdays", "MO,TU,WE,TH,FR", "06:00", "20:00"),
    )
    .await;
    let found = contradictions(&app, &admin).await;
    let closed = the_one(&found, "siteClosedOnCalendarDay");
    assert_eq!(closed["areaId"], area.as_str());
    assert_eq!(closed["siteId"], site.as_str());
    assert_eq!(
        closed["dates"],
        json!(["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"])
    );
}

#[tokio::test]
async fn a_window_outside_the_access_hours() {
    let (app, admin, site, area) = one_area(weekdays("06:00", "14:00"), json!({}), 50).await;
    calendar(
        &app,
        &admin,
        weekly(&site, "Evenings", "MO,TU,WE,TH,FR", "18:00", "20:00"),
    )
    .await;
    let found = contradictions(&app, &admin).await;
    let outside = the_one(&found, "windowOutsideAccessHours");
    assert_eq!(outside["areaId"], area.as_str());
    assert_eq!(outside["dates"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn an_agreed_frequency_the_calendars_do_not_schedule() {
    let (app, admin, site, area) = one_area(weekdays("06:00", "20:00"), json!({}), 50).await;
    calendar(
        &app,
        &admin,
        weekly(&site, "Twice", "MO,WE", "06:00", "20:00"),
    )
    .await;
    let found = contradictions(&app, &admin).await;
    let frequency = the_one(&found, "frequencyMismatch");
    assert_eq!(frequency["areaId"], area.as_str());
    assert!(
        frequency["message"].as_str().unwrap().contains("agreed 5"),
        "{frequency}"
    );
}

#[tokio::test]
async fn overlapping_calendars_name_the_most_specific_as_the_one_that_wins() {
    let (app, admin, site, area) = one_area(weekdays("06:00", "20:00"), json!({}), 50).await;
    calendar(
        &app,
        &admin,
        weekly(&site, "Site days", "MO,TU,WE,TH,FR", "06:00", "20:00"),
    )
    .await;
    let mut own = weekly(&site, "Room 1 on Wednesdays", "WE", "18:00", "19:00");
    own["areaId"] = json!(area);
    calendar(&app, &admin, own).await;
    let found = contradictions(&app, &admin).await;
    let overlap = the_one(&found, "calendarsOverlap");
    assert_eq!(overlap["dates"], json!(["2026-12-09"]));
    assert_eq!(overlap["wins"], json!(["Room 1 on Wednesdays"]));
}

#[tokio::test]
async fn an_area_longer_than_any_shift() {
    // 1,000 m² at 100 m²/h: 600 minutes, against her 420 a day.
    let (app, admin, _, area) = one_area(weekdays("06:00", "20:00"), json!({}), 1000).await;
    let found = contradictions(&app, &admin).await;
    let long = the_one(&found, "longerThanAnyShift");
    assert_eq!(long["areaId"], area.as_str());
    assert!(
        long["message"].as_str().unwrap().contains("600 minutes"),
        "{long}"
    );
}

#[tokio::test]
async fn a_skill_nobody_has() {
    let glass = json!({"skills": ["windows"]});
    let (app, admin, _, area) = one_area(weekdays("06:00", "20:00"), glass, 50).await;
    let found = contradictions(&app, &admin).await;
    let skill = the_one(&found, "skillNobodyHas");
    assert_eq!(skill["areaId"], area.as_str());
    assert!(skill["message"].as_str().unwrap().contains("windows"));
}

#[tokio::test]
async fn a_cleaner_who_is_away() {
    let (app, admin, _, _) = one_area(weekdays("06:00", "20:00"), json!({}), 50).await;
    let body =
        json!({"cleanerId": "maria", "from": "2026-12-01", "to": "2026-12-08", "kind": "sick"});
    app.created(&admin, "/v1/absences", body).await;
    let found = contradictions(&app, &admin).await;
    let away = the_one(&found, "cleanerAbsent");
    assert_eq!(away["cleanerId"], "maria");
    assert_eq!(away["dates"], json!(["2026-12-07", "2026-12-08"]));
}

#[tokio::test]
async fn a_consistent_tenant_has_no_contradictions() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    demo(&app, &admin).await;
    assert_eq!(contradictions(&app, &admin).await, Vec::<Value>::new());
}

#[tokio::test]
async fn the_preflight_is_for_planners_and_takes_a_monday() {
    let app = start().await;
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    let reply = app.get(&maria, "/v1/plans/preflight").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let admin = app.token("acme", Role::Admin);
    let reply = app
        .get(&admin, "/v1/plans/preflight?weekStart=2026-12-08")
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["weekStart"]);
}
