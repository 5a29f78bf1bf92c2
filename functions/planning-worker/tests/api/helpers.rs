//! A tenant with one site of four rooms and one cleaner, and push envelopes of the nightly job.

use base64::Engine as _;
use platform::Role;
use platform::testing::{PUSH_AUDIENCE, PUSH_SERVICE_ACCOUNT, TestApp, spawn_app};
use serde_json::{Value, json};

pub const PATH: &str = "/push/planning";
/// The draft the run scheduled for Sunday 2026-11-29 writes: the week after.
pub const DRAFT: &str = "nightly-2026-11-30";

pub fn envelope_with(tenant: &str, message_id: &str, data: &Value) -> Value {
    json!({
        "message": {
            "attributes": {
                "tenant": tenant, "job": "planning", "scheduledFor": "2026-11-29T02:00:00Z",
                "idempotencyKey": format!("planning_{tenant}_20261129T020000Z")
            },
            "data": base64::engine::general_purpose::STANDARD.encode(data.to_string()),
            "messageId": message_id,
            "publishTime": "2026-11-29T02:00:01Z"
        },
        "subscription": "projects/demo/subscriptions/planning",
        "deliveryAttempt": 1
    })
}

pub fn envelope(tenant: &str, message_id: &str) -> Value {
    envelope_with(tenant, message_id, &json!({}))
}

pub struct Worker {
    pub app: TestApp,
    /// A token of the push subscription.
    pub push: String,
    pub admin: String,
}

/// The worker with a short search (0.3 s a plan) and tenant `acme` seeded.
pub async fn start() -> Worker {
    // SAFETY: every test of this binary sets the same value, before its app starts.
    unsafe { std::env::set_var(planning_worker::NIGHTLY_SECONDS_VAR, "0.3") };
    let app = spawn_app(planning_worker::router(), Default::default()).await;
    let admin = app.token("acme", Role::Admin);
    seed(&app, &admin).await;
    let push = app.push_token(
        PUSH_AUDIENCE,
        PUSH_SERVICE_ACCOUNT,
        chrono::Duration::minutes(5),
    );
    Worker { app, push, admin }
}

impl Worker {
    /// Delivers the nightly job of `tenant` as message `message_id`; the status Pub/Sub sees.
    pub async fn deliver(&self, tenant: &str, message_id: &str) -> u16 {
        self.app
            .push(&self.push, PATH, &envelope(tenant, message_id))
            .await
    }
}

async fn seed(app: &TestApp, admin: &str) {
    let site = app
        .seed::<domain::sites::Site>(admin, platform::testing::site_json("HQ", 52.52, 13.40))
        .await
        .id();
    let office = app
        .seed::<domain::sites::AreaType>(
            admin,
            json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    for i in 0..4 {
        app.seed::<domain::sites::Area>(
            admin,
            json!({"siteId": site, "name": format!("Room {i}"), "sizeSqm": 100, "areaTypeId": office}),
        )
        .await;
    }
    let shifts: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "from": "06:00", "to": "14:00"}))
        .collect();
    app.seed::<domain::planning::Cleaner>(
        admin,
        json!({"userId": "maria", "name": "Maria", "home": {"lat": 52.5, "lng": 13.4},
               "shifts": shifts, "maxMinutesPerDay": 420}),
    )
    .await;
}

/// The tenant's stored plans.
pub async fn plans(
    app: &TestApp,
    token: &str,
) -> Vec<platform::crud::Stored<domain::planning::Plan>> {
    app.stored::<domain::planning::Plan>(token).await
}

/// The tenant's job records.
pub async fn job_runs(app: &TestApp, token: &str) -> Vec<domain::store::Document> {
    app.data_of(token)
        .store()
        .query_all(domain::store::Query::new(platform::push::JOBS))
        .await
        .unwrap()
}
