use chrono::Utc;
use domain::identity::Language;
use domain::notifications::{Channel, EventKind, Notification, NotificationStatus};
use domain::store::Write;
use notifications::TwilioWebhooks;
use platform::Role;
use platform::crud::entity_fields;
use platform::notify::Credential;
use platform::testing::{TestApp, create, spawn_app};
use serde_json::json;

pub const AUTH_TOKEN: &str = "twilio-webhook-test-token";

pub async fn app() -> TestApp {
    spawn_app(
        notifications::router_with(TwilioWebhooks {
            auth_token: Some(Credential::new(AUTH_TOKEN.into())),
        }),
        Default::default(),
    )
    .await
}

pub fn planner(app: &TestApp, tenant: &str) -> String {
    app.token(tenant, Role::Dispatcher)
}

/// A cleaner's token: her user id is `user`.
pub fn cleaner(app: &TestApp, tenant: &str, user: &str) -> String {
    app.token_of(tenant, user, Role::Cleaner, None)
}

/// A notification as the worker records it, for `user` on `channel`.
pub fn notification(user: &str, channel: Channel, kind: EventKind) -> Notification {
    Notification {
        event_id: format!("e-{user}"),
        kind,
        channel,
        user_id: Some(domain::UserId::parse(user).unwrap()),
        recipient_name: format!("User {user}"),
        address: match channel {
            Channel::Sms => "+41791234567".into(),
            Channel::Email => format!("{user}@acme.test"),
            Channel::InApp => user.into(),
        },
        language: Language::De,
        subject: "Betreff".into(),
        text: "Text".into(),
        link: Some("https://app.cleanops.test/accept-invitation#token=secret".into()),
        attachment: None,
        site_id: None,
        status: NotificationStatus::Sent,
        reason: None,
        attempts: 1,
        not_before: Utc::now(),
        sent_at: Some(Utc::now()),
        delivered_at: None,
        provider_id: Some("SM0123".into()),
        unread: channel == Channel::InApp,
        inbox: (channel == Channel::InApp).then(|| user.to_owned()),
    }
}

/// Stores `notifications` under the given ids in `tenant`.
pub async fn store(app: &TestApp, tenant: &str, notifications: &[(&str, Notification)]) {
    let writes: Vec<Write> = notifications
        .iter()
        .map(|(id, n)| Write::Create {
            collection: "notifications",
            id: (*id).into(),
            fields: entity_fields(n).unwrap(),
        })
        .collect();
    commit(app, tenant, writes).await;
}

pub async fn commit(app: &TestApp, tenant: &str, writes: Vec<Write>) {
    app.data_of(&planner(app, tenant))
        .store()
        .commit(writes, Utc::now())
        .await
        .expect("stored");
}

/// A site `id` of customer `customer`, and a user per `(id, role)`.
pub async fn site(app: &TestApp, tenant: &str, id: &str, customer: Option<&str>) {
    let mut site = json!({"name": format!("Site {id}"), "address": {"street": "S 1", "city": "Zürich",
        "country": "CH"}, "location": {"lat": 47.37, "lng": 8.54}, "timeZone": "Europe/Zurich",
        "accessHours": []});
    if let Some(customer) = customer {
        site["customerId"] = json!(customer);
    }
    commit(app, tenant, vec![create("sites", id, site)]).await;
}
