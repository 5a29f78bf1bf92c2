//! Every listing's filters and pages, as the cockpit pages through them (each shape is one
//! Firestore index, and the test run proves each is served and used).

use chrono::Duration;
use domain::sensors::DemandCleaning;
use serde_json::{Value, json};

use crate::helpers::*;

/// Pages through `path` two at a time (limit 1); the items seen.
async fn page_through(app: &platform::testing::TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &next {
            Some(token) => format!("{path}{sep}limit=1&pageToken={token}"),
            None => format!("{path}{sep}limit=1"),
        };
        let reply = app.get(token, &url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.body);
        items.extend(reply.body["items"].as_array().unwrap().iter().cloned());
        match reply.body["nextPageToken"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn every_listing_filters_and_pages() {
    let app = start().await;
    let world = world(&app, "acme").await;
    let token = admin(&app, "acme");
    let at = app.clock_now() - Duration::minutes(5);
    ingest(&app, &world.key, "ttn", fixture("ttn-uplink.json", at)).await;
    ingest(
        &app,
        &world.key,
        "milesight",
        fixture("milesight-vs133.json", at),
    )
    .await;
    let data = app.data_of(&token);
    for (area, minutes) in [(&world.washroom, 30), (&world.kitchen, 20)] {
        let cleaning: DemandCleaning = serde_json::from_value(json!({
            "areaId": area, "siteId": world.site, "trigger": "button",
            "triggeredAt": at - Duration::minutes(minutes), "localDate": at.date_naive(),
            "dueFrom": at, "events": 0, "status": "open"
        }))
        .unwrap();
        data.repo::<DemandCleaning>()
            .create(cleaning, Vec::new())
            .await
            .unwrap();
    }
    let site = &world.site;
    let washroom = &world.washroom;
    for (path, expected) in [
        ("/v1/sensors".to_owned(), 5),
        (format!("/v1/sensors?siteId={site}"), 5),
        (format!("/v1/sensors?areaId={washroom}"), 3),
        (format!("/v1/sensors?siteId={site}&areaId={washroom}"), 3),
        ("/v1/demand-cleanings".to_owned(), 2),
        (format!("/v1/demand-cleanings?siteId={site}"), 2),
        ("/v1/demand-cleanings?status=open".to_owned(), 2),
        (format!("/v1/demand-cleanings?siteId={site}&status=open"), 2),
        ("/v1/area-demand".to_owned(), 2),
        (format!("/v1/area-demand?siteId={site}"), 2),
    ] {
        let items = page_through(&app, &token, &path).await;
        assert_eq!(items.len(), expected, "{path}");
    }
    let newest = page_through(&app, &token, "/v1/demand-cleanings").await;
    assert_eq!(newest[0]["areaId"], json!(world.kitchen), "newest first");
}
