//! Check-in codes, check-in and check-out: the proof that an area was cleaned.

use chrono::{Duration, Utc};
use platform::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    check_in_yesterday, check_out, code_of, parallel_check_ins, scene, seed_other, yesterday_at,
};

#[tokio::test]
async fn an_areas_code_is_signed_for_it_and_a_sites_labels_carry_the_same_codes() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    assert!(
        code.starts_with(&format!("CO1.{}.", s.seed.lobby)),
        "{code}"
    );
    let labels = s
        .app
        .get(
            &s.admin,
            &format!("/v1/check-in-codes?siteId={}", s.seed.site),
        )
        .await;
    let items = labels.body["items"].as_array().unwrap();
    let lobby = items
        .iter()
        .find(|l| l["areaId"] == s.seed.lobby.as_str())
        .unwrap();
    assert_eq!(lobby["code"], code.as_str());
    assert_eq!(items.len(), 3);
}

#[tokio::test]
async fn cleaners_may_not_print_codes() {
    let s = scene().await;
    s.app
        .get(&s.maria, &format!("/v1/check-in-codes/{}", s.seed.lobby))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forged_foreign_and_malformed_codes_are_422s_on_code() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let globex = s.app.token("globex", Role::Admin);
    let globex_area = seed_other(&s.app, &globex).await;
    let foreign = code_of(&s.app, &globex, &globex_area).await;
    // The same area id signed for another tenant, and a tampered signature.
    let moved = foreign.replace(&globex_area, &s.seed.lobby);
    let mut forged = code.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [
        forged.as_str(),
        foreign.as_str(),
        moved.as_str(),
        "CO1.x",
        "",
    ] {
        let reply = check_in_yesterday(&s.app, &s.maria, bad, 10, 0).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error_fields(), ["code"], "{bad}");
    }
    assert_eq!(
        s.app.get(&s.admin, "/v1/visits").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn a_code_of_one_tenant_checks_in_nowhere_else() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let globex_cleaner = s.app.token_of("globex", "maria", Role::Cleaner, None);
    let across = s
        .app
        .post(
            &globex_cleaner,
            "/v1/visits/check-in",
            json!({"code": code}),
        )
        .await;
    assert_eq!(across.error_fields(), ["code"]);
}

#[tokio::test]
async fn a_valid_code_records_an_open_visit_and_a_retry_returns_it() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    assert_eq!(visit.status, StatusCode::CREATED, "{}", visit.body);
    assert_eq!(visit.body["areaId"], s.seed.lobby.as_str());
    assert_eq!(visit.body["siteId"], s.seed.site.as_str());
    assert_eq!(visit.body["cleanerId"], "maria");
    assert_eq!(visit.body["status"], "in-progress");
    assert_eq!(visit.body["flags"], json!([]));
    let again = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.id(), visit.id());
}

#[tokio::test]
async fn a_check_out_needs_a_reason_for_anything_but_done() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    let no_reason = check_out(&s.app, &s.maria, &visit, json!({"status": "skipped"})).await;
    assert_eq!(no_reason.error_fields(), ["reason"]);
}

#[tokio::test]
async fn a_check_out_records_the_duration_once() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    let (_, out_at) = yesterday_at(10, 25);
    let body = json!({"status": "done", "at": out_at});
    let done = check_out(&s.app, &s.maria, &visit, body).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["durationMinutes"], 25.0);
    assert_eq!(done.body["status"], "done");
    check_out(&s.app, &s.maria, &visit, json!({"status": "done"}))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn a_check_in_outside_the_window_is_recorded_with_a_flag() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    // The window is 05:00-22:00.
    let flagged = check_in_yesterday(&s.app, &s.maria, &code, 23, 30).await;
    assert_eq!(flagged.status, StatusCode::CREATED, "{}", flagged.body);
    assert_eq!(flagged.body["flags"][0]["code"], "outside-window");
    let message = flagged.body["flags"][0]["message"].as_str().unwrap();
    assert!(message.contains("23:30"), "{message}");
}

#[tokio::test]
async fn a_check_in_from_a_clock_in_the_future_is_refused() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let reply = s
        .app
        .post(
            &s.maria,
            "/v1/visits/check-in",
            json!({"code": code, "at": future}),
        )
        .await;
    assert_eq!(reply.error_fields(), ["at"]);
}

#[tokio::test]
async fn visits_are_the_cleaners_own_and_no_other_tenants() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    let jana = s.app.token_of("acme", "jana", Role::Cleaner, None);
    assert_eq!(
        s.app.get(&jana, "/v1/visits").await.body["items"],
        json!([])
    );
    check_out(&s.app, &jana, &visit, json!({"status": "done"}))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let globex = s.app.token("globex", Role::Admin);
    assert_eq!(
        s.app.get(&globex, "/v1/visits").await.body["items"],
        json!([])
    );
    let all = s.app.get(&s.admin, "/v1/visits").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn nobody_deletes_a_visit_the_method_does_not_exist() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    let reply = s
        .app
        .send(
            Method::DELETE,
            &format!("/v1/visits/{}", visit.id()),
            Some(&s.admin),
            None,
            Some(&visit.etag()),
        )
        .await;
    reply.assert_problem(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.headers["allow"], "GET,HEAD");
}

#[tokio::test]
async fn a_retried_check_in_with_a_visit_id_records_one_visit() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.office).await;
    let body = json!({"code": code, "visitId": "0b8a3c5e-phone-1"});
    let replies = parallel_check_ins(&s.app, &s.maria, body, 8).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1);
    assert!(replies.iter().all(|r| r.id() == "0b8a3c5e-phone-1"));
    let visits = s.app.get(&s.admin, "/v1/visits").await;
    assert_eq!(visits.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn parallel_check_ins_without_a_visit_id_record_one_open_visit() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.office).await;
    let replies = parallel_check_ins(&s.app, &s.maria, json!({"code": code}), 50).await;
    let created: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert_eq!(created.len(), 1);
    assert!(replies.iter().all(|r| r.id() == created[0].id()));
    let visits = s.app.get(&s.admin, "/v1/visits").await;
    assert_eq!(visits.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn after_a_check_out_the_next_check_in_is_a_new_visit() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let first = check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    check_out(&s.app, &s.maria, &first, json!({"status": "done"})).await;
    let second = check_in_yesterday(&s.app, &s.maria, &code, 11, 0).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_ne!(second.id(), first.id());
}

#[tokio::test]
async fn another_cleaners_visit_id_is_a_422_that_says_nothing_of_her() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let body = json!({"code": code, "visitId": "phone-of-maria-1"});
    s.app
        .created(&s.maria, "/v1/visits/check-in", body.clone())
        .await;
    let jana = s.app.token_of("acme", "jana", Role::Cleaner, None);
    let reused = s.app.post(&jana, "/v1/visits/check-in", body).await;
    reused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.error_fields(), ["visitId"]);
}

#[tokio::test]
async fn naming_a_colleagues_tour_is_refused_even_with_a_visit_open() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    check_in_yesterday(&s.app, &s.maria, &code, 10, 0).await;
    let janas = crate::helpers::tour("Jana's", "jana", 480, &[&s.seed.lobby]);
    let janas = s.app.created(&s.admin, "/v1/tours", janas).await.id();
    let body = json!({"code": code, "tourId": janas});
    let reply = s.app.post(&s.maria, "/v1/visits/check-in", body).await;
    assert_eq!(reply.error_fields(), ["tourId"]);
}

#[tokio::test]
async fn a_room_not_accessible_tells_the_dispatchers_and_the_customer() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.office).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 9, 0).await;
    let (_, out) = yesterday_at(9, 5);
    let body = json!({"status": "not-accessible", "reason": "locked", "at": out});
    assert_eq!(
        check_out(&s.app, &s.maria, &visit, body).await.status,
        StatusCode::OK
    );
    let raised = s.app.raised().await;
    assert_eq!(raised.len(), 1);
    let event = &raised[0].1;
    assert_eq!(event["id"], format!("visit:{}", visit.id()));
    assert_eq!(event["message"]["kind"], "visitSkipped");
    assert_eq!(event["message"]["status"], "not-accessible");
    assert_eq!(event["message"]["reason"], "locked");
    assert_eq!(event["message"]["areaName"], "Office");
    assert_eq!(
        event["to"],
        json!([{"type": "dispatchers"}, {"type": "customer", "customerId": "c1"}])
    );
}

#[tokio::test]
async fn a_room_cleaned_tells_nobody() {
    let s = scene().await;
    let code = code_of(&s.app, &s.admin, &s.seed.office).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 9, 0).await;
    let (_, out) = yesterday_at(9, 30);
    let body = json!({"status": "done", "at": out});
    assert_eq!(
        check_out(&s.app, &s.maria, &visit, body).await.status,
        StatusCode::OK
    );
    assert!(s.app.raised().await.is_empty());
}
