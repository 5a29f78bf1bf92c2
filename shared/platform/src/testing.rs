//! Test support: spawn a function's app on a real socket (port 0) over a fresh embedded store
//! on disk, and mint tokens for any tenant and role.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use domain::store::DocumentStore;

use crate::auth::{DevIssuer, Role};
use crate::push::{GOOGLE_ISSUER, PushVerifier};
use crate::runtime::{AppState, HttpConfig, SystemClock, app, serve};

pub struct TestApp {
    pub address: SocketAddr,
    pub issuer: DevIssuer,
    pub state: AppState,
    /// Keeps the store's directory until the test ends.
    pub data_dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The audience and identity test pushes carry, as a push subscription would.
pub const PUSH_AUDIENCE: &str = "https://worker.test";
pub const PUSH_SERVICE_ACCOUNT: &str = "pusher@cleanops-test.iam.gserviceaccount.com";

impl TestApp {
    /// An OIDC token as Pub/Sub puts on a push: Google's issuer, the push audience and service
    /// account, valid for `ttl` (negative for an expired one).
    pub fn push_token(&self, audience: &str, email: &str, ttl: chrono::Duration) -> String {
        let now = chrono::Utc::now().timestamp();
        self.issuer.sign(&serde_json::json!({
            "iss": GOOGLE_ISSUER, "aud": audience, "sub": "1234567890", "email": email,
            "email_verified": true, "iat": now - 5, "exp": now + ttl.num_seconds(),
        }))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A token valid for an hour.
    pub fn token(&self, tenant: &str, role: Role) -> String {
        self.issuer.token(
            tenant,
            &format!("{}-user", role.as_str()),
            role,
            chrono::Duration::hours(1),
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The store the tests run on: `CLEANOPS_TEST_STORE=firestore` runs them on the Firestore
/// emulator (`FIRESTORE_EMULATOR_HOST`), each test in a project of its own; else a fresh
/// embedded store on disk.
pub fn test_store_is_firestore() -> bool {
    std::env::var("CLEANOPS_TEST_STORE").as_deref() == Ok("firestore")
}

async fn fresh_store(data_dir: &std::path::Path) -> Arc<dyn DocumentStore> {
    if !test_store_is_firestore() {
        return Arc::new(
            store::EmbeddedStore::open(data_dir.join("store.sqlite3")).expect("store"),
        );
    }
    assert!(
        std::env::var_os("FIRESTORE_EMULATOR_HOST").is_some(),
        "CLEANOPS_TEST_STORE=firestore needs FIRESTORE_EMULATOR_HOST: run scripts/test"
    );
    let project = format!("app-{}", uuid::Uuid::new_v4().simple());
    Arc::new(
        store::FirestoreStore::connect(&project, "(default)")
            .await
            .expect("connect to the emulator"),
    )
}

/// Starts `routes` as the runtime would, on 127.0.0.1 with an OS-chosen port. Queries that no
/// declared Firestore index serves fail, as they would in production.
pub async fn spawn_app(routes: Router<AppState>, http: HttpConfig) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(store::indexes::IndexCheckedStore::new(
        fresh_store(data_dir.path()).await,
    ));
    let issuer = DevIssuer::generate().expect("dev key");
    let push = PushVerifier::new(
        &issuer.jwks(),
        GOOGLE_ISSUER,
        PUSH_AUDIENCE,
        PUSH_SERVICE_ACCOUNT,
    )
    .expect("push verifier");
    let state = AppState {
        store: store.clone(),
        verifier: Arc::new(issuer.verifier()),
        push: Some(Arc::new(push)),
        publisher: Some(Arc::new(crate::local_topic::LocalTopic::new(store.clone()))),
        clock: Arc::new(SystemClock),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (tx, rx) = tokio::sync::oneshot::channel();
    let app = app(routes, state.clone(), &http);
    tokio::spawn(async move {
        serve(listener, app, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    TestApp {
        address,
        issuer,
        state,
        data_dir,
        shutdown: Some(tx),
    }
}
