//! The fan-out over real sockets, as Cloud Scheduler calls it, publishing to the local topic.

use domain::TenantId;
use domain::store::{Query, TenantStore};
use platform::local_topic::TOPIC_MESSAGES;
use platform::testing::{PUSH_AUDIENCE, PUSH_SERVICE_ACCOUNT, TestApp, spawn_app};
use serde_json::{Value, json};

const SCHEDULED: &str = "2026-11-24T01:00:00Z";

async fn register(app: &TestApp, tenants: impl IntoIterator<Item = String>) {
    for tenant in tenants {
        let tenant = TenantId::parse(&tenant).unwrap();
        platform::tenants::register(&app.state.store, &tenant, chrono::Utc::now())
            .await
            .unwrap();
    }
}

async fn call(
    app: &TestApp,
    token: &str,
    body: Value,
    schedule_time: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(app.url(fanout::PATH))
        .bearer_auth(token)
        .json(&body);
    if let Some(time) = schedule_time {
        request = request.header(fanout::SCHEDULE_TIME_HEADER, time);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn published(app: &TestApp) -> Vec<domain::store::Document> {
    TenantStore::new(app.state.store.clone(), TenantId::system())
        .query_all(Query::new(TOPIC_MESSAGES))
        .await
        .unwrap()
}

fn token(app: &TestApp) -> String {
    app.push_token(
        PUSH_AUDIENCE,
        PUSH_SERVICE_ACCOUNT,
        chrono::Duration::minutes(5),
    )
}

/// Four registered tenants, one of them deactivated.
async fn three_active_tenants() -> TestApp {
    let app = spawn_app(fanout::router(), Default::default()).await;
    register(
        &app,
        ["acme", "brightclean", "citypro", "dormant"].map(String::from),
    )
    .await;
    let dormant = TenantId::parse("dormant").unwrap();
    platform::tenants::set_active(&app.state.store, &dormant, false, chrono::Utc::now())
        .await
        .unwrap();
    app
}

/// Cloud Scheduler's call for the workload report scheduled at `time`.
async fn workload_report_at(app: &TestApp, time: &str) -> (u16, Value) {
    call(
        app,
        &token(app),
        json!({"job": "workload-report"}),
        Some(time),
    )
    .await
}

#[tokio::test]
async fn one_message_is_published_per_active_tenant() {
    let app = three_active_tenants().await;
    let (status, result) = workload_report_at(&app, SCHEDULED).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        result,
        json!({"job": "workload-report", "scheduledFor": "2026-11-24T01:00:00.000Z", "tenants": 3, "publishCalls": 1})
    );
    let messages = published(&app).await;
    let mut tenants: Vec<&str> = messages
        .iter()
        .map(|m| m.fields["attributes"]["tenant"].as_str().unwrap())
        .collect();
    tenants.sort();
    assert_eq!(tenants, ["acme", "brightclean", "citypro"]);
}

#[tokio::test]
async fn a_message_names_its_topic_job_and_idempotency_key() {
    let app = three_active_tenants().await;
    workload_report_at(&app, SCHEDULED).await;
    let messages = published(&app).await;
    let acme = messages
        .iter()
        .find(|m| m.fields["attributes"]["tenant"] == "acme")
        .unwrap();
    assert_eq!(acme.fields["topic"], "workload-report");
    assert_eq!(acme.fields["attributes"]["job"], "workload-report");
    assert_eq!(
        acme.fields["attributes"]["idempotencyKey"],
        "workload-report_acme_20261124T010000Z"
    );
}

#[tokio::test]
async fn a_retried_call_publishes_nothing_new() {
    let app = three_active_tenants().await;
    workload_report_at(&app, SCHEDULED).await;
    let (status, _) = workload_report_at(&app, SCHEDULED).await;
    assert_eq!(status, 200);
    assert_eq!(published(&app).await.len(), 3);
}

#[tokio::test]
async fn the_next_run_is_new_work() {
    let app = three_active_tenants().await;
    workload_report_at(&app, SCHEDULED).await;
    workload_report_at(&app, "2026-11-25T01:00:00Z").await;
    assert_eq!(published(&app).await.len(), 6);
}

#[tokio::test]
async fn tenants_are_published_a_thousand_per_call() {
    let app = spawn_app(fanout::router(), Default::default()).await;
    register(&app, (0..2500).map(|i| format!("tenant-{i:05}"))).await;
    let (status, result) = call(
        &app,
        &token(&app),
        json!({"job": "workload-report"}),
        Some(SCHEDULED),
    )
    .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        (result["tenants"].as_u64(), result["publishCalls"].as_u64()),
        (Some(2500), Some(3))
    );
    assert_eq!(published(&app).await.len(), 2500);
}

#[tokio::test]
async fn bad_calls_are_refused_and_publish_nothing() {
    let app = spawn_app(fanout::router(), Default::default()).await;
    register(&app, ["acme".to_owned()]).await;
    let (status, body) = call(
        &app,
        &token(&app),
        json!({"job": "payroll"}),
        Some(SCHEDULED),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("job"))
    );
    let (status, body) = call(&app, &token(&app), json!({"job": "workload-report"}), None).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some(fanout::SCHEDULE_TIME_HEADER))
    );
    let (status, _) = call(
        &app,
        &token(&app),
        json!({"job": "workload-report"}),
        Some("yesterday"),
    )
    .await;
    assert_eq!(status, 422);
    let stranger = app.push_token(
        PUSH_AUDIENCE,
        "someone@evil.iam.gserviceaccount.com",
        chrono::Duration::minutes(5),
    );
    assert_eq!(
        call(
            &app,
            &stranger,
            json!({"job": "workload-report"}),
            Some(SCHEDULED)
        )
        .await
        .0,
        403
    );
    let user = app.token("acme", platform::Role::Admin);
    assert_eq!(
        call(
            &app,
            &user,
            json!({"job": "workload-report"}),
            Some(SCHEDULED)
        )
        .await
        .0,
        401
    );
    assert!(published(&app).await.is_empty());
}

#[tokio::test]
async fn a_run_for_one_tenant_publishes_its_message_only() {
    let app = spawn_app(fanout::router(), Default::default()).await;
    register(&app, ["acme".to_owned(), "globex".to_owned()]).await;
    let (status, result) = call(
        &app,
        &token(&app),
        json!({"job": "workload-report", "tenant": "globex"}),
        Some(SCHEDULED),
    )
    .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["tenants"], 1);
    let messages = published(&app).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].fields["attributes"]["tenant"], "globex");
}

#[tokio::test]
async fn a_run_for_an_unknown_tenant_is_a_422_naming_it() {
    let app = spawn_app(fanout::router(), Default::default()).await;
    register(&app, ["acme".to_owned()]).await;
    let (status, body) = call(
        &app,
        &token(&app),
        json!({"job": "workload-report", "tenant": "nobody"}),
        Some(SCHEDULED),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("tenant"))
    );
    assert!(published(&app).await.is_empty());
}
