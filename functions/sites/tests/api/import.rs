use platform::Role;
use serde_json::json;

use crate::helpers::{office_type, site_body, start};

/// A German spreadsheet's export: semicolons, decimal commas, umlauts in the headers.
const ROOMS: &str = "Raum;Etage;Fläche (m²);Raumtyp\nBüro 1.01;1;12,5;Office\nBüro 1.02;1;20;Office\nFlur;0;1.234,5;Office\n";

async fn site_with_office(app: &platform::testing::TestApp, token: &str) -> String {
    app.created(token, "/v1/area-types", office_type()).await;
    app.created(token, "/v1/sites", site_body("HQ")).await.id()
}

#[tokio::test]
async fn a_german_csv_imports_every_room_at_once() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let site = site_with_office(&app, &admin).await;
    let reply = app
        .post(
            &admin,
            "/v1/areas/import",
            json!({"siteId": site, "csv": ROOMS}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["rooms"], 3);
    assert_eq!(reply.body["rows"][0]["sizeSqm"], 12.5);
    // 12.5 m² at 200 m²/h with the type's factor 1.2: 4.5 minutes.
    assert_eq!(reply.body["rows"][0]["minutesPerCleaning"], 4.5);
    let areas = app
        .get(&admin, &format!("/v1/areas?siteId={site}&limit=10"))
        .await;
    let names: Vec<&str> = areas.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"Flur"));
}

#[tokio::test]
async fn one_bad_row_names_its_field_and_imports_nothing() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let site = site_with_office(&app, &admin).await;
    let bad =
        "Raum;Etage;m²;Raumtyp\nBüro 1;1;12,5;Office\nKeller;EG;-3;Lager\nBüro 1;1;9;Office\n";
    let reply = app
        .post(
            &admin,
            "/v1/areas/import",
            json!({"siteId": site, "csv": bad}),
        )
        .await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let fields = reply.error_fields();
    assert!(fields.contains(&"rows[1].areaType"), "{fields:?}");
    assert!(fields.contains(&"rows[1].floor"), "{fields:?}");
    assert!(fields.contains(&"rows[1].sizeSqm"), "{fields:?}");
    assert!(
        fields.contains(&"rows[2].name"),
        "a repeated room: {fields:?}"
    );
    let lager = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "rows[1].areaType")
        .unwrap();
    assert!(
        lager["message"].as_str().unwrap().starts_with("line 3:"),
        "{lager}"
    );
    let areas = app.get(&admin, &format!("/v1/areas?siteId={site}")).await;
    assert_eq!(areas.body["items"], json!([]), "all or nothing");
}

#[tokio::test]
async fn a_dry_run_previews_without_writing() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let site = site_with_office(&app, &admin).await;
    let reply = app
        .post(
            &admin,
            "/v1/areas/import",
            json!({"siteId": site, "csv": ROOMS, "dryRun": true}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["rows"].as_array().unwrap().len(), 3);
    assert!(reply.body.get("ids").is_none());
    assert_eq!(
        app.get(&admin, &format!("/v1/areas?siteId={site}"))
            .await
            .body["items"],
        json!([])
    );
}

#[tokio::test]
async fn an_import_needs_a_planner_a_known_site_and_a_readable_file() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let site = site_with_office(&app, &admin).await;
    let cleaner = app.token("acme", Role::Cleaner);
    let refused = app
        .post(
            &cleaner,
            "/v1/areas/import",
            json!({"siteId": site, "csv": ROOMS}),
        )
        .await;
    refused.assert_problem(reqwest::StatusCode::FORBIDDEN);
    let other = app.token("globex", Role::Admin);
    let foreign = app
        .post(
            &other,
            "/v1/areas/import",
            json!({"siteId": site, "csv": ROOMS}),
        )
        .await;
    assert_eq!(
        foreign.error_fields(),
        ["siteId"],
        "another tenant's site is no site"
    );
    let unreadable = app
        .post(
            &admin,
            "/v1/areas/import",
            json!({"siteId": site, "csv": "Raum;Farbe\nA;blau\n"}),
        )
        .await;
    assert_eq!(unreadable.error_fields(), ["csv"]);
}
