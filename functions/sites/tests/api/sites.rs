//! `/v1/sites`: create, read, list, replace, patch and delete.

use platform::Role;
use reqwest::{StatusCode, header};
use serde_json::json;

use crate::helpers::{site_body, start};

#[tokio::test]
async fn a_created_site_has_its_location_etag_and_metadata() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let created = app.created(&admin, "/v1/sites", site_body("HQ")).await;
    let id = created.id();
    assert_eq!(
        created.headers[header::LOCATION],
        format!("/v1/sites/{id}").as_str()
    );
    assert_eq!(created.etag(), "\"1\"");
    assert_eq!(
        created.body["address"]["country"], "DE",
        "country codes are normalised"
    );
    assert_eq!(created.body["version"], 1);
    assert!(created.body["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_site_reads_back_as_it_was_created() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let created = app.created(&admin, "/v1/sites", site_body("HQ")).await;
    let read = app
        .get(&admin, &format!("/v1/sites/{}", created.id()))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);
    assert_eq!(read.etag(), "\"1\"");
}

#[tokio::test]
async fn a_put_replaces_the_site_and_keeps_its_creation_time() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let created = app.created(&admin, "/v1/sites", site_body("HQ")).await;
    let mut changed = site_body("Headquarters");
    changed["accessHours"] = json!([]);
    let path = format!("/v1/sites/{}", created.id());
    let put = app.put(&admin, &path, changed, "\"1\"").await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(
        (put.body["name"].as_str(), put.etag().as_str()),
        (Some("Headquarters"), "\"2\"")
    );
    assert_eq!(put.body["createdAt"], created.body["createdAt"]);
}

#[tokio::test]
async fn a_merge_patch_keeps_what_it_does_not_name() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let id = app.created(&admin, "/v1/sites", site_body("HQ")).await.id();
    let path = format!("/v1/sites/{id}");
    let patch = app
        .patch(&admin, &path, json!({"location": {"lat": 48.1}}), "\"1\"")
        .await;
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.body);
    assert_eq!(patch.body["location"], json!({"lat": 48.1, "lng": 13.39}));
    assert_eq!(patch.body["name"], "HQ");
}

#[tokio::test]
async fn a_list_of_one_page_has_no_next_page_token() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    app.created(&admin, "/v1/sites", site_body("HQ")).await;
    let list = app.get(&admin, "/v1/sites").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(list.body.get("nextPageToken").is_none());
}

#[tokio::test]
async fn a_deleted_site_is_gone() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let id = app.created(&admin, "/v1/sites", site_body("HQ")).await.id();
    let path = format!("/v1/sites/{id}");
    assert_eq!(
        app.delete(&admin, &path, "\"1\"").await.status,
        StatusCode::NO_CONTENT
    );
    app.get(&admin, &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn access_hours_that_shut_out_a_calendars_window_are_answered_as_contradictions() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = crate::helpers::seed(&app, &admin).await;
    let evenings = json!({"siteId": seed.site, "name": "Evenings", "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "startDate": "2026-01-05", "window": {"earliest": "18:00", "latest": "20:00"}});
    app.seed::<domain::calendars::Calendar>(&admin, evenings)
        .await;
    let path = format!("/v1/sites/{}", seed.site);
    let site = app.get(&admin, &path).await;
    assert!(
        site.body.get("contradictions").is_none(),
        "fits: {}",
        site.body
    );
    let mornings = json!({"accessHours": [{"day": "mon", "from": "06:00", "to": "12:00"}]});
    let changed = app.patch(&admin, &path, mornings, &site.etag()).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let found = changed.body["contradictions"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{}", changed.body);
    assert_eq!(found[0]["code"], "windowOutsideAccessHours");
    assert_eq!(found[0]["areaId"], seed.area.as_str());
}
