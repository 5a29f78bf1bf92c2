use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::Clock as _;
use domain::notifications::{Audience, Message, Notification, NotificationEvent};
use domain::store::{Query, Write};
use notifications_worker::Senders;
use notifications_worker::senders::{Smtp, Twilio};
use platform::Role;
use platform::crud::Stored;
use platform::notify::Credential;
use platform::testing::{TestApp, create, peers, spawn_app};
use serde_json::json;

/// A Twilio account SID as Twilio's description requires (`AC` and 32 hex digits).
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "twilio-test-auth-token-7f3a";
pub const FROM: &str = "+41445550100";
/// Where callbacks are said to go (nothing listens: Prism does not call back).
pub const PUBLIC_URL: &str = "https://api.cleanops.test";

pub fn twilio() -> Twilio {
    Twilio::new(
        &peers::twilio_mock(),
        ACCOUNT_SID,
        Credential::new(AUTH_TOKEN.into()),
        FROM,
        Some(PUBLIC_URL.into()),
    )
}

pub fn smtp() -> Smtp {
    let (address, _) = peers::smtp_sink();
    Smtp::new(
        &format!("smtp://{address}"),
        None,
        None,
        "cleanops <noreply@cleanops.test>",
    )
    .expect("an SMTP transport")
}

/// The worker sending SMS to the Twilio mock and email to the SMTP server.
pub async fn app() -> TestApp {
    app_with(Senders {
        sms: Some(Arc::new(twilio())),
        email: Some(Arc::new(smtp())),
    })
    .await
}

pub async fn app_with(senders: Senders) -> TestApp {
    spawn_app(
        notifications_worker::router_with(senders),
        Default::default(),
    )
    .await
}

/// A tenant name unique to the test: the SMTP server is shared, so addresses carry it.
pub fn tenant() -> String {
    format!("t{}", uuid_like())
}

fn uuid_like() -> String {
    platform::crud::new_id().replace('-', "")[16..].to_owned()
}

/// Seeds the tenant's settings (Zurich, German) and one user per `(id, role, language,
/// phone)`; her address is `{id}@{tenant}.test`.
pub async fn seed(app: &TestApp, tenant: &str, users: &[(&str, &str, &str, Option<&str>)]) {
    let mut writes = vec![create(
        "settings",
        "tenant",
        json!({"name": "Acme Reinigung", "timeZone": "Europe/Zurich", "language": "de",
            "country": "CH", "currency": "CHF"}),
    )];
    for (id, role, language, phone) in users {
        let mut user = json!({"email": format!("{id}@{tenant}.test"), "name": format!("User {id}"),
            "language": language, "role": role, "active": true, "sessionGeneration": 0});
        if let Some(phone) = phone {
            user["phone"] = json!(phone);
        }
        writes.push(create("users", id, user));
    }
    data(app, tenant)
        .store()
        .commit(writes, Utc::now())
        .await
        .expect("seeded");
}

pub fn data(app: &TestApp, tenant: &str) -> platform::TenantData {
    app.data_of(&app.token(tenant, Role::Admin))
}

pub fn address(id: &str, tenant: &str) -> String {
    format!("{id}@{tenant}.test")
}

/// A cleaner-late event for the tenant's dispatchers.
pub fn late_event(id: &str) -> NotificationEvent {
    NotificationEvent {
        id: id.into(),
        to: vec![Audience::Dispatchers],
        message: Message::CleanerLate {
            cleaner_name: "Ana Muster".into(),
            site_name: "Seefeld".into(),
            window_end: "2026-12-07T17:00:00Z".parse().unwrap(),
            stops: 3,
        },
        time_zone: Some("Europe/Zurich".parse().unwrap()),
        link: None,
        attachment: None,
        site_id: None,
        not_to: None,
    }
}

/// Pushes `event` to the worker as Pub/Sub would; the status answered.
pub async fn deliver(app: &TestApp, tenant: &str, event: &NotificationEvent) -> u16 {
    let envelope = envelope(tenant, event, Utc::now());
    app.push(&app.pusher(), "/push/notifications", &envelope)
        .await
}

pub fn envelope(tenant: &str, event: &NotificationEvent, at: DateTime<Utc>) -> serde_json::Value {
    platform::testing::job_envelope(
        "notifications",
        tenant,
        at,
        &serde_json::to_value(event).unwrap(),
    )
}

/// Runs the sweep (what is due now) for `tenant`.
pub async fn sweep(app: &TestApp, tenant: &str) -> u16 {
    let envelope =
        platform::testing::job_envelope("notification-sweep", tenant, app.clock.now(), &json!({}));
    app.push(&app.pusher(), "/push/notification-sweep", &envelope)
        .await
}

/// The tenant's notifications.
pub async fn notifications(app: &TestApp, tenant: &str) -> Vec<Stored<Notification>> {
    data(app, tenant)
        .store()
        .query_all(Query::new("notifications"))
        .await
        .unwrap()
        .into_iter()
        .map(|d| Stored::from_document(d).unwrap())
        .collect()
}

pub async fn write(app: &TestApp, tenant: &str, writes: Vec<Write>) {
    data(app, tenant)
        .store()
        .commit(writes, Utc::now())
        .await
        .expect("written");
}
