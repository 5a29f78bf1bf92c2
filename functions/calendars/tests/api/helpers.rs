//! Two sites, an office area type cleaned five times a week and a lobby of that type.

use platform::Role;
use platform::testing::{TestApp, spawn_app};
use serde_json::{Value, json};

pub struct Seed {
    pub site: String,
    pub other_site: String,
    pub office: String,
    pub lobby: String,
}

pub async fn seeded() -> (TestApp, String, Seed) {
    let app = spawn_app(calendars::router(), platform::HttpConfig::default()).await;
    let admin = app.token("acme", Role::Admin);
    let site = |name: &str| platform::testing::site_json(name, 52.52, 13.39);
    let site_id = app
        .seed::<domain::sites::Site>(&admin, site("HQ"))
        .await
        .id();
    let other_site = app
        .seed::<domain::sites::Site>(&admin, site("Depot"))
        .await
        .id();
    let office = json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
    let office = app
        .seed::<domain::sites::AreaType>(&admin, office)
        .await
        .id();
    let lobby = json!({"siteId": site_id, "name": "Lobby", "sizeSqm": 100, "areaTypeId": office});
    let lobby = app.seed::<domain::sites::Area>(&admin, lobby).await.id();
    let seed = Seed {
        site: site_id,
        other_site,
        office,
        lobby,
    };
    (app, admin, seed)
}

/// A calendar of `site` with `rrule`, from `start`, in the window 06:00-07:00.
pub fn calendar(site: &str, rrule: &str, start: &str) -> Value {
    json!({
        "siteId": site, "name": "x", "rrule": rrule, "startDate": start,
        "window": {"earliest": "06:00", "latest": "07:00"}
    })
}

/// The `start` of each occurrence in an answer.
pub fn starts(reply: &Value) -> Vec<String> {
    reply["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["start"].as_str().unwrap().to_owned())
        .collect()
}
