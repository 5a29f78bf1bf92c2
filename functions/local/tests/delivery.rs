//! Local Pub/Sub push against a worker on a real socket: the real envelope and a token the
//! platform's verifier accepts; retries with backoff; dead letters after the last attempt;
//! the ack deadline; and messages that survive a restart.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use cleanops::delivery::{DEAD_LETTERS, Deliverer, Round, Subscription};
use cleanops::{LOCAL_PUSH_ACCOUNT, LOCAL_PUSH_AUDIENCE};
use domain::TenantId;
use domain::publish::{OutboundMessage, Publisher};
use domain::store::{DocumentStore, Query, TenantStore};
use platform::auth::TokenIssuer;
use platform::local_topic::{LocalTopic, TOPIC_MESSAGES};
use platform::push::PushVerifier;
use serde_json::Value;

/// A worker that fails the first `failures` pushes (or sleeps past the deadline) and records
/// every envelope it accepted as authentic.
#[derive(Clone)]
struct Worker {
    verifier: Arc<PushVerifier>,
    failures: usize,
    delay: Duration,
    seen: Arc<Mutex<Vec<Value>>>,
}

async fn receive(State(worker): State<Worker>, headers: HeaderMap, body: String) -> StatusCode {
    let token = headers["authorization"]
        .to_str()
        .unwrap()
        .trim_start_matches("Bearer ");
    if worker.verifier.verify(token).await.is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let envelope: Value = serde_json::from_str(&body).unwrap();
    let attempt = {
        let mut seen = worker.seen.lock().unwrap();
        seen.push(envelope);
        seen.len()
    };
    tokio::time::sleep(worker.delay).await;
    if attempt <= worker.failures {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::NO_CONTENT
    }
}

struct Setup {
    store: Arc<dyn DocumentStore>,
    issuer: Arc<TokenIssuer>,
    seen: Arc<Mutex<Vec<Value>>>,
    url: String,
    _dir: tempfile::TempDir,
}

async fn setup(failures: usize, delay: Duration) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn DocumentStore> =
        Arc::new(store::EmbeddedStore::open(dir.path().join("s.sqlite3")).unwrap());
    let issuer = Arc::new(TokenIssuer::generate().unwrap());
    let verifier = PushVerifier::new(
        &issuer.jwks(),
        &issuer.issuer,
        LOCAL_PUSH_AUDIENCE,
        LOCAL_PUSH_ACCOUNT,
    )
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let worker = Worker {
        verifier: Arc::new(verifier),
        failures,
        delay,
        seen: seen.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/push/test", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/push/test", post(receive))
        .with_state(worker);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Setup {
        store,
        issuer,
        seen,
        url,
        _dir: dir,
    }
}

fn deliverer(setup: &Setup, max_attempts: u32, ack_deadline: Duration) -> Arc<Deliverer> {
    let subscription = Subscription {
        url: setup.url.clone(),
        ack_deadline,
        min_backoff: Duration::from_secs(10),
        max_backoff: Duration::from_secs(60),
        max_attempts,
    };
    let subscriptions = HashMap::from([("jobs".to_owned(), subscription)]);
    Arc::new(Deliverer::new(
        setup.store.clone(),
        subscriptions,
        setup.issuer.clone(),
        LOCAL_PUSH_AUDIENCE,
        LOCAL_PUSH_ACCOUNT,
    ))
}

async fn publish_one(store: &Arc<dyn DocumentStore>) {
    let attributes = BTreeMap::from([
        ("tenant".to_owned(), "acme".to_owned()),
        ("idempotencyKey".to_owned(), "k1".to_owned()),
    ]);
    LocalTopic::new(store.clone())
        .publish(
            "jobs",
            vec![OutboundMessage {
                attributes,
                data: b"{}".to_vec(),
            }],
        )
        .await
        .unwrap();
}

async fn system_docs(
    store: &Arc<dyn DocumentStore>,
    collection: &'static str,
) -> Vec<domain::store::Document> {
    TenantStore::new(store.clone(), TenantId::system())
        .query_all(Query::new(collection))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_failing_worker_is_retried_with_backoff_until_it_succeeds() {
    let setup = setup(2, Duration::ZERO).await;
    publish_one(&setup.store).await;
    let deliverer = deliverer(&setup, 5, Duration::from_secs(5));
    let t0 = Utc::now();
    let at = |seconds: i64| t0 + chrono::Duration::seconds(seconds);
    assert_eq!(
        deliverer.round(at(0)).await,
        Round {
            retried: 1,
            ..Round::default()
        }
    );
    assert_eq!(
        deliverer.round(at(5)).await,
        Round::default(),
        "backing off: 10 s after the first failure"
    );
    assert_eq!(
        deliverer.round(at(11)).await,
        Round {
            retried: 1,
            ..Round::default()
        }
    );
    assert_eq!(deliverer.round(at(25)).await, Round::default(), "then 20 s");
    assert_eq!(
        deliverer.round(at(32)).await,
        Round {
            acked: 1,
            ..Round::default()
        }
    );
    let seen = setup.seen.lock().unwrap().clone();
    let attempts: Vec<u64> = seen
        .iter()
        .map(|e| e["deliveryAttempt"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert_eq!(seen[0]["message"]["attributes"]["tenant"], "acme");
    assert_eq!(
        seen[0]["message"]["data"], "e30=",
        "data is base64, as Pub/Sub sends it"
    );
    assert!(
        seen[0]["subscription"]
            .as_str()
            .unwrap()
            .ends_with("/subscriptions/jobs")
    );
    assert!(
        system_docs(&setup.store, TOPIC_MESSAGES).await.is_empty(),
        "acked"
    );
}

#[tokio::test]
async fn a_poison_message_lands_in_the_dead_letters_after_the_last_attempt() {
    let setup = setup(usize::MAX, Duration::ZERO).await;
    publish_one(&setup.store).await;
    let deliverer = deliverer(&setup, 3, Duration::from_secs(5));
    let t0 = Utc::now();
    for minute in 0..3 {
        deliverer
            .round(t0 + chrono::Duration::minutes(minute))
            .await;
    }
    assert_eq!(setup.seen.lock().unwrap().len(), 3, "exactly max attempts");
    let dead = system_docs(&setup.store, DEAD_LETTERS).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].fields["attempts"], 3);
    assert!(
        dead[0].fields["reason"].as_str().unwrap().contains("503"),
        "{}",
        dead[0].fields["reason"]
    );
    assert!(system_docs(&setup.store, TOPIC_MESSAGES).await.is_empty());
    assert_eq!(
        deliverer.round(t0 + chrono::Duration::hours(1)).await,
        Round::default(),
        "never again"
    );
}

#[tokio::test]
async fn no_answer_within_the_ack_deadline_is_a_failed_attempt() {
    let setup = setup(0, Duration::from_millis(500)).await;
    publish_one(&setup.store).await;
    let deliverer = deliverer(&setup, 5, Duration::from_millis(100));
    assert_eq!(
        deliverer.round(Utc::now()).await,
        Round {
            retried: 1,
            ..Round::default()
        }
    );
    let message = &system_docs(&setup.store, TOPIC_MESSAGES).await[0];
    assert!(
        message.fields["lastError"]
            .as_str()
            .unwrap()
            .contains("ack deadline")
    );
}

#[tokio::test]
async fn queued_messages_survive_a_restart() {
    let setup = setup(0, Duration::ZERO).await;
    publish_one(&setup.store).await;
    let path = setup._dir.path().join("s.sqlite3");
    // A new process: the store reopened from disk, a new deliverer.
    let reopened: Arc<dyn DocumentStore> = Arc::new(store::EmbeddedStore::open(&path).unwrap());
    let after_restart = Setup {
        store: reopened,
        issuer: setup.issuer.clone(),
        seen: setup.seen.clone(),
        url: setup.url.clone(),
        _dir: tempfile::tempdir().unwrap(),
    };
    let deliverer = deliverer(&after_restart, 5, Duration::from_secs(5));
    assert_eq!(
        deliverer.round(Utc::now()).await,
        Round {
            acked: 1,
            ..Round::default()
        }
    );
    assert_eq!(setup.seen.lock().unwrap().len(), 1);
}
