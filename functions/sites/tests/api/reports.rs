//! `GET /v1/workload-reports[/{date}]`: the worker's dated reports, for planners.

use domain::store::Write;
use platform::Role;
use platform::testing::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::start;

/// Three reports of tenant `acme`, as the worker writes them.
async fn reported() -> TestApp {
    let app = start().await;
    let writes = ["2026-11-22", "2026-11-23", "2026-11-24"]
        .map(|date| Write::Create {
            collection: "workloadReports",
            id: date.into(),
            fields: json!({"date": date, "totalMinutesPerWeek": 90.0})
                .as_object()
                .unwrap()
                .clone(),
        })
        .to_vec();
    let acme = app.data_of(&app.token("acme", Role::Admin));
    acme.store()
        .commit(writes, chrono::Utc::now())
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn reports_come_newest_first_in_pages() {
    let app = reported().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let first = app.get(&dispatcher, "/v1/workload-reports?limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let dates: Vec<_> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-11-24", "2026-11-23"]);
    let token = first.body["nextPageToken"].as_str().unwrap();
    let path = format!("/v1/workload-reports?limit=2&pageToken={token}");
    let second = app.get(&dispatcher, &path).await;
    assert_eq!(second.body["items"][0]["id"], "2026-11-22");
}

#[tokio::test]
async fn one_report_reads_by_its_date_with_its_etag() {
    let app = reported().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let one = app
        .get(&dispatcher, "/v1/workload-reports/2026-11-23")
        .await;
    assert_eq!(
        (one.status, one.body["totalMinutesPerWeek"].clone()),
        (StatusCode::OK, json!(90.0))
    );
    assert_eq!(one.etag(), "\"1\"");
}

#[tokio::test]
async fn cleaners_read_no_reports() {
    let app = reported().await;
    app.get(&app.token("acme", Role::Cleaner), "/v1/workload-reports")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_tenant_reads_none_of_the_reports() {
    let app = reported().await;
    let rival = app.token("rival", Role::Admin);
    app.get(&rival, "/v1/workload-reports/2026-11-23")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let listed = app.get(&rival, "/v1/workload-reports").await;
    assert!(listed.body["items"].as_array().unwrap().is_empty());
}
