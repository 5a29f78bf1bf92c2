//! The Lambda path: the real `sites` binary, started with `AWS_LAMBDA_RUNTIME_API`, polls a
//! Runtime API served here on a real socket and answers API Gateway v2 events through the same
//! router, with the stage prefix removed. Its stdout carries Cloud Logging JSON lines.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use platform::Role;
use platform::auth::DevIssuer;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

/// One invocation: the event to hand out and where to send the function's response.
type Invocation = (Value, oneshot::Sender<Value>);

#[derive(Clone)]
struct RuntimeApi {
    events: Arc<tokio::sync::Mutex<mpsc::Receiver<Invocation>>>,
    pending: Arc<Mutex<std::collections::HashMap<String, oneshot::Sender<Value>>>>,
}

async fn next_invocation(State(api): State<RuntimeApi>) -> (HeaderMap, String) {
    let (event, reply) = api
        .events
        .lock()
        .await
        .recv()
        .await
        .expect("the test ended");
    let request_id = uuid_like();
    api.pending
        .lock()
        .unwrap()
        .insert(request_id.clone(), reply);
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", request_id.parse().unwrap());
    headers.insert(
        "lambda-runtime-deadline-ms",
        deadline.to_string().parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:eu-west-1:123456789012:function:sites"
            .parse()
            .unwrap(),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
            .parse()
            .unwrap(),
    );
    (headers, event.to_string())
}

async fn invocation_response(
    State(api): State<RuntimeApi>,
    Path(id): Path<String>,
    body: String,
) -> &'static str {
    let reply = api
        .pending
        .lock()
        .unwrap()
        .remove(&id)
        .expect("a known request id");
    let _ = reply.send(serde_json::from_str(&body).unwrap_or(Value::String(body)));
    "{\"status\":\"OK\"}"
}

async fn invocation_error(
    State(api): State<RuntimeApi>,
    Path(id): Path<String>,
    body: String,
) -> &'static str {
    if let Some(reply) = api.pending.lock().unwrap().remove(&id) {
        let _ = reply.send(json!({"invocationError": body}));
    }
    "{\"status\":\"OK\"}"
}

fn uuid_like() -> String {
    format!("req-{}", chrono::Utc::now().timestamp_nanos_opt().unwrap())
}

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An API Gateway HTTP API (payload v2) event.
fn http_api_event(
    stage: &str,
    method: &str,
    path: &str,
    headers: Value,
    body: Option<Value>,
) -> Value {
    let raw_path = if stage == "$default" {
        path.to_owned()
    } else {
        format!("/{stage}{path}")
    };
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": stage,
            "time": "12/Mar/2026:19:03:58 +0000",
            "timeEpoch": 1_773_342_238_000i64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

#[tokio::test]
async fn the_binary_answers_api_gateway_v2_events_through_the_same_router() {
    let (events_tx, events_rx) = mpsc::channel::<Invocation>(1);
    let api = RuntimeApi {
        events: Arc::new(tokio::sync::Mutex::new(events_rx)),
        pending: Arc::default(),
    };
    let runtime_api = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(invocation_response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{id}/error",
            post(invocation_error),
        )
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, runtime_api).await.unwrap() });

    let issuer = DevIssuer::generate().unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sites"))
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "sites")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "stream")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "group")
        .env("AUTH_ISSUER", &issuer.issuer)
        .env("AUTH_AUDIENCE", &issuer.audience)
        .env("AUTH_JWKS", serde_json::to_string(&issuer.jwks()).unwrap())
        .env("CLEANOPS_DATA_DIR", data_dir.path())
        .env("GOOGLE_CLOUD_PROJECT", "demo-project")
        .env_remove("PORT")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sites binary starts");
    let stdout = child.stdout.take().unwrap();
    let _child = KillOnDrop(child);
    let log_lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = log_lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });

    let invoke = |event: Value| {
        let events_tx = events_tx.clone();
        async move {
            let (tx, rx) = oneshot::channel();
            events_tx.send((event, tx)).await.unwrap();
            tokio::time::timeout(Duration::from_secs(30), rx)
                .await
                .expect("the function answered in time")
                .unwrap()
        }
    };
    let token = issuer.token("acme", "u1", Role::Admin, chrono::Duration::hours(1));
    let auth = json!({"authorization": format!("Bearer {token}"), "content-type": "application/json",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"});

    let body = json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
    let created = invoke(http_api_event(
        "prod",
        "POST",
        "/v1/area-types",
        auth.clone(),
        Some(body),
    ))
    .await;
    assert_eq!(created["statusCode"], 201, "{created}");
    let entity: Value = serde_json::from_str(created["body"].as_str().unwrap()).unwrap();
    let id = entity["id"].as_str().unwrap();
    assert_eq!(created["headers"]["etag"], "\"1\"");

    let read = invoke(http_api_event(
        "prod",
        "GET",
        &format!("/v1/area-types/{id}"),
        auth.clone(),
        None,
    ))
    .await;
    assert_eq!(read["statusCode"], 200, "{read}");
    assert!(read["body"].as_str().unwrap().contains("Office"));

    let health = invoke(http_api_event(
        "$default",
        "GET",
        "/healthz",
        json!({}),
        None,
    ))
    .await;
    assert_eq!(health["statusCode"], 200, "{health}");

    let anonymous = invoke(http_api_event(
        "prod",
        "GET",
        "/v1/area-types",
        json!({}),
        None,
    ))
    .await;
    assert_eq!(anonymous["statusCode"], 401, "{anonymous}");
    assert_eq!(
        anonymous["headers"]["content-type"],
        "application/problem+json"
    );

    // The logs of the traced request are Cloud Logging JSON tied to the caller's trace.
    let lines = log_lines.lock().unwrap().clone();
    let traced: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| {
            l["logging.googleapis.com/trace"]
                == "projects/demo-project/traces/4bf92f3577b34da6a3ce929d0e0e4736"
        })
        .collect();
    assert!(!traced.is_empty(), "no traced log line in {lines:?}");
    assert!(
        traced
            .iter()
            .all(|l| l["severity"].is_string() && l["message"].is_string())
    );
    assert!(
        traced
            .iter()
            .any(|l| l["tenant"] == "acme" && l["status"] == 201)
    );
}
