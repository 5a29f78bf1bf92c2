//! The Lambda path: the real `sites` binary, started with `AWS_LAMBDA_RUNTIME_API`, polls a
//! Runtime API served here on a real socket and answers API Gateway v2 events through the same
//! router, with the stage prefix removed. Its stdout carries Cloud Logging JSON lines.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use platform::Role;
use platform::auth::TokenIssuer;
use platform::testing::KillOnDrop;
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

/// The `sites` binary on the Lambda path, polling a Runtime API served here.
struct Lambda {
    events: mpsc::Sender<Invocation>,
    logs: Arc<Mutex<Vec<String>>>,
    issuer: TokenIssuer,
    _child: KillOnDrop,
    _data_dir: tempfile::TempDir,
}

impl Lambda {
    async fn start() -> Self {
        let (events, events_rx) = mpsc::channel::<Invocation>(1);
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
        let issuer = TokenIssuer::generate().unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        let mut child = platform::testing::function_command(
            env!("CARGO_BIN_EXE_sites"),
            &issuer,
            data_dir.path(),
        )
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "sites")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "stream")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "group")
        .env("GOOGLE_CLOUD_PROJECT", "demo-project")
        .env_remove("LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sites binary starts");
        let stdout = child.stdout.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Self {
            events,
            logs,
            issuer,
            _child: KillOnDrop(child),
            _data_dir: data_dir,
        }
    }

    /// Hands the function one event; its response.
    async fn invoke(&self, event: Value) -> Value {
        let (tx, rx) = oneshot::channel();
        self.events.send((event, tx)).await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .expect("the function answered in time")
            .unwrap()
    }

    /// Headers of an admin's request with a W3C trace.
    fn authorized(&self) -> Value {
        let token = self
            .issuer
            .token("acme", "u1", Role::Admin, chrono::Duration::hours(1));
        json!({"authorization": format!("Bearer {token}"), "content-type": "application/json",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
    }

    /// Creates an area type through the `prod` stage; the response.
    async fn create_area_type(&self) -> Value {
        let body = json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
        let event = http_api_event(
            "prod",
            "POST",
            "/v1/area-types",
            self.authorized(),
            Some(body),
        );
        self.invoke(event).await
    }
}

#[tokio::test]
async fn an_event_through_a_stage_reaches_the_route_and_creates() {
    let lambda = Lambda::start().await;
    let created = lambda.create_area_type().await;
    assert_eq!(created["statusCode"], 201, "{created}");
    assert_eq!(created["headers"]["etag"], "\"1\"");
}

#[tokio::test]
async fn what_one_event_created_the_next_reads() {
    let lambda = Lambda::start().await;
    let created = lambda.create_area_type().await;
    let entity: Value = serde_json::from_str(created["body"].as_str().unwrap()).unwrap();
    let path = format!("/v1/area-types/{}", entity["id"].as_str().unwrap());
    let read = lambda
        .invoke(http_api_event(
            "prod",
            "GET",
            &path,
            lambda.authorized(),
            None,
        ))
        .await;
    assert_eq!(read["statusCode"], 200, "{read}");
    assert!(read["body"].as_str().unwrap().contains("Office"));
}

#[tokio::test]
async fn healthz_answers_on_the_default_stage() {
    let lambda = Lambda::start().await;
    let health = lambda
        .invoke(http_api_event(
            "$default",
            "GET",
            "/healthz",
            json!({}),
            None,
        ))
        .await;
    assert_eq!(health["statusCode"], 200, "{health}");
}

#[tokio::test]
async fn an_anonymous_event_is_a_401_problem() {
    let lambda = Lambda::start().await;
    let event = http_api_event("prod", "GET", "/v1/area-types", json!({}), None);
    let anonymous = lambda.invoke(event).await;
    assert_eq!(anonymous["statusCode"], 401, "{anonymous}");
    assert_eq!(
        anonymous["headers"]["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn the_logs_of_a_traced_request_are_cloud_logging_json_tied_to_its_trace() {
    let lambda = Lambda::start().await;
    lambda.create_area_type().await;
    let trace = "projects/demo-project/traces/4bf92f3577b34da6a3ce929d0e0e4736";
    // The function's stderr is read by another thread: its lines may trail the answer.
    let (mut lines, mut traced) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        lines = lambda.logs.lock().unwrap().clone();
        traced = lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["logging.googleapis.com/trace"] == trace)
            .collect::<Vec<Value>>();
        if !traced.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
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
