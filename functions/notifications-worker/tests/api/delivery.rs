use domain::notifications::{Channel, NotificationStatus};
use platform::testing::peers::received_mail;

use crate::helpers::*;

#[tokio::test]
async fn twenty_parallel_deliveries_of_one_event_send_it_once() {
    let app = app().await;
    let tenant = tenant();
    seed(
        &app,
        &tenant,
        &[
            ("d1", "dispatcher", "de", None),
            ("d2", "admin", "en", None),
        ],
    )
    .await;
    let mut event = late_event("late-parallel");
    // Email and in-app: the email is counted where it arrives.
    event.message = domain::notifications::Message::InspectionFailed {
        site_name: "Seefeld".into(),
        date: "2026-12-07".parse().unwrap(),
        score_percent: 61.0,
        threshold_percent: 80.0,
    };
    let envelope = envelope(&tenant, &event, chrono::Utc::now());
    let statuses = push_at_once(&app, &envelope, 20).await;
    assert!(statuses.iter().all(|s| *s == 204), "{statuses:?}");
    for user in ["d1", "d2"] {
        assert_eq!(
            received_mail(&address(user, &tenant)).await.len(),
            1,
            "{user}: one email"
        );
    }
    let sent = notifications(&app, &tenant).await;
    assert_eq!(sent.len(), 4, "two people, two channels each");
    assert!(
        sent.iter()
            .all(|n| n.entity.status == NotificationStatus::Sent && n.entity.attempts == 1)
    );
    let attempts = data(&app, &tenant)
        .store()
        .query_all(domain::store::Query::new("notificationAttempts"))
        .await
        .unwrap();
    assert_eq!(attempts.len(), 4, "one claimed attempt each");
}

#[tokio::test]
async fn a_later_redelivery_records_and_sends_nothing_new() {
    let app = app().await;
    let tenant = tenant();
    seed(&app, &tenant, &[("d1", "dispatcher", "de", None)]).await;
    let mut event = late_event("late-again");
    event.message = domain::notifications::Message::InspectionFailed {
        site_name: "Seefeld".into(),
        date: "2026-12-07".parse().unwrap(),
        score_percent: 61.0,
        threshold_percent: 80.0,
    };
    assert_eq!(deliver(&app, &tenant, &event).await, 204);
    // Published again by a retried request: a new message of the same event.
    let again = envelope(
        &tenant,
        &event,
        chrono::Utc::now() + chrono::Duration::seconds(5),
    );
    assert_eq!(
        app.push(&app.pusher(), "/push/notifications", &again).await,
        204
    );
    assert_eq!(received_mail(&address("d1", &tenant)).await.len(), 1);
    assert_eq!(notifications(&app, &tenant).await.len(), 2);
}

#[tokio::test]
async fn recipients_without_an_address_for_a_channel_get_the_others() {
    let app = app().await;
    let tenant = tenant();
    // No phone: the late alert comes in the app only.
    seed(&app, &tenant, &[("d1", "dispatcher", "it", None)]).await;
    assert_eq!(
        deliver(&app, &tenant, &late_event("late-nophone")).await,
        204
    );
    let sent = notifications(&app, &tenant).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].entity.channel, Channel::InApp);
    assert_eq!(
        sent[0].entity.subject,
        "Ana Muster non ha fatto il check-in a Seefeld"
    );
}

/// Pushes `envelope` `times` times at once, over separate connections; the statuses.
async fn push_at_once(
    app: &platform::testing::TestApp,
    envelope: &serde_json::Value,
    times: usize,
) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..times {
        let (url, token, body) = (
            app.url("/push/notifications"),
            app.pusher(),
            envelope.clone(),
        );
        tasks.spawn(async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    tasks.join_all().await
}
