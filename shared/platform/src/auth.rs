//! Authentication: a bearer JWT verified against configured keys (signature, issuer, audience,
//! expiry) becomes a [`Caller`]: tenant, user and role. The tenant only ever comes from here.

use std::collections::HashMap;
use std::path::Path;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Dispatcher,
    Cleaner,
    Customer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Dispatcher, Role::Cleaner, Role::Customer];
    /// Roles that plan and change master data.
    pub const PLANNERS: [Role; 2] = [Role::Admin, Role::Dispatcher];
    /// The cleaning company's own people: everyone but customers.
    pub const STAFF: [Role; 3] = [Role::Admin, Role::Dispatcher, Role::Cleaner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Dispatcher => "dispatcher",
            Role::Cleaner => "cleaner",
            Role::Customer => "customer",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                format!("unknown role {raw:?}; expected admin, dispatcher, cleaner or customer")
            })
    }
}

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
        let claims = state.verifier.verify(token.trim())?;
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

/// Verifies tokens against a key set, an issuer and an audience.
pub struct Verifier {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    issuer: String,
    audience: String,
    verified: VerifiedTokens,
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
        let mut keys = HashMap::new();
        for (i, jwk) in jwks.keys.iter().enumerate() {
            let kid = jwk.common.key_id.clone().unwrap_or_else(|| format!("#{i}"));
            let alg = key_algorithm(jwk)
                .ok_or_else(|| format!("key {kid}: unsupported key type or algorithm"))?;
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("key {kid}: {e}"))?;
            keys.insert(kid, (key, alg));
        }
        if keys.is_empty() {
            return Err("the key set has no keys".into());
        }
        Ok(Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
            verified: VerifiedTokens::default(),
        })
    }

    /// `AUTH_ISSUER`, `AUTH_AUDIENCE`, and the public keys as a JWKS document: inline in
    /// `AUTH_JWKS` or in the file `AUTH_JWKS_FILE`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let issuer = config::required("AUTH_ISSUER", "the issuer (iss) of accepted tokens")?;
        let audience = config::required("AUTH_AUDIENCE", "the audience (aud) tokens must name")?;
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
        if let Some(claims) = self.verified.get(&digest, now, &self.keys) {
            return Ok(claims);
        }
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
        let (kid, (key, alg)) = match &header.kid {
            Some(kid) => self
                .keys
                .get_key_value(kid)
                .ok_or_else(|| unauthenticated("the token's key is unknown"))?,
            None if self.keys.len() == 1 => self.keys.iter().next().expect("one key"),
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

/// A local token issuer for development and tests: an Ed25519 key kept on disk, whose public
/// half is the JWKS the local cloud verifies against.
pub struct DevIssuer {
    kid: String,
    pkcs8: Vec<u8>,
    public: Vec<u8>,
    pub issuer: String,
    pub audience: String,
}

pub const DEV_ISSUER: &str = "cleanops-local";
pub const DEV_AUDIENCE: &str = "cleanops";
const DEV_KEY_FILE: &str = "dev-signing-key.p8";

impl DevIssuer {
    /// A fresh key held in memory only.
    pub fn generate() -> Result<Self, String> {
        let pkcs8 = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(
            &aws_lc_rs::rand::SystemRandom::new(),
        )
        .map_err(|e| format!("cannot generate a key: {e}"))?;
        Self::from_pkcs8(pkcs8.as_ref().to_vec())
    }

    /// The key in `dir`, created (with owner-only permissions) on first use.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        let path = dir.join(DEV_KEY_FILE);
        match std::fs::read(&path) {
            Ok(pkcs8) => Self::from_pkcs8(pkcs8).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let issuer = Self::generate()?;
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                write_private(&path, &issuer.pkcs8)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(issuer)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn from_pkcs8(pkcs8: Vec<u8>) -> Result<Self, String> {
        use aws_lc_rs::signature::KeyPair;
        let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| "not an Ed25519 PKCS#8 key".to_owned())?;
        let public = pair.public_key().as_ref().to_vec();
        let kid = public.iter().take(6).map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            kid,
            pkcs8,
            public,
            issuer: DEV_ISSUER.into(),
            audience: DEV_AUDIENCE.into(),
        })
    }

    pub fn jwks(&self) -> JwkSet {
        use base64::Engine as _;
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.public);
        serde_json::from_value(serde_json::json!({"keys": [{
            "kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "alg": "EdDSA", "use": "sig"
        }]}))
        .expect("a well-formed JWKS")
    }

    pub fn verifier(&self) -> Verifier {
        Verifier::new(&self.jwks(), &self.issuer, &self.audience).expect("the dev key verifies")
    }

    /// Signs arbitrary claims (tests use this to forge expired or foreign tokens).
    pub fn sign<C: Serialize>(&self, claims: &C) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(
            &header,
            claims,
            &jsonwebtoken::EncodingKey::from_ed_der(&self.pkcs8),
        )
        .expect("signing with a valid key")
    }

    /// A token for `user` as `role` in `tenant`, valid for `ttl`.
    pub fn token(&self, tenant: &str, user: &str, role: Role, ttl: chrono::Duration) -> String {
        self.token_with_customer(tenant, user, role, None, ttl)
    }

    /// A token that also names the customer (for the customer role).
    pub fn token_with_customer(
        &self,
        tenant: &str,
        user: &str,
        role: Role,
        customer: Option<&str>,
        ttl: chrono::Duration,
    ) -> String {
        let now = chrono::Utc::now().timestamp();
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
