use domain::notifications::{Channel, EventKind, NotificationStatus};
use platform::Role;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn dispatchers_read_the_whole_outbox_newest_first_and_by_status() {
    let app = app().await;
    let mut failed = notification("u1", Channel::Sms, EventKind::CleanerLate);
    failed.status = NotificationStatus::Failed;
    failed.reason = Some("Twilio: undelivered (error 30003)".into());
    store(
        &app,
        "acme",
        &[(
            "n1",
            notification("u1", Channel::Email, EventKind::VisitSkipped),
        )],
    )
    .await;
    store(&app, "acme", &[("n2", failed)]).await;
    let token = planner(&app, "acme");
    let all = app.get(&token, "/v1/notifications").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let ids: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["n2", "n1"]);
    let failed = app.get(&token, "/v1/notifications?status=failed").await;
    assert_eq!(failed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        failed.body["items"][0]["reason"],
        "Twilio: undelivered (error 30003)"
    );
    let bad = app.get(&token, "/v1/notifications?status=lost").await;
    bad.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["status"]);
}

#[tokio::test]
async fn everyone_else_reads_her_own_and_never_anothers() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[
            (
                "mine",
                notification("ana", Channel::InApp, EventKind::PlanActivated),
            ),
            (
                "hers",
                notification("eva", Channel::InApp, EventKind::PlanActivated),
            ),
        ],
    )
    .await;
    let ana = cleaner(&app, "acme", "ana");
    let listed = app.get(&ana, "/v1/notifications").await;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mine"]);
    let mine_sent = app.get(&ana, "/v1/notifications?status=sent").await;
    assert_eq!(mine_sent.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&ana, "/v1/notifications/hers").await.status, 404);
    assert_eq!(app.get(&ana, "/v1/notifications/mine").await.status, 200);
}

#[tokio::test]
async fn another_tenants_notifications_are_404_and_not_listed() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[(
            "n1",
            notification("ana", Channel::InApp, EventKind::PlanActivated),
        )],
    )
    .await;
    let other = app.token("globex", Role::Admin);
    assert_eq!(app.get(&other, "/v1/notifications/n1").await.status, 404);
    let listed = app.get(&other, "/v1/notifications").await;
    assert_eq!(listed.body["items"], json!([]));
    let other_ana = app.token_of("globex", "ana", Role::Cleaner, None);
    assert_eq!(
        app.post(&other_ana, "/v1/inbox/n1/read", json!({}))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&other_ana, "/v1/inbox").await.body["unread"], 0);
}

#[tokio::test]
async fn a_one_time_link_is_shown_to_its_recipient_only_off_the_local_cloud() {
    // Tests run as the local cloud does (no K_SERVICE): links show, as nothing is sent.
    let app = app().await;
    store(
        &app,
        "acme",
        &[(
            "inv",
            notification("eva", Channel::Email, EventKind::Invitation),
        )],
    )
    .await;
    let shown = app
        .get(&planner(&app, "acme"), "/v1/notifications/inv")
        .await;
    assert!(shown.body["link"].as_str().unwrap().contains("#token="));
}

#[tokio::test]
async fn the_inbox_counts_unread_messages_and_reading_one_clears_it() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[
            (
                "a",
                notification("ana", Channel::InApp, EventKind::PlanActivated),
            ),
            (
                "b",
                notification("ana", Channel::InApp, EventKind::BoardPost),
            ),
            (
                "c",
                notification("ana", Channel::Email, EventKind::PlanActivated),
            ),
        ],
    )
    .await;
    let ana = cleaner(&app, "acme", "ana");
    let inbox = app.get(&ana, "/v1/inbox").await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    assert_eq!(inbox.body["unread"], 2);
    assert_eq!(
        inbox.body["items"].as_array().unwrap().len(),
        2,
        "in-app only"
    );
    assert_eq!(
        app.post(&ana, "/v1/inbox/a/read", json!({})).await.status,
        204
    );
    assert_eq!(
        app.post(&ana, "/v1/inbox/a/read", json!({})).await.status,
        204,
        "twice is no error"
    );
    assert_eq!(app.get(&ana, "/v1/inbox").await.body["unread"], 1);
    // An email is not an in-app message, and another's is not hers.
    assert_eq!(
        app.post(&ana, "/v1/inbox/c/read", json!({})).await.status,
        404
    );
    let eva = cleaner(&app, "acme", "eva");
    assert_eq!(
        app.post(&eva, "/v1/inbox/b/read", json!({})).await.status,
        404
    );
}
