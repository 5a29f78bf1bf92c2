//! The outbox: an event's notifications recorded once, then each sent by the one delivery
//! that claims its attempt.
//!
//! - **Recording**: a notification's key is its event's, recipient's and channel's; the key's
//!   document is created in the commit that creates the notification (never overwritten), so
//!   a redelivered or parallel event records nothing twice. The notification's own id is a
//!   UUIDv7: the outbox and the inbox list by it, newest first, without an index of their own.
//! - **Claiming**: attempt *n* of a notification is a document `{id}-{n}` created together
//!   with the notification's move to `sending`; of two deliveries only one creates it, so
//!   one sends.
//! - **Outcome**: sent (with the provider's id), queued again after a transient failure
//!   (backoff; failed after [`MAX_ATTEMPTS`]), or failed with the reason.

use chrono::{DateTime, Utc};
use domain::Entity;
use domain::identity::{Language, TenantSettings};
use domain::notifications::{
    Channel, MAX_ATTEMPTS, Notification, NotificationEvent, NotificationPreferences,
    NotificationSettings, NotificationStatus, backoff, send_at,
};
use domain::store::{Direction, Filter, FilterOp, Query, StoreError, Write};
use domain::time::TimeZone;
use platform::crud::{Stored, entity_fields, key_id};
use platform::push::PushJob;
use platform::{JobError, TenantData};

use crate::recipients;
use crate::senders::{Email, SendOutcome, Senders};

/// The collection of claimed attempts.
pub const ATTEMPTS: &str = "notificationAttempts";
/// One document per event, recipient and channel, naming its notification.
pub const KEYS: &str = "notificationKeys";
/// The most due notifications one sweep sends.
pub const SWEEP_LIMIT: usize = 200;

/// The key of the notification of `event` to `person` on `channel`.
pub fn notification_key(event: &str, person: &str, channel: Channel) -> String {
    key_id(&["notification", event, person, channel.as_str()])
}

/// What every notification of an event needs from the tenant.
pub struct Context {
    pub settings: NotificationSettings,
    pub tenant: Option<TenantSettings>,
}

impl Context {
    pub async fn load(data: &TenantData) -> Result<Self, JobError> {
        let settings = platform::demand::read::<NotificationSettings>(
            data,
            NotificationSettings::COLLECTION,
            NotificationSettings::ID,
        )
        .await?
        .map(|(_, s)| s)
        .unwrap_or_default();
        let tenant = data
            .repo::<TenantSettings>()
            .find(TenantSettings::ID)
            .await?
            .map(|s| s.entity);
        Ok(Self { settings, tenant })
    }

    fn zone(&self, event: &NotificationEvent) -> TimeZone {
        event
            .time_zone
            .or_else(|| self.tenant.as_ref().map(|t| t.time_zone))
            .unwrap_or_else(|| "Europe/Zurich".parse().expect("a zone"))
    }
}

/// The notifications `event` makes: per person, per channel her preferences choose and she
/// has an address for, rendered in her language.
pub async fn notifications_of(
    data: &TenantData,
    context: &Context,
    event: &NotificationEvent,
) -> Result<Vec<(String, Notification)>, JobError> {
    let mut audience = event.to.clone();
    if event.message.kind() == domain::notifications::EventKind::CleanerLate
        && context.settings.late_alerts_to_customers
        && let Some(site) = &event.site_id
        && let Some(site) = data.repo::<domain::sites::Site>().find(site).await?
        && let Some(customer_id) = site.entity.customer_id
    {
        audience.push(domain::notifications::Audience::Customer { customer_id });
    }
    let mut people = recipients::resolve(data, &audience).await?;
    if let Some(skipped) = &event.not_to {
        people.retain(|p| p.user_id.as_ref() != Some(skipped));
    }
    let zone = context.zone(event);
    let kind = event.message.kind();
    let now = data.now();
    let mut out = Vec::new();
    for person in people {
        let preferences = match &person.user_id {
            Some(user) => platform::demand::read::<NotificationPreferences>(
                data,
                NotificationPreferences::COLLECTION,
                user.as_str(),
            )
            .await?
            .map(|(_, p)| p)
            .unwrap_or_default(),
            None => NotificationPreferences::default(),
        };
        let rendered = messages::render(
            &event.message,
            person.language,
            &zone,
            event.link.as_deref(),
        );
        let not_before = send_at(kind, &preferences, &context.settings, &zone, now);
        // An invitation, a reset link and an invoice go by email whatever she chose.
        let channels = if kind.allowed_channels() == [Channel::Email] {
            vec![Channel::Email]
        } else {
            preferences.channels_for(kind)
        };
        for channel in channels {
            let address = match channel {
                Channel::Sms => person.phone.clone(),
                Channel::Email => person.email.clone(),
                Channel::InApp => person.user_id.as_ref().map(|u| u.to_string()),
            };
            let Some(address) = address else { continue };
            let text = match channel {
                Channel::Sms => rendered.sms.clone(),
                _ => rendered.text.clone(),
            };
            let in_app = channel == Channel::InApp;
            let notification = Notification {
                event_id: event.id.clone(),
                kind,
                channel,
                user_id: person.user_id.clone(),
                recipient_name: person.name.clone(),
                address,
                language: person.language,
                subject: rendered.subject.clone(),
                text,
                link: event.link.clone(),
                attachment: event
                    .attachment
                    .clone()
                    .filter(|_| channel == Channel::Email),
                site_id: event.site_id.clone(),
                status: NotificationStatus::Queued,
                reason: (not_before > now).then(|| "waits for the end of quiet hours".to_owned()),
                attempts: 0,
                // An in-app message is shown at once; it is only the phone that stays quiet.
                not_before: if in_app { now } else { not_before },
                sent_at: None,
                delivered_at: None,
                provider_id: None,
                unread: in_app,
                inbox: in_app
                    .then(|| person.user_id.as_ref().map(|u| u.to_string()))
                    .flatten(),
            };
            out.push((
                notification_key(&event.id, &person.key(), channel),
                notification,
            ));
        }
    }
    Ok(out)
}

/// Records each of `notifications` (by key) that is not recorded yet; the ids of all of them.
pub async fn record(
    data: &TenantData,
    notifications: Vec<(String, Notification)>,
) -> Result<Vec<String>, JobError> {
    let mut ids = Vec::with_capacity(notifications.len());
    for (key, notification) in notifications {
        let id = platform::crud::new_id();
        // The key first: a commit applied write by write (the emulator's) stops there.
        let writes = vec![
            Write::Create {
                collection: KEYS,
                id: key.clone(),
                fields: entity_fields(&serde_json::json!({"notificationId": id}))?,
            },
            Write::Create {
                collection: Notification::COLLECTION,
                id: id.clone(),
                fields: entity_fields(&notification)?,
            },
        ];
        match data.store().commit(writes, data.now()).await {
            Ok(_) => ids.push(id),
            Err(StoreError::AlreadyExists { .. }) => {
                let recorded = data.store().get(KEYS, &key).await?;
                if let Some(id) = recorded
                    .as_ref()
                    .and_then(|k| k.fields.get("notificationId"))
                    .and_then(serde_json::Value::as_str)
                {
                    ids.push(id.to_owned());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ids)
}

/// Whether a send failed for now and waits for a retry.
pub enum Sent {
    Done,
    Skipped,
    WillRetry,
}

/// Sends notification `id` if it is queued and due, and this delivery claims its attempt.
pub async fn send(run: &PushJob, senders: &Senders, id: &str) -> Result<Sent, JobError> {
    let data = run.data();
    let Some(stored) = data.repo::<Notification>().find(id).await? else {
        return Ok(Sent::Skipped);
    };
    let now = data.now();
    let n = &stored.entity;
    if n.status != NotificationStatus::Queued || n.not_before > now {
        return Ok(Sent::Skipped);
    }
    let attempt = n.attempts + 1;
    let mut claimed = n.clone();
    claimed.status = NotificationStatus::Sending;
    claimed.attempts = attempt;
    claimed.reason = None;
    let claim = vec![
        Write::Create {
            collection: ATTEMPTS,
            id: format!("{id}-{attempt}"),
            fields: entity_fields(&serde_json::json!({"notificationId": id, "attempt": attempt}))?,
        },
        Write::Update {
            collection: Notification::COLLECTION,
            id: id.to_owned(),
            expected_version: stored.meta.version,
            fields: entity_fields(&claimed)?,
        },
    ];
    match data.store().commit(claim, now).await {
        Ok(_) => {}
        // Another delivery claimed it: it sends.
        Err(StoreError::AlreadyExists { .. } | StoreError::VersionMismatch { .. }) => {
            return Ok(Sent::Skipped);
        }
        Err(e) => return Err(e.into()),
    }
    let outcome = deliver(run, senders, id, &claimed).await;
    let now = data.now();
    let mut done = claimed;
    let result = match outcome {
        SendOutcome::Sent { provider_id } => {
            done.status = NotificationStatus::Sent;
            done.sent_at = Some(now);
            done.provider_id = Some(provider_id);
            Sent::Done
        }
        SendOutcome::Transient(reason) if attempt < MAX_ATTEMPTS => {
            tracing::warn!(
                notification = id,
                attempt,
                reason,
                "send failed; will retry"
            );
            done.status = NotificationStatus::Queued;
            done.not_before = now + backoff(attempt);
            done.reason = Some(reason);
            Sent::WillRetry
        }
        SendOutcome::Transient(reason) | SendOutcome::Permanent(reason) => {
            tracing::warn!(notification = id, attempt, reason, "send failed for good");
            done.status = NotificationStatus::Failed;
            done.reason = Some(reason);
            Sent::Done
        }
        SendOutcome::OptedOut => {
            done.status = NotificationStatus::Failed;
            done.reason = Some("the recipient opted out of SMS (STOP)".into());
            Sent::Done
        }
    };
    finish(data, id, done).await?;
    Ok(result)
}

/// Writes a send's outcome over the claim. A status callback may have come first (the
/// provider is quick): it said more, so its status stays.
async fn finish(data: &TenantData, id: &str, done: Notification) -> Result<(), JobError> {
    for _ in 0..3 {
        let Some(current) = data.repo::<Notification>().find(id).await? else {
            return Ok(());
        };
        let mut next = done.clone();
        if current.entity.status == NotificationStatus::Delivered
            || (current.entity.status == NotificationStatus::Failed
                && current.entity.delivered_at.is_none()
                && current.entity.sent_at.is_some())
        {
            next.status = current.entity.status;
            next.reason = current.entity.reason.clone();
            next.delivered_at = current.entity.delivered_at;
        }
        let write = Write::Update {
            collection: Notification::COLLECTION,
            id: id.to_owned(),
            expected_version: current.meta.version,
            fields: entity_fields(&next)?,
        };
        match data.store().commit(vec![write], data.now()).await {
            Ok(_) => return Ok(()),
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(JobError::Retry(format!(
        "notification {id}: its outcome lost three races"
    )))
}

async fn deliver(run: &PushJob, senders: &Senders, id: &str, n: &Notification) -> SendOutcome {
    match n.channel {
        // Stored is delivered: the cockpit reads it.
        Channel::InApp => SendOutcome::Sent {
            provider_id: "in-app".into(),
        },
        Channel::Sms => {
            match opted_out(run, &n.address).await {
                Ok(true) => return SendOutcome::OptedOut,
                Ok(false) => {}
                Err(e) => return SendOutcome::Transient(e.to_string()),
            }
            match &senders.sms {
                Some(twilio) => {
                    let callback = twilio.status_callback(run.message.tenant.as_str(), id);
                    twilio.send(&n.address, &n.text, callback).await
                }
                None => SendOutcome::Sent {
                    provider_id: LOCAL_OUTBOX.into(),
                },
            }
        }
        Channel::Email => match &senders.email {
            Some(smtp) => {
                let attachment = match &n.attachment {
                    None => None,
                    Some(a) => match read_attachment(run, &a.blob_key).await {
                        Ok(bytes) => Some((a.file_name.clone(), a.media_type.clone(), bytes)),
                        Err(reason) => return SendOutcome::Transient(reason),
                    },
                };
                let rendered = messages::Rendered {
                    language: n.language,
                    subject: n.subject.clone(),
                    text: n.text.clone(),
                    sms: String::new(),
                    link: if n.kind.carries_secret() || n.link.is_some() {
                        n.link.clone()
                    } else {
                        None
                    },
                    footer: messages::footer(n.kind, n.language),
                    open_label: messages::open_label(n.language),
                };
                let unsubscribe = (!n.kind.carries_secret())
                    .then(|| n.link.as_deref().and_then(origin))
                    .flatten()
                    .map(|origin| format!("{origin}/settings/notifications"));
                smtp.send(Email {
                    to: &n.address,
                    to_name: &n.recipient_name,
                    language: language_tag(n.language),
                    subject: &n.subject,
                    text: rendered.text_part(),
                    html: rendered.html(),
                    unsubscribe,
                    attachment,
                    message_id: format!("<{id}@{}>", smtp.domain()),
                })
                .await
            }
            None => SendOutcome::Sent {
                provider_id: LOCAL_OUTBOX.into(),
            },
        },
    }
}

/// The provider id of a message kept in the outbox because no provider is configured.
pub const LOCAL_OUTBOX: &str = "local-outbox";

fn origin(link: &str) -> Option<&str> {
    let rest = link.split_once("://")?.1;
    let end = rest
        .find('/')
        .map_or(link.len(), |i| link.len() - rest.len() + i);
    Some(&link[..end])
}

pub fn language_tag(language: Language) -> &'static str {
    match language {
        Language::De => "de",
        Language::En => "en",
        Language::Fr => "fr",
        Language::It => "it",
    }
}

async fn read_attachment(run: &PushJob, key: &str) -> Result<Vec<u8>, String> {
    let bucket = run
        .bucket()
        .ok_or_else(|| "no bucket: set documents in the worker's catalog entry".to_owned())?;
    let info = bucket
        .stat(key)
        .await
        .map_err(|e| format!("the attachment cannot be read: {e}"))?
        .ok_or_else(|| format!("the attachment {key} is not in the bucket yet"))?;
    bucket
        .read_head(key, info.size)
        .await
        .map_err(|e| format!("the attachment cannot be read: {e}"))
}

async fn opted_out(run: &PushJob, phone: &str) -> Result<bool, JobError> {
    Ok(run
        .platform_scope()
        .get(
            platform::notify::SMS_OPT_OUTS,
            &platform::notify::sms_opt_out_id(phone),
        )
        .await?
        .is_some())
}

/// Queued notifications whose time has come, oldest first; a run takes up to
/// [`SWEEP_LIMIT`] (a backlog beyond that waits for the next runs).
pub fn due_query(now: DateTime<Utc>) -> Query {
    Query::new(Notification::COLLECTION)
        .filter(Filter::eq("status", "queued"))
        .filter(Filter::new(
            "notBefore",
            FilterOp::Le,
            domain::meta::format_timestamp(&now),
        ))
        .order_by("notBefore", Direction::Asc)
        .limit(SWEEP_LIMIT)
}

/// Sends what is due (after quiet hours, or a retry's backoff); how many were sent.
pub async fn sweep(run: &PushJob, senders: &Senders) -> Result<usize, JobError> {
    let data = run.data();
    let page = data.store().query(&due_query(data.now())).await?;
    let mut sent = 0;
    for doc in page.documents {
        let stored = Stored::<Notification>::from_document(doc)?;
        if let Sent::Done = send(run, senders, &stored.meta.id).await? {
            sent += 1;
        }
    }
    Ok(sent)
}
