//! The tours function's test fixtures: a tenant with two sites of two customers, three areas
//! cleaned daily, and the requests most tests make.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use domain::Clock as _;
use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub async fn start() -> TestApp {
    spawn_app(tours::router(), platform::HttpConfig::default()).await
}

pub fn site(name: &str, customer: &str) -> Value {
    let mut site = platform::testing::site_json(name, 52.52, 13.39);
    site["customerId"] = json!(customer);
    site
}

pub struct Seed {
    pub site: String,
    pub other_site: String,
    /// 30, 60 and 15 minutes per cleaning.
    pub lobby: String,
    pub office: String,
    pub kitchen: String,
}

/// A site of customer c1 with three areas cleaned daily 05:00-22:00, and a site of c2.
pub async fn seed(app: &TestApp, token: &str) -> Seed {
    let site_id = app
        .seed::<domain::sites::Site>(token, site("HQ", "c1"))
        .await
        .id();
    let other_site = app
        .seed::<domain::sites::Site>(token, site("Depot", "c2"))
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 7}),
        )
        .await
        .id();
    let mut areas = Vec::new();
    for (name, size) in [("Lobby", 100), ("Office", 200), ("Kitchen", 50)] {
        let body =
            json!({"siteId": site_id, "name": name, "sizeSqm": size, "areaTypeId": area_type});
        areas.push(app.seed::<domain::sites::Area>(token, body).await.id());
    }
    app.seed::<domain::calendars::Calendar>(
        token,
        json!({
            "siteId": site_id, "name": "Daily", "rrule": "FREQ=DAILY", "startDate": "2026-01-01",
            "window": {"earliest": "05:00", "latest": "22:00"}
        }),
    )
    .await;
    for user in ["maria", "jana"] {
        cleaner(app, token, user).await;
    }
    Seed {
        site: site_id,
        other_site,
        lobby: areas[0].clone(),
        office: areas[1].clone(),
        kitchen: areas[2].clone(),
    }
}

/// A cleaner record for `user`, who lives at the seeded sites (no travel to the first stop),
/// working 05:00-22:00 every day.
pub async fn cleaner(app: &TestApp, token: &str, user: &str) {
    cleaner_at(app, token, user, 52.52).await;
}

/// A cleaner record for `user`, who lives at latitude `lat` on the seeded sites' meridian.
pub async fn cleaner_at(app: &TestApp, token: &str, user: &str, lat: f64) {
    let shifts: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "from": "05:00", "to": "22:00"}))
        .collect();
    let body = json!({"userId": user, "name": user, "home": {"lat": lat, "lng": 13.39},
        "shifts": shifts, "maxMinutesPerDay": 600});
    let entity = <domain::planning::Cleaner as domain::Entity>::parse(&body).unwrap();
    app.data_of(token)
        .repo::<domain::planning::Cleaner>()
        .create_with_id(user, entity, Vec::new())
        .await
        .expect("a cleaner stored");
}

pub fn every_day(areas: &[&str]) -> Value {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "areaIds": areas}))
        .collect();
    Value::from(days)
}

pub fn tour(name: &str, cleaner: &str, cap: u32, areas: &[&str]) -> Value {
    json!({
        "name": name, "cleanerId": cleaner, "tourType": "regular", "startTime": "06:00",
        "maxMinutesPerDay": cap, "days": every_day(areas)
    })
}

/// Yesterday in Berlin at `hh:mm`, as RFC 3339 (check-ins may be synced up to a week late).
pub fn yesterday_at(hour: u32, minute: u32) -> (NaiveDate, String) {
    let date = Utc::now().with_timezone(&Berlin).date_naive() - Duration::days(1);
    let local = Berlin
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).unwrap())
        .earliest()
        .unwrap();
    (date, local.to_rfc3339())
}

pub async fn code_of(app: &TestApp, token: &str, area: &str) -> String {
    let reply = app.get(token, &format!("/v1/check-in-codes/{area}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["code"].as_str().unwrap().to_owned()
}

pub async fn check_out(app: &TestApp, token: &str, visit: &Reply, body: Value) -> Reply {
    app.send(
        Method::POST,
        &format!("/v1/visits/{}/check-out", visit.id()),
        Some(token),
        Some(body),
        Some(&visit.etag()),
    )
    .await
}

/// A site and area in another tenant; returns the area.
pub async fn seed_other(app: &TestApp, token: &str) -> String {
    let site_id = app
        .seed::<domain::sites::Site>(token, site("Plant", "g1"))
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Hall", "performanceSqmPerHour": 400, "cleaningsPerWeek": 1}),
        )
        .await
        .id();
    app.seed::<domain::sites::Area>(
        token,
        json!({"siteId": site_id, "name": "Hall", "sizeSqm": 1000, "areaTypeId": area_type}),
    )
    .await
    .id()
}

/// `count` check-ins with `body` sent at once, on separate connections.
pub async fn parallel_check_ins(
    app: &TestApp,
    token: &str,
    body: Value,
    count: usize,
) -> Vec<Reply> {
    let mut handles = Vec::new();
    for _ in 0..count {
        let (url, token, body) = (
            app.url("/v1/visits/check-in"),
            token.to_owned(),
            body.clone(),
        );
        handles.push(tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body: Value = response.json().await.unwrap();
            Reply {
                status,
                headers,
                body,
            }
        }));
    }
    let mut replies = Vec::new();
    for handle in handles {
        replies.push(handle.await.unwrap());
    }
    replies
}

/// Parses an iCalendar text with Python's `icalendar` package; returns its events as JSON.
pub fn parse_with_icalendar(text: &str) -> Value {
    use std::io::Write as _;
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = []
for e in cal.walk("VEVENT"):
    events.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "start": e.decoded("DTSTART").isoformat(),
        "end": e.decoded("DTEND").isoformat(),
        "description": str(e.get("DESCRIPTION", "")),
        "location": str(e.get("LOCATION", "")),
    })
print(json.dumps({"name": str(cal.get("X-WR-CALNAME")), "events": events}))
"#;
    let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; scripts/test installs icalendar"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "icalendar refused the feed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Today in Berlin, by the app's clock.
pub fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().with_timezone(&Berlin).date_naive()
}

/// Everything a test with an admin, a seeded tenant and cleaner Maria needs.
pub struct Scene {
    pub app: TestApp,
    pub admin: String,
    pub maria: String,
    pub seed: Seed,
}

pub async fn scene() -> Scene {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    Scene {
        app,
        admin,
        maria,
        seed,
    }
}

/// `PUT /v1/tour-settings` with `If-Match`.
pub async fn put_settings(app: &TestApp, token: &str, body: Value, etag: &str) -> Reply {
    app.send(
        Method::PUT,
        "/v1/tour-settings",
        Some(token),
        Some(body),
        Some(etag),
    )
    .await
}

/// Checks in at the code yesterday at `hh:mm` (Berlin).
pub async fn check_in_yesterday(
    app: &TestApp,
    token: &str,
    code: &str,
    hour: u32,
    minute: u32,
) -> Reply {
    let (_, at) = yesterday_at(hour, minute);
    app.post(
        token,
        "/v1/visits/check-in",
        json!({"code": code, "at": at}),
    )
    .await
}
