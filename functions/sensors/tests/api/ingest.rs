//! Each vendor's payloads in, counted once.

use chrono::Duration;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_ttn_uplink_counts_its_people_and_a_replay_counts_once() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let uplink = fixture("ttn-uplink.json", app.clock_now() - Duration::minutes(5));
    let first = ingest(&app, &world.key, "ttn", uplink.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        (
            first.body["accepted"].clone(),
            first.body["duplicates"].clone()
        ),
        (json!(1), json!(0))
    );
    let replay = ingest(&app, &world.key, "ttn", uplink).await;
    assert_eq!(
        (
            replay.body["accepted"].clone(),
            replay.body["duplicates"].clone()
        ),
        (json!(0), json!(1))
    );
    assert_eq!(
        area_demand(&app, &token, &world.washroom).await["events"],
        6
    );
    let sensor = app
        .get(&token, &format!("/v1/sensors/ttn-{TTN_COUNTER}"))
        .await;
    assert_eq!(sensor.body["batteryPercent"], 87.0);
    assert_eq!(sensor.body["silent"], false);
    assert!(sensor.body["lastSeenAt"].is_string());
}

#[tokio::test]
async fn a_dt_delivery_not_signed_with_the_connectors_secret_is_refused_and_stores_nothing() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let touch = fixture("dt-touch.json", app.clock_now() - Duration::minutes(1));
    let bytes = serde_json::to_vec(&touch).unwrap();
    let forged = dt_signature(&bytes, "another-secret-entirely");
    let refused = ingest_dt(&app, &world.key, &touch, Some(&forged)).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    // Signed right, but over other bytes.
    let mut other = touch.clone();
    other["event"]["eventId"] = json!("cm8tb9vh1f3g00b2r7c9");
    let stale = dt_signature(&serde_json::to_vec(&other).unwrap(), DT_SECRET);
    assert_eq!(
        ingest_dt(&app, &world.key, &touch, Some(&stale))
            .await
            .status,
        401
    );
    assert_eq!(
        ingest_dt(&app, &world.key, &touch, Some("")).await.status,
        401
    );
    assert!(demand_cleanings(&app, &token).await.is_empty());
    let missing = app
        .get(&token, &format!("/v1/area-demand/{}", world.washroom))
        .await;
    assert_eq!(
        missing.status, 404,
        "nothing of a refused delivery is stored"
    );

    let signed = ingest_dt(&app, &world.key, &touch, None).await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    let made = demand_cleanings(&app, &token).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["trigger"], "button");
    assert_eq!(made[0]["areaId"], json!(world.washroom));
}

#[tokio::test]
async fn a_dt_counter_counts_the_increase_of_its_running_total() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let at = app.clock_now() - Duration::minutes(20);
    let first = fixture("dt-object-count.json", at);
    assert_eq!(ingest_dt(&app, &world.key, &first, None).await.status, 200);
    let mut later = fixture("dt-object-count.json", at + Duration::minutes(16));
    later["event"]["eventId"] = json!("cm8tbf1p0k5s00c1n2a1");
    later["event"]["data"]["objectPresentCount"]["total"] = json!(4180);
    assert_eq!(ingest_dt(&app, &world.key, &later, None).await.status, 200);
    assert_eq!(area_demand(&app, &token, &world.kitchen).await["events"], 4);
}

#[tokio::test]
async fn a_milesight_counter_adds_the_people_in_of_its_lines() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let events = fixture(
        "milesight-vs133.json",
        app.clock_now() - Duration::minutes(2),
    );
    let reply = ingest(&app, &world.key, "milesight", events).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(area_demand(&app, &token, &world.lobby).await["events"], 7);
}

#[tokio::test]
async fn a_soap_level_under_its_threshold_makes_a_refill_due() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let batch = fixture(
        "generic-batch.json",
        app.clock_now() - Duration::minutes(30),
    );
    let reply = ingest(&app, &world.key, "generic", batch).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let made = demand_cleanings(&app, &token).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["trigger"], "level");
    let demand = area_demand(&app, &token, &world.washroom).await;
    assert_eq!(demand["levels"][format!("generic-{SOAP}")], 18.0);
}

#[tokio::test]
async fn a_bad_payload_is_a_422_naming_the_field_and_stores_nothing() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let at = app.clock_now() - Duration::minutes(5);
    let mut batch = fixture("generic-batch.json", at);
    batch["readings"][1]["level"] = json!("empty");
    let reply = ingest(&app, &world.key, "generic", batch).await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["readings[1].level"]);

    let mut uplink = fixture("ttn-uplink.json", at);
    uplink["uplink_message"]
        .as_object_mut()
        .unwrap()
        .remove("decoded_payload");
    let reply = ingest(&app, &world.key, "ttn", uplink).await;
    assert_eq!(reply.error_fields(), ["uplink_message.decoded_payload"]);

    // A people counter's uplink that carries only a fill level.
    let mut uplink = fixture("ttn-uplink.json", at);
    uplink["uplink_message"]["decoded_payload"] = json!({"level": 40});
    let reply = ingest(&app, &world.key, "ttn", uplink).await;
    assert_eq!(
        reply.error_fields(),
        ["uplink_message.decoded_payload.count"]
    );

    for area in [&world.washroom, &world.lobby] {
        let reply = app.get(&token, &format!("/v1/area-demand/{area}")).await;
        assert_eq!(reply.status, 404, "nothing was stored");
    }
}

#[tokio::test]
async fn a_batch_naming_an_unregistered_device_is_refused_whole() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let at = app.clock_now() - Duration::minutes(5);
    let mut batch = fixture("generic-batch.json", at);
    batch["readings"][1]["deviceId"] = json!("soap-wc-9og");
    let reply = ingest(&app, &world.key, "generic", batch).await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["readings[1].deviceId"]);
    let reply = app
        .get(&token, &format!("/v1/area-demand/{}", world.washroom))
        .await;
    assert_eq!(
        reply.status, 404,
        "the registered device's reading was not stored either"
    );
}

#[tokio::test]
async fn an_unknown_format_is_not_found() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let reply = ingest(&app, &world.key, "lorawan", json!({"readings": []})).await;
    reply.assert_problem(reqwest::StatusCode::NOT_FOUND);
}
