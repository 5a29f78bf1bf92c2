//! Short HMAC signatures for things handed out of the system and later shown back to it: the
//! check-in codes printed on QR labels and the calendar feed tokens. A signature binds the
//! tenant, so a code cannot be guessed nor moved to another tenant.

use std::path::Path;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::{self, ConfigError};

/// The environment variable holding the key (base64, at least 32 bytes).
pub const SIGNING_KEY_VAR: &str = catalog::Secret::SigningKey.env_var();
const KEY_FILE: &str = "signing-key";
const MIN_KEY_BYTES: usize = 32;
/// Bytes of the HMAC-SHA256 tag kept: 128 bits, short enough for a small QR code.
const TAG_BYTES: usize = 16;

pub struct Signer {
    key: hmac::Key,
}

impl Signer {
    pub fn from_bytes(key: &[u8]) -> Result<Self, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!("must be at least {MIN_KEY_BYTES} bytes"));
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
        })
    }

    /// A fresh random key, held in memory only.
    pub fn generate() -> Self {
        let mut key = [0u8; MIN_KEY_BYTES];
        aws_lc_rs::rand::fill(&mut key).expect("the system random source works");
        Self::from_bytes(&key).expect("long enough")
    }

    /// `CLEANOPS_SIGNING_KEY`, base64 (standard or URL-safe).
    pub fn from_env() -> Result<Self, ConfigError> {
        let raw = config::required(
            SIGNING_KEY_VAR,
            "the key that signs check-in codes and feed tokens (base64, 32 bytes or more)",
        )?;
        let bytes =
            decode(raw.trim()).ok_or_else(|| ConfigError::new(SIGNING_KEY_VAR, "is not base64"))?;
        Self::from_bytes(&bytes).map_err(|e| ConfigError::new(SIGNING_KEY_VAR, e))
    }

    /// The key in `dir`, created (owner-only) on first use: the local cloud's.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        let path = dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(key) => Self::from_bytes(&key).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; MIN_KEY_BYTES];
                aws_lc_rs::rand::fill(&mut key).map_err(|_| "no random source".to_owned())?;
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                crate::issuer::write_private(&path, &key)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Self::from_bytes(&key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn tag(&self, purpose: &str, parts: &[&str]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.key);
        // Length-prefixed, so ("ab", "c") and ("a", "bc") sign differently.
        for part in std::iter::once(purpose).chain(parts.iter().copied()) {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part.as_bytes());
        }
        context.sign()
    }

    /// The signature of `parts` for `purpose`, URL-safe base64.
    pub fn sign(&self, purpose: &str, parts: &[&str]) -> String {
        URL_SAFE_NO_PAD.encode(&self.tag(purpose, parts).as_ref()[..TAG_BYTES])
    }

    /// Whether `signature` is the signature of `parts` for `purpose` (constant time).
    pub fn verify(&self, purpose: &str, parts: &[&str], signature: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let expected = self.tag(purpose, parts);
        given.len() == TAG_BYTES
            && aws_lc_rs::constant_time::verify_slices_are_equal(
                &expected.as_ref()[..TAG_BYTES],
                &given,
            )
            .is_ok()
    }
}

const CHECK_IN_PREFIX: &str = "CO1";
const CHECK_IN_PURPOSE: &str = "check-in";
const FEED_PURPOSE: &str = "feed";

/// The text of an area's printed QR code: `CO1.{areaId}.{signature}`, the signature over the
/// tenant and the area, so a code cannot be guessed, and a code of one tenant checks in
/// nowhere else.
pub fn check_in_code(signer: &Signer, tenant: &domain::TenantId, area_id: &str) -> String {
    let signature = signer.sign(CHECK_IN_PURPOSE, &[tenant.as_str(), area_id]);
    format!("{CHECK_IN_PREFIX}.{area_id}.{signature}")
}

/// The area a check-in code names, if the code was issued for this tenant.
pub fn verify_check_in_code(
    signer: &Signer,
    tenant: &domain::TenantId,
    code: &str,
) -> Option<String> {
    let mut parts = code.trim().splitn(3, '.');
    let (prefix, area, signature) = (parts.next()?, parts.next()?, parts.next()?);
    (prefix == CHECK_IN_PREFIX
        && domain::id::parse_id(area).is_ok()
        && signer.verify(CHECK_IN_PURPOSE, &[tenant.as_str(), area], signature))
    .then(|| area.to_owned())
}

/// A feed link's token: `{tenant}.{feedTokenId}.{signature}`. Calendar apps send no
/// Authorization header, so the signature proves the tenant.
pub fn feed_token(signer: &Signer, tenant: &domain::TenantId, id: &str) -> String {
    let signature = signer.sign(FEED_PURPOSE, &[tenant.as_str(), id]);
    format!("{tenant}.{id}.{signature}", tenant = tenant.as_str())
}

/// The tenant and feed token id a feed token names, if its signature holds.
pub fn verify_feed_token(signer: &Signer, token: &str) -> Option<(domain::TenantId, String)> {
    let mut parts = token.splitn(3, '.');
    let (tenant, id, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let tenant = domain::TenantId::parse_external(tenant).ok()?;
    domain::id::parse_id(id).ok()?;
    signer
        .verify(FEED_PURPOSE, &[tenant.as_str(), id], signature)
        .then(|| (tenant, id.to_owned()))
}

fn decode(raw: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    [&STANDARD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(raw).ok())
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(raw)
                .ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_purpose_and_every_part() {
        let signer = Signer::generate();
        let sig = signer.sign("area", &["acme", "a1"]);
        assert!(signer.verify("area", &["acme", "a1"], &sig));
        assert!(!signer.verify("area", &["globex", "a1"], &sig));
        assert!(!signer.verify("feed", &["acme", "a1"], &sig));
        assert!(!signer.verify("area", &["acmea", "1"], &sig));
        assert!(!signer.verify("area", &["acme", "a1"], "AAAA"));
        assert!(!Signer::generate().verify("area", &["acme", "a1"], &sig));
        assert!(Signer::from_bytes(&[1; 8]).is_err());
    }
}
