//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), off the
//! async workers, a few at a time so a burst of logins cannot exhaust the instance's memory.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::identity::NewPassword;
use platform::ApiError;
use tokio::sync::Semaphore;

/// OWASP's password storage cheat sheet: m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Hashes at once per instance: 4 × 19 MiB beside the rest of a 512 MiB instance.
static HASHING: Semaphore = Semaphore::const_new(4);

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("OWASP's parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = HASHING.acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}

/// The PHC string of `password` (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub async fn hash(password: &NewPassword) -> Result<String, ApiError> {
    let password = password.expose().to_owned();
    blocking(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| ApiError::internal("no randomness"))?;
    let salt = SaltString::encode_b64(&salt).map_err(ApiError::internal)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Whether `candidate` is the password of `stored` (argon2 compares in constant time). For an
/// account that does not exist (`None`), a hash of the same cost is checked all the same, so
/// an unknown email takes as long as a wrong password.
pub async fn verify(stored: Option<String>, candidate: String) -> Result<bool, ApiError> {
    blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DECOY.to_owned());
        let matches = PasswordHash::new(&stored).is_ok_and(|hash| {
            argon2()
                .verify_password(candidate.as_bytes(), &hash)
                .is_ok()
        });
        known && matches
    })
    .await
}

/// What an unknown email's password is checked against: a hash of the same cost as every
/// stored one (made once with [`hash`]; its password is nobody's), so an unknown email takes
/// as long as a wrong password from the first request on.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$nI5GQtYWSajUCHviu03h0A$WaGFjZfQPu/08dnVsTh0uTY+gij951hwrYBovb2ToLQ";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = NewPassword::parse("correct horse battery", None).unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify(Some(stored.clone()), "correct horse battery".into())
                .await
                .unwrap()
        );
        assert!(
            !verify(Some(stored), "correct horse battery!".into())
                .await
                .unwrap()
        );
        assert!(!verify(None, "correct horse battery".into()).await.unwrap());
        assert!(
            PasswordHash::new(DECOY).is_ok(),
            "the decoy is a hash of the same cost"
        );
        assert!(DECOY.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
