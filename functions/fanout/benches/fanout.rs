//! Fan-out benchmark: 10,000 active tenants on the embedded store, published to the local topic
//! (one durable document per message). Prints publish calls and the median of 5 runs, each a
//! new scheduled time (so every run publishes 10,000 new messages).
//!
//!     cargo bench -p fanout --bench fanout

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone as _, Utc};
use domain::TenantId;
use domain::store::DocumentStore;
use platform::local_topic::LocalTopic;

const TENANTS: usize = 10_000;
const RUNS: i64 = 5;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn DocumentStore> =
        Arc::new(store::EmbeddedStore::open(dir.path().join("bench.sqlite3")).unwrap());
    let started = Instant::now();
    for i in 0..TENANTS {
        let tenant = TenantId::parse(&format!("tenant-{i:05}")).unwrap();
        platform::tenants::register(&store, &tenant, Utc::now())
            .await
            .unwrap();
    }
    println!(
        "registered {TENANTS} tenants in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let topic = LocalTopic::new(store.clone());
    let mut times: Vec<Duration> = Vec::new();
    for run in 0..RUNS {
        let scheduled =
            Utc.with_ymd_and_hms(2026, 11, 24, 1, 0, 0).unwrap() + chrono::Duration::days(run);
        let started = Instant::now();
        let result = fanout::fan_out(&store, &topic, "workload-report", &scheduled)
            .await
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(
            (result.tenants, result.publish_calls),
            (TENANTS, TENANTS.div_ceil(1000))
        );
        println!(
            "run {run}: {} tenants, {} publish calls, {:.0} ms",
            result.tenants,
            result.publish_calls,
            times.last().unwrap().as_secs_f64() * 1e3
        );
    }
    times.sort();
    println!(
        "fan-out of {TENANTS} tenants: median {:.0} ms over {RUNS} runs",
        times[times.len() / 2].as_secs_f64() * 1e3
    );
}
