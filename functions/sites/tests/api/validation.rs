//! Bad input: one 422 naming every field and rule, 400 for broken JSON, 415 for other bodies;
//! nothing is written.

use platform::Role;
use reqwest::{StatusCode, header};
use serde_json::json;

use crate::helpers::start;

#[tokio::test]
async fn a_site_with_several_bad_fields_gets_one_422_naming_every_field() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let body = json!({
        "name": "",
        "address": {"city": "Berlin", "country": "Germany"},
        "location": {"lat": 91, "lng": "east"},
        "timeZone": "Mars/Olympus",
        "accessHours": [{"day": "someday", "from": "09:00", "to": "08:00"}],
        "colour": "blue"
    });
    let reply = app.post(&admin, "/v1/sites", body).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = reply.error_fields();
    for expected in [
        "name",
        "address.street",
        "address.country",
        "location.lat",
        "location.lng",
        "timeZone",
        "accessHours[0].day",
        "accessHours[0].to",
        "colour",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    let errors = reply.body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .all(|e| !e["message"].as_str().unwrap().is_empty())
    );
    let list = app.get(&admin, "/v1/sites").await;
    assert!(
        list.body["items"].as_array().unwrap().is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn an_area_type_with_bad_fields_names_each() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let body = json!({"name": "X", "performanceSqmPerHour": 0, "cleaningsPerWeek": 99, "priority": "urgent"});
    let area_type = app.post(&admin, "/v1/area-types", body).await;
    area_type.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        area_type.error_fields(),
        ["performanceSqmPerHour", "cleaningsPerWeek", "priority"]
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let malformed = reqwest::Client::new()
        .post(app.url("/v1/sites"))
        .bearer_auth(&admin)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"name\": \"HQ\",")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let text = reqwest::Client::new()
        .post(app.url("/v1/sites"))
        .bearer_auth(&admin)
        .body("name=HQ")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
