//! Failed logins, counted per account (its email, whether or not it exists) and per client
//! address, in the store so that every instance sees them. Past a threshold each further
//! failure doubles the wait before the next attempt (429 with `Retry-After`); a success
//! clears the account's count, and counts fade an hour after the last failure.

use chrono::{DateTime, Duration, Utc};
use domain::identity::Email;
use domain::store::{TenantStore, Write};
use platform::ApiError;
use platform::crud::{entity_fields, key_id};
use serde::{Deserialize, Serialize};

pub const FAILURES: &str = "loginFailures";

/// Free attempts per account before the waits start (OWASP: lock out after a few failures).
pub const ACCOUNT_THRESHOLD: u32 = 5;
/// Per client address: an office behind one address has many people.
pub const ADDRESS_THRESHOLD: u32 = 20;
/// The first wait; each further failure doubles it, up to [`MAX_WAIT_SECONDS`].
pub const FIRST_WAIT_SECONDS: i64 = 30;
pub const MAX_WAIT_SECONDS: i64 = 3600;
/// A count is forgotten this long after its last failure.
const FORGET_AFTER: Duration = Duration::hours(1);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Failures {
    count: u32,
    last_failure: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locked_until: Option<DateTime<Utc>>,
}

/// Sign-ups one client address may make in an hour before the waits start.
pub const SIGNUP_THRESHOLD: u32 = 5;

/// The counters one attempt touches.
pub struct Counters {
    keys: Vec<(String, u32)>,
    /// What is counted, for the 429's message.
    what: &'static str,
}

impl Counters {
    pub fn new(email: &Email, address: Option<&str>) -> Self {
        let mut keys = vec![(
            key_id(&["login-account", email.as_str()]),
            ACCOUNT_THRESHOLD,
        )];
        if let Some(address) = address {
            keys.push((key_id(&["login-address", address]), ADDRESS_THRESHOLD));
        }
        Self {
            keys,
            what: "failed logins",
        }
    }

    /// The sign-ups of one client address (none counted without one: the local cloud).
    pub fn sign_ups(address: Option<&str>) -> Self {
        let keys = address
            .map(|a| (key_id(&["signup-address", a]), SIGNUP_THRESHOLD))
            .into_iter()
            .collect();
        Self {
            keys,
            what: "sign-ups from this address",
        }
    }

    /// 429 while any counter is locked; else whether the first counter holds a count (so a
    /// success has one to clear).
    pub async fn check(&self, system: &TenantStore, now: DateTime<Utc>) -> Result<bool, ApiError> {
        let ids: Vec<String> = self.keys.iter().map(|(id, _)| id.clone()).collect();
        if ids.is_empty() {
            return Ok(false);
        }
        let found = system.get_many(FAILURES, &ids).await?;
        let counted = found.iter().any(|doc| doc.meta.id == ids[0]);
        let wait = found
            .iter()
            .filter_map(|doc| read(doc).ok()?.locked_until)
            .map(|until| (until - now).num_seconds())
            .max()
            .unwrap_or(0);
        if wait > 0 {
            return Err(ApiError::TooManyRequests {
                detail: format!("too many {}: try again in {wait} s", self.what),
                retry_after: wait as u64,
            });
        }
        Ok(counted)
    }

    /// Counts one more failed login (or sign-up) on every counter.
    pub async fn count(&self, system: &TenantStore, now: DateTime<Utc>) -> Result<(), ApiError> {
        for (id, threshold) in &self.keys {
            count_failure(system, id, *threshold, now).await?;
        }
        Ok(())
    }

    /// Clears the account's count (the address keeps its own: one success must not wash a
    /// guessing address clean).
    pub async fn succeeded(
        &self,
        system: &TenantStore,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let (id, _) = &self.keys[0];
        let write = Write::Delete {
            collection: FAILURES,
            id: id.clone(),
            expected_version: None,
        };
        system.commit(vec![write], now).await?;
        Ok(())
    }
}

fn read(doc: &domain::store::Document) -> Result<Failures, ApiError> {
    serde_json::from_value(serde_json::Value::Object(doc.fields.clone()))
        .map_err(ApiError::internal)
}

/// The wait after the `count`th failure: none up to the threshold, then 30 s, 60 s, ...
pub fn wait_after(count: u32, threshold: u32) -> Option<Duration> {
    let over = count.checked_sub(threshold)?;
    let seconds = FIRST_WAIT_SECONDS.saturating_mul(1 << over.min(20));
    Some(Duration::seconds(seconds.min(MAX_WAIT_SECONDS)))
}

async fn count_failure(
    system: &TenantStore,
    id: &str,
    threshold: u32,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    for _ in 0..5 {
        let current = system.get(FAILURES, id).await?;
        let previous = current
            .as_ref()
            .map(read)
            .transpose()?
            .filter(|f| now - f.last_failure < FORGET_AFTER);
        let count = previous.map_or(0, |f| f.count).saturating_add(1);
        let failures = Failures {
            count,
            last_failure: now,
            locked_until: wait_after(count, threshold).map(|wait| now + wait),
        };
        let write = Write::upsert(
            FAILURES,
            id,
            current.as_ref().map(|d| &d.meta),
            entity_fields(&failures)?,
        );
        match system.commit(vec![write], now).await {
            Err(e) if e.is_precondition_failure() => continue,
            other => return other.map(|_| ()).map_err(ApiError::from),
        }
    }
    // Lost to other failures counting at once: they were counted.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_past_the_threshold_up_to_an_hour() {
        let waits: Vec<_> = (4..=8)
            .map(|n| wait_after(n, 5).map(|d| d.num_seconds()))
            .collect();
        assert_eq!(waits, [None, Some(30), Some(60), Some(120), Some(240)]);
        assert_eq!(wait_after(40, 5).unwrap().num_seconds(), MAX_WAIT_SECONDS);
    }
}
