//! The token issuer and its keys: a key ring of Ed25519 keys, one of which signs access
//! tokens. Every key the ring publishes is in its JWKS, which the functions verify against.
//!
//! A rotation publishes the next key a rotation before it signs, so verifiers that cache the
//! key set know it by the time its first token arrives; the key it replaces stays published
//! until the last token it signed has expired, and then goes. Two ways:
//! - in the cloud, `CLEANOPS_ISSUER_KEY` holds a master secret (`monthly:...`) from which
//!   each month's key is derived ([`monthly_ring`]): the keys rotate on the first of every
//!   month, on every instance alike, with nothing to run or write;
//! - locally, the ring is `issuer-keys.json` in the data dir, rotated by `cleanops
//!   rotate-keys` ([`rotate`]) and read again by the running server when it changes. A ring
//!   file (`--keyring`) can also be the cloud's secret, rotated by hand.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};

use crate::auth::{Claims, Role, Verifier};
use crate::config::{self, ConfigError};

pub const DEV_ISSUER: &str = "cleanops-local";
pub const DEV_AUDIENCE: &str = "cleanops";
/// The key ring in a data dir.
pub const KEYRING_FILE: &str = "issuer-keys.json";
/// The single key of data dirs made before key rings: taken into the ring as its first key.
const LEGACY_KEY_FILE: &str = "dev-signing-key.p8";
/// How long an access token lives: a replaced key stays published this long (and a minute
/// of clock skew) after it stopped signing.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::minutes(15);

/// What a key of the ring is for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyState {
    /// Published, not signing yet: the next rotation makes it the signing key.
    Next,
    /// Signs new tokens.
    Active,
    /// Signs no more; published until `retireAt`, when its last token has expired.
    Retiring,
}

#[derive(Clone)]
struct IssuerKey {
    kid: String,
    pkcs8: Vec<u8>,
    public: Vec<u8>,
    state: KeyState,
    retire_at: Option<DateTime<Utc>>,
}

/// A key as the ring file holds it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredKey {
    kid: String,
    state: KeyState,
    /// PKCS#8, base64.
    pkcs8: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retire_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
struct StoredRing {
    keys: Vec<StoredKey>,
}

impl IssuerKey {
    fn generate(state: KeyState) -> Result<Self, String> {
        let pkcs8 = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(
            &aws_lc_rs::rand::SystemRandom::new(),
        )
        .map_err(|e| format!("cannot generate a key: {e}"))?;
        Self::from_pkcs8(pkcs8.as_ref().to_vec(), state, None)
    }

    fn from_pkcs8(
        pkcs8: Vec<u8>,
        state: KeyState,
        retire_at: Option<DateTime<Utc>>,
    ) -> Result<Self, String> {
        use aws_lc_rs::signature::KeyPair;
        let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| "not an Ed25519 PKCS#8 key".to_owned())?;
        let public = pair.public_key().as_ref().to_vec();
        let kid = public.iter().take(6).map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            kid,
            pkcs8,
            public,
            state,
            retire_at,
        })
    }
}

/// The keys of an issuer; exactly one is active.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<IssuerKey>,
}

impl KeyRing {
    fn active(&self) -> &IssuerKey {
        self.keys
            .iter()
            .find(|k| k.state == KeyState::Active)
            .expect("a ring has an active key")
    }

    fn from_json(raw: &str) -> Result<Self, String> {
        let stored: StoredRing =
            serde_json::from_str(raw).map_err(|e| format!("not a key ring: {e}"))?;
        let keys = stored
            .keys
            .into_iter()
            .map(|k| {
                let pkcs8 = base64::engine::general_purpose::STANDARD
                    .decode(&k.pkcs8)
                    .map_err(|_| format!("key {}: not base64", k.kid))?;
                IssuerKey::from_pkcs8(pkcs8, k.state, k.retire_at)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let active = keys.iter().filter(|k| k.state == KeyState::Active).count();
        if active != 1 {
            return Err(format!("a key ring has one active key, this one {active}"));
        }
        Ok(Self { keys })
    }

    fn to_json(&self) -> String {
        let stored = StoredRing {
            keys: self
                .keys
                .iter()
                .map(|k| StoredKey {
                    kid: k.kid.clone(),
                    state: k.state,
                    pkcs8: base64::engine::general_purpose::STANDARD.encode(&k.pkcs8),
                    retire_at: k.retire_at,
                })
                .collect(),
        };
        serde_json::to_string_pretty(&stored).expect("a key ring serialises")
    }

    /// The published keys as a JWKS: the active key first, then the next, then those
    /// retiring; a key past its `retireAt` is no longer published.
    fn jwks(&self, now: DateTime<Utc>) -> JwkSet {
        let mut keys: Vec<&IssuerKey> = self
            .keys
            .iter()
            .filter(|k| k.retire_at.is_none_or(|at| at > now))
            .collect();
        keys.sort_by_key(|k| match k.state {
            KeyState::Active => 0,
            KeyState::Next => 1,
            KeyState::Retiring => 2,
        });
        let keys: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| {
                let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&k.public);
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": k.kid,
                    "alg": "EdDSA", "use": "sig"})
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "keys": keys })).expect("a well-formed JWKS")
    }
}

/// One rotation at `now`: keys whose last token has expired go; the active key retires (its
/// tokens live [`ACCESS_TOKEN_LIFETIME`] more); the next key signs; a new next key is made.
/// What was done, for the operator.
pub fn rotate(ring: &KeyRing, now: DateTime<Utc>) -> Result<(KeyRing, String), String> {
    let retire_at = now + ACCESS_TOKEN_LIFETIME + Duration::minutes(1);
    let mut keys: Vec<IssuerKey> = Vec::new();
    let mut dropped = Vec::new();
    for key in &ring.keys {
        let mut key = key.clone();
        match key.state {
            KeyState::Retiring if key.retire_at.is_none_or(|at| at <= now) => {
                dropped.push(key.kid.clone());
                continue;
            }
            KeyState::Retiring => {}
            KeyState::Active => {
                key.state = KeyState::Retiring;
                key.retire_at = Some(retire_at);
            }
            KeyState::Next => key.state = KeyState::Active,
        }
        keys.push(key);
    }
    let mut report = String::new();
    // A ring that had no next key (a single key from the environment) signs with a new key at
    // once; verifiers fetch a key set again when they meet an unknown key.
    if !keys.iter().any(|k| k.state == KeyState::Active) {
        let key = IssuerKey::generate(KeyState::Active)?;
        report.push_str(&format!(
            "new signing key {} (none was published ahead); ",
            key.kid
        ));
        keys.push(key);
    }
    let next = IssuerKey::generate(KeyState::Next)?;
    let ring = KeyRing {
        keys: keys.into_iter().chain([next]).collect(),
    };
    let retiring: Vec<&str> = ring
        .keys
        .iter()
        .filter(|k| k.state == KeyState::Retiring)
        .map(|k| k.kid.as_str())
        .collect();
    let next = ring
        .keys
        .iter()
        .find(|k| k.state == KeyState::Next)
        .map(|k| k.kid.as_str())
        .unwrap_or_default();
    report.push_str(&format!(
        "signing with {}; published next: {next}; retiring until {}: {}; removed: {}",
        ring.active().kid,
        retire_at.to_rfc3339(),
        if retiring.is_empty() {
            "none".into()
        } else {
            retiring.join(", ")
        },
        if dropped.is_empty() {
            "none".into()
        } else {
            dropped.join(", ")
        },
    ));
    Ok((ring, report))
}

/// Where a ring comes from, when it is not fixed.
enum Source {
    /// A file, read again when it changes (the local cloud's data dir).
    File {
        path: PathBuf,
        /// When the file was last looked at, and what it held.
        checked: Mutex<(Instant, String)>,
    },
    /// A master secret the ring of each month is derived from (the cloud): see
    /// [`monthly_ring`].
    Monthly { master: Vec<u8> },
}

/// The prefix of `CLEANOPS_ISSUER_KEY` for a master secret that rotates the keys monthly.
pub const MONTHLY_PREFIX: &str = "monthly:";

/// The ring of the month `now` falls in (UTC), derived from `master`: that month's key signs,
/// the next month's is published all month ahead of signing, and the last month's stays
/// published for 16 minutes into this one, until its last token has expired. Every instance
/// derives the same ring from the secret and the calendar, so the keys rotate on the first
/// of each month with nothing written anywhere: the monthly rotation is scheduled by the
/// date itself.
pub fn monthly_ring(master: &[u8], now: DateTime<Utc>) -> Result<KeyRing, String> {
    use chrono::{Datelike, NaiveDate};
    let month = |year: i32, month0: i32| {
        let (y, m) = (year + month0.div_euclid(12), month0.rem_euclid(12) + 1);
        NaiveDate::from_ymd_opt(y, m as u32, 1).expect("the first of a month")
    };
    let this = now.date_naive();
    let m0 = this.month0() as i32;
    let key = |first: NaiveDate, state: KeyState, retire_at: Option<DateTime<Utc>>| {
        let salt = aws_lc_rs::hkdf::Salt::new(aws_lc_rs::hkdf::HKDF_SHA256, b"cleanops issuer key");
        let label = first.format("%Y-%m").to_string();
        let info = [label.as_bytes()];
        let mut seed = [0u8; 32];
        salt.extract(master)
            .expand(&info, aws_lc_rs::hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(&mut seed))
            .map_err(|_| "cannot derive a key".to_owned())?;
        // PKCS#8 v1 of an Ed25519 seed: a fixed header, then the seed.
        let mut pkcs8 = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        pkcs8.extend_from_slice(&seed);
        IssuerKey::from_pkcs8(pkcs8, state, retire_at)
    };
    let current = month(this.year(), m0);
    let retire_at = current.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
        + ACCESS_TOKEN_LIFETIME
        + Duration::minutes(1);
    Ok(KeyRing {
        keys: vec![
            key(
                month(this.year(), m0 - 1),
                KeyState::Retiring,
                Some(retire_at),
            )?,
            key(current, KeyState::Active, None)?,
            key(month(this.year(), m0 + 1), KeyState::Next, None)?,
        ],
    })
}

/// The token issuer: signs access tokens with the ring's active key (see the module docs).
/// Clones share the ring, so the local cloud's identity and its verifier see a rotation
/// together.
#[derive(Clone)]
pub struct TokenIssuer {
    ring: Arc<RwLock<KeyRing>>,
    source: Option<Arc<Source>>,
    pub issuer: String,
    pub audience: String,
}

impl TokenIssuer {
    fn of(ring: KeyRing, source: Option<Source>) -> Self {
        Self {
            ring: Arc::new(RwLock::new(ring)),
            source: source.map(Arc::new),
            issuer: DEV_ISSUER.into(),
            audience: DEV_AUDIENCE.into(),
        }
    }

    /// A fresh single key held in memory only (tests).
    pub fn generate() -> Result<Self, String> {
        let ring = KeyRing {
            keys: vec![IssuerKey::generate(KeyState::Active)?],
        };
        Ok(Self::of(ring, None))
    }

    /// The ring in `dir`, created on first use (owner-only permissions) with a signing key
    /// and the next one; a data dir with the single key of older versions keeps that key.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        let legacy = dir.join(LEGACY_KEY_FILE);
        Self::load_or_create_file(&dir.join(KEYRING_FILE), Some(&legacy))
    }

    /// The ring in the file `path`, created on first use (from the single key in `legacy`,
    /// when there is one).
    pub fn load_or_create_file(path: &Path, legacy: Option<&Path>) -> Result<Self, String> {
        let path = path.to_owned();
        let raw = match std::fs::read_to_string(&path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let active = match legacy.map(std::fs::read) {
                    Some(Ok(pkcs8)) => IssuerKey::from_pkcs8(pkcs8, KeyState::Active, None)?,
                    _ => IssuerKey::generate(KeyState::Active)?,
                };
                let ring = KeyRing {
                    keys: vec![active, IssuerKey::generate(KeyState::Next)?],
                };
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                write_ring(&path, &ring)?;
                ring.to_json()
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let ring = KeyRing::from_json(&raw).map_err(|e| format!("{}: {e}", path.display()))?;
        let source = Source::File {
            path,
            checked: Mutex::new((Instant::now(), raw)),
        };
        Ok(Self::of(ring, Some(source)))
    }

    /// Rotates the ring in the file `path` as of `now` (see [`rotate`]), creating it first
    /// when there is none; what was done.
    pub fn rotate_file(
        path: &Path,
        legacy: Option<&Path>,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let issuer = Self::load_or_create_file(path, legacy)?;
        let ring = issuer.current();
        let (rotated, report) = rotate(&ring, now)?;
        write_ring(path, &rotated)?;
        Ok(report)
    }

    /// Rotates the ring of the data dir `dir`.
    pub fn rotate_in(dir: &Path, now: DateTime<Utc>) -> Result<String, String> {
        Self::rotate_file(
            &dir.join(KEYRING_FILE),
            Some(&dir.join(LEGACY_KEY_FILE)),
            now,
        )
    }

    /// The cloud's issuer, signing for `AUTH_ISSUER` and `AUTH_AUDIENCE`, from
    /// `CLEANOPS_ISSUER_KEY`: `monthly:` and a base64 master secret of 32 bytes or more (keys
    /// that rotate each month, see [`monthly_ring`]), a key ring (the JSON that `cleanops
    /// rotate-keys --keyring` writes), or a single key (PKCS#8 in base64).
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = catalog::Secret::IssuerKey.env_var();
        let raw = config::required(var, "monthly:<master secret>, a key ring, or one key")?;
        if let Some(master) = raw.trim().strip_prefix(MONTHLY_PREFIX) {
            let master = base64::engine::general_purpose::STANDARD
                .decode(master)
                .ok()
                .filter(|m| m.len() >= 32)
                .ok_or_else(|| {
                    ConfigError::new(
                        var,
                        "monthly: needs a base64 master secret of 32 bytes or more",
                    )
                })?;
            let ring = monthly_ring(&master, Utc::now()).map_err(|e| ConfigError::new(var, e))?;
            let mut issuer = Self::of(ring, Some(Source::Monthly { master }));
            issuer.issuer = config::required("AUTH_ISSUER", "the issuer (iss) of its tokens")?;
            issuer.audience =
                config::required("AUTH_AUDIENCE", "the audience (aud) of its tokens")?;
            return Ok(issuer);
        }
        let ring = if raw.trim_start().starts_with('{') {
            KeyRing::from_json(&raw).map_err(|e| ConfigError::new(var, e))?
        } else {
            let pkcs8 = base64::engine::general_purpose::STANDARD
                .decode(raw.trim())
                .map_err(|_| ConfigError::new(var, "is neither a key ring nor base64"))?;
            let key = IssuerKey::from_pkcs8(pkcs8, KeyState::Active, None)
                .map_err(|e| ConfigError::new(var, e))?;
            KeyRing { keys: vec![key] }
        };
        let mut issuer = Self::of(ring, None);
        issuer.issuer = config::required("AUTH_ISSUER", "the issuer (iss) of its tokens")?;
        issuer.audience = config::required("AUTH_AUDIENCE", "the audience (aud) of its tokens")?;
        Ok(issuer)
    }

    #[cfg(test)]
    pub(crate) fn from_pkcs8(pkcs8: Vec<u8>) -> Result<Self, String> {
        let key = IssuerKey::from_pkcs8(pkcs8, KeyState::Active, None)?;
        Ok(Self::of(KeyRing { keys: vec![key] }, None))
    }

    /// The ring as it is now: read again from its file if that changed (looked at no more
    /// than once a second).
    fn current(&self) -> KeyRing {
        if let Some(source) = self.source.as_deref()
            && let Source::Monthly { master } = source
        {
            // Derived again each time: four HKDF expansions, cheaper than a signature.
            if let Ok(ring) = monthly_ring(master, Utc::now()) {
                return ring;
            }
        }
        if let Some(Source::File { path, checked }) = self.source.as_deref()
            && let Ok(mut checked) = checked.lock()
            && checked.0.elapsed() >= std::time::Duration::from_secs(1)
        {
            checked.0 = Instant::now();
            if let Ok(raw) = std::fs::read_to_string(path)
                && raw != checked.1
            {
                match KeyRing::from_json(&raw) {
                    Ok(ring) => {
                        if let Ok(mut current) = self.ring.write() {
                            *current = ring;
                        }
                        checked.1 = raw;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the changed key ring is unreadable; keeping the old one")
                    }
                }
            }
        }
        self.ring
            .read()
            .map(|r| r.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The id of the signing key, as tokens name it in `kid`.
    pub fn kid(&self) -> String {
        self.current().active().kid.clone()
    }

    /// The published keys.
    pub fn jwks(&self) -> JwkSet {
        self.current().jwks(chrono::Utc::now())
    }

    /// A verifier of this issuer's tokens that follows its rotations (it is in the same
    /// process: asking costs nothing, so it asks every second).
    pub fn verifier(&self) -> Verifier {
        let issuer = self.clone();
        let verifier = Verifier::new(&self.jwks(), &self.issuer, &self.audience)
            .expect("the issuer's keys verify");
        let source: crate::auth::KeySource = Arc::new(move || {
            let jwks = issuer.jwks();
            Box::pin(async move { Ok(jwks) })
        });
        verifier.with_refresh(source, std::time::Duration::from_secs(1))
    }

    /// Signs arbitrary claims (tests use this to forge expired or foreign tokens).
    pub fn sign<C: Serialize>(&self, claims: &C) -> String {
        let ring = self.current();
        let key = ring.active();
        let mut header = jsonwebtoken::Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(
            &header,
            claims,
            &jsonwebtoken::EncodingKey::from_ed_der(&key.pkcs8),
        )
        .expect("signing with a valid key")
    }

    /// A token for `user` as `role` in `tenant`, valid for `ttl`.
    pub fn token(&self, tenant: &str, user: &str, role: Role, ttl: Duration) -> String {
        self.token_with_customer(tenant, user, role, None, ttl)
    }

    /// A token that also names the customer (for the customer role).
    pub fn token_with_customer(
        &self,
        tenant: &str,
        user: &str,
        role: Role,
        customer: Option<&str>,
        ttl: Duration,
    ) -> String {
        let now = Utc::now().timestamp();
        self.sign(&Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user.into(),
            exp: now + ttl.num_seconds(),
            iat: now,
            tenant: tenant.into(),
            role,
            customer: customer.map(str::to_owned),
        })
    }
}

/// Writes the ring beside its file and moves it into place: a reader sees the old ring or the
/// new one, never half of one.
fn write_ring(path: &Path, ring: &KeyRing) -> Result<(), String> {
    let temporary = path.with_extension("json.new");
    let _ = std::fs::remove_file(&temporary);
    write_private(&temporary, ring.to_json().as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kids(ring: &KeyRing, state: KeyState) -> Vec<String> {
        ring.keys
            .iter()
            .filter(|k| k.state == state)
            .map(|k| k.kid.clone())
            .collect()
    }

    #[test]
    fn a_rotation_signs_with_the_published_next_key_and_retires_the_old_one_later() {
        let now = Utc::now();
        let ring = KeyRing {
            keys: vec![
                IssuerKey::generate(KeyState::Active).unwrap(),
                IssuerKey::generate(KeyState::Next).unwrap(),
            ],
        };
        let (old, next) = (kids(&ring, KeyState::Active), kids(&ring, KeyState::Next));
        let (once, _) = rotate(&ring, now).unwrap();
        assert_eq!(kids(&once, KeyState::Active), next);
        assert_eq!(kids(&once, KeyState::Retiring), old);
        assert_eq!(
            once.jwks(now).keys.len(),
            3,
            "old, signing and next all published"
        );
        assert_eq!(
            once.jwks(now + Duration::minutes(17)).keys.len(),
            2,
            "then the old one goes"
        );
        let (twice, report) = rotate(&once, now + Duration::minutes(17)).unwrap();
        assert!(report.contains(&format!("removed: {}", old[0])), "{report}");
        assert_eq!(twice.keys.len(), 3);
    }

    #[test]
    fn the_monthly_ring_rotates_on_the_first_of_each_month() {
        let master = [9u8; 32];
        let at = |raw: &str| raw.parse::<DateTime<Utc>>().unwrap();
        let november = monthly_ring(&master, at("2026-11-20T10:00:00Z")).unwrap();
        let december = monthly_ring(&master, at("2026-12-01T00:05:00Z")).unwrap();
        let late = monthly_ring(&master, at("2026-12-01T00:17:00Z")).unwrap();
        // December's key was published all November, and signs from December 1st.
        assert_eq!(
            kids(&november, KeyState::Next),
            kids(&december, KeyState::Active)
        );
        // November's signing key stays published until its last token has expired.
        let published = |ring: &KeyRing, now: &str| -> Vec<String> {
            ring.jwks(at(now))
                .keys
                .iter()
                .filter_map(|k| k.common.key_id.clone())
                .collect()
        };
        let old = kids(&november, KeyState::Active)[0].clone();
        assert!(published(&december, "2026-12-01T00:05:00Z").contains(&old));
        assert!(!published(&late, "2026-12-01T00:17:00Z").contains(&old));
        // Derived, not random: every instance has the same keys; another secret, others.
        assert_eq!(
            kids(&december, KeyState::Active),
            kids(&late, KeyState::Active)
        );
        let other = monthly_ring(&[8u8; 32], at("2026-12-01T00:05:00Z")).unwrap();
        assert_ne!(
            kids(&other, KeyState::Active),
            kids(&december, KeyState::Active)
        );
        // Across a year's end.
        let january = monthly_ring(&master, at("2027-01-15T00:00:00Z")).unwrap();
        assert_eq!(
            kids(&january, KeyState::Retiring),
            kids(&december, KeyState::Active)
        );
    }

    #[test]
    fn a_ring_survives_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let issuer = TokenIssuer::load_or_create(dir.path()).unwrap();
        let again = TokenIssuer::load_or_create(dir.path()).unwrap();
        assert_eq!(issuer.kid(), again.kid());
        assert_eq!(issuer.jwks().keys.len(), 2, "signing and next");
    }
}
