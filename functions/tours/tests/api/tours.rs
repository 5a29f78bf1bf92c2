//! `/v1/tours` and `/v1/tour-settings`: a cleaner's areas per weekday against a cap.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{put_settings, scene, tour};

#[tokio::test]
async fn by_default_a_tour_over_its_cap_is_refused_naming_each_day() {
    let s = scene().await;
    let over = tour("Early", "maria", 60, &[&s.seed.lobby, &s.seed.office]);
    let refused = s.app.post(&s.admin, "/v1/tours", over).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields().len(), 7, "{}", refused.body);
    assert_eq!(refused.error_fields()[0], "days[0]");
    let message = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("90 minutes") && message.contains("30 over"),
        "{message}"
    );
    assert_eq!(
        s.app.get(&s.admin, "/v1/tours").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn the_settings_start_at_refuse_and_only_admins_change_them() {
    let s = scene().await;
    let settings = s.app.get(&s.admin, "/v1/tour-settings").await;
    assert_eq!(settings.body["overload"], "refuse");
    assert_eq!(settings.etag(), "\"0\"");
    let dispatcher = s.app.token("acme", Role::Dispatcher);
    put_settings(&s.app, &dispatcher, json!({"overload": "flag"}), "\"0\"")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_settings_change_needs_the_current_version_and_a_known_policy() {
    let s = scene().await;
    let saved = put_settings(&s.app, &s.admin, json!({"overload": "flag"}), "\"0\"").await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    put_settings(&s.app, &s.admin, json!({"overload": "refuse"}), "\"0\"")
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED);
    let bad = put_settings(
        &s.app,
        &s.admin,
        json!({"overload": "ignore"}),
        &saved.etag(),
    )
    .await;
    assert_eq!(bad.error_fields(), ["overload"]);
}

#[tokio::test]
async fn when_flagging_an_overloaded_tour_is_stored_with_its_load_and_warnings() {
    let s = scene().await;
    put_settings(&s.app, &s.admin, json!({"overload": "flag"}), "\"0\"").await;
    let over = tour("Early", "maria", 60, &[&s.seed.lobby, &s.seed.office]);
    let flagged = s.app.created(&s.admin, "/v1/tours", over).await;
    assert_eq!(flagged.body["load"][0]["plannedMinutes"], 90.0);
    assert_eq!(flagged.body["load"][0]["overByMinutes"], 30.0);
    assert_eq!(flagged.body["warnings"].as_array().unwrap().len(), 7);
    let within = s
        .app
        .created(
            &s.admin,
            "/v1/tours",
            tour("Late", "maria", 60, &[&s.seed.kitchen]),
        )
        .await;
    assert_eq!(within.body["load"][0]["plannedMinutes"], 15.0);
    assert_eq!(within.body["warnings"], json!([]));
}

#[tokio::test]
async fn a_tour_with_bad_fields_is_a_422_naming_each_and_changes_nothing() {
    let s = scene().await;
    let reply = s
        .app
        .post(
            &s.admin,
            "/v1/tours",
            json!({
                "name": "", "cleanerId": "maria", "tourType": "nap", "startTime": "25:00",
                "maxMinutesPerDay": 30.5,
                "days": [{"day": "mon", "areaIds": [s.seed.lobby, "missing"]}, {"day": "funday"}]
            }),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error_fields(),
        [
            "name",
            "tourType",
            "startTime",
            "maxMinutesPerDay",
            "days[1].day"
        ]
    );
    assert_eq!(
        s.app.get(&s.admin, "/v1/tours").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn a_tour_naming_an_unknown_area_is_a_422_on_that_area() {
    let s = scene().await;
    let unknown = s
        .app
        .post(
            &s.admin,
            "/v1/tours",
            tour("x", "maria", 600, &[&s.seed.lobby, "missing"]),
        )
        .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields()[0], "days[0].areaIds[1]");
    assert_eq!(
        s.app.get(&s.admin, "/v1/tours").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn a_cleaner_lists_and_reads_her_own_tours_only() {
    let s = scene().await;
    let marias = s
        .app
        .created(
            &s.admin,
            "/v1/tours",
            tour("Maria early", "maria", 480, &[&s.seed.office]),
        )
        .await
        .id();
    let janas = s
        .app
        .created(
            &s.admin,
            "/v1/tours",
            tour("Jana late", "jana", 480, &[&s.seed.kitchen]),
        )
        .await
        .id();
    let listed = s.app.get(&s.maria, "/v1/tours").await;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [marias.as_str()]);
    assert_eq!(
        s.app.get(&s.maria, "/v1/tours?cleanerId=jana").await.body["items"],
        json!([])
    );
    s.app
        .get(&s.maria, &format!("/v1/tours/{janas}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_may_not_read_tours() {
    let s = scene().await;
    let customer = s.app.token("acme", Role::Customer);
    s.app
        .get(&customer, "/v1/tours")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}
