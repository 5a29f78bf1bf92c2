//! Listings: filters, declared orders and keyset pages.

use platform::testing::TestApp;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::seeded;

/// Seven more areas on floors 3, 1, 2, 1, 0, 1, 2, named "Area 0" to "Area 2" in turn.
async fn seven_areas(app: &TestApp, admin: &str, site: &str, area_type: &str) {
    for (i, floor) in [3, 1, 2, 1, 0, 1, 2].into_iter().enumerate() {
        let area = json!({"siteId": site, "name": format!("Area {}", i % 3), "floor": floor,
            "sizeSqm": 10 + i, "areaTypeId": area_type});
        app.created(admin, "/v1/areas", area).await;
    }
}

#[tokio::test]
async fn equality_filters_combine() {
    let (app, admin, seed) = seeded().await;
    seven_areas(&app, &admin, &seed.site, &seed.area_type).await;
    let path = format!("/v1/areas?siteId={}&floor=1", seed.site);
    let on_floor_1 = app.get(&admin, &path).await;
    let found = on_floor_1.body["items"].as_array().unwrap().len();
    assert_eq!(found, 4, "three new areas and the seeded one");
}

#[tokio::test]
async fn pages_by_name_visit_every_area_once_in_order() {
    let (app, admin, seed) = seeded().await;
    seven_areas(&app, &admin, &seed.site, &seed.area_type).await;
    let mut seen = Vec::new();
    let mut path = "/v1/areas?orderBy=name&limit=3".to_owned();
    loop {
        let page = app.get(&admin, &path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
            )
        }));
        match page.body["nextPageToken"].as_str() {
            Some(token) => path = format!("/v1/areas?orderBy=name&limit=3&pageToken={token}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    // Names repeat ("Area 0" three times): ties are broken by id, in the same direction.
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "strictly ascending by (name, id): {seen:?}"
    );
    let mut ids: Vec<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "no area repeated");
}

#[tokio::test]
async fn every_bad_listing_parameter_is_named_in_one_422() {
    let (app, admin, _) = seeded().await;
    let bad = app
        .get(
            &admin,
            "/v1/areas?limit=0&floor=one&orderBy=colour&pageToken=xyz&unknown=1",
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["floor", "limit", "orderBy", "pageToken", "unknown"]
    );
}

#[tokio::test]
async fn an_order_not_offered_is_a_422_listing_those_that_are() {
    let (app, admin, _) = seeded().await;
    let bad = app.get(&admin, "/v1/areas?orderBy=-name").await;
    assert_eq!(bad.error_fields(), ["orderBy"]);
    let message = bad.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("id, -id, name"), "{message}");
}
