//! Identity with the other functions: a cleaner invited and logged in sees her own tour
//! sheet, and a device key reads what its scope names and nothing else.

use platform::testing::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn start() -> TestApp {
    let catalog = catalog::Catalog::load().expect("functions/catalog.json");
    let routes = cleanops::functions(&catalog).expect("every function has a router");
    spawn_app(routes, platform::HttpConfig::default()).await
}

async fn public(app: &TestApp, path: &str, body: Value) -> Value {
    let reply = app.send(Method::POST, path, None, Some(body), None).await;
    assert!(reply.status.is_success(), "{path}: {}", reply.body);
    reply.body
}

/// A signed-up tenant's admin token and a site with a room.
async fn tenant(app: &TestApp) -> (String, String) {
    let signup = public(
        app,
        "/v1/signup",
        json!({"company": "Acme", "name": "Ana",
        "email": "ana@acme.ch", "password": "correct horse battery"}),
    )
    .await;
    let admin = signup["accessToken"].as_str().unwrap().to_owned();
    let site = platform::testing::site_json("HQ", 52.52, 13.39);
    let site = app.created(&admin, "/v1/sites", site).await.id();
    (admin, site)
}

#[tokio::test]
async fn a_cleaner_who_logs_in_sees_her_own_tour_sheet() {
    let app = start().await;
    let (admin, site) = tenant(&app).await;
    let office = json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
    let office = app.created(&admin, "/v1/area-types", office).await.id();
    let room = json!({"siteId": site, "name": "Room 101", "sizeSqm": 50, "areaTypeId": office});
    let room = app.created(&admin, "/v1/areas", room).await.id();
    let maria = json!({"userId": "maria", "name": "Maria", "home": {"lat": 52.5, "lng": 13.4},
        "shifts": platform::testing::weekdays("06:00", "14:00"), "maxMinutesPerDay": 480});
    app.created(&admin, "/v1/cleaners", maria).await;
    let tour = json!({"name": "HQ early", "cleanerId": "maria", "startTime": "06:00",
        "maxMinutesPerDay": 480, "days": [{"day": "mon", "areaIds": [room]}]});
    app.created(&admin, "/v1/tours", tour).await;
    let invited = app
        .created(
            &admin,
            "/v1/invitations",
            json!({"email": "maria@acme.ch", "name": "Maria",
            "role": "cleaner", "language": "it", "cleanerId": "maria"}),
        )
        .await;
    let accepted = public(
        &app,
        "/v1/invitations/accept",
        json!({"token": invited.body["token"], "password": "Maria's own passphrase"}),
    )
    .await;
    let token = accepted["accessToken"].as_str().unwrap();
    let sheet = app.get(token, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(sheet.status, 200, "{}", sheet.body);
    let stops = &sheet.body["tours"][0]["stops"];
    assert_eq!(stops[0]["areaId"], room.as_str(), "{}", sheet.body);
    let other = app
        .get(token, "/v1/tour-sheets?date=2026-11-23&cleanerId=ole")
        .await;
    other.assert_problem(reqwest::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_device_key_reads_what_its_scope_names_and_nothing_else() {
    let app = start().await;
    let (admin, site) = tenant(&app).await;
    let made = app
        .created(
            &admin,
            "/v1/api-keys",
            json!({"name": "Lobby display", "scopes": ["sites:read"]}),
        )
        .await;
    let key = made.body["key"].as_str().unwrap();
    let sites = app.get(key, "/v1/sites").await;
    assert_eq!(sites.status, 200, "{}", sites.body);
    assert_eq!(sites.body["items"][0]["id"], site.as_str());
    let write = app
        .post(
            key,
            "/v1/sites",
            platform::testing::site_json("Rogue", 1.0, 1.0),
        )
        .await;
    write.assert_problem(reqwest::StatusCode::FORBIDDEN);
    app.get(key, "/v1/tours")
        .await
        .assert_problem(reqwest::StatusCode::FORBIDDEN);
    // Its last use is recorded for the admins (written after the answer, so looked for).
    let path = format!("/v1/api-keys/{}", made.body["prefix"].as_str().unwrap());
    let mut used = Value::Null;
    for _ in 0..50 {
        used = app.get(&admin, &path).await.body["lastUsedAt"].clone();
        if !used.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(used.is_string(), "lastUsedAt: {used}");
}
