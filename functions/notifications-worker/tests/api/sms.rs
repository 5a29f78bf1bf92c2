use chrono::Duration;
use domain::Clock as _;
use domain::notifications::{Channel, NotificationStatus};
use notifications_worker::senders::{SendOutcome, Twilio};
use platform::notify::Credential;
use platform::testing::{create, peers};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_late_cleaner_is_an_sms_twilio_takes_and_an_in_app_message() {
    let app = app().await;
    let tenant = tenant();
    seed(
        &app,
        &tenant,
        &[("d1", "dispatcher", "de", Some("+41 79 123 45 67"))],
    )
    .await;
    assert_eq!(deliver(&app, &tenant, &late_event("late-1")).await, 204);
    let mut sent = notifications(&app, &tenant).await;
    sent.sort_by_key(|n| n.entity.channel);
    let channels: Vec<Channel> = sent.iter().map(|n| n.entity.channel).collect();
    assert_eq!(channels, [Channel::Sms, Channel::InApp]);
    let sms = &sent[0].entity;
    assert_eq!(sms.status, NotificationStatus::Sent, "{:?}", sms.reason);
    assert_eq!(sms.address, "+41791234567");
    // Twilio's answer (the description's example) names the message.
    assert!(
        sms.provider_id
            .as_deref()
            .is_some_and(|sid| sid.starts_with("SM"))
    );
    assert_eq!(
        sms.text,
        "cleanops: Ana Muster nicht eingecheckt in Seefeld (Fenster endete 18:00)."
    );
    assert_eq!(sent[1].entity.status, NotificationStatus::Sent);
    assert!(sent[1].entity.unread);
}

#[tokio::test]
async fn a_request_twilios_description_refuses_fails_the_notification_for_good() {
    // An account SID Twilio's description does not allow: the mock answers 4xx, as Twilio
    // would for a request it cannot take, and nothing is retried.
    let broken = Twilio::new(
        &peers::twilio_mock(),
        "ACnot-a-sid",
        Credential::new(AUTH_TOKEN.into()),
        FROM,
        None,
    );
    match broken.send("+41791234567", "hello", None).await {
        SendOutcome::Permanent(reason) => assert!(reason.starts_with("Twilio 4"), "{reason}"),
        other => panic!("a permanent failure, not {other:?}"),
    }
}

#[tokio::test]
async fn the_mock_checks_what_cleanops_sends_against_twilios_description() {
    // What the worker sends passes: the same call with the status callback is taken.
    let outcome = twilio()
        .send(
            "+41791234567",
            "cleanops: bitte WC 1 in Seefeld bis 10:00 reinigen.",
            twilio().status_callback("acme", "k123"),
        )
        .await;
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
}

#[tokio::test]
async fn a_number_that_replied_stop_gets_no_sms_but_still_the_rest() {
    let app = app().await;
    let tenant = tenant();
    seed(
        &app,
        &tenant,
        &[("d1", "dispatcher", "de", Some("+41791234567"))],
    )
    .await;
    let system =
        domain::store::TenantStore::new(app.state.store.clone(), domain::TenantId::system());
    system
        .commit(
            vec![create(
                platform::notify::SMS_OPT_OUTS,
                &platform::notify::sms_opt_out_id("+41791234567"),
                json!({"optedOutAt": "2026-12-01T10:00:00Z"}),
            )],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(deliver(&app, &tenant, &late_event("late-stop")).await, 204);
    let sent = notifications(&app, &tenant).await;
    let sms = sent
        .iter()
        .find(|n| n.entity.channel == Channel::Sms)
        .unwrap();
    assert_eq!(sms.entity.status, NotificationStatus::Failed);
    assert_eq!(
        sms.entity.reason.as_deref(),
        Some("the recipient opted out of SMS (STOP)")
    );
    let in_app = sent
        .iter()
        .find(|n| n.entity.channel == Channel::InApp)
        .unwrap();
    assert_eq!(in_app.entity.status, NotificationStatus::Sent);
}

/// Preferences for d1 with quiet hours from an hour ago to an hour from now (her zone) and
/// `channels`, and the tenant's `settings` if given.
async fn quiet_now(
    app: &platform::testing::TestApp,
    tenant: &str,
    channels: serde_json::Value,
    settings: Option<serde_json::Value>,
) {
    let local = |d: Duration| {
        (app.clock.now() + d)
            .with_timezone(&chrono_tz::Europe::Zurich)
            .format("%H:%M")
            .to_string()
    };
    let quiet = json!({"from": local(-Duration::hours(1)), "to": local(Duration::hours(1))});
    let mut writes = vec![create(
        "notificationPreferences",
        "d1",
        json!({"channels": channels, "quietHours": quiet}),
    )];
    if let Some(settings) = settings {
        writes.push(create("notificationSettings", "tenant", settings));
    }
    write(app, tenant, writes).await;
}

#[tokio::test]
async fn quiet_hours_hold_an_sms_until_they_end_and_the_sweep_sends_it() {
    let app = app().await;
    let tenant = tenant();
    seed(
        &app,
        &tenant,
        &[("d1", "dispatcher", "de", Some("+41791234567"))],
    )
    .await;
    quiet_now(&app, &tenant, json!({}), None).await;
    assert_eq!(deliver(&app, &tenant, &late_event("late-quiet")).await, 204);
    let held = notifications(&app, &tenant).await;
    let sms = held
        .iter()
        .find(|n| n.entity.channel == Channel::Sms)
        .unwrap();
    assert_eq!(sms.entity.status, NotificationStatus::Queued);
    assert_eq!(
        sms.entity.reason.as_deref(),
        Some("waits for the end of quiet hours")
    );
    // The in-app message does not wait: it makes no sound.
    let in_app = held
        .iter()
        .find(|n| n.entity.channel == Channel::InApp)
        .unwrap();
    assert_eq!(in_app.entity.status, NotificationStatus::Sent);
    assert_eq!(sweep(&app, &tenant).await, 204);
    let still = notifications(&app, &tenant).await;
    assert!(
        still
            .iter()
            .any(|n| n.entity.status == NotificationStatus::Queued)
    );
    app.clock.advance(Duration::minutes(61));
    assert_eq!(sweep(&app, &tenant).await, 204);
    let after = notifications(&app, &tenant).await;
    let sms = after
        .iter()
        .find(|n| n.entity.channel == Channel::Sms)
        .unwrap();
    assert_eq!(
        sms.entity.status,
        NotificationStatus::Sent,
        "{:?}",
        sms.entity.reason
    );
}

#[tokio::test]
async fn urgent_events_pass_quiet_hours_where_the_tenant_allows_it() {
    let app = app().await;
    let tenant = tenant();
    seed(
        &app,
        &tenant,
        &[("d1", "dispatcher", "de", Some("+41791234567"))],
    )
    .await;
    let bypass = json!({"inspectionThresholdPercent": 80.0, "urgentBypassesQuietHours": true,
        "lateAlertsToCustomers": false});
    quiet_now(&app, &tenant, json!({"cleanerLate": ["sms"]}), Some(bypass)).await;
    assert_eq!(
        deliver(&app, &tenant, &late_event("late-urgent")).await,
        204
    );
    let sent = notifications(&app, &tenant).await;
    assert_eq!(sent.len(), 1, "her choice: SMS only");
    assert_eq!(sent[0].entity.status, NotificationStatus::Sent);
}
