//! `GET /v1/sites/{id}/workload`: a site's weekly minutes by area type and in total.

use platform::Role;
use platform::testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Seed, seeded, site_body};

/// Beside the seeded office room: a second office room cleaned twice a week, a hall lobby,
/// and a hall at another site. The hall type's id.
async fn more_areas(app: &TestApp, admin: &str, seed: &Seed) -> String {
    let hall = json!({"name": "Hall", "performanceSqmPerHour": 400, "cleaningsPerWeek": 1});
    let hall = app.created(admin, "/v1/area-types", hall).await.id();
    let other_site = app
        .created(admin, "/v1/sites", site_body("Depot"))
        .await
        .id();
    for area in [
        json!({"siteId": seed.site, "name": "Room 102", "sizeSqm": 100, "areaTypeId": seed.area_type, "cleaningsPerWeek": 2}),
        json!({"siteId": seed.site, "name": "Lobby", "sizeSqm": 200, "areaTypeId": hall}),
        json!({"siteId": other_site, "name": "Elsewhere", "sizeSqm": 999, "areaTypeId": hall}),
    ] {
        app.created(admin, "/v1/areas", area).await;
    }
    hall
}

async fn workload(app: &TestApp, seed: &Seed) -> Value {
    let cleaner = app.token("acme", Role::Cleaner);
    let load = app
        .get(&cleaner, &format!("/v1/sites/{}/workload", seed.site))
        .await;
    assert_eq!(load.status, StatusCode::OK, "{}", load.body);
    load.body
}

#[tokio::test]
async fn the_totals_sum_the_sites_areas_only() {
    let (app, admin, seed) = seeded().await;
    more_areas(&app, &admin, &seed).await;
    let load = workload(&app, &seed).await;
    // Office: 50 m² -> 18 min x 5 = 90; 100 m² -> 36 min x 2 = 72. Hall: 200 m² -> 30 min x 1.
    assert_eq!(load["areas"], 3);
    assert_eq!(load["sizeSqm"], json!(350.0));
    assert_eq!(load["minutesPerWeek"], json!(192.0));
    assert_eq!(load["hoursPerWeek"], json!(3.2));
}

#[tokio::test]
async fn the_minutes_are_split_by_area_type_with_its_name() {
    let (app, admin, seed) = seeded().await;
    let hall = more_areas(&app, &admin, &seed).await;
    let load = workload(&app, &seed).await;
    let by_type = load["byAreaType"].as_array().unwrap();
    let of = |id: &str| {
        by_type
            .iter()
            .find(|t| t["areaTypeId"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            of(&seed.area_type)["minutesPerWeek"].clone(),
            of(&hall)["minutesPerWeek"].clone()
        ),
        (json!(162.0), json!(30.0))
    );
    assert_eq!(of(&hall)["areaTypeName"], "Hall");
}
