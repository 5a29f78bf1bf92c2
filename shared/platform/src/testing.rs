//! Test support: spawn a function's app on a real socket (port 0) over a fresh embedded store
//! on disk, and mint tokens for any tenant and role.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::auth::{DevIssuer, Role};
use crate::runtime::{AppState, HttpConfig, SystemClock, app, serve};

pub struct TestApp {
    pub address: SocketAddr,
    pub issuer: DevIssuer,
    pub state: AppState,
    /// Keeps the store's directory until the test ends.
    pub data_dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
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

/// Starts `routes` as the runtime would, on 127.0.0.1 with an OS-chosen port.
pub async fn spawn_app(routes: Router<AppState>, http: HttpConfig) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = store::EmbeddedStore::open(data_dir.path().join("store.sqlite3")).expect("store");
    let issuer = DevIssuer::generate().expect("dev key");
    let state = AppState {
        store: Arc::new(store),
        verifier: Arc::new(issuer.verifier()),
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
