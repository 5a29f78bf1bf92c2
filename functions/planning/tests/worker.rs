//! The nightly re-plan as Pub/Sub pushes it: one draft per tenant and week, however often the
//! message is delivered; only the push subscription's tokens are accepted.

use base64::Engine as _;
use planning::PUSH_PATH;
use platform::Role;
use platform::testing::{PUSH_AUDIENCE, PUSH_SERVICE_ACCOUNT, spawn_app};
use serde_json::{Value, json};

fn envelope(tenant: &str, message_id: &str) -> Value {
    json!({
        "message": {
            "attributes": {
                "tenant": tenant, "job": "planning", "scheduledFor": "2026-11-29T02:00:00Z",
                "idempotencyKey": format!("planning_{tenant}_20261129T020000Z")
            },
            "data": base64::engine::general_purpose::STANDARD.encode(b"{}"),
            "messageId": message_id,
            "publishTime": "2026-11-29T02:00:01Z"
        },
        "subscription": "projects/demo/subscriptions/planning",
        "deliveryAttempt": 1
    })
}

#[tokio::test]
async fn the_nightly_push_plans_the_coming_week_once() {
    // SAFETY: the only test of this binary; set before any thread reads it.
    unsafe { std::env::set_var(planning::NIGHTLY_SECONDS_VAR, "0.3") };
    let routes = sites::router()
        .merge(planning::router())
        .merge(planning::worker_router());
    let app = spawn_app(routes, Default::default()).await;
    let admin = app.token("acme", Role::Admin);
    let site = app
        .created(
            &admin,
            "/v1/sites",
            platform::testing::site_json("HQ", 52.52, 13.40),
        )
        .await
        .id();
    let office = app
        .created(
            &admin,
            "/v1/area-types",
            json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    for i in 0..4 {
        app.created(
            &admin,
            "/v1/areas",
            json!({"siteId": site, "name": format!("Room {i}"), "sizeSqm": 100, "areaTypeId": office}),
        )
        .await;
    }
    let shifts: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "from": "06:00", "to": "14:00"}))
        .collect();
    app.created(
        &admin,
        "/v1/cleaners",
        json!({"userId": "maria", "name": "Maria", "home": {"lat": 52.5, "lng": 13.4},
               "shifts": shifts, "maxMinutesPerDay": 420}),
    )
    .await;

    let token = app.push_token(
        PUSH_AUDIENCE,
        PUSH_SERVICE_ACCOUNT,
        chrono::Duration::minutes(5),
    );
    let user = app.token("acme", Role::Admin);
    assert_eq!(
        app.push(&user, PUSH_PATH, &envelope("acme", "m0")).await,
        401
    );
    assert_eq!(
        app.push(&token, PUSH_PATH, &envelope("acme", "m1")).await,
        204
    );
    let plan = app.get(&admin, "/v1/plans/nightly-2026-11-30").await;
    assert_eq!(plan.status, reqwest::StatusCode::OK, "{}", plan.body);
    assert_eq!(plan.body["status"], "draft");
    assert_eq!(plan.body["weekStart"], "2026-11-30");
    let stops: usize = plan.body["tours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stops"].as_array().unwrap().len())
        .sum();
    assert_eq!(stops, 4 * 5);
    // Delivered again: acked, nothing changes.
    assert_eq!(
        app.push(&token, PUSH_PATH, &envelope("acme", "m2")).await,
        204
    );
    let again = app.get(&admin, "/v1/plans/nightly-2026-11-30").await;
    assert_eq!(again.etag(), plan.etag());
    assert_eq!(
        app.get(&admin, "/v1/plans").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Another tenant's message plans that tenant only.
    assert_eq!(
        app.push(&token, PUSH_PATH, &envelope("globex", "m3")).await,
        204
    );
    assert_eq!(
        app.get(
            &app.token("globex", Role::Admin),
            "/v1/plans/nightly-2026-11-30"
        )
        .await
        .body["tours"],
        json!([])
    );
}
