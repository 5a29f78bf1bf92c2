//! `/v1/area-types` and `/v1/areas`: areas carry the work-loading their type gives them, and
//! nothing in use can be deleted.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{seed, start};

#[tokio::test]
async fn an_area_type_fills_its_defaults_and_keeps_its_correction() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let seed = seed(&app, &dispatcher).await;
    let read = app
        .get(&dispatcher, &format!("/v1/area-types/{}", seed.area_type))
        .await;
    assert_eq!(
        (
            read.body["priority"].as_str(),
            read.body["correctionFactor"].as_f64()
        ),
        (Some("normal"), Some(1.2))
    );
}

#[tokio::test]
async fn an_area_carries_its_computed_work_loading() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let seed = seed(&app, &dispatcher).await;
    let read = app
        .get(&dispatcher, &format!("/v1/areas/{}", seed.area))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    // 50 m² / 200 m²/h * 60 * 1.2 = 18 minutes, five times a week.
    assert_eq!(read.body["minutesPerCleaning"], json!(18.0));
    assert_eq!(read.body["effectiveCleaningsPerWeek"], json!(5.0));
    assert_eq!(read.body["minutesPerWeek"], json!(90.0));
}

#[tokio::test]
async fn a_client_may_put_back_what_it_read_computed_fields_included() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let seed = seed(&app, &dispatcher).await;
    let path = format!("/v1/areas/{}", seed.area);
    let read = app.get(&dispatcher, &path).await;
    let mut body = read.body.clone();
    body["cleaningsPerWeek"] = json!(2);
    let put = app.put(&dispatcher, &path, body, &read.etag()).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["minutesPerWeek"], json!(36.0));
}

#[tokio::test]
async fn an_areas_work_loading_follows_its_area_type() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let seed = seed(&app, &dispatcher).await;
    let type_path = format!("/v1/area-types/{}", seed.area_type);
    let patch = app
        .patch(
            &dispatcher,
            &type_path,
            json!({"performanceSqmPerHour": 100}),
            "\"1\"",
        )
        .await;
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.body);
    let reread = app
        .get(&dispatcher, &format!("/v1/areas/{}", seed.area))
        .await;
    assert_eq!(reread.body["minutesPerCleaning"], json!(36.0));
}

#[tokio::test]
async fn an_area_type_or_site_in_use_is_not_deleted() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let seed = seed(&app, &dispatcher).await;
    app.delete(
        &dispatcher,
        &format!("/v1/area-types/{}", seed.area_type),
        "\"1\"",
    )
    .await
    .assert_problem(StatusCode::CONFLICT);
    app.delete(&dispatcher, &format!("/v1/sites/{}", seed.site), "\"1\"")
        .await
        .assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn once_its_areas_are_gone_an_area_type_can_be_deleted() {
    let app = start().await;
    let dispatcher = app.token("acme", Role::Dispatcher);
    let seed = seed(&app, &dispatcher).await;
    let deleted = app
        .delete(&dispatcher, &format!("/v1/areas/{}", seed.area), "\"1\"")
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let type_gone = app
        .delete(
            &dispatcher,
            &format!("/v1/area-types/{}", seed.area_type),
            "\"1\"",
        )
        .await;
    assert_eq!(
        type_gone.status,
        StatusCode::NO_CONTENT,
        "{}",
        type_gone.body
    );
}

#[tokio::test]
async fn a_pin_names_a_known_cleaner_or_a_weekday() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let s = seed(&app, &admin).await;
    let area = |pin: serde_json::Value| {
        json!({"siteId": s.site, "name": "Archive", "sizeSqm": 20, "areaTypeId": s.area_type,
            "pin": pin})
    };
    let unknown = app
        .post(&admin, "/v1/areas", area(json!({"cleanerId": "mraia"})))
        .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields(), ["pin.cleanerId"]);
    let empty = app.post(&admin, "/v1/areas", area(json!({}))).await;
    assert_eq!(empty.error_fields(), ["pin.cleanerId"]);
    let bad_day = app
        .post(&admin, "/v1/areas", area(json!({"weekday": "someday"})))
        .await;
    assert_eq!(bad_day.error_fields(), ["pin.weekday"]);
    let pinned = app
        .created(&admin, "/v1/areas", area(json!({"weekday": "tue"})))
        .await;
    assert_eq!(pinned.body["pin"], json!({"weekday": "tue"}));
}
