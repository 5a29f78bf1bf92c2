//! Scheduled work end to end on the local cloud binary: a due tick of the nightly schedule
//! calls the fan-out, which publishes one message per tenant to the local topic; the push loop
//! delivers them to the `workload-report` worker; every tenant's report is written exactly
//! once, and a restart fires and writes nothing again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::cron::Cron;
use chrono::{DateTime, Utc};
use cleanops::scheduler::TICKS;
use domain::TenantId;
use domain::store::{DocumentStore, Query, TenantStore, Write};
use serde_json::{Value, json};

const TENANTS: [&str; 3] = ["alpha", "bravo", "charlie"];

mod common;

use common::{open, start};

/// The last firing of the nightly schedule at or before `now`.
fn last_nightly_tick(now: DateTime<Utc>) -> DateTime<Utc> {
    let cron = Cron::parse("0 2 * * *").unwrap();
    let berlin = "Europe/Berlin".parse().unwrap();
    let mut tick = cron
        .next_after(now - chrono::Duration::days(2), now, berlin)
        .unwrap();
    while let Some(next) = cron.next_after(tick, now, berlin) {
        tick = next;
    }
    tick
}

async fn docs(
    store: &Arc<dyn DocumentStore>,
    tenant: TenantId,
    collection: &'static str,
) -> Vec<domain::store::Document> {
    TenantStore::new(store.clone(), tenant)
        .query_all(Query::new(collection))
        .await
        .unwrap()
}

async fn seed(store: &Arc<dyn DocumentStore>, tick: DateTime<Utc>) {
    let create = |collection: &'static str, id: &str, fields: Value| Write::Create {
        collection,
        id: id.into(),
        fields: fields.as_object().unwrap().clone(),
    };
    for (i, name) in TENANTS.iter().enumerate() {
        let tenant = TenantId::parse(name).unwrap();
        platform::tenants::register(store, &tenant, Utc::now())
            .await
            .unwrap();
        let writes = vec![
            create(
                "sites",
                "s1",
                json!({"name": "HQ", "address": {"street": "S 1", "city": "Berlin", "country": "DE"},
                "location": {"lat": 52.5, "lng": 13.4}, "timeZone": "Europe/Berlin", "accessHours": []}),
            ),
            create(
                "areaTypes",
                "office",
                json!({"name": "Office", "performanceSqmPerHour": 200.0, "cleaningsPerWeek": 5.0,
                "correctionFactor": 1.0, "priority": "normal"}),
            ),
            create(
                "areas",
                "a1",
                json!({"siteId": "s1", "name": "R1", "floor": 0, "sizeSqm": 40.0 * (i + 1) as f64, "areaTypeId": "office"}),
            ),
        ];
        TenantStore::new(store.clone(), tenant)
            .commit(writes, Utc::now())
            .await
            .unwrap();
    }
    // The scheduler last fired the minute before the nightly tick: that tick is due.
    let last = tick - chrono::Duration::minutes(1);
    let mark = create(
        TICKS,
        "workload-report",
        json!({"lastTick": domain::meta::format_timestamp(&last)}),
    );
    TenantStore::new(store.clone(), TenantId::system())
        .commit(vec![mark], Utc::now())
        .await
        .unwrap();
}

/// A local cloud whose nightly tick was due at start, once every tenant's report is there;
/// the server, the store and the tick.
async fn fired(dir: &std::path::Path) -> (common::Server, Arc<dyn DocumentStore>, DateTime<Utc>) {
    let tick = last_nightly_tick(Utc::now());
    seed(&open(dir), tick).await;
    let server = start(dir);
    let store = open(dir);
    let started = Instant::now();
    loop {
        let mut done = 0;
        for name in TENANTS {
            let tenant = TenantId::parse(name).unwrap();
            done += docs(&store, tenant, "workloadReports").await.len();
        }
        if done == TENANTS.len() {
            return (server, store, tick);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "only {done} reports after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_due_tick_writes_every_tenants_report_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, store, tick) = fired(dir.path()).await;
    let report_id = tick.format("%Y-%m-%d").to_string();
    for (i, name) in TENANTS.iter().enumerate() {
        let reports = docs(&store, TenantId::parse(name).unwrap(), "workloadReports").await;
        let first = &reports[0];
        assert_eq!(
            (reports.len(), first.meta.id.as_str(), first.meta.version),
            (1, report_id.as_str(), 1)
        );
        // 40 m² per tenant index at 200 m²/h, five times a week: 60 minutes each.
        assert_eq!(
            first.fields["totalMinutesPerWeek"],
            json!(60.0 * (i + 1) as f64)
        );
        let runs = docs(&store, TenantId::parse(name).unwrap(), platform::push::JOBS).await;
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].fields["state"], "done");
    }
}

#[tokio::test]
async fn every_message_is_acked_and_the_tick_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, store, tick) = fired(dir.path()).await;
    let system = TenantId::system();
    let queued = docs(
        &store,
        system.clone(),
        platform::local_topic::TOPIC_MESSAGES,
    )
    .await;
    assert!(queued.is_empty(), "all acked");
    let ticks = docs(&store, system, TICKS).await;
    let nightly = ticks
        .iter()
        .find(|t| t.meta.id == "workload-report")
        .expect("the workload-report schedule's tick");
    assert_eq!(
        nightly.fields["lastTick"],
        json!(domain::meta::format_timestamp(&tick))
    );
}

#[tokio::test]
async fn after_a_restart_the_recorded_tick_fires_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let (server, store, _) = fired(dir.path()).await;
    drop(server);
    let _server = start(dir.path());
    tokio::time::sleep(Duration::from_secs(3)).await;
    for name in TENANTS {
        let tenant = TenantId::parse(name).unwrap();
        let reports = docs(&store, tenant.clone(), "workloadReports").await;
        assert_eq!(reports[0].meta.version, 1);
        assert_eq!(docs(&store, tenant, platform::push::JOBS).await.len(), 1);
    }
}
