//! The sites function's test fixtures.

use platform::Role;
use platform::testing::{TestApp, spawn_app};
use serde_json::{Value, json};

pub async fn start() -> TestApp {
    spawn_app(sites::router(), platform::HttpConfig::default()).await
}

pub async fn start_with(http: platform::HttpConfig) -> TestApp {
    spawn_app(sites::router(), http).await
}

pub fn site_body(name: &str) -> Value {
    json!({
        "name": name,
        "address": {"street": "Friedrichstr. 1", "postalCode": "10117", "city": "Berlin", "country": "de"},
        "location": {"lat": 52.52, "lng": 13.39},
        "timeZone": "Europe/Berlin",
        "accessHours": [{"day": "mon", "from": "06:00", "to": "20:00"}]
    })
}

pub fn office_type() -> Value {
    json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5, "correctionFactor": 1.2})
}

/// A site, an area type and an area (Room 101, 50 m², floor 1); their ids.
pub struct Seed {
    pub site: String,
    pub area_type: String,
    pub area: String,
}

pub async fn seed(app: &TestApp, token: &str) -> Seed {
    let site = app.created(token, "/v1/sites", site_body("HQ")).await.id();
    let area_type = app
        .created(token, "/v1/area-types", office_type())
        .await
        .id();
    let area = json!({"siteId": site, "name": "Room 101", "floor": 1, "sizeSqm": 50, "areaTypeId": area_type});
    let area = app.created(token, "/v1/areas", area).await.id();
    Seed {
        site,
        area_type,
        area,
    }
}

/// An app with tenant `acme` seeded, and its admin's token.
pub async fn seeded() -> (TestApp, String, Seed) {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    (app, admin, seed)
}
