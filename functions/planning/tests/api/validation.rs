//! Bad plan requests and cleaners: a 422 naming each field, and nothing written.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::start;

#[tokio::test]
async fn a_bad_plan_request_is_a_422_naming_each_field_and_plans_nothing() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let body = json!({"weekStart": "2026-12-01", "seconds": 0, "objective": "cheapest", "x": 1});
    let reply = app.post(&admin, "/v1/plans", body).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error_fields(),
        ["weekStart", "seconds", "objective", "x"]
    );
    assert_eq!(app.get(&admin, "/v1/plans").await.body["items"], json!([]));
}

#[tokio::test]
async fn a_bad_cleaner_is_a_422_naming_each_field() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let body = json!({
        "userId": "a/b", "name": "", "home": {"lat": 95, "lng": 13},
        "shifts": [{"day": "mon", "from": "14:00", "to": "06:00"}], "maxMinutesPerDay": 0
    });
    let cleaner = app.post(&admin, "/v1/cleaners", body).await;
    cleaner.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        cleaner.error_fields(),
        [
            "userId",
            "name",
            "home.lat",
            "shifts[0].to",
            "maxMinutesPerDay"
        ]
    );
}
