//! Device API keys: `Authorization: Bearer co_<prefix>_<secret>`. The identity function
//! makes them; every function accepts them, but only on the routes the key's scopes name
//! (403 elsewhere). A key's credential (its tenant, the secret's hash and the scopes) lives in
//! the platform's own scope under its prefix, so one read finds it; what the tenant's admins
//! see of it (`apiKeys`) lives in the tenant.
//!
//! Verified credentials are remembered for [`REMEMBER`] (a revoked key stops within that
//! long), and the key's `lastUsedAt` is written at most once an hour per instance.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use domain::identity::{ApiKey, ApiScope};
use domain::store::{TenantStore, Write};
use domain::{Entity, TenantId, UserId};
use serde::{Deserialize, Serialize};

use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::runtime::AppState;
use crate::secrets::{digest, same_digest};

/// The credentials of every key, by prefix, in the platform's scope.
pub const CREDENTIALS: &str = "apiKeyCredentials";
/// What every key starts with, so a secret scanner (and a reader) knows one when it sees it.
pub const KEY_PREFIX: &str = "co_";
/// The length of a key's prefix: 12 lower-case letters and digits.
pub const PREFIX_CHARS: usize = 12;
/// How long a verified credential is remembered.
pub const REMEMBER: Duration = Duration::seconds(60);
/// How often a key's `lastUsedAt` is written (per instance).
const LAST_USE_EVERY: Duration = Duration::hours(1);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    pub tenant: String,
    pub secret_hash: String,
    pub scopes: Vec<ApiScope>,
}

/// A presented key, split.
pub struct PresentedKey<'a> {
    pub prefix: &'a str,
    pub secret: &'a str,
}

impl<'a> PresentedKey<'a> {
    /// `co_<prefix>_<secret>`, or None for anything else (a JWT).
    pub fn parse(raw: &'a str) -> Option<Self> {
        let rest = raw.strip_prefix(KEY_PREFIX)?;
        let (prefix, secret) = (rest.get(..PREFIX_CHARS)?, rest.get(PREFIX_CHARS..)?);
        let secret = secret.strip_prefix('_')?;
        let prefix_ok = prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        (prefix_ok && secret.len() == 43).then_some(Self { prefix, secret })
    }
}

/// A new key: its prefix and the whole key, shown once.
pub fn new_key() -> (String, String, String) {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; PREFIX_CHARS];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random generator");
    let prefix: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    let secret = crate::secrets::random_secret();
    let key = format!("{KEY_PREFIX}{prefix}_{secret}");
    (prefix, digest(&secret), key)
}

/// Credentials verified lately, by prefix.
#[derive(Default)]
pub struct ApiKeyCache(Mutex<HashMap<String, Remembered>>);

#[derive(Clone)]
struct Remembered {
    credential: Option<Credential>,
    fetched: DateTime<Utc>,
    last_use_written: Option<DateTime<Utc>>,
}

/// The most credentials remembered per instance.
const REMEMBERED: usize = 10_000;

impl ApiKeyCache {
    fn get(&self, prefix: &str, now: DateTime<Utc>) -> Option<Remembered> {
        let cache = self.0.lock().ok()?;
        cache
            .get(prefix)
            .filter(|r| now - r.fetched < REMEMBER)
            .cloned()
    }

    fn put(&self, prefix: &str, remembered: Remembered) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= REMEMBERED {
                cache.clear();
            }
            cache.insert(prefix.to_owned(), remembered);
        }
    }
}

/// The caller a key stands for on `method path`: 401 for an unknown or revoked key, 403 for a
/// route its scopes do not name.
pub async fn authenticate(
    state: &AppState,
    presented: &PresentedKey<'_>,
    method: &str,
    path: &str,
) -> Result<Caller, ApiError> {
    let now = state.clock.now();
    let remembered = match state.api_keys.get(presented.prefix, now) {
        Some(remembered) => remembered,
        None => {
            let system = TenantStore::new(state.store.clone(), TenantId::system());
            let credential = system
                .get(CREDENTIALS, presented.prefix)
                .await?
                .map(|doc| serde_json::from_value(serde_json::Value::Object(doc.fields)))
                .transpose()
                .map_err(ApiError::internal)?;
            let previous = state
                .api_keys
                .0
                .lock()
                .ok()
                .and_then(|c| c.get(presented.prefix).and_then(|r| r.last_use_written));
            let remembered = Remembered {
                credential,
                fetched: now,
                last_use_written: previous,
            };
            state.api_keys.put(presented.prefix, remembered.clone());
            remembered
        }
    };
    let unknown = || ApiError::Unauthenticated("the API key is unknown or revoked".into());
    let credential = remembered.credential.as_ref().ok_or_else(unknown)?;
    if !same_digest(&digest(presented.secret), &credential.secret_hash) {
        return Err(unknown());
    }
    let tenant = TenantId::parse_external(&credential.tenant).map_err(ApiError::internal)?;
    if !credential.scopes.iter().any(|s| s.allows(method, path)) {
        let scopes: Vec<String> = credential
            .scopes
            .iter()
            .filter_map(|s| serde_json::to_value(s).ok()?.as_str().map(str::to_owned))
            .collect();
        return Err(ApiError::Forbidden(format!(
            "this API key's scopes ({}) do not cover {method} {path}",
            scopes.join(", ")
        )));
    }
    if remembered
        .last_use_written
        .is_none_or(|at| now - at >= LAST_USE_EVERY)
    {
        let mut written = remembered.clone();
        written.last_use_written = Some(now);
        state.api_keys.put(presented.prefix, written);
        tokio::spawn(record_use(
            TenantStore::new(state.store.clone(), tenant.clone()),
            presented.prefix.to_owned(),
            now,
        ));
    }
    tracing::Span::current().record("tenant", tenant.as_str());
    Ok(Caller {
        tenant,
        user: UserId::parse(&format!("apikey-{}", presented.prefix)).map_err(ApiError::internal)?,
        // The scopes confine it to reads of a few collections (or to ingest): within those,
        // it reads what the company's own people read.
        role: Role::Dispatcher,
        customer: None,
    })
}

/// Writes a key's `lastUsedAt`; a failure only loses the timestamp.
async fn record_use(store: TenantStore, prefix: String, now: DateTime<Utc>) {
    let Ok(Some(doc)) = store.get(ApiKey::COLLECTION, &prefix).await else {
        return;
    };
    let mut fields = doc.fields;
    fields.insert("lastUsedAt".into(), serde_json::json!(now));
    let write = Write::Update {
        collection: ApiKey::COLLECTION,
        id: prefix,
        expected_version: doc.meta.version,
        fields,
    };
    if let Err(e) = store.commit(vec![write], now).await {
        tracing::debug!(error = %e, "an API key's last use was not recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_parses_back_to_its_prefix_and_secret() {
        let (prefix, hash, key) = new_key();
        let presented = PresentedKey::parse(&key).expect("a key");
        assert_eq!(presented.prefix, prefix);
        assert_eq!(digest(presented.secret), hash);
        for bad in [
            "co_short_x",
            "eyJhbGciOi.x.y",
            "co_ABCDEFGHIJKL_",
            &key[..key.len() - 1],
        ] {
            assert!(PresentedKey::parse(bad).is_none(), "{bad}");
        }
    }
}
