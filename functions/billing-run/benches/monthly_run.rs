//! The monthly billing run for one tenant, fixed workload: 200 customers with a site and a
//! contract each (five kinds of price line), 10 rooms per site cleaned on weekdays, and
//! 20,000 visits in the month billed. Each round deletes the drafts and bills the month
//! again, on the embedded store (SQLite on disk, index-checked, as the tests run it);
//! prints the median time and the store reads of one run.
//!
//!     cargo bench -p billing-run --bench monthly_run

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::store::{
    Document, DocumentStore, Page, Query, StoreResult, TenantStore, Write, WriteOutcome,
};
use domain::{Entity, TenantId};
use platform::Role;
use platform::testing::spawn_app;
use serde_json::{Value, json};

const CONTRACTS: usize = 200;
const ROOMS_PER_SITE: usize = 10;
const VISITS: usize = 20_000;
const ROUNDS: usize = 5;

/// Counts what the run asks of the store: calls, and documents read.
struct CountingStore {
    inner: Arc<dyn DocumentStore>,
    calls: AtomicUsize,
    documents: AtomicUsize,
}

#[async_trait]
impl DocumentStore for CountingStore {
    async fn get(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        id: &str,
    ) -> StoreResult<Option<Document>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let doc = self.inner.get(tenant, collection, id).await?;
        self.documents
            .fetch_add(usize::from(doc.is_some()), Ordering::Relaxed);
        Ok(doc)
    }
    async fn get_many(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        ids: &[String],
    ) -> StoreResult<Vec<Document>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let docs = self.inner.get_many(tenant, collection, ids).await?;
        self.documents.fetch_add(docs.len(), Ordering::Relaxed);
        Ok(docs)
    }
    async fn query(&self, tenant: &TenantId, query: &Query) -> StoreResult<Page> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let page = self.inner.query(tenant, query).await?;
        self.documents
            .fetch_add(page.documents.len(), Ordering::Relaxed);
        Ok(page)
    }
    async fn commit(
        &self,
        tenant: &TenantId,
        writes: Vec<Write>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<WriteOutcome>> {
        self.inner.commit(tenant, writes, at).await
    }
}

fn create(collection: &'static str, id: String, fields: Value) -> Write {
    Write::Create {
        collection,
        id,
        fields: fields.as_object().unwrap().clone(),
    }
}

fn parsed<E: Entity>(body: Value) -> Value {
    serde_json::to_value(E::parse(&body).unwrap_or_else(|e| panic!("{}: {e}", E::KIND))).unwrap()
}

/// The tenant's data, written in commits of up to 400.
fn workload() -> Vec<Write> {
    let mut writes = vec![
        create(
            "settings",
            "tenant".into(),
            json!({"name": "Bench", "timeZone": "Europe/Berlin",
            "language": "de", "country": "DE", "currency": "EUR"}),
        ),
        create(
            "areaTypes",
            "office".into(),
            json!({"name": "Office", "performanceSqmPerHour": 200.0,
            "cleaningsPerWeek": 5.0, "correctionFactor": 1.0, "priority": "normal"}),
        ),
    ];
    for c in 0..CONTRACTS {
        let (customer, site) = (format!("K-{c}"), format!("s{c}"));
        writes.push(create(
            "customers",
            customer.clone(),
            parsed::<domain::billing::Customer>(platform::testing::customer_json(
                &customer,
                &format!("Kunde {c}"),
            )),
        ));
        writes.push(create("sites", site.clone(), json!({"name": format!("Site {c}"), "customerId": customer,
            "address": {"street": "S 1", "city": "Berlin", "country": "DE"},
            "location": {"lat": 52.5, "lng": 13.4}, "timeZone": "Europe/Berlin", "accessHours": []})));
        writes.push(create(
            "calendars",
            format!("cal{c}"),
            parsed::<domain::calendars::Calendar>(json!({
            "siteId": site, "name": "Weekdays", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "startDate": "2026-01-05", "window": {"earliest": "06:00", "latest": "20:00"}})),
        ));
        for r in 0..ROOMS_PER_SITE {
            writes.push(create(
                "areas",
                format!("a{c}-{r}"),
                json!({"siteId": site, "name": format!("R{r}"),
                "floor": 0, "sizeSqm": 20.0 + r as f64, "areaTypeId": "office"}),
            ));
        }
        writes.push(create("contracts", format!("k{c}"), parsed::<domain::billing::Contract>(json!({
            "name": format!("Vertrag {c}"), "customerId": customer, "siteIds": [site], "start": "2026-01-01",
            "currency": "EUR", "prices": "net", "deductMissedCleanings": true,
            "lines": [
                {"kind": "monthly", "description": "Pauschale", "unitPrice": "500"},
                {"kind": "perSqmMonthly", "description": "Fläche", "unitPrice": "0.5"},
                {"kind": "perPlannedHour", "description": "Stunden", "unitPrice": "30"},
                {"kind": "perVisit", "description": "Einsätze", "unitPrice": "10"},
                {"kind": "extra", "description": "Handtücher", "unitPrice": "3.3", "monthlyQuantity": "4"}
            ]}))));
    }
    for v in 0..VISITS {
        let (c, r) = (v % CONTRACTS, (v / CONTRACTS) % ROOMS_PER_SITE);
        let day = 2 + (v / (CONTRACTS * ROOMS_PER_SITE)) % 27;
        writes.push(create(
            "visits",
            format!("v{v}"),
            json!({"areaId": format!("a{c}-{r}"), "siteId": format!("s{c}"),
            "cleanerId": "maria", "checkedInAt": format!("2026-11-{day:02}T07:00:00Z"),
            "localDate": format!("2026-11-{day:02}"), "status": "done", "flags": []}),
        ));
    }
    writes
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let app = spawn_app(billing_run::router(), platform::HttpConfig::default()).await;
    let tenant = TenantId::parse("bench").unwrap();
    let plain = TenantStore::new(app.state.store.clone(), tenant.clone());
    let writes = workload();
    let total = writes.len();
    let mut writes = writes.into_iter().peekable();
    while writes.peek().is_some() {
        plain
            .commit(writes.by_ref().take(400).collect(), Utc::now())
            .await
            .unwrap();
    }
    println!(
        "tenant: {CONTRACTS} contracts and sites, {} rooms, {VISITS} visits ({total} documents)",
        CONTRACTS * ROOMS_PER_SITE
    );
    let counting = Arc::new(CountingStore {
        inner: app.state.store.clone(),
        calls: AtomicUsize::new(0),
        documents: AtomicUsize::new(0),
    });
    let mut state = app.state.clone();
    state.store = counting.clone();
    let data = platform::TenantData::of(&state, tenant.clone());
    let settings = data
        .repo::<domain::identity::TenantSettings>()
        .get("tenant")
        .await
        .unwrap()
        .entity;
    let month = "2026-11".parse().unwrap();
    let mut times = Vec::new();
    let mut reads = (0, 0);
    for _ in 0..ROUNDS {
        counting.calls.store(0, Ordering::Relaxed);
        counting.documents.store(0, Ordering::Relaxed);
        let started = Instant::now();
        let last = billing_run::bill(&data, &settings, &month, Utc::now())
            .await
            .unwrap();
        data.store().commit(last, Utc::now()).await.unwrap();
        times.push(started.elapsed());
        reads = (
            counting.calls.load(Ordering::Relaxed),
            counting.documents.load(Ordering::Relaxed),
        );
        let drafts = plain.query_all(Query::new("invoices")).await.unwrap();
        assert_eq!(drafts.len(), CONTRACTS, "a draft per contract");
        let deletes = drafts
            .into_iter()
            .map(|d| Write::Delete {
                collection: "invoices",
                id: d.meta.id,
                expected_version: None,
            })
            .collect::<Vec<_>>();
        for chunk in deletes.chunks(400) {
            plain.commit(chunk.to_vec(), Utc::now()).await.unwrap();
        }
    }
    println!(
        "monthly run, {CONTRACTS} drafts: median {:.0} ms over {ROUNDS} rounds; {} store reads ({} documents)",
        median(times).as_secs_f64() * 1000.0,
        reads.0,
        reads.1
    );
    let _ = Role::Admin;
}
