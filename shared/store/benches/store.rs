//! Store benchmark: point reads, a filtered and ordered page, and a transactional
//! read-modify-write, on the embedded store and (when `FIRESTORE_EMULATOR_HOST` is set) on the
//! Firestore emulator. A fixed workload: 1,000 documents in 10 sites; medians and p90s.
//!
//!     cargo bench -p store --bench store
//!     FIRESTORE_EMULATOR_HOST=127.0.0.1:PORT cargo bench -p store --bench store

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::TenantId;
use domain::store::{Direction, DocumentStore, Filter, Query, Write};
use serde_json::json;

const DOCS: usize = 1000;
const GETS: usize = 500;
const QUERIES: usize = 200;
const COMMITS: usize = 200;

fn summary(name: &str, store: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let median = us(samples[samples.len() / 2]);
    let p90 = us(samples[samples.len() * 9 / 10]);
    println!(
        "{store:<10} {name:<28} median {median:>9.1} µs   p90 {p90:>9.1} µs   ({} runs)",
        samples.len()
    );
}

async fn run(label: &str, store: Arc<dyn DocumentStore>) {
    let tenant = TenantId::parse("bench").unwrap();
    let now = Utc::now();
    for chunk in (0..DOCS).collect::<Vec<_>>().chunks(250) {
        let writes = chunk
            .iter()
            .map(|i| Write::Create {
                collection: "things",
                id: format!("doc{i:04}"),
                fields:
                    json!({"site": format!("s{}", i % 10), "name": format!("name {i:04}"), "n": i})
                        .as_object()
                        .unwrap()
                        .clone(),
            })
            .collect();
        store.commit(&tenant, writes, now).await.expect("seed");
    }
    // A fixed pseudo-random sequence, the same for every store.
    let mut x: u64 = 42;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };

    let mut samples = Vec::with_capacity(GETS);
    for _ in 0..GETS {
        let id = format!("doc{:04}", next() % DOCS);
        let started = Instant::now();
        store
            .get(&tenant, "things", &id)
            .await
            .unwrap()
            .expect("exists");
        samples.push(started.elapsed());
    }
    summary("get (point read)", label, samples);

    let mut samples = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        let query = Query::new("things")
            .filter(Filter::eq("site", format!("s{}", next() % 10)))
            .order_by("name", Direction::Asc)
            .limit(50);
        let started = Instant::now();
        let page = store.query(&tenant, &query).await.unwrap();
        samples.push(started.elapsed());
        assert_eq!(page.documents.len(), 50);
    }
    summary("query (eq + order, 50 docs)", label, samples);

    let mut samples = Vec::with_capacity(COMMITS);
    for _ in 0..COMMITS {
        let id = format!("doc{:04}", next() % DOCS);
        let started = Instant::now();
        let doc = store
            .get(&tenant, "things", &id)
            .await
            .unwrap()
            .expect("exists");
        let mut fields = doc.fields.clone();
        fields["n"] = json!(fields["n"].as_i64().unwrap() + 1);
        let write = Write::Update {
            collection: "things",
            id,
            expected_version: doc.meta.version,
            fields,
        };
        store
            .commit(&tenant, vec![write], Utc::now())
            .await
            .unwrap();
        samples.push(started.elapsed());
    }
    summary("read + versioned update", label, samples);
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = store::EmbeddedStore::open(dir.path().join("bench.sqlite3")).unwrap();
    run("embedded", Arc::new(embedded)).await;
    if std::env::var_os("FIRESTORE_EMULATOR_HOST").is_some() {
        let project = format!("bench-{}", std::process::id());
        let firestore = store::FirestoreStore::connect(&project, "(default)")
            .await
            .unwrap();
        run("emulator", Arc::new(firestore)).await;
    } else {
        println!(
            "(set FIRESTORE_EMULATOR_HOST to benchmark the Firestore adapter on the emulator too)"
        );
    }
}
