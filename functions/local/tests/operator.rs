//! `cleanops run JOB` on the local cloud binary: the job runs now, through the fan-out and
//! the push path, for every tenant, and a second run of the same tick adds nothing.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::Utc;
use domain::TenantId;
use domain::store::{DocumentStore, Query, TenantStore, Write};
use serde_json::json;

const TENANTS: [&str; 2] = ["alpha", "bravo"];

mod common;

use common::{BIN, open, start};

fn run(data_dir: &Path, port: u16, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("run")
        .args(args)
        .args(["--port", &port.to_string(), "--wait", "30", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

async fn seed(store: &Arc<dyn DocumentStore>) {
    for name in TENANTS {
        let tenant = TenantId::parse(name).unwrap();
        platform::tenants::register(store, &tenant, Utc::now())
            .await
            .unwrap();
        let site = json!({"name": "HQ", "address": {"street": "S 1", "city": "Berlin",
            "country": "DE"}, "location": {"lat": 52.5, "lng": 13.4},
            "timeZone": "Europe/Berlin", "accessHours": []});
        let write = Write::Create {
            collection: "sites",
            id: "s1".into(),
            fields: site.as_object().unwrap().clone(),
        };
        TenantStore::new(store.clone(), tenant)
            .commit(vec![write], Utc::now())
            .await
            .unwrap();
    }
}

async fn count(store: &Arc<dyn DocumentStore>, tenant: &str, collection: &'static str) -> usize {
    TenantStore::new(store.clone(), TenantId::parse(tenant).unwrap())
        .query_all(Query::new(collection))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_run_writes_every_tenants_report_and_says_where_to_see_it() {
    let dir = tempfile::tempdir().unwrap();
    seed(&open(dir.path())).await;
    let server = start(dir.path());
    let output = run(dir.path(), server.port, &["workload-report"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("published to 2 tenant(s)"), "{stdout}");
    assert!(stdout.contains("2/2 tenants finished"), "{stdout}");
    assert!(stdout.contains("/v1/jobs?job=workload-report"), "{stdout}");
    let store = open(dir.path());
    for tenant in TENANTS {
        assert_eq!(
            count(&store, tenant, "workloadReports").await,
            1,
            "{tenant}"
        );
    }
}

#[tokio::test]
async fn a_second_run_of_the_same_tick_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    seed(&open(dir.path())).await;
    let server = start(dir.path());
    assert!(
        run(dir.path(), server.port, &["workload-report"])
            .status
            .success()
    );
    let again = run(dir.path(), server.port, &["workload-report"]);
    assert!(again.status.success());
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("alpha: done before this run (nothing new)"),
        "{stdout}"
    );
    let store = open(dir.path());
    for tenant in TENANTS {
        assert_eq!(
            count(&store, tenant, platform::push::JOBS).await,
            1,
            "{tenant}"
        );
        let reports = TenantStore::new(store.clone(), TenantId::parse(tenant).unwrap())
            .query_all(Query::new("workloadReports"))
            .await
            .unwrap();
        assert_eq!(
            reports[0].meta.version, 1,
            "{tenant}: the report was not rewritten"
        );
    }
}

#[tokio::test]
async fn a_run_for_one_tenant_leaves_the_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    seed(&open(dir.path())).await;
    let server = start(dir.path());
    let output = run(
        dir.path(),
        server.port,
        &["workload-report", "--tenant", "bravo"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = open(dir.path());
    assert_eq!(count(&store, "bravo", "workloadReports").await, 1);
    assert_eq!(count(&store, "alpha", "workloadReports").await, 0);
}

#[tokio::test]
async fn an_unknown_job_names_the_scheduled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let output = run(dir.path(), server.port, &["payroll"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("workload-report") && stderr.contains("planning"),
        "{stderr}"
    );
}
