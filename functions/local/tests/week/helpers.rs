//! Every function in one app, and the new user's tenant: three sites with windows and travel
//! between them, three cleaners.

use chrono::{Datelike, Duration, NaiveDate};
use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

pub async fn start() -> TestApp {
    let catalog = catalog::Catalog::load().expect("functions/catalog.json");
    let routes = cleanops::functions(&catalog).expect("every function has a router");
    spawn_app(routes, platform::HttpConfig::default()).await
}

pub use platform::testing::weekdays;

/// The new user's tenant, as the admin sets it up over HTTP.
pub struct Tenant {
    pub admin: String,
    /// The practice's treatment rooms, cleaned 18:00 to 20:00 only.
    pub surgery: Vec<String>,
    /// The canteen kitchen, cleaned 08:00 to 10:00 only.
    pub kitchen: String,
}

async fn id(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    app.created(token, path, body).await.id()
}

/// A practice (rooms 18:00-20:00), a canteen (kitchen 08:00-10:00) and an office block, 4 to
/// 9 km apart; maria and ole work mornings, jana evenings.
pub async fn new_user(app: &TestApp) -> Tenant {
    let admin = app.token("newco", Role::Admin);
    let mut sites = Vec::new();
    for (name, lat, lng) in [
        ("Practice", 52.52, 13.40),
        ("Canteen", 52.48, 13.33),
        ("Office block", 52.55, 13.47),
    ] {
        let mut site = platform::testing::site_json(name, lat, lng);
        site["accessHours"] = weekdays("06:00", "21:00");
        sites.push(id(app, &admin, "/v1/sites", site).await);
    }
    let room = json!({"name": "Room", "performanceSqmPerHour": 150, "cleaningsPerWeek": 5});
    let room = id(app, &admin, "/v1/area-types", room).await;
    let area = |site: &String, name: String, size: i64| json!({"siteId": site, "name": name, "sizeSqm": size, "areaTypeId": room});
    let mut surgery = Vec::new();
    for i in 1..=3 {
        surgery.push(
            id(
                app,
                &admin,
                "/v1/areas",
                area(&sites[0], format!("Treatment {i}"), 30),
            )
            .await,
        );
    }
    let kitchen = id(
        app,
        &admin,
        "/v1/areas",
        area(&sites[1], "Kitchen".into(), 60),
    )
    .await;
    for i in 1..=6 {
        let office = area(&sites[2], format!("Office {i}"), 50);
        id(app, &admin, "/v1/areas", office).await;
    }
    let calendar = |site: &String, name: &str, from: &str, to: &str| {
        json!({"siteId": site, "name": name, "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "startDate": "2026-01-05", "window": {"earliest": from, "latest": to}})
    };
    for (site, name, from, to) in [
        (&sites[0], "After surgery hours", "18:00", "20:00"),
        (&sites[1], "Before breakfast", "08:00", "10:00"),
        (&sites[2], "Office days", "06:00", "20:00"),
    ] {
        id(app, &admin, "/v1/calendars", calendar(site, name, from, to)).await;
    }
    for (user, lat, from, to) in [
        ("maria", 52.50, "06:00", "14:00"),
        ("ole", 52.47, "06:00", "14:00"),
        ("jana", 52.53, "15:00", "21:00"),
    ] {
        let cleaner = json!({"userId": user, "name": user, "home": {"lat": lat, "lng": 13.38},
            "shifts": weekdays(from, to), "maxMinutesPerDay": 420});
        id(app, &admin, "/v1/cleaners", cleaner).await;
    }
    Tenant {
        admin,
        surgery,
        kitchen,
    }
}

/// Plans the week of `monday` and activates the plan; its reply after activation.
pub async fn planned_and_active(app: &TestApp, admin: &str, monday: NaiveDate) -> Reply {
    let body = json!({"weekStart": monday.to_string(), "seconds": 1.0});
    let plan = app.plan(admin, body).await;
    let path = format!("/v1/plans/{}/activate", plan.id());
    let active = app
        .send(
            reqwest::Method::POST,
            &path,
            Some(admin),
            Some(json!({})),
            Some(&plan.etag()),
        )
        .await;
    assert_eq!(active.status, reqwest::StatusCode::OK, "{}", active.body);
    assert!(
        active.body["unplanned"].as_array().unwrap().is_empty(),
        "{}",
        active.body
    );
    active
}

/// The last weekday before `today`: a day whose check-ins may still be recorded.
pub fn last_weekday_before(today: NaiveDate) -> NaiveDate {
    let mut day = today - Duration::days(1);
    while day.weekday().number_from_monday() > 5 {
        day -= Duration::days(1);
    }
    day
}

pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The plan's tours of one day.
pub fn tours_on(plan: &Value, date: NaiveDate) -> Vec<&Value> {
    let date = date.to_string();
    plan["tours"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["date"] == date.as_str())
        .collect()
}

pub async fn sheet(app: &TestApp, admin: &str, cleaner: &str, date: NaiveDate) -> Value {
    let path = format!("/v1/tour-sheets?date={date}&cleanerId={cleaner}");
    let reply = app.get(admin, &path).await;
    assert_eq!(reply.status, reqwest::StatusCode::OK, "{}", reply.body);
    reply.body
}

/// Every stop of a sheet, across its tours.
pub fn sheet_stops(sheet: &Value) -> Vec<&Value> {
    sheet["tours"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap())
        .collect()
}

/// `HH:MM` of a sheet's local RFC 3339 time.
pub fn clock_of(rfc3339: &Value) -> String {
    rfc3339.as_str().unwrap()[11..16].to_owned()
}

/// Minutes after midnight of `HH:MM`.
pub fn minutes(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}
