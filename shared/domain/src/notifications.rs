//! Notifications: what an event tells whom, on which channel, when, and how far it got.
//!
//! A function that has news publishes a [`NotificationEvent`] on the `notifications` topic;
//! it never sends. The notifications worker resolves its [`Audience`] to recipients, picks
//! their channels from their [`NotificationPreferences`], and records one [`Notification`]
//! per event, recipient and channel (its id says so, so a redelivered event records none
//! twice), then sends it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike as _, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::identity::{Language, Role};
use crate::time::TimeZone;
use crate::validation::{Fields, ValidationErrors, parse_enum};
use crate::{Entity, UserId};

/// How a notification reaches its recipient.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Channel {
    Sms,
    Email,
    InApp,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Email, Channel::InApp];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::InApp => "inApp",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["sms", "email", "inApp"])
    }
}

/// What happened.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// A cleaner not checked in by the end of a stop's window.
    CleanerLate,
    /// A visit checked out as skipped or not accessible.
    VisitSkipped,
    /// An inspection scored below the tenant's threshold.
    InspectionFailed,
    /// A plan was activated: a cleaner's new week.
    PlanActivated,
    /// Sensors made a room's cleaning due.
    DemandCleaning,
    Invitation,
    PasswordReset,
    InvoiceIssued,
    /// A new post on a site's message board.
    BoardPost,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::CleanerLate,
        EventKind::VisitSkipped,
        EventKind::InspectionFailed,
        EventKind::PlanActivated,
        EventKind::DemandCleaning,
        EventKind::Invitation,
        EventKind::PasswordReset,
        EventKind::InvoiceIssued,
        EventKind::BoardPost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CleanerLate => "cleanerLate",
            EventKind::VisitSkipped => "visitSkipped",
            EventKind::InspectionFailed => "inspectionFailed",
            EventKind::PlanActivated => "planActivated",
            EventKind::DemandCleaning => "demandCleaning",
            EventKind::Invitation => "invitation",
            EventKind::PasswordReset => "passwordReset",
            EventKind::InvoiceIssued => "invoiceIssued",
            EventKind::BoardPost => "boardPost",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
        parse_enum(raw, &names)
    }

    /// Urgent events may pass quiet hours, if the tenant allows it.
    pub fn urgent(self) -> bool {
        matches!(self, EventKind::CleanerLate | EventKind::DemandCleaning)
    }

    /// Events that carry a one-time link: sent at once whatever the hour (the person just
    /// asked for it), and never shown whole to anyone but the recipient.
    pub fn carries_secret(self) -> bool {
        matches!(self, EventKind::Invitation | EventKind::PasswordReset)
    }

    /// The channels a recipient gets this kind on until she chooses her own.
    pub fn default_channels(self) -> &'static [Channel] {
        match self {
            EventKind::CleanerLate => &[Channel::Sms, Channel::InApp],
            EventKind::DemandCleaning => &[Channel::Sms, Channel::InApp],
            EventKind::VisitSkipped | EventKind::InspectionFailed => {
                &[Channel::Email, Channel::InApp]
            }
            EventKind::PlanActivated => &[Channel::Email, Channel::InApp],
            EventKind::Invitation | EventKind::PasswordReset | EventKind::InvoiceIssued => {
                &[Channel::Email]
            }
            EventKind::BoardPost => &[Channel::InApp],
        }
    }

    /// The channels she may choose from: an invitation or an invoice goes by email, as the
    /// law and the link need; a board post lives in the app.
    pub fn allowed_channels(self) -> &'static [Channel] {
        match self {
            EventKind::Invitation | EventKind::PasswordReset | EventKind::InvoiceIssued => {
                &[Channel::Email]
            }
            _ => &Channel::ALL,
        }
    }
}

/// Who an event is for, as the function that raises it knows them; the worker resolves
/// each to people with addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "type"
)]
pub enum Audience {
    /// One user of the tenant (by her user id; a cleaner's is her cleaner id).
    User { user_id: UserId },
    /// Every active admin and dispatcher of the tenant.
    Dispatchers,
    /// Every active user of one customer.
    Customer { customer_id: String },
    /// Someone who is no user (yet): an invitee, a customer's invoice address.
    Address {
        email: String,
        name: String,
        language: Language,
    },
}

/// What a notification says: its kind and the facts its templates are filled with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Message {
    #[serde(rename_all = "camelCase")]
    CleanerLate {
        cleaner_name: String,
        site_name: String,
        /// The end of the missed window.
        window_end: DateTime<Utc>,
        stops: u32,
    },
    #[serde(rename_all = "camelCase")]
    VisitSkipped {
        cleaner_name: String,
        site_name: String,
        area_name: String,
        /// `skipped` or `not-accessible`.
        status: String,
        reason: Option<String>,
        at: DateTime<Utc>,
    },
    #[serde(rename_all = "camelCase")]
    InspectionFailed {
        site_name: String,
        date: NaiveDate,
        score_percent: f64,
        threshold_percent: f64,
    },
    #[serde(rename_all = "camelCase")]
    PlanActivated { week_start: NaiveDate, stops: u32 },
    #[serde(rename_all = "camelCase")]
    DemandCleaning {
        site_name: String,
        area_name: String,
        due_by: DateTime<Utc>,
    },
    #[serde(rename_all = "camelCase")]
    Invitation {
        company: String,
        role: Role,
        expires_at: DateTime<Utc>,
    },
    #[serde(rename_all = "camelCase")]
    PasswordReset { expires_at: DateTime<Utc> },
    #[serde(rename_all = "camelCase")]
    InvoiceIssued {
        company: String,
        number: String,
        /// The amount due, formatted with its currency (`CHF 1,234.50`).
        total: String,
        due_date: NaiveDate,
    },
    #[serde(rename_all = "camelCase")]
    BoardPost {
        site_name: String,
        author: String,
        thread: String,
        excerpt: String,
    },
}

impl Audience {
    /// The tenant's dispatchers and, if the site has one, its customer's users: who hears
    /// of what happens at a site.
    pub fn site(customer_id: Option<&str>) -> Vec<Audience> {
        let mut to = vec![Audience::Dispatchers];
        if let Some(customer_id) = customer_id {
            to.push(Audience::Customer {
                customer_id: customer_id.to_owned(),
            });
        }
        to
    }
}

impl Message {
    pub fn kind(&self) -> EventKind {
        match self {
            Message::CleanerLate { .. } => EventKind::CleanerLate,
            Message::VisitSkipped { .. } => EventKind::VisitSkipped,
            Message::InspectionFailed { .. } => EventKind::InspectionFailed,
            Message::PlanActivated { .. } => EventKind::PlanActivated,
            Message::DemandCleaning { .. } => EventKind::DemandCleaning,
            Message::Invitation { .. } => EventKind::Invitation,
            Message::PasswordReset { .. } => EventKind::PasswordReset,
            Message::InvoiceIssued { .. } => EventKind::InvoiceIssued,
            Message::BoardPost { .. } => EventKind::BoardPost,
        }
    }
}

/// A file sent with a notification (an invoice's PDF): a document's key in the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub blob_key: String,
    pub file_name: String,
    pub media_type: String,
}

/// The payload of the `notifications` topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationEvent {
    /// Deterministic per happening (`visit:{id}`): a repeated publish is the same event.
    pub id: String,
    pub to: Vec<Audience>,
    pub message: Message,
    /// Whose time zone the message's times are told in; the tenant's if none.
    #[serde(default)]
    pub time_zone: Option<TimeZone>,
    /// Where the recipient acts on it (the cockpit's page, an invitation's link).
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub attachment: Option<Attachment>,
    /// The site it is about: its board post, its late cleaner.
    #[serde(default)]
    pub site_id: Option<String>,
    /// Who is not told though an audience holds her (the author of a board post).
    #[serde(default)]
    pub not_to: Option<UserId>,
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum NotificationStatus {
    /// Waiting to be sent: now, after quiet hours, or after a transient failure.
    Queued,
    /// Handed to a sender that has not answered yet.
    Sending,
    /// The provider took it (an in-app message is sent when stored).
    Sent,
    /// The provider confirmed delivery to the phone or the mailbox.
    Delivered,
    /// It will not be sent, or could not be delivered: `reason` says why.
    Failed,
}

impl NotificationStatus {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["queued", "sending", "sent", "delivered", "failed"])
    }
}

/// One message to one recipient on one channel. Its id is a UUIDv7 (newest last); a key
/// document per event, recipient and channel, created in the same commit, keeps it unique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub event_id: String,
    pub kind: EventKind,
    pub channel: Channel,
    /// The recipient's user id, if she is a user: her in-app messages are read by it.
    pub user_id: Option<UserId>,
    pub recipient_name: String,
    /// The phone number (E.164) or email address; the user id for in-app.
    pub address: String,
    pub language: Language,
    pub subject: String,
    /// The plain text (the SMS, the email's text part, the in-app message).
    pub text: String,
    pub link: Option<String>,
    pub attachment: Option<Attachment>,
    pub site_id: Option<String>,
    pub status: NotificationStatus,
    /// Why it failed or waits.
    pub reason: Option<String>,
    /// Sending attempts so far.
    pub attempts: u32,
    /// Not sent before this (quiet hours, a retry's backoff); stored to the millisecond in
    /// UTC, so it orders as text.
    #[serde(serialize_with = "millis")]
    pub not_before: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The provider's id (Twilio's message SID, the email's Message-ID).
    pub provider_id: Option<String>,
    /// An in-app message not read yet.
    pub unread: bool,
    /// Whose inbox an in-app message is in (her user id): the inbox's one equality.
    pub inbox: Option<String>,
}

fn millis<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::meta::format_timestamp(at))
}

impl Entity for Notification {
    const COLLECTION: &'static str = "notifications";
    const KIND: &'static str = "notification";

    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "notifications are made by the events of other functions, never written by a client",
        ))
    }
}

/// The most attempts at a transient failure before a notification is given up.
pub const MAX_ATTEMPTS: u32 = 6;

/// How long to wait after the `attempt`th transient failure: 1, 2, 4, 8, 16 minutes.
pub fn backoff(attempt: u32) -> Duration {
    Duration::minutes(1 << attempt.saturating_sub(1).min(5))
}

/// Hours in which a recipient is not disturbed, in her time zone; `from` after `to` spans
/// midnight (22:00 to 07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "22:00")]
    pub from: NaiveTime,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, example = "07:00")]
    pub to: NaiveTime,
}

/// A time of day as people write it: `22:00`.
mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        super::parse_time(&raw).map_err(serde::de::Error::custom)
    }
}

impl QuietHours {
    /// The first instant at or after `at` outside the quiet hours in `zone`.
    pub fn next_allowed(&self, at: DateTime<Utc>, zone: &TimeZone) -> DateTime<Utc> {
        let local = at.with_timezone(&zone.0);
        let time = local.time();
        let quiet = if self.from <= self.to {
            time >= self.from && time < self.to
        } else {
            time >= self.from || time < self.to
        };
        if !quiet || self.from == self.to {
            return at;
        }
        let date = if self.from > self.to && time >= self.from {
            local.date_naive() + Duration::days(1)
        } else {
            local.date_naive()
        };
        let minutes = i64::from(self.to.hour() * 60 + self.to.minute());
        crate::calendars::local_instant(zone.0, date, crate::time::LocalTime::from_minutes(minutes))
            .with_timezone(&Utc)
    }
}

/// One user's choices: channels per event kind (the defaults where she chose none), quiet
/// hours, and the zone they are in. Its id is her user id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPreferences {
    #[serde(default)]
    pub channels: BTreeMap<EventKind, Vec<Channel>>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// Her zone for the quiet hours; the tenant's if none.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Europe/Zurich")]
    pub time_zone: Option<TimeZone>,
}

impl NotificationPreferences {
    pub const COLLECTION: &'static str = "notificationPreferences";

    pub fn channels_for(&self, kind: EventKind) -> Vec<Channel> {
        self.channels
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| kind.default_channels().to_vec())
    }

    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &["id", "version", "createdAt", "updatedAt"])?;
        let channels = f.optional_object("channels", |c| {
            let mut out = BTreeMap::new();
            for kind in EventKind::ALL {
                let Some(list) = c.optional_parsed_list(kind.as_str(), 3, Channel::parse) else {
                    continue;
                };
                let mut list: Vec<Channel> = list;
                list.sort();
                list.dedup();
                if let Some(bad) = list.iter().find(|c| !kind.allowed_channels().contains(c)) {
                    c.error(
                        kind.as_str(),
                        format!("{} cannot go by {}", kind.as_str(), bad.as_str()),
                    );
                    continue;
                }
                out.insert(kind, list);
            }
            Some(out)
        });
        let quiet_hours = f.optional_object("quietHours", |q| {
            let from = q.required_parsed("from", parse_time);
            let to = q.required_parsed("to", parse_time);
            Some(QuietHours {
                from: from?,
                to: to?,
            })
        });
        let time_zone = f.optional_parsed("timeZone", |raw| raw.parse::<TimeZone>());
        f.finish(|| {
            Some(NotificationPreferences {
                channels: channels.unwrap_or_default(),
                quiet_hours,
                time_zone,
            })
        })
    }
}

fn parse_time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .map_err(|_| "must be a time of day such as 22:00".to_owned())
}

/// The tenant's rules for notifications; one document, version 0 until first set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    /// An inspection scoring below this tells the dispatchers and the customer.
    pub inspection_threshold_percent: f64,
    /// Whether urgent events (a no-show, a demand cleaning) pass a recipient's quiet hours.
    pub urgent_bypasses_quiet_hours: bool,
    /// Whether a customer's users are told of a late cleaner at their sites (the contract's
    /// service level says so).
    pub late_alerts_to_customers: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            inspection_threshold_percent: 80.0,
            urgent_bypasses_quiet_hours: false,
            late_alerts_to_customers: false,
        }
    }
}

impl NotificationSettings {
    pub const COLLECTION: &'static str = "notificationSettings";
    pub const ID: &'static str = "tenant";

    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &["id", "version", "createdAt", "updatedAt"])?;
        let threshold = f.required_f64("inspectionThresholdPercent", 0.0..=100.0);
        let bypass = f.optional_bool("urgentBypassesQuietHours");
        let customers = f.optional_bool("lateAlertsToCustomers");
        f.finish(|| {
            Some(NotificationSettings {
                inspection_threshold_percent: threshold?,
                urgent_bypasses_quiet_hours: bypass.unwrap_or(false),
                late_alerts_to_customers: customers.unwrap_or(false),
            })
        })
    }
}

/// When a notification to a recipient with `preferences` may go out, from `now`.
pub fn send_at(
    kind: EventKind,
    preferences: &NotificationPreferences,
    settings: &NotificationSettings,
    zone: &TimeZone,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let passes = kind.carries_secret() || (kind.urgent() && settings.urgent_bypasses_quiet_hours);
    match (&preferences.quiet_hours, passes) {
        (Some(quiet), false) => {
            quiet.next_allowed(now, preferences.time_zone.as_ref().unwrap_or(zone))
        }
        _ => now,
    }
}

/// A phone number as Twilio takes it: `+` and 8 to 15 digits (E.164), spaces and dashes
/// dropped.
pub fn e164(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '/'))
        .collect();
    let rest = digits.strip_prefix('+')?;
    (rest.len() >= 8 && rest.len() <= 15 && rest.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn zurich() -> TimeZone {
        "Europe/Zurich".parse().unwrap()
    }

    fn quiet() -> QuietHours {
        QuietHours {
            from: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        }
    }

    #[test]
    fn quiet_hours_across_midnight_wait_for_the_morning_in_the_recipients_zone() {
        // 23:30 in Zurich (UTC+1 in December) waits for 07:00 the next day.
        let late = Utc.with_ymd_and_hms(2026, 12, 7, 22, 30, 0).unwrap();
        assert_eq!(
            quiet().next_allowed(late, &zurich()),
            Utc.with_ymd_and_hms(2026, 12, 8, 6, 0, 0).unwrap()
        );
        // 05:00 waits for 07:00 the same day; 12:00 goes at once.
        let early = Utc.with_ymd_and_hms(2026, 12, 8, 4, 0, 0).unwrap();
        assert_eq!(
            quiet().next_allowed(early, &zurich()),
            Utc.with_ymd_and_hms(2026, 12, 8, 6, 0, 0).unwrap()
        );
        let noon = Utc.with_ymd_and_hms(2026, 12, 8, 11, 0, 0).unwrap();
        assert_eq!(quiet().next_allowed(noon, &zurich()), noon);
    }

    #[test]
    fn urgent_events_pass_quiet_hours_only_where_the_tenant_allows_it() {
        let night = Utc.with_ymd_and_hms(2026, 12, 7, 23, 0, 0).unwrap();
        let preferences = NotificationPreferences {
            quiet_hours: Some(quiet()),
            ..Default::default()
        };
        let mut settings = NotificationSettings::default();
        let morning = Utc.with_ymd_and_hms(2026, 12, 8, 6, 0, 0).unwrap();
        let at = |kind, s: &NotificationSettings| send_at(kind, &preferences, s, &zurich(), night);
        assert_eq!(at(EventKind::CleanerLate, &settings), morning);
        settings.urgent_bypasses_quiet_hours = true;
        assert_eq!(at(EventKind::CleanerLate, &settings), night);
        assert_eq!(at(EventKind::PlanActivated, &settings), morning);
        // A reset link is asked for now: it never waits.
        assert_eq!(at(EventKind::PasswordReset, &settings), night);
    }

    #[test]
    fn preferences_name_the_channel_a_kind_cannot_take() {
        let body = serde_json::json!({"channels": {"invoiceIssued": ["sms"], "cleanerLate": ["inApp", "sms", "sms"]},
            "quietHours": {"from": "22:00", "to": "7"}});
        let e = NotificationPreferences::parse(&body).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["channels.invoiceIssued", "quietHours.to"]);
        let ok = NotificationPreferences::parse(
            &serde_json::json!({"channels": {"cleanerLate": ["inApp", "sms", "sms"]}}),
        )
        .unwrap();
        assert_eq!(
            ok.channels_for(EventKind::CleanerLate),
            [Channel::Sms, Channel::InApp]
        );
        assert_eq!(ok.channels_for(EventKind::InvoiceIssued), [Channel::Email]);
    }

    #[test]
    fn backoff_doubles_up_to_a_limit_and_numbers_become_e164() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(3), Duration::minutes(4));
        assert_eq!(backoff(40), Duration::minutes(32));
        assert_eq!(e164("+41 79 123 45 67").as_deref(), Some("+41791234567"));
        assert_eq!(e164("079 123 45 67"), None);
        assert_eq!(e164("+41 79x"), None);
    }
}
