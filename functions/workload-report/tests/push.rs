//! The worker over real sockets, as Pub/Sub pushes to it: a job has one effect however often
//! and however concurrently it is delivered; only the push subscription's tokens are accepted;
//! a message that can never be processed is acked and recorded.

use std::sync::Arc;

use base64::Engine as _;
use domain::store::{Query, TenantStore, Write};
use domain::{Entity, TenantId};
use platform::testing::{PUSH_AUDIENCE, PUSH_SERVICE_ACCOUNT, TestApp, spawn_app};
use serde_json::{Value, json};
use workload_report::REPORTS;

const PUSH_PATH: &str = "/push/workload-report";

const SCHEDULED: &str = "2026-11-24T02:00:00Z";

fn envelope(attributes: Value, message_id: &str) -> Value {
    json!({
        "message": {
            "attributes": attributes,
            "data": base64::engine::general_purpose::STANDARD.encode(b"{}"),
            "messageId": message_id,
            "publishTime": "2026-11-24T02:00:01Z"
        },
        "subscription": "projects/demo/subscriptions/workload-report",
        "deliveryAttempt": 1
    })
}

fn job_attributes(tenant: &str) -> Value {
    json!({"tenant": tenant, "job": "workload-report", "scheduledFor": SCHEDULED,
           "idempotencyKey": format!("workload-report_{tenant}_20261124T020000Z")})
}

fn store(app: &TestApp, tenant: &str) -> TenantStore {
    TenantStore::new(app.state.store.clone(), TenantId::parse(tenant).unwrap())
}

/// Two sites with areas of one type, written as the sites function stores them.
async fn seed(app: &TestApp, tenant: &str) {
    let create = |collection: &'static str, id: &str, fields: Value| Write::Create {
        collection,
        id: id.into(),
        fields: fields.as_object().unwrap().clone(),
    };
    let site = |name: &str| {
        json!({"name": name, "address": {"street": "S 1", "city": "Berlin", "country": "DE"},
        "location": {"lat": 52.5, "lng": 13.4}, "timeZone": "Europe/Berlin", "accessHours": []})
    };
    let writes = vec![
        create(domain::sites::Site::COLLECTION, "s1", site("HQ")),
        create(domain::sites::Site::COLLECTION, "s2", site("Depot")),
        create(
            domain::sites::AreaType::COLLECTION,
            "office",
            json!({"name": "Office", "performanceSqmPerHour": 200.0,
            "cleaningsPerWeek": 5.0, "correctionFactor": 1.0, "priority": "normal"}),
        ),
        create(
            domain::sites::Area::COLLECTION,
            "a1",
            json!({"siteId": "s1", "name": "R1", "floor": 0, "sizeSqm": 50.0, "areaTypeId": "office"}),
        ),
        create(
            domain::sites::Area::COLLECTION,
            "a2",
            json!({"siteId": "s2", "name": "R2", "floor": 0, "sizeSqm": 100.0, "areaTypeId": "office"}),
        ),
    ];
    store(app, tenant)
        .commit(writes, chrono::Utc::now())
        .await
        .unwrap();
}

async fn all(
    app: &TestApp,
    tenant: &str,
    collection: &'static str,
) -> Vec<domain::store::Document> {
    store(app, tenant)
        .query_all(Query::new(collection))
        .await
        .unwrap()
}

fn valid_token(app: &TestApp) -> String {
    app.push_token(
        PUSH_AUDIENCE,
        PUSH_SERVICE_ACCOUNT,
        chrono::Duration::minutes(5),
    )
}

#[tokio::test]
async fn a_job_writes_the_tenants_dated_report() {
    let app = spawn_app(workload_report::router(), Default::default()).await;
    seed(&app, "acme").await;
    assert_eq!(
        app.push(
            &valid_token(&app),
            PUSH_PATH,
            &envelope(job_attributes("acme"), "m1")
        )
        .await,
        204
    );
    let reports = all(&app, "acme", REPORTS).await;
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report.meta.id, "2026-11-24");
    // 50 m² and 100 m² of office at 200 m²/h, five times a week: 75 + 150 minutes.
    assert_eq!(report.fields["totalMinutesPerWeek"], json!(225.0));
    assert_eq!(report.fields["sites"].as_array().unwrap().len(), 2);
    assert!(
        all(&app, "other", REPORTS).await.is_empty(),
        "only the message's tenant is touched"
    );
}

#[tokio::test]
async fn the_same_message_delivered_100_times_in_parallel_has_one_effect() {
    let app = Arc::new(spawn_app(workload_report::router(), Default::default()).await);
    seed(&app, "acme").await;
    let token = valid_token(&app);
    let body = envelope(job_attributes("acme"), "m1");
    let deliveries: Vec<_> = (0..100)
        .map(|_| {
            let (app, token, body) = (app.clone(), token.clone(), body.clone());
            tokio::spawn(async move { app.push(&token, PUSH_PATH, &body).await })
        })
        .collect();
    for delivery in deliveries {
        let status = delivery.await.unwrap();
        assert!(
            status == 204 || status == 503,
            "ack, or ask for redelivery: {status}"
        );
    }
    // Redeliveries of any that asked for it are acked as duplicates.
    assert_eq!(app.push(&token, PUSH_PATH, &body).await, 204);
    let reports = all(&app, "acme", REPORTS).await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].meta.version, 1, "written once");
    let records = all(&app, "acme", platform::push::JOBS).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].fields["state"], "done");
    assert_eq!(
        (
            records[0].fields["attempts"].clone(),
            records[0].fields["progress"].clone()
        ),
        (json!(1), json!(1.0))
    );
    assert!(records[0].fields["finishedAt"].as_str() >= records[0].fields["startedAt"].as_str());
}

#[tokio::test]
async fn only_the_push_subscriptions_tokens_are_accepted() {
    let app = spawn_app(workload_report::router(), Default::default()).await;
    seed(&app, "acme").await;
    let body = envelope(job_attributes("acme"), "m1");
    let stranger = platform::auth::TokenIssuer::generate().unwrap();
    let now = chrono::Utc::now().timestamp();
    let forged = stranger.sign(
        &json!({"iss": platform::push::GOOGLE_ISSUER, "aud": PUSH_AUDIENCE, "sub": "1",
        "email": PUSH_SERVICE_ACCOUNT, "email_verified": true, "iat": now, "exp": now + 300}),
    );
    let minutes = chrono::Duration::minutes;
    let intruder = "intruder@evil.iam.gserviceaccount.com";
    let cases = [
        ("forged", forged, 401),
        (
            "expired",
            app.push_token(PUSH_AUDIENCE, PUSH_SERVICE_ACCOUNT, minutes(-5)),
            401,
        ),
        (
            "wrong audience",
            app.push_token("https://other.service", PUSH_SERVICE_ACCOUNT, minutes(5)),
            401,
        ),
        (
            "another account",
            app.push_token(PUSH_AUDIENCE, intruder, minutes(5)),
            403,
        ),
        (
            "a user token",
            app.token("acme", platform::Role::Admin),
            401,
        ),
    ];
    for (case, token, expected) in cases {
        assert_eq!(app.push(&token, PUSH_PATH, &body).await, expected, "{case}");
    }
    assert!(all(&app, "acme", REPORTS).await.is_empty(), "no effect");
    assert!(
        all(&app, "acme", platform::push::JOBS).await.is_empty(),
        "nothing recorded"
    );
}

#[tokio::test]
async fn a_push_without_a_token_is_a_401_with_no_effect() {
    let app = spawn_app(workload_report::router(), Default::default()).await;
    seed(&app, "acme").await;
    let body = envelope(job_attributes("acme"), "m1");
    let no_token = reqwest::Client::new()
        .post(app.url(PUSH_PATH))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    assert!(all(&app, "acme", REPORTS).await.is_empty(), "no effect");
}

#[tokio::test]
async fn a_poison_message_is_acked_and_recorded_with_its_reason() {
    let app = spawn_app(workload_report::router(), Default::default()).await;
    seed(&app, "acme").await;
    let token = valid_token(&app);
    let bad_time = json!({"tenant": "acme", "job": "workload-report", "scheduledFor": "tomorrow"});
    assert_eq!(
        app.push(&token, PUSH_PATH, &envelope(bad_time, "m2")).await,
        204,
        "acked, not retried forever"
    );
    let mut wrong_key = job_attributes("acme");
    wrong_key["idempotencyKey"] = json!("something-else");
    assert_eq!(
        app.push(&token, PUSH_PATH, &envelope(wrong_key, "m3"))
            .await,
        204
    );
    assert_eq!(
        app.push(&token, PUSH_PATH, &json!({"not": "an envelope"}))
            .await,
        204
    );
    assert_eq!(
        app.push(
            &token,
            PUSH_PATH,
            &envelope(json!({"job": "workload-report"}), "m4")
        )
        .await,
        204
    );

    let records = all(&app, "acme", platform::push::JOBS).await;
    assert_eq!(
        records.len(),
        2,
        "the two poison messages with a tenant are recorded"
    );
    assert!(records.iter().all(|r| r.fields["state"] == "rejected"));
    let reasons: Vec<&str> = records
        .iter()
        .map(|r| r.fields["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("scheduledFor")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("idempotencyKey")),
        "{reasons:?}"
    );
    assert!(all(&app, "acme", REPORTS).await.is_empty());
}
