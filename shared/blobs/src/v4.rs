//! V4 signed URLs checked the way Cloud Storage checks them (GOOG4-RSA-SHA256): the request
//! is put back into canonical form, hashed into the string that was signed, and the
//! signature verified with the signer's public key; then the expiry.
//!
//! The local store's server refuses every request this refuses, and the tests run every URL
//! an adapter hands out through it (fake-gcs-server checks no signature).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::keys::PublicKey;

/// Why a signed request is refused; Cloud Storage answers these with 400 or 403.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the query parameter {0} is missing")]
    Missing(&'static str),
    #[error("the query parameter {0} is malformed")]
    Malformed(&'static str),
    #[error("the signed header {0} was not sent")]
    HeaderNotSent(String),
    #[error("the URL was signed by someone else")]
    WrongSigner,
    #[error("the URL expired at {0}")]
    Expired(DateTime<Utc>),
    #[error("the URL is not valid before {0}")]
    NotYetValid(DateTime<Utc>),
    #[error("the signature does not match the request")]
    BadSignature,
}

/// A request as it arrived: the path and query exactly as sent (still percent-encoded).
pub struct Presented<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a http::HeaderMap,
}

/// What a valid signature grants.
#[derive(Debug, PartialEq, Eq)]
pub struct Grant {
    /// The headers whose values the signer fixed (lower case).
    pub signed_headers: Vec<String>,
    /// The query parameters, decoded (the signature itself left out).
    pub query: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// The longest validity Cloud Storage accepts: seven days.
const MAX_EXPIRES_SECONDS: i64 = 7 * 24 * 60 * 60;
/// Clocks disagree a little; a URL stamped this far in the future still counts.
const CLOCK_SKEW_SECONDS: i64 = 60;

/// Query values are signed percent-encoded except for the unreserved characters (and `*`,
/// which the signer's form encoding leaves alone).
const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'*');

/// Checks `request` against `key` at `now`.
pub fn verify(
    request: &Presented<'_>,
    key: &PublicKey,
    now: DateTime<Utc>,
) -> Result<Grant, Refusal> {
    let mut query = BTreeMap::new();
    for pair in request.query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |raw: &str| {
            percent_decode_str(raw)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| Refusal::Malformed("(query)"))
        };
        if query.insert(decode(name)?, decode(value)?).is_some() {
            return Err(Refusal::Malformed("(a parameter given twice)"));
        }
    }
    let signature = query
        .remove("X-Goog-Signature")
        .ok_or(Refusal::Missing("X-Goog-Signature"))?;
    let param = |name: &'static str| query.get(name).ok_or(Refusal::Missing(name));
    if param("X-Goog-Algorithm")? != "GOOG4-RSA-SHA256" {
        return Err(Refusal::Malformed("X-Goog-Algorithm"));
    }
    let stamp = param("X-Goog-Date")?;
    let signed_at = NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .map_err(|_| Refusal::Malformed("X-Goog-Date"))?
        .and_utc();
    let expires: i64 = param("X-Goog-Expires")?
        .parse()
        .ok()
        .filter(|s| (1..=MAX_EXPIRES_SECONDS).contains(s))
        .ok_or(Refusal::Malformed("X-Goog-Expires"))?;
    let scope = format!("{}/auto/storage/goog4_request", &stamp[..8]);
    let credential = param("X-Goog-Credential")?;
    let (email, credential_scope) = credential
        .split_once('/')
        .ok_or(Refusal::Malformed("X-Goog-Credential"))?;
    if credential_scope != scope {
        return Err(Refusal::Malformed("X-Goog-Credential"));
    }
    if email != key.client_email() {
        return Err(Refusal::WrongSigner);
    }
    let signed_headers: Vec<String> = param("X-Goog-SignedHeaders")?
        .split(';')
        .map(str::to_owned)
        .collect();
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(Refusal::Malformed("X-Goog-SignedHeaders"));
    }

    let canonical_query = query
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, QUERY_ENCODE),
                utf8_percent_encode(value, QUERY_ENCODE)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in &signed_headers {
        let value = header_value(request.headers, name)
            .ok_or_else(|| Refusal::HeaderNotSent(name.clone()))?;
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let payload = match signed_headers.iter().any(|h| h == "x-goog-content-sha256") {
        true => header_value(request.headers, "x-goog-content-sha256").unwrap_or_default(),
        false => "UNSIGNED-PAYLOAD".to_owned(),
    };
    let canonical_request = [
        request.method,
        request.path,
        &canonical_query,
        &canonical_headers,
        &signed_headers.join(";"),
        &payload,
    ]
    .join("\n");
    let string_to_sign = [
        "GOOG4-RSA-SHA256",
        stamp,
        &scope,
        &hex::encode(Sha256::digest(canonical_request.as_bytes())),
    ]
    .join("\n");
    let signature = hex::decode(&signature).map_err(|_| Refusal::BadSignature)?;
    if !key.verifies(string_to_sign.as_bytes(), &signature) {
        return Err(Refusal::BadSignature);
    }

    let expires_at = signed_at + chrono::Duration::seconds(expires);
    if now >= expires_at {
        return Err(Refusal::Expired(expires_at));
    }
    if signed_at > now + chrono::Duration::seconds(CLOCK_SKEW_SECONDS) {
        return Err(Refusal::NotYetValid(signed_at));
    }
    Ok(Grant {
        signed_headers,
        query,
        expires_at,
    })
}

/// A header's canonical value: tabs as spaces, runs of spaces as one, trimmed. `host` is
/// signed without its port (the signer drops it; Cloud Storage never has one).
fn header_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    let all: Vec<&str> = headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().ok())
        .collect::<Option<_>>()?;
    if all.is_empty() {
        return None;
    }
    let joined = all.join(",");
    let value = if name == "host" {
        strip_port(&joined).to_owned()
    } else {
        joined
    };
    Some(
        value
            .replace('\t', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()]);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_dropped_from_hosts() {
        assert_eq!(strip_port("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(
            strip_port("storage.googleapis.com"),
            "storage.googleapis.com"
        );
        assert_eq!(strip_port("[::1]:9000"), "[::1]");
    }
}
