//! Absences: who may record and read them, and what a bad one is.

use platform::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{cleaner, start};

fn absence(cleaner: &str, from: &str, to: &str) -> Value {
    json!({"cleanerId": cleaner, "from": from, "to": to, "kind": "holiday"})
}

#[tokio::test]
async fn a_bad_absence_is_a_422_naming_each_field() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let body = json!({"cleanerId": "", "from": "2026-12-10", "to": "2026-12-09",
        "kind": "vacation", "note": ""});
    let reply = app.post(&admin, "/v1/absences", body).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["cleanerId", "kind", "note", "to"]);
    let long = app
        .post(
            &admin,
            "/v1/absences",
            absence("maria", "2026-01-01", "2027-01-02"),
        )
        .await;
    assert_eq!(long.error_fields(), ["to"]);
    assert_eq!(
        app.get(&admin, "/v1/absences").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn an_absence_of_an_unknown_cleaner_is_refused() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let reply = app
        .post(
            &admin,
            "/v1/absences",
            absence("mraia", "2026-12-09", "2026-12-09"),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["cleanerId"]);
}

#[tokio::test]
async fn a_cleaner_reads_her_own_absences_only_and_records_none() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    cleaner(&app, &admin, "maria", 52.5).await;
    cleaner(&app, &admin, "jana", 52.5).await;
    for who in ["maria", "jana"] {
        app.created(
            &admin,
            "/v1/absences",
            absence(who, "2026-12-09", "2026-12-11"),
        )
        .await;
    }
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    let hers = app.get(&maria, "/v1/absences").await;
    let items = hers.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", hers.body);
    assert_eq!(items[0]["cleanerId"], "maria");
    for order in ["from", "-id"] {
        let sorted = app
            .get(&maria, &format!("/v1/absences?orderBy={order}"))
            .await;
        assert_eq!(sorted.body["items"], hers.body["items"], "{order}");
    }
    let own = app
        .post(
            &maria,
            "/v1/absences",
            absence("maria", "2026-12-14", "2026-12-14"),
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn re_planning_some_days_needs_keep_unaffected_and_days_of_the_week() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let body = json!({"weekStart": "2026-12-07", "days": ["2026-12-09"]});
    let reply = app.post(&admin, "/v1/plans", body).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["days"]);
    let body = json!({"weekStart": "2026-12-07", "keep": "unaffected", "days": ["2026-12-14"]});
    assert_eq!(
        app.post(&admin, "/v1/plans", body).await.error_fields(),
        ["days[0]"]
    );
    let body = json!({"keep": "some", "days": ["2026-12-14"]});
    assert_eq!(
        app.post(&admin, "/v1/plans", body).await.error_fields(),
        ["keep", "days"]
    );
    assert_eq!(app.get(&admin, "/v1/plans").await.body["items"], json!([]));
}
