//! Sensor ingest, fixed workload: 10,000 sensors (four per washroom, 2,500 washrooms at 50
//! sites, cleaned by demand with a limit of 400) reporting once a minute for a day: 14.4
//! million people counts. Delivered as gateways deliver them, 32 requests in flight, each
//! carrying one sensor's readings of a quarter hour (15); `CLEANOPS_BENCH_BATCH=1` delivers
//! every reading on its own, as a TTN webhook does. Prints the readings per second and the
//! store writes (documents written) and commits per reading.
//!
//!     cargo bench -p sensors --bench ingest
//!     CLEANOPS_TEST_STORE=firestore FIRESTORE_EMULATOR_HOST=... cargo bench -p sensors --bench ingest
//!
//! `CLEANOPS_BENCH_SENSORS` and `CLEANOPS_BENCH_HOURS` (or `_MINUTES`) shrink the workload (the emulator
//! is slow; the rate is what is compared). Each reading goes through the same path as
//! `POST /v1/ingest/generic` after authentication: parsing, the sensor's lookup, its slot,
//! day and area committed at the versions read.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use domain::sensors::SensorFormat;
use domain::store::{
    Document, DocumentStore, Page, Query, StoreResult, TenantStore, Write, WriteOutcome,
};
use domain::{Clock, TenantId};
use platform::Role;
use platform::testing::spawn_app;
use serde_json::{Value, json};

const SITES: usize = 50;
const SENSORS_PER_AREA: usize = 4;
const IN_FLIGHT: usize = 32;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Counts commits and the documents they write.
struct CountingStore {
    inner: Arc<dyn DocumentStore>,
    commits: AtomicUsize,
    written: AtomicUsize,
}

#[async_trait]
impl DocumentStore for CountingStore {
    async fn get(&self, t: &TenantId, c: &'static str, id: &str) -> StoreResult<Option<Document>> {
        self.inner.get(t, c, id).await
    }
    async fn get_many(
        &self,
        t: &TenantId,
        c: &'static str,
        ids: &[String],
    ) -> StoreResult<Vec<Document>> {
        self.inner.get_many(t, c, ids).await
    }
    async fn query(&self, t: &TenantId, q: &Query) -> StoreResult<Page> {
        self.inner.query(t, q).await
    }
    async fn commit(
        &self,
        t: &TenantId,
        writes: Vec<Write>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<WriteOutcome>> {
        let count = writes
            .iter()
            .filter(|w| !matches!(w, Write::Verify { .. }))
            .count();
        let outcome = self.inner.commit(t, writes, at).await?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.written.fetch_add(count, Ordering::Relaxed);
        Ok(outcome)
    }
}

fn create(collection: &'static str, id: String, fields: Value) -> Write {
    Write::Create {
        collection,
        id,
        fields: fields.as_object().expect("an object").clone(),
    }
}

async fn commit_all(store: &TenantStore, writes: Vec<Write>, at: DateTime<Utc>) {
    for chunk in writes.chunks(domain::store::MAX_WRITES) {
        store.commit(chunk.to_vec(), at).await.expect("seeded");
    }
}

/// Sites, washrooms and their sensors (`generic`, device `c{n}`).
async fn seed(store: &TenantStore, sensors: usize, at: DateTime<Utc>) {
    let areas = sensors.div_ceil(SENSORS_PER_AREA);
    let mut writes = vec![create(
        "areaTypes",
        "washroom".into(),
        json!({"name": "Washroom", "performanceSqmPerHour": 60.0, "cleaningsPerWeek": 5.0,
               "correctionFactor": 1.0, "priority": "normal",
               "demand": {"mode": "demand-with-fallback", "limit": 400, "fallbackFactor": 1.5,
                          "levelThresholdPercent": 20.0}}),
    )];
    for s in 0..SITES {
        writes.push(create(
            "sites",
            format!("s{s}"),
            json!({"name": format!("Site {s}"), "address": {"street": "S 1", "city": "Berlin",
                   "country": "DE"}, "location": {"lat": 52.5, "lng": 13.4},
                   "timeZone": "Europe/Berlin", "accessHours": []}),
        ));
    }
    for a in 0..areas {
        writes.push(create(
            "areas",
            format!("a{a}"),
            json!({"siteId": format!("s{}", a % SITES), "name": format!("WC {a}"), "floor": 0,
                   "sizeSqm": 20.0, "areaTypeId": "washroom"}),
        ));
    }
    for n in 0..sensors {
        let a = n / SENSORS_PER_AREA;
        writes.push(create(
            "sensors",
            format!("generic-c{n}"),
            json!({"name": format!("Counter {n}"), "kind": "people-counter", "format": "generic",
                   "deviceId": format!("c{n}"), "areaId": format!("a{a}"),
                   "siteId": format!("s{}", a % SITES)}),
        ));
    }
    commit_all(store, writes, at).await;
}

/// One delivery: sensor `n`'s readings from minute `first` on.
fn delivery(n: usize, first: usize, count: usize, start: DateTime<Utc>) -> Value {
    let readings: Vec<Value> = (first..first + count)
        .map(|minute| {
            let at = start + Duration::minutes(minute as i64);
            json!({"deviceId": format!("c{n}"), "eventId": format!("c{n}-{minute}"),
                   "at": at.to_rfc3339_opts(SecondsFormat::Secs, true),
                   "count": (n + minute) % 3})
        })
        .collect();
    json!({ "readings": readings })
}

#[tokio::main]
async fn main() {
    let sensors = env_usize("CLEANOPS_BENCH_SENSORS", 10_000);
    let minutes = env_usize(
        "CLEANOPS_BENCH_MINUTES",
        env_usize("CLEANOPS_BENCH_HOURS", 24) * 60,
    );
    let batch = env_usize("CLEANOPS_BENCH_BATCH", 15).clamp(1, 15);
    let app = spawn_app(sensors::router(), Default::default()).await;
    let counting = Arc::new(CountingStore {
        inner: app.state.store.clone(),
        commits: AtomicUsize::new(0),
        written: AtomicUsize::new(0),
    });
    let now = app.clock.now();
    let tenant = TenantId::parse("bench").expect("a tenant");
    let _ = Role::Admin;
    let plain = TenantStore::new(app.state.store.clone(), tenant.clone());
    seed(&plain, sensors, now).await;
    let mut state = app.state.clone();
    state.store = counting.clone();
    let data = platform::TenantData::of(&state, tenant);
    // The day that ends now, in deliveries of `batch` minutes per sensor, minute by minute
    // across the fleet (as the readings arrive).
    let start = now - Duration::minutes(minutes as i64);
    let jobs: Vec<(usize, usize)> = (0..minutes)
        .step_by(batch)
        .flat_map(|first| (0..sensors).map(move |n| (n, first)))
        .collect();
    let total = jobs.len() * batch;
    let began = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let jobs = Arc::new(jobs);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (data, next, jobs) = (data.clone(), next.clone(), jobs.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(n, first)) = jobs.get(i) else {
                    return;
                };
                let count = batch.min(minutes - first);
                let body = delivery(n, first, count, start);
                let parsed =
                    domain::sensors::readings::parse(SensorFormat::Generic, &body, data.now())
                        .expect("valid readings");
                sensors::ingest::deliver(&data, SensorFormat::Generic, parsed)
                    .await
                    .expect("taken in");
                if i > 0 && i % 100_000 == 0 {
                    eprintln!("  {i} deliveries, {:.0} s", began.elapsed().as_secs_f64());
                }
            }
        });
    }
    workers.join_all().await;
    let seconds = began.elapsed().as_secs_f64();
    let commits = counting.commits.load(Ordering::Relaxed);
    let written = counting.written.load(Ordering::Relaxed);
    let store = if platform::testing::test_store_is_firestore() {
        "Firestore emulator"
    } else {
        "embedded store (SQLite)"
    };
    println!(
        "ingest on the {store}: {sensors} sensors x {} min, {total} readings in deliveries of {batch}, \
         {IN_FLIGHT} in flight: {seconds:.1} s, {:.0} readings/s; {:.2} documents written and {:.3} \
         commits per reading",
        minutes,
        total as f64 / seconds,
        written as f64 / total as f64,
        commits as f64 / total as f64,
    );
}
