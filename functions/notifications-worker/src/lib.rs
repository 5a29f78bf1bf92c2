//! The `notifications-worker`: sends what other functions raise.
//!
//! - `/push/notifications`: one [`NotificationEvent`] per message. Its recipients are
//!   resolved, each gets one notification per channel her preferences choose (rendered in
//!   her language, times in the site's zone), recorded once, and sent unless quiet hours
//!   hold it. A transient failure asks Pub/Sub for a redelivery (503) after the
//!   notification's backoff.
//! - `/push/notification-sweep`: every 15 minutes per tenant (the fan-out), what is due
//!   now: messages held by quiet hours, and retries.
//!
//! # Layout
//! - [`senders`]: Twilio (SMS) and SMTP (email) adapters, configured from the environment;
//!   unconfigured, messages stay in the outbox.
//! - [`recipients`]: from an event's audience to people with addresses.
//! - [`outbox`]: recording, claiming and sending notifications, and the sweep.

pub mod outbox;
pub mod recipients;
pub mod senders;

use domain::notifications::NotificationEvent;
use domain::store::Write;
use platform::push::PushJob;
use platform::routes::Routes;
use platform::{BackgroundJob, JobError};
use serde::{Deserialize, Serialize};

pub use senders::Senders;

/// The worker's routes with the senders its environment configures.
pub fn router() -> Routes {
    let senders = match Senders::from_env() {
        Ok(senders) => senders,
        Err(e) => {
            // A misconfigured sender must not pass unnoticed, nor send anything.
            tracing::error!("notification senders misconfigured, outbox only: {e}");
            Senders::default()
        }
    };
    router_with(senders)
}

/// The worker's routes sending through `senders`.
pub fn router_with(senders: Senders) -> Routes {
    platform::job::route::<Deliver>()
        .merge(platform::job::route::<Sweep>())
        .with_service(senders)
}

/// One event to notify.
#[derive(Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Deliver(pub NotificationEvent);

impl BackgroundJob for Deliver {
    const NAME: &'static str = platform::notify::TOPIC;

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        let senders = senders(run);
        let data = run.data();
        let context = outbox::Context::load(data).await?;
        let notifications = outbox::notifications_of(data, &context, &self.0).await?;
        let ids = outbox::record(data, notifications).await?;
        let mut retry = false;
        for id in &ids {
            if let outbox::Sent::WillRetry = outbox::send(run, &senders, id).await? {
                retry = true;
            }
        }
        if retry {
            // Redelivered with Pub/Sub's backoff; what is not due yet then waits for the
            // sweep.
            return Err(JobError::Retry(
                "a provider failed for now; the notification is queued again".into(),
            ));
        }
        Ok(Vec::new())
    }
}

/// Sends what has become due.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Sweep {}

impl BackgroundJob for Sweep {
    const NAME: &'static str = "notification-sweep";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        let sent = outbox::sweep(run, &senders(run)).await?;
        if sent > 0 {
            tracing::info!(sent, "due notifications sent");
        }
        Ok(Vec::new())
    }
}

fn senders(run: &PushJob) -> Senders {
    run.service::<Senders>().cloned().unwrap_or_default()
}

/// Every query the worker makes, for the index declarations.
pub fn queries() -> Vec<domain::store::Query> {
    use domain::store::Filter;
    vec![
        outbox::due_query(chrono::Utc::now()),
        recipients::user_query(Filter::eq("role", "admin")),
        recipients::user_query(Filter::eq("customerId", "c")),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn declared_firestore_indexes_serve_the_sweep_and_the_audiences() {
        store::indexes::assert_served(super::queries());
    }
}
