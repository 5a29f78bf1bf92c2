//! The worker binary as Cloud Run starts it, on Firestore: when the store goes away after
//! start-up, a delivery answers 503 so that Pub/Sub redelivers it (never an ack that loses the
//! job, never a crash), and the worker keeps serving.

use base64::Engine as _;
use platform::auth::TokenIssuer;
use platform::push::GOOGLE_ISSUER;
use platform::testing::{CuttableProxy, KillOnDrop, free_port};
use serde_json::json;

const AUDIENCE: &str = "https://workload-report.test";
const ACCOUNT: &str = "pusher@cleanops-test.iam.gserviceaccount.com";

fn envelope() -> serde_json::Value {
    json!({
        "message": {
            "attributes": {"tenant": "acme", "job": "workload-report",
                "scheduledFor": "2026-11-24T02:00:00Z",
                "idempotencyKey": "workload-report_acme_20261124T020000Z"},
            "data": base64::engine::general_purpose::STANDARD.encode(b"{}"),
            "messageId": "m1",
            "publishTime": "2026-11-24T02:00:01Z"
        },
        "subscription": "projects/demo/subscriptions/workload-report",
        "deliveryAttempt": 1
    })
}

#[tokio::test]
async fn a_store_outage_asks_pub_sub_to_redeliver() {
    let emulator = std::env::var("FIRESTORE_EMULATOR_HOST").expect(
        "FIRESTORE_EMULATOR_HOST is not set: run scripts/test, which starts the Firestore emulator",
    );
    let proxy = CuttableProxy::start(emulator).await;
    let issuer = TokenIssuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let jwks = serde_json::to_string(&issuer.jwks()).unwrap();
    let worker = platform::testing::function_command(
        env!("CARGO_BIN_EXE_workload-report"),
        &issuer,
        dir.path(),
    )
    .env("PORT", port.to_string())
    .env("CLEANOPS_STORE", "firestore")
    .env("FIRESTORE_PROJECT_ID", format!("outage-{port}"))
    .env(
        "FIRESTORE_EMULATOR_HOST",
        format!("127.0.0.1:{}", proxy.port),
    )
    .env("PUSH_AUDIENCE", AUDIENCE)
    .env("PUSH_SERVICE_ACCOUNT", ACCOUNT)
    .env("PUSH_ISSUER", GOOGLE_ISSUER)
    .env("PUSH_JWKS", jwks)
    .spawn()
    .unwrap();
    let mut worker = KillOnDrop(worker);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    platform::testing::wait_until_serving(&base, &mut worker).await;
    let now = chrono::Utc::now().timestamp();
    let token = issuer.sign(&json!({
        "iss": GOOGLE_ISSUER, "aud": AUDIENCE, "sub": "1", "email": ACCOUNT,
        "email_verified": true, "iat": now - 5, "exp": now + 300,
    }));

    proxy.cut().await;
    let response = http
        .post(format!("{base}/push/workload-report"))
        .bearer_auth(&token)
        .json(&envelope())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503, "a transient failure is not acked");
    assert!(response.headers().contains_key("retry-after"));
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(worker.0.try_wait().unwrap().is_none(), "still running");
}
