//! The sensor registry.

use chrono::Duration;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_device_is_registered_once_per_format() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let again = json!({"name": "Second", "kind": "people-counter", "format": "ttn",
                       "deviceId": TTN_COUNTER.to_uppercase(), "areaId": world.lobby});
    let reply = app.post(&token, "/v1/sensors", again).await;
    reply.assert_problem(reqwest::StatusCode::CONFLICT);
    let sensor = app
        .get(&token, &format!("/v1/sensors/ttn-{TTN_COUNTER}"))
        .await;
    assert_eq!(
        sensor.body["siteId"],
        json!(world.site),
        "the site is the area's"
    );
}

#[tokio::test]
async fn a_sensor_needs_an_area_of_the_tenant() {
    let app = start().await;
    world(&app, "acme").await;
    let token = admin(&app, "acme");
    let reply = app
        .post(
            &token,
            "/v1/sensors",
            json!({"name": "x", "kind": "presence", "format": "generic", "deviceId": "pir-1",
                   "areaId": "no-such-area"}),
        )
        .await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["areaId"]);
}

#[tokio::test]
async fn a_sensors_device_cannot_change() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let path = format!("/v1/sensors/generic-{SOAP}");
    let current = app.get(&token, &path).await;
    let moved = json!({"name": "WC soap", "kind": "fill-level", "format": "generic",
                       "deviceId": "soap-wc-3og", "areaId": world.washroom});
    let reply = app.put(&token, &path, moved, &current.etag()).await;
    assert_eq!(reply.error_fields(), ["deviceId"]);
}

#[tokio::test]
async fn a_sensor_quiet_for_longer_than_its_heartbeat_is_flagged_silent() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let silent = |reply: &platform::testing::Reply| {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["silent"] == true)
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let listed = app
        .get(&token, &format!("/v1/sensors?siteId={}", world.site))
        .await;
    assert!(silent(&listed).is_empty());
    app.clock.advance(Duration::hours(3));
    let uplink = fixture("ttn-uplink.json", app.clock_now() - Duration::minutes(1));
    ingest(&app, &world.key, "ttn", uplink).await;
    let listed = app
        .get(&token, &format!("/v1/sensors?siteId={}", world.site))
        .await;
    // Counters report at least every two hours; buttons and levels once a day.
    assert_eq!(
        silent(&listed),
        [
            format!("dt-{DT_DOOR}"),
            format!("milesight-{MILESIGHT_COUNTER}")
        ]
    );
}
