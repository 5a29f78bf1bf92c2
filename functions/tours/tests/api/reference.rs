//! The month reports past one store page (1,000 documents), on the reference tenant.

use chrono::{Datelike, Duration, Utc};
use platform::Role;
use platform::testing::TestApp;
use platform::testing::reference::{self, ReferenceTenant, Scale};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::start;

/// The reference tenant over last month, with `visits` visits (all in its big first site,
/// since they are fewer a day than its 150 areas); the admin's token and the month.
async fn last_month(visits: usize) -> (TestApp, String, ReferenceTenant, String) {
    let app = start().await;
    let admin = app.token("t1", Role::Admin);
    let last_day = Utc::now().date_naive().with_day(1).unwrap() - Duration::days(1);
    let scale = Scale::month_with_visits(visits, last_day);
    let tenant = reference::build(app.data_of(&admin).store(), scale, last_day, &mut |_| {}).await;
    let month = format!("{:04}-{:02}", last_day.year(), last_day.month());
    (app, admin, tenant, month)
}

#[tokio::test]
async fn proof_of_service_counts_every_visit_past_one_page() {
    let (app, admin, tenant, month) = last_month(2_500).await;
    let path = format!(
        "/v1/proof-of-service?siteId={}&month={month}",
        tenant.sites[0]
    );
    let proof = app.get(&admin, &path).await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.body);
    let rows = proof.body["areas"].as_array().unwrap();
    assert_eq!(rows.len(), 150, "every area of the big site");
    let done: u64 = rows.iter().map(|r| r["done"].as_u64().unwrap()).sum();
    assert_eq!(done, 2_500);
}

#[tokio::test]
async fn the_inspection_summary_counts_every_inspection_past_one_page() {
    let (app, admin, tenant, month) = last_month(10).await;
    let extra = (0..1_200)
        .map(|i| {
            let area = &tenant.areas[i % 150];
            let body = json!({"siteId": tenant.sites[0], "date": tenant.last_day,
                "areas": [{"areaId": area, "appaLevel": 2}]});
            (format!("extra-{i:04}"), body)
        })
        .collect();
    let store = app.data_of(&admin);
    reference::store_parsed::<domain::tours::Inspection>(store.store(), extra).await;
    let path = format!(
        "/v1/inspections/summary?siteId={}&month={month}",
        tenant.sites[0]
    );
    let summary = app.get(&admin, &path).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    let own = tenant.inspections / tenant.sites.len();
    assert_eq!(summary.body["inspections"], json!(own + 1_200));
}
