//! Tenants never see each other; roles see only their own.

use chrono::Duration;
use platform::Role;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn another_tenants_sensors_demand_and_savings_are_not_found() {
    let app = start().await;
    let acme = world(&app, "acme").await;
    world(&app, "globex").await;
    let acme_admin = admin(&app, "acme");
    let uplink = fixture("ttn-uplink.json", app.clock_now() - Duration::minutes(1));
    ingest(&app, &acme.key, "ttn", uplink).await;
    let globex = admin(&app, "globex");
    // Globex registered the same devices: its own records, never acme's.
    let own = app
        .get(&globex, &format!("/v1/sensors/ttn-{TTN_COUNTER}"))
        .await;
    assert_eq!(own.status, 200);
    assert_ne!(own.body["areaId"], json!(acme.washroom));
    for path in [
        format!("/v1/area-demand/{}", acme.washroom),
        format!("/v1/savings?siteId={}&month=2026-12", acme.site),
    ] {
        let reply = app.get(&globex, &path).await;
        reply.assert_problem(reqwest::StatusCode::NOT_FOUND);
    }
    let listed = app.get(&globex, "/v1/area-demand").await;
    assert_eq!(
        listed.body["items"],
        json!([]),
        "acme's readings are not globex's"
    );
    assert_eq!(
        app.get(&acme_admin, "/v1/area-demand").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_device_key_cannot_post_readings_for_another_tenants_sensor() {
    let app = start().await;
    let acme = world(&app, "acme").await;
    let globex = admin(&app, "globex");
    app.seed_customer(&globex, "G-1").await;
    let site = app
        .seed::<domain::sites::Site>(&globex, platform::testing::site_json("Globex", 48.1, 11.5))
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            &globex,
            json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    let area = app
        .seed::<domain::sites::Area>(
            &globex,
            json!({"siteId": site, "name": "Office", "sizeSqm": 50, "areaTypeId": area_type}),
        )
        .await
        .id();
    let reply = app
        .post(
            &globex,
            "/v1/sensors",
            json!({"name": "Globex counter", "kind": "people-counter", "format": "generic",
                   "deviceId": "globex-only-1", "areaId": area}),
        )
        .await;
    assert_eq!(reply.status, 201);
    let reply = ingest(
        &app,
        &acme.key,
        "generic",
        counts(
            "globex-only-1",
            app.clock_now() - Duration::minutes(1),
            1,
            50,
        ),
    )
    .await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["readings[0].deviceId"]);
    let untouched = app.get(&globex, &format!("/v1/area-demand/{area}")).await;
    assert_eq!(untouched.status, 404, "globex's area saw no reading");
}

#[tokio::test]
async fn only_keys_with_the_ingest_scope_and_planners_deliver_readings() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let body = counts(SOAP, app.clock_now(), 1, 1);
    let reader = device_key(&app, "acme", &["sites:read"]).await;
    ingest(&app, &reader, "generic", body.clone())
        .await
        .assert_problem(reqwest::StatusCode::FORBIDDEN);
    for role in [Role::Cleaner, Role::Customer] {
        let token = app.token_of("acme", "someone", role, Some("K-1"));
        ingest(&app, &token, "generic", body.clone())
            .await
            .assert_problem(reqwest::StatusCode::FORBIDDEN);
    }
    ingest(
        &app,
        "co_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "generic",
        body,
    )
    .await
    .assert_problem(reqwest::StatusCode::UNAUTHORIZED);
    let _ = world;
}

#[tokio::test]
async fn cleaners_and_customers_do_not_read_the_registry() {
    let app = start().await;
    world(&app, "acme").await;
    for role in [Role::Cleaner, Role::Customer] {
        let token = app.token_of("acme", "someone", role, Some("K-1"));
        for path in ["/v1/sensors", "/v1/demand-cleanings", "/v1/area-demand"] {
            app.get(&token, path)
                .await
                .assert_problem(reqwest::StatusCode::FORBIDDEN);
        }
    }
}

#[tokio::test]
async fn a_customer_reads_the_savings_of_her_own_sites_only() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let own = app.token_of("acme", "erika", Role::Customer, Some("K-1"));
    let path = format!("/v1/savings?siteId={}&month=2026-12", world.site);
    assert_eq!(app.get(&own, &path).await.status, 200);
    let other = app.token_of("acme", "max", Role::Customer, Some("K-2"));
    app.get(&other, &path)
        .await
        .assert_problem(reqwest::StatusCode::NOT_FOUND);
}
