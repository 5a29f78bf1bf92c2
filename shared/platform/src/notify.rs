//! Raising a notification: a function publishes a [`NotificationEvent`] on the
//! `notifications` topic and the notifications worker does the rest (recipients, channels,
//! quiet hours, sending, retries). Nothing here sends.
//!
//! The event's id is deterministic per happening, and is the message's subject: a repeated
//! publish (a retried request) is one event, and the worker records each notification once.

use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::notifications::NotificationEvent;
use domain::publish::Publisher;

/// The topic, and the worker's job name.
pub const TOPIC: &str = "notifications";

/// SMS opt-outs (STOP), in the platform's scope: a number that opted out gets no tenant's
/// SMS.
pub const SMS_OPT_OUTS: &str = "smsOptOuts";

/// The id of `phone`'s opt-out.
pub fn sms_opt_out_id(phone: &str) -> String {
    crate::crud::key_id(&["sms-opt-out", phone])
}

/// The subject attribute of `event`'s message: an id made of the event's id (128 bits of
/// its hash: short enough for the job record's and the local topic's document ids).
pub fn subject(event: &NotificationEvent) -> String {
    let key = crate::crud::key_id(&["notification-event", &event.id]);
    format!("e{}", &key[1..23])
}

/// Publishes `event` for `tenant`. What raised it has happened already (it is committed), so
/// a failure to publish is logged as an error and not the caller's: the request succeeded.
pub async fn publish(
    publisher: Option<&dyn Publisher>,
    tenant: &TenantId,
    event: &NotificationEvent,
    now: DateTime<Utc>,
) {
    let Some(publisher) = publisher else {
        tracing::error!(
            event = %event.id,
            "no publisher: list the notifications topic in the function's catalog entry"
        );
        return;
    };
    let payload = match serde_json::to_value(event) {
        Ok(payload) => payload,
        Err(e) => {
            tracing::error!(event = %event.id, error = %e, "notification event not serialisable");
            return;
        }
    };
    let message = crate::job::message(TOPIC, tenant, &now, Some(&subject(event)), &payload);
    if let Err(e) = publisher.publish(TOPIC, vec![message]).await {
        tracing::error!(event = %event.id, error = %e, "notification event not published");
    }
}

/// Twilio's signature of a request it sends: base64 of the HMAC-SHA1, keyed with the
/// account's auth token, of the full URL followed by each POST parameter's name and value,
/// sorted by name.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    use base64::Engine as _;
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut signed = url.to_owned();
    for (name, value) in sorted {
        signed.push_str(name);
        signed.push_str(value);
    }
    let key = aws_lc_rs::hmac::Key::new(
        aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        auth_token.as_bytes(),
    );
    let tag = aws_lc_rs::hmac::sign(&key, signed.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

/// Whether `given` is Twilio's signature of the request (compared in constant time).
pub fn twilio_signature_valid(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    given: &str,
) -> bool {
    let expected = twilio_signature(auth_token, url, params);
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok()
}

/// A credential read from Secret Manager: never printed, whatever logs it.
#[derive(Clone)]
pub struct Credential(String);

impl Credential {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of Twilio's own library tests (twilio-ruby's `request_validator_spec.rb`).
    #[test]
    fn twilio_signature_matches_twilios_own_test_vector() {
        let params: Vec<(String, String)> = [
            ("ToState", "California"),
            ("CalledState", "California"),
            ("Direction", "inbound"),
            ("FromState", "CA"),
            ("AccountSid", "ACba8bc05eacf94afdae398e642c9cc32d"),
            ("Caller", "+14153595711"),
            ("CallerZip", "94108"),
            ("CallerCountry", "US"),
            ("From", "+14153595711"),
            ("FromCity", "SAN FRANCISCO"),
            ("CallerCity", "SAN FRANCISCO"),
            ("To", "+14157669926"),
            ("FromZip", "94108"),
            ("FromCountry", "US"),
            ("ToCity", ""),
            ("CallStatus", "ringing"),
            ("CalledCity", ""),
            ("CallerState", "CA"),
            ("CalledZip", ""),
            ("ToZip", ""),
            ("ToCountry", "US"),
            ("CallSid", "CA136d09cd59a3c0ec8dbff44da5c03f31"),
            ("CalledCountry", "US"),
            ("Called", "+14157669926"),
            ("ApiVersion", "2010-04-01"),
            ("ApplicationSid", "AP44efecad51364e80b133bb7c07eb8204"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let token = "2bd9e9638872de601313dc77410d3b23";
        let url = "http://twiliotests.heroku.com/validate/voice";
        let expected = "oVb2kXoVy8GEfwBDjR8bk/ZZ6eA=";
        assert_eq!(twilio_signature(token, url, &params), expected);
        assert!(twilio_signature_valid(token, url, &params, expected));
        assert!(!twilio_signature_valid(token, url, &params[1..], expected));
        assert!(!twilio_signature_valid(
            token,
            &format!("{url}?x=1"),
            &params,
            expected
        ));
        assert_eq!(
            format!("{:?}", Credential::new("s3cret".into())),
            "Credential(redacted)"
        );
    }
}
