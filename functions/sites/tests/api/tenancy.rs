//! Another tenant's ids are 404 as if they did not exist: never its data, never a change.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{seeded, site_body};

#[tokio::test]
async fn another_tenants_entities_are_404_and_show_nothing_of_them() {
    let (app, _, seed) = seeded().await;
    let rival = app.token("rival", Role::Admin);
    for path in [
        format!("/v1/sites/{}", seed.site),
        format!("/v1/area-types/{}", seed.area_type),
        format!("/v1/areas/{}", seed.area),
        format!("/v1/sites/{}/workload", seed.site),
    ] {
        let reply = app.get(&rival, &path).await;
        reply.assert_problem(StatusCode::NOT_FOUND);
        assert!(!reply.body.to_string().contains("HQ"));
    }
}

#[tokio::test]
async fn another_tenants_listings_are_empty_even_filtered_by_our_ids() {
    let (app, _, seed) = seeded().await;
    let rival = app.token("rival", Role::Admin);
    for path in ["/v1/sites", "/v1/area-types", "/v1/areas"] {
        let items = app.get(&rival, path).await.body["items"].clone();
        assert!(items.as_array().unwrap().is_empty(), "{path}");
    }
    let filtered = app
        .get(&rival, &format!("/v1/areas?siteId={}", seed.site))
        .await;
    assert!(filtered.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn another_tenant_changes_nothing_of_ours() {
    let (app, acme, seed) = seeded().await;
    let rival = app.token("rival", Role::Admin);
    let site_path = format!("/v1/sites/{}", seed.site);
    app.put(&rival, &site_path, site_body("Mine"), "\"1\"")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.patch(&rival, &site_path, json!({"name": "Mine"}), "\"1\"")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.delete(&rival, &format!("/v1/areas/{}", seed.area), "\"1\"")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let untouched = app.get(&acme, &site_path).await;
    assert_eq!(
        (
            untouched.body["name"].as_str(),
            untouched.body["version"].as_u64()
        ),
        (Some("HQ"), Some(1))
    );
    let area = app.get(&acme, &format!("/v1/areas/{}", seed.area)).await;
    assert_eq!(area.status, StatusCode::OK);
}

#[tokio::test]
async fn referring_to_another_tenants_site_or_area_type_is_as_if_they_did_not_exist() {
    let (app, _, seed) = seeded().await;
    let rival = app.token("rival", Role::Admin);
    let body =
        json!({"siteId": seed.site, "name": "X", "sizeSqm": 1, "areaTypeId": seed.area_type});
    let foreign_ref = app.post(&rival, "/v1/areas", body).await;
    foreign_ref.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(foreign_ref.error_fields(), ["siteId", "areaTypeId"]);
}
