use domain::notifications::{Channel, EventKind};
use platform::notify::twilio_signature;
use platform::testing::TestApp;

use crate::helpers::*;

/// POSTs Twilio's form to `path`, signed with `token` as Twilio signs (the URL it called
/// and the sorted parameters).
async fn twilio_post(
    app: &TestApp,
    path: &str,
    params: &[(&str, &str)],
    token: &str,
) -> reqwest::Response {
    let url = app.url(path);
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let signature = twilio_signature(token, &url, &owned);
    reqwest::Client::new()
        .post(url)
        .header("X-Twilio-Signature", signature)
        .form(&owned)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_signed_delivered_callback_marks_the_sms_delivered() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[(
            "n1",
            notification("ana", Channel::Sms, EventKind::CleanerLate),
        )],
    )
    .await;
    let params = [
        ("MessageSid", "SM0123"),
        ("MessageStatus", "delivered"),
        ("AccountSid", "AC0123"),
    ];
    let answer = twilio_post(&app, "/v1/twilio/status/acme/n1", &params, AUTH_TOKEN).await;
    assert_eq!(answer.status(), 204);
    let read = app
        .get(&planner(&app, "acme"), "/v1/notifications/n1")
        .await;
    assert_eq!(read.body["status"], "delivered");
    assert!(read.body["deliveredAt"].is_string());
}

#[tokio::test]
async fn an_undelivered_callback_records_twilios_error() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[(
            "n1",
            notification("ana", Channel::Sms, EventKind::CleanerLate),
        )],
    )
    .await;
    let params = [
        ("MessageSid", "SM0123"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ];
    assert_eq!(
        twilio_post(&app, "/v1/twilio/status/acme/n1", &params, AUTH_TOKEN)
            .await
            .status(),
        204
    );
    let read = app
        .get(&planner(&app, "acme"), "/v1/notifications/n1")
        .await;
    assert_eq!(read.body["status"], "failed");
    assert_eq!(read.body["reason"], "Twilio: undelivered (error 30003)");
}

#[tokio::test]
async fn a_callback_with_a_bad_or_missing_signature_is_refused_and_changes_nothing() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[(
            "n1",
            notification("ana", Channel::Sms, EventKind::CleanerLate),
        )],
    )
    .await;
    let params = [("MessageSid", "SM0123"), ("MessageStatus", "delivered")];
    let forged = twilio_post(&app, "/v1/twilio/status/acme/n1", &params, "not-the-token").await;
    assert_eq!(forged.status(), 403);
    let unsigned = reqwest::Client::new()
        .post(app.url("/v1/twilio/status/acme/n1"))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    let read = app
        .get(&planner(&app, "acme"), "/v1/notifications/n1")
        .await;
    assert_eq!(read.body["status"], "sent");
}

#[tokio::test]
async fn a_signature_for_one_tenants_url_does_not_reach_another() {
    let app = app().await;
    store(
        &app,
        "acme",
        &[(
            "n1",
            notification("ana", Channel::Sms, EventKind::CleanerLate),
        )],
    )
    .await;
    // Signed for globex's URL, sent to acme's: the URL is part of what is signed.
    let params = [("MessageSid", "SM0123"), ("MessageStatus", "delivered")];
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let signature = twilio_signature(AUTH_TOKEN, &app.url("/v1/twilio/status/globex/n1"), &owned);
    let moved = reqwest::Client::new()
        .post(app.url("/v1/twilio/status/acme/n1"))
        .header("X-Twilio-Signature", signature)
        .form(&owned)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 403);
    // Signed for globex, which has no such notification: 404.
    let missing = twilio_post(&app, "/v1/twilio/status/globex/n1", &params, AUTH_TOKEN).await;
    assert_eq!(missing.status(), 404);
    let read = app
        .get(&planner(&app, "acme"), "/v1/notifications/n1")
        .await;
    assert_eq!(read.body["status"], "sent", "unchanged");
}

#[tokio::test]
async fn stop_opts_a_number_out_and_start_opts_it_in_again() {
    let app = app().await;
    let system =
        domain::store::TenantStore::new(app.state.store.clone(), domain::TenantId::system());
    let opted_out = || async {
        system
            .get(
                platform::notify::SMS_OPT_OUTS,
                &platform::notify::sms_opt_out_id("+41791234567"),
            )
            .await
            .unwrap()
            .is_some()
    };
    let stop = twilio_post(
        &app,
        "/v1/twilio/inbound",
        &[("From", "+41791234567"), ("Body", "Stop ")],
        AUTH_TOKEN,
    )
    .await;
    assert_eq!(stop.status(), 200);
    assert_eq!(stop.headers()["content-type"], "text/xml");
    assert!(opted_out().await);
    // Twilio retries a webhook it got no answer to: STOP twice is one opt-out.
    twilio_post(
        &app,
        "/v1/twilio/inbound",
        &[("From", "+41791234567"), ("Body", "STOP")],
        AUTH_TOKEN,
    )
    .await;
    assert!(opted_out().await);
    twilio_post(
        &app,
        "/v1/twilio/inbound",
        &[("From", "+41791234567"), ("Body", "START")],
        AUTH_TOKEN,
    )
    .await;
    assert!(!opted_out().await);
    let forged = twilio_post(
        &app,
        "/v1/twilio/inbound",
        &[("From", "+41791234567"), ("Body", "STOP")],
        "guess",
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert!(!opted_out().await);
}
