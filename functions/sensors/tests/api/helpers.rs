//! Tenant `acme`: a site in Berlin with a washroom cleaned by demand (limit 10, with the
//! fallback), a lobby and a kitchen cleaned by their calendars, and a sensor of each vendor.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

pub const TTN_COUNTER: &str = "eui-70b3d57ed0051234";
pub const DT_BUTTON: &str = "emucd5vk5bbqbqg00e4r8g0";
pub const DT_DOOR: &str = "emucd5vk9rbqbqg00e4r8h0";
pub const MILESIGHT_COUNTER: &str = "24e124791d196044";
pub const SOAP: &str = "soap-wc-2og";
pub const DT_SECRET: &str = "dt-connector-signature-secret-1";

pub async fn start() -> TestApp {
    spawn_app(sensors::router(), Default::default()).await
}

pub fn admin(app: &TestApp, tenant: &str) -> String {
    app.token(tenant, Role::Admin)
}

/// What a tenant holds.
pub struct World {
    pub site: String,
    pub washroom: String,
    pub lobby: String,
    pub kitchen: String,
    /// A device API key with the `sensors:ingest` scope.
    pub key: String,
}

pub async fn world(app: &TestApp, tenant: &str) -> World {
    let token = admin(app, tenant);
    app.seed_customer(&token, "K-1").await;
    let mut site = platform::testing::site_json("Acme HQ", 52.52, 13.40);
    site["customerId"] = json!("K-1");
    let site = app.seed::<domain::sites::Site>(&token, site).await.id();
    let washrooms = app
        .seed::<domain::sites::AreaType>(
            &token,
            json!({"name": "Washroom", "performanceSqmPerHour": 60, "cleaningsPerWeek": 5,
                   "demand": {"mode": "demand-with-fallback", "limit": 10}}),
        )
        .await
        .id();
    let common = app
        .seed::<domain::sites::AreaType>(
            &token,
            json!({"name": "Common area", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    let area = |name: &str, area_type: &str, sqm: f64| json!({"siteId": site, "name": name, "sizeSqm": sqm, "areaTypeId": area_type});
    let washroom = app
        .seed::<domain::sites::Area>(&token, area("WC 2. OG", &washrooms, 20.0))
        .await
        .id();
    let lobby = app
        .seed::<domain::sites::Area>(&token, area("Lobby", &common, 120.0))
        .await
        .id();
    let kitchen = app
        .seed::<domain::sites::Area>(&token, area("Kitchen", &common, 30.0))
        .await
        .id();
    for (name, kind, format, device, area) in [
        (
            "WC counter",
            "people-counter",
            "ttn",
            TTN_COUNTER,
            &washroom,
        ),
        ("WC button", "feedback-button", "dt", DT_BUTTON, &washroom),
        ("WC soap", "fill-level", "generic", SOAP, &washroom),
        ("Kitchen door", "door-counter", "dt", DT_DOOR, &kitchen),
        (
            "Lobby counter",
            "people-counter",
            "milesight",
            MILESIGHT_COUNTER,
            &lobby,
        ),
    ] {
        let reply = app
            .post(
                &token,
                "/v1/sensors",
                json!({"name": name, "kind": kind, "format": format, "deviceId": device,
                       "areaId": area}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let reply = app
        .put(
            &token,
            "/v1/sensor-settings",
            json!({"dtSignatureSecret": DT_SECRET}),
            "\"0\"",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    World {
        site,
        washroom,
        lobby,
        kitchen,
        key: device_key(app, tenant, &["sensors:ingest"]).await,
    }
}

/// A device API key of `tenant`, as identity makes them (its credential in the platform's
/// scope).
pub async fn device_key(app: &TestApp, tenant: &str, scopes: &[&str]) -> String {
    let (prefix, secret_hash, key) = platform::api_keys::new_key();
    let system =
        domain::store::TenantStore::new(app.state.store.clone(), domain::TenantId::system());
    let fields = json!({"tenant": tenant, "secretHash": secret_hash, "scopes": scopes});
    system
        .commit(
            vec![domain::store::Write::Create {
                collection: platform::api_keys::CREDENTIALS,
                id: prefix,
                fields: fields.as_object().expect("an object").clone(),
            }],
            app.clock_now(),
        )
        .await
        .expect("a credential");
    key
}

/// The app's clock.
pub trait Now {
    fn clock_now(&self) -> DateTime<Utc>;
}

impl Now for TestApp {
    fn clock_now(&self) -> DateTime<Utc> {
        domain::Clock::now(&*self.clock)
    }
}

fn stamp(at: DateTime<Utc>) -> Value {
    json!(at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// A fixture with its times moved to `at` (so it is fresh whenever the test runs).
pub fn fixture(name: &str, at: DateTime<Utc>) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut body: Value = serde_json::from_str(&text).expect("a JSON fixture");
    match name {
        "ttn-uplink.json" => {
            body["received_at"] = stamp(at);
            body["uplink_message"]["received_at"] = stamp(at);
        }
        "dt-touch.json" | "dt-object-count.json" => {
            body["event"]["timestamp"] = stamp(at);
            let kind = body["event"]["eventType"]
                .as_str()
                .expect("a type")
                .to_owned();
            body["event"]["data"][&kind]["updateTime"] = stamp(at);
        }
        "milesight-vs133.json" => {
            body[0]["eventCreatedTime"] = json!(at.timestamp());
            body[0]["data"]["ts"] = json!(at.timestamp_millis());
        }
        "generic-batch.json" => {
            for (i, reading) in body["readings"]
                .as_array_mut()
                .expect("readings")
                .iter_mut()
                .enumerate()
            {
                reading["at"] = stamp(at + Duration::minutes(i as i64));
            }
        }
        other => panic!("no fixture {other}"),
    }
    body
}

/// Posts readings with a key.
pub async fn ingest(app: &TestApp, key: &str, format: &str, body: Value) -> Reply {
    app.post(key, &format!("/v1/ingest/{format}"), body).await
}

/// A DT delivery's signature over `bytes` under `secret`.
pub fn dt_signature(bytes: &[u8], secret: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    let checksum: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"checksum": checksum, "iat": 1_796_630_400}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a JWT")
}

/// Posts a DT delivery as DT sends it: the bytes, signed (or with `signature` instead).
pub async fn ingest_dt(app: &TestApp, key: &str, body: &Value, signature: Option<&str>) -> Reply {
    let bytes = serde_json::to_vec(body).expect("bytes");
    let signature = signature.map_or_else(|| dt_signature(&bytes, DT_SECRET), str::to_owned);
    let response = reqwest::Client::new()
        .post(app.url("/v1/ingest/dt"))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .header("x-dt-signature", signature)
        .body(bytes)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// `n` generic people-counter readings of device `device` from `at`, a minute apart.
pub fn counts(device: &str, at: DateTime<Utc>, n: usize, each: u64) -> Value {
    let readings: Vec<Value> = (0..n)
        .map(|i| {
            json!({"deviceId": device, "eventId": format!("{device}-{i}"),
                   "at": stamp(at + Duration::seconds(i as i64)), "count": each})
        })
        .collect();
    json!({ "readings": readings })
}

/// The tenant's demand cleanings.
pub async fn demand_cleanings(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app.get(token, "/v1/demand-cleanings?limit=200").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().expect("items").clone()
}

/// An area's demand document.
pub async fn area_demand(app: &TestApp, token: &str, area: &str) -> Value {
    let reply = app.get(token, &format!("/v1/area-demand/{area}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// Posts every body at once, each on its own task and connection: statuses and bodies.
pub async fn at_once(
    app: &TestApp,
    key: &str,
    path: &str,
    bodies: Vec<Value>,
) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for body in bodies {
        let (url, key) = (app.url(path), key.to_owned());
        tasks.spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .expect("sent");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        });
    }
    tasks.join_all().await
}
