//! Authentication: a bearer JWT verified against the issuer's keys (signature, issuer,
//! audience, expiry), or a device API key ([`crate::api_keys`]), becomes a [`Caller`]: tenant,
//! user and role. The tenant only ever comes from here. The keys are fixed (`AUTH_JWKS`) or
//! fetched from the issuer (`AUTH_JWKS_URL`) and fetched again as it rotates them.

use std::collections::HashMap;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::{TenantId, UserId};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{self, ConfigError};
use crate::error::ApiError;
use crate::runtime::AppState;

pub use crate::issuer::{DEV_AUDIENCE, DEV_ISSUER, TokenIssuer};
pub use domain::identity::Role;

/// The claims a cleanops token carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub tenant: String,
    pub role: Role,
    /// For the customer role: the customer whose sites the user may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
}

/// Who is calling, as proven by the token: tenant, user, role. The store is reached through the
/// [`crate::context::RequestContext`] built from it, and only in the caller's tenant.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub user: UserId,
    pub role: Role,
    /// The customer a customer-role user belongs to (from the token's `customer` claim).
    pub customer: Option<String>,
}

impl Caller {
    /// The customer-scope rule, written once: a customer sees only what belongs to its own
    /// customer; the company's own people see every customer's.
    pub fn sees_customer(&self, customer_id: Option<&str>) -> bool {
        match self.role {
            Role::Customer => customer_id.is_some() && customer_id == self.customer.as_deref(),
            _ => true,
        }
    }

    /// The same rule as a listing condition on `customerId` (none for the company's people).
    pub fn customer_scope(&self) -> Vec<(&'static str, serde_json::Value)> {
        match (self.role, &self.customer) {
            (Role::Customer, Some(customer)) => {
                vec![("customerId", serde_json::Value::from(customer.as_str()))]
            }
            _ => Vec::new(),
        }
    }

    pub fn is_planner(&self) -> bool {
        Role::PLANNERS.contains(&self.role)
    }

    /// Refuses (403) unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "the {} role may not {action}",
                self.role.as_str()
            )))
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthenticated("no Authorization header".into()))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .ok_or_else(|| {
                ApiError::Unauthenticated("expected `Authorization: Bearer <token>`".into())
            })?;
        let token = token.trim();
        if let Some(key) = crate::api_keys::PresentedKey::parse(token) {
            let path = parts.uri.path().to_owned();
            return crate::api_keys::authenticate(&state, &key, parts.method.as_str(), &path).await;
        }
        let claims = state.verifier.verify_fresh(token).await?;
        let tenant = TenantId::parse_external(&claims.tenant)
            .map_err(|e| ApiError::Unauthenticated(format!("the token's tenant {e}")))?;
        let user = UserId::parse(&claims.sub)
            .map_err(|e| ApiError::Unauthenticated(format!("the token's subject {e}")))?;
        tracing::Span::current().record("tenant", tenant.as_str());
        let customer = match (claims.role, claims.customer) {
            (Role::Customer, Some(customer)) => Some(
                domain::id::parse_id(&customer)
                    .map_err(|e| ApiError::Unauthenticated(format!("the token's customer {e}")))?
                    .to_owned(),
            ),
            (Role::Customer, None) => {
                return Err(ApiError::Unauthenticated(
                    "a customer token must name its customer (claim `customer`)".into(),
                ));
            }
            _ => None,
        };
        Ok(Caller {
            customer,
            tenant,
            user,
            role: claims.role,
        })
    }
}

/// Fetches an issuer's key set again (from `AUTH_JWKS_URL`, or the local issuer's ring).
pub type KeySource = std::sync::Arc<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<JwkSet, String>> + Send>>
        + Send
        + Sync,
>;

/// How often a key set at a URL is fetched again, so a retired key is refused within this
/// long.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(300);
/// The soonest a token naming an unknown key fetches the set again (a rotated-in key is
/// found at once; a flood of forged `kid`s costs one fetch per this long).
const REFETCH_UNKNOWN_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

type KeyMap = HashMap<String, (DecodingKey, Algorithm)>;

struct Refresh {
    source: KeySource,
    every: std::time::Duration,
    last: std::sync::Mutex<Option<std::time::Instant>>,
    fetching: tokio::sync::Mutex<()>,
}

/// Verifies tokens against a key set, an issuer and an audience.
pub struct Verifier {
    keys: std::sync::RwLock<KeyMap>,
    refresh: Option<Refresh>,
    issuer: String,
    audience: String,
    verified: VerifiedTokens,
    /// Said with a 401 for a token signed by a key this verifier does not know (the local
    /// cloud says how to get one it does).
    unknown_key_hint: Option<String>,
}

/// Tokens already verified, so that a client's next requests skip the signature check (the
/// larger part of an authenticated read). Keyed by the token's SHA-256; an entry lasts until
/// the token's own `exp` and only while the key that signed it is still in the key set, so a
/// key taken out of rotation stops its tokens at once. At most [`VERIFIED_TOKENS`] entries:
/// when full, expired ones go, and if none has, all.
#[derive(Default)]
struct VerifiedTokens(std::sync::Mutex<HashMap<[u8; 32], Verified>>);

struct Verified {
    claims: Claims,
    kid: String,
}

/// The most verified tokens remembered (about 500 bytes each).
const VERIFIED_TOKENS: usize = 10_000;

fn token_digest(token: &str) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest.as_ref().try_into().expect("SHA-256 is 32 bytes")
}

impl VerifiedTokens {
    fn get(
        &self,
        digest: &[u8; 32],
        now: u64,
        keys: &HashMap<String, (DecodingKey, Algorithm)>,
    ) -> Option<Claims> {
        let cache = self.0.lock().ok()?;
        let hit = cache.get(digest)?;
        let live = u64::try_from(hit.claims.exp).is_ok_and(|exp| now < exp + LEEWAY_SECONDS);
        (live && keys.contains_key(&hit.kid)).then(|| hit.claims.clone())
    }

    fn insert(&self, digest: [u8; 32], kid: String, claims: &Claims, now: u64) {
        let Ok(mut cache) = self.0.lock() else {
            return;
        };
        if cache.len() >= VERIFIED_TOKENS {
            cache.retain(|_, v| {
                u64::try_from(v.claims.exp).is_ok_and(|exp| now < exp + LEEWAY_SECONDS)
            });
            if cache.len() >= VERIFIED_TOKENS {
                cache.clear();
            }
        }
        let claims = claims.clone();
        cache.insert(digest, Verified { claims, kid });
    }
}

/// The longest token read: identity providers' tokens are one or two kilobytes, and nothing
/// is decoded (nor a signature checked) for a larger one.
const MAX_TOKEN_BYTES: usize = 4096;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: u64 = 30;

impl Verifier {
    pub fn new(
        jwks: &JwkSet,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, String> {
        let keys = key_map(jwks)?;
        if keys.is_empty() {
            return Err("the key set has no keys".into());
        }
        Ok(Self::with_keys(keys, issuer, audience))
    }

    fn with_keys(keys: KeyMap, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            keys: std::sync::RwLock::new(keys),
            refresh: None,
            issuer: issuer.into(),
            audience: audience.into(),
            verified: VerifiedTokens::default(),
            unknown_key_hint: None,
        }
    }

    /// Fetches the key set again from `source` `every` so often, and when a token names a
    /// key the verifier does not know (at a bounded rate).
    pub fn with_refresh(mut self, source: KeySource, every: std::time::Duration) -> Self {
        self.refresh = Some(Refresh {
            source,
            every,
            last: std::sync::Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
        });
        self
    }

    /// A verifier that knows no key yet and fetches them from `url` (the identity function's
    /// `/.well-known/jwks.json`) when first needed.
    pub fn from_url(url: &str, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        let url = url.to_owned();
        let source: KeySource = std::sync::Arc::new(move || {
            let (client, url) = (client.clone(), url.clone());
            Box::pin(async move {
                let response = client.get(&url).send().await.map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("{url} answered {}", response.status()));
                }
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                if body.len() > 64 * 1024 {
                    return Err(format!("{url}: a key set over 64 KB"));
                }
                serde_json::from_slice(&body).map_err(|e| format!("{url}: not a JWKS: {e}"))
            })
        });
        Self::with_keys(KeyMap::new(), issuer, audience).with_refresh(source, REFRESH_EVERY)
    }

    /// Verifies `token` as [`Verifier::verify`] does, after fetching the key set again when
    /// it is due or when the token names a key not yet known.
    pub async fn verify_fresh(&self, token: &str) -> Result<Claims, ApiError> {
        if let Some(refresh) = &self.refresh {
            let due = |after: std::time::Duration| {
                let Ok(mut last) = refresh.last.lock() else {
                    return false;
                };
                let due = last.is_none_or(|at| at.elapsed() >= after);
                if due {
                    *last = Some(std::time::Instant::now());
                }
                due
            };
            if self.keys.read().is_ok_and(|k| k.is_empty()) {
                // Nothing known yet (a cold start on AUTH_JWKS_URL): one fetch at a time, and
                // the requests that came with it wait for it rather than fail; while the
                // issuer cannot be reached, once a second.
                let _one = refresh.fetching.lock().await;
                if self.keys.read().is_ok_and(|k| k.is_empty())
                    && due(std::time::Duration::from_secs(1))
                {
                    self.fetch(refresh).await;
                }
            } else if due(refresh.every) || (!self.knows_key(token) && due(REFETCH_UNKNOWN_AFTER)) {
                self.fetch(refresh).await;
            }
        }
        self.verify(token)
    }

    /// Replaces the known keys with the source's, unless it fails or has none.
    async fn fetch(&self, refresh: &Refresh) {
        match (refresh.source)().await.and_then(|jwks| key_map(&jwks)) {
            Ok(keys) if !keys.is_empty() => {
                if let Ok(mut current) = self.keys.write() {
                    *current = keys;
                }
            }
            Ok(_) => tracing::warn!("the issuer's key set is empty; keeping the keys known"),
            Err(e) => {
                tracing::warn!(error = %e, "cannot fetch the issuer's keys; keeping the keys known")
            }
        }
    }

    /// Whether the verifier knows the key `token` names (false for what is not a JWT).
    fn knows_key(&self, token: &str) -> bool {
        if token.len() > MAX_TOKEN_BYTES {
            return true; // refused for its size, whatever the keys
        }
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return true;
        };
        let Ok(keys) = self.keys.read() else {
            return true;
        };
        match &header.kid {
            Some(kid) => keys.contains_key(kid),
            None => keys.len() == 1,
        }
    }

    /// Adds `hint` to the 401 of a token whose key is unknown.
    pub fn with_unknown_key_hint(mut self, hint: impl Into<String>) -> Self {
        self.unknown_key_hint = Some(hint.into());
        self
    }

    /// `AUTH_ISSUER`, `AUTH_AUDIENCE`, and the public keys as a JWKS document: inline in
    /// `AUTH_JWKS` or in the file `AUTH_JWKS_FILE`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let issuer = config::required("AUTH_ISSUER", "the issuer (iss) of accepted tokens")?;
        let audience = config::required("AUTH_AUDIENCE", "the audience (aud) tokens must name")?;
        if let Some(url) = config::optional("AUTH_JWKS_URL") {
            let local = url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost");
            if !url.starts_with("https://") && !local {
                return Err(ConfigError::new("AUTH_JWKS_URL", "must be an https:// URL"));
            }
            return Ok(Self::from_url(&url, issuer, audience));
        }
        let (var, jwks) = jwks_from_env("AUTH_JWKS", "AUTH_JWKS_FILE")?.ok_or_else(|| {
            ConfigError::new(
                "AUTH_JWKS",
                "is not set (nor AUTH_JWKS_FILE); expected the JWKS of the token issuer",
            )
        })?;
        Self::new(&jwks, issuer, audience).map_err(|e| ConfigError::new(var, e))
    }

    /// Verifies a cleanops token, or finds it verified before (see [`VerifiedTokens`]).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(ApiError::Unauthenticated("the token is too long".into()));
        }
        let digest = token_digest(token);
        let now = jsonwebtoken::get_current_timestamp();
        let known = self.keys.read().map_err(ApiError::internal)?;
        if let Some(claims) = self.verified.get(&digest, now, &known) {
            return Ok(claims);
        }
        drop(known);
        let (claims, kid) = self.verify_with_kid::<Claims>(token)?;
        self.verified.insert(digest, kid, &claims, now);
        Ok(claims)
    }

    /// Verifies `token` and reads its claims as `C`.
    pub fn verify_as<C: serde::de::DeserializeOwned>(&self, token: &str) -> Result<C, ApiError> {
        self.verify_with_kid(token).map(|(claims, _)| claims)
    }

    /// Verifies `token`: its claims as `C`, and the id of the key that signed it.
    fn verify_with_kid<C: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<(C, String), ApiError> {
        let unauthenticated = |why: &str| ApiError::Unauthenticated(why.to_owned());
        if token.len() > MAX_TOKEN_BYTES {
            return Err(unauthenticated("the token is too long"));
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthenticated("the token is not a JWT"))?;
        let keys = self.keys.read().map_err(ApiError::internal)?;
        let (kid, (key, alg)) = match &header.kid {
            Some(kid) => keys
                .get_key_value(kid)
                .ok_or_else(|| match &self.unknown_key_hint {
                    Some(hint) => unauthenticated(&format!("the token's key is unknown: {hint}")),
                    None => unauthenticated("the token's key is unknown"),
                })?,
            None if keys.len() == 1 => keys.iter().next().expect("one key"),
            None => return Err(unauthenticated("the token names no key (kid)")),
        };
        if header.alg != *alg {
            return Err(unauthenticated(
                "the token's algorithm does not match its key",
            ));
        }
        let mut validation = Validation::new(*alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::ExpiredSignature => unauthenticated("the token has expired"),
                    ErrorKind::ImmatureSignature => {
                        unauthenticated("the token is not valid yet (nbf)")
                    }
                    ErrorKind::InvalidAudience => {
                        unauthenticated("the token is for another audience")
                    }
                    ErrorKind::InvalidIssuer => {
                        unauthenticated("the token is from an unknown issuer")
                    }
                    ErrorKind::InvalidSignature => {
                        unauthenticated("the token's signature is invalid")
                    }
                    ErrorKind::Json(_) | ErrorKind::MissingRequiredClaim(_) => unauthenticated(
                        "the token lacks the tenant, role or another required claim",
                    ),
                    _ => unauthenticated("the token is invalid"),
                }
            })?;
        // jsonwebtoken leaves `iat` alone; a token issued in the future is forged or from a
        // clock that is wrong, either way not to be trusted.
        let now = jsonwebtoken::get_current_timestamp();
        match claims.get("iat") {
            None => {}
            Some(iat) => match iat.as_u64() {
                Some(iat) if iat <= now + LEEWAY_SECONDS => {}
                Some(_) => return Err(unauthenticated("the token was issued in the future (iat)")),
                None => return Err(unauthenticated("the token's iat is not a time")),
            },
        }
        let claims = serde_json::from_value(claims).map_err(|_| {
            unauthenticated("the token lacks the tenant, role or another required claim")
        })?;
        Ok((claims, kid.clone()))
    }
}

/// A JWKS document from the variable `inline` (the JSON itself) or `file` (a path to it), with
/// the name of the variable it came from; `None` when neither is set.
pub fn jwks_from_env(
    inline: &'static str,
    file: &'static str,
) -> Result<Option<(&'static str, JwkSet)>, ConfigError> {
    let (var, raw) = match (config::optional(inline), config::optional(file)) {
        (Some(json), _) => (inline, json),
        (None, Some(path)) => (
            file,
            std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::new(file, format!("cannot read {path}: {e}")))?,
        ),
        (None, None) => return Ok(None),
    };
    let jwks = serde_json::from_str(&raw)
        .map_err(|e| ConfigError::new(var, format!("is not a JWKS document: {e}")))?;
    Ok(Some((var, jwks)))
}

/// The keys of a JWKS by id (`#i` for a key without one).
fn key_map(jwks: &JwkSet) -> Result<KeyMap, String> {
    let mut keys = HashMap::new();
    for (i, jwk) in jwks.keys.iter().enumerate() {
        let kid = jwk.common.key_id.clone().unwrap_or_else(|| format!("#{i}"));
        let alg = key_algorithm(jwk)
            .ok_or_else(|| format!("key {kid}: unsupported key type or algorithm"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("key {kid}: {e}"))?;
        keys.insert(kid, (key, alg));
    }
    Ok(keys)
}

/// The algorithm a JWK is used with: its `alg`, else the one its key type implies.
fn key_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    if let Some(alg) = jwk.common.key_algorithm {
        return alg.to_string().parse().ok();
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(_) => Some(Algorithm::ES256),
        AlgorithmParameters::OctetKeyPair(_) => Some(Algorithm::EdDSA),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: "i".into(),
            aud: "a".into(),
            sub: "maria".into(),
            exp,
            iat: 0,
            tenant: "t1".into(),
            role: Role::Cleaner,
            customer: None,
        }
    }

    fn keys(kid: &str) -> HashMap<String, (DecodingKey, Algorithm)> {
        let key = (DecodingKey::from_secret(b"k"), Algorithm::HS256);
        HashMap::from([(kid.to_owned(), key)])
    }

    #[test]
    fn an_issuer_key_may_be_a_bare_pkcs8_seed() {
        // What `openssl genpkey -algorithm ed25519` writes, and scripts/image makes.
        let mut v1 = pkcs8_v1_prefix().to_vec();
        v1.extend([7u8; 32]);
        let issuer = TokenIssuer::from_pkcs8(v1).expect("a PKCS#8 v1 Ed25519 key");
        let token = issuer.token("t1", "ana", Role::Admin, chrono::Duration::minutes(1));
        assert_eq!(issuer.verifier().verify(&token).unwrap().sub, "ana");
    }

    fn pkcs8_v1_prefix() -> [u8; 16] {
        [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ]
    }

    #[test]
    fn a_verified_token_is_remembered_until_its_own_expiry() {
        let verified = VerifiedTokens::default();
        verified.insert([1; 32], "k1".into(), &claims(1_000), 900);
        let at = |now| verified.get(&[1; 32], now, &keys("k1")).map(|c| c.sub);
        assert_eq!(at(1_000 + LEEWAY_SECONDS - 1).as_deref(), Some("maria"));
        assert_eq!(at(1_000 + LEEWAY_SECONDS), None);
        assert_eq!(
            verified.get(&[2; 32], 900, &keys("k1")).map(|c| c.sub),
            None
        );
    }

    #[test]
    fn a_remembered_token_fails_once_its_key_leaves_the_key_set() {
        let verified = VerifiedTokens::default();
        verified.insert([1; 32], "k1".into(), &claims(1_000), 900);
        assert!(verified.get(&[1; 32], 900, &keys("k2")).is_none());
    }

    #[test]
    fn the_remembered_tokens_stay_within_their_bound() {
        let verified = VerifiedTokens::default();
        for i in 0..=VERIFIED_TOKENS as u32 {
            let mut digest = [0; 32];
            digest[..4].copy_from_slice(&i.to_be_bytes());
            verified.insert(digest, "k1".into(), &claims(1_000), 900);
        }
        assert!(verified.0.lock().unwrap().len() <= VERIFIED_TOKENS);
    }
}
