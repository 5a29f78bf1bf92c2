//! Signing keys for signed URLs, as service-account JSON (what `google-cloud-auth` signs
//! with locally), and their public halves, which check signatures.
//!
//! In the cloud no key exists: the Cloud Run service account signs through the IAM
//! `signBlob` API. Locally, and in tests, a key is made here (RSA 2048) and kept.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

use crate::BlobError;

/// A private key with the account it signs for.
#[derive(Clone)]
pub struct SigningKey {
    client_email: String,
    pkcs8_pem: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("client_email", &self.client_email)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new RSA 2048 key signing as `client_email`.
    pub fn generate(client_email: &str) -> Result<Self, BlobError> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|e| BlobError::Config(format!("cannot make an RSA key: {e}")))?;
        let der = pair
            .as_der()
            .map_err(|e| BlobError::Config(format!("cannot encode the RSA key: {e}")))?;
        Ok(Self {
            client_email: client_email.to_owned(),
            pkcs8_pem: pem("PRIVATE KEY", der.as_ref()),
        })
    }

    /// Reads a service account's JSON key (`client_email`, `private_key` in PKCS#8 PEM).
    pub fn from_service_account(json: &Value) -> Result<Self, BlobError> {
        let field = |name: &str| {
            json.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| BlobError::Config(format!("the key has no {name}")))
        };
        let key = Self {
            client_email: field("client_email")?,
            pkcs8_pem: field("private_key")?,
        };
        key.public_key()?;
        Ok(key)
    }

    /// The key as a service account's JSON, which `google-cloud-auth` signs with.
    pub fn service_account(&self) -> Value {
        json!({
            "type": "service_account",
            "project_id": "cleanops-local",
            "private_key_id": "local",
            "private_key": self.pkcs8_pem,
            "client_email": self.client_email,
        })
    }

    /// The signer `SignedUrlBuilder` takes.
    pub fn signer(&self) -> Result<google_cloud_auth::signer::Signer, BlobError> {
        google_cloud_auth::credentials::service_account::Builder::new(self.service_account())
            .build_signer()
            .map_err(|e| BlobError::Config(format!("cannot sign with the key: {e}")))
    }

    pub fn public_key(&self) -> Result<PublicKey, BlobError> {
        let der = unpem(&self.pkcs8_pem)
            .ok_or_else(|| BlobError::Config("the private key is not PEM".into()))?;
        let pair = KeyPair::from_pkcs8(&der)
            .map_err(|e| BlobError::Config(format!("the private key is not PKCS#8 RSA: {e}")))?;
        use aws_lc_rs::signature::KeyPair as _;
        Ok(PublicKey {
            client_email: self.client_email.clone(),
            rsa: pair.public_key().as_ref().to_vec(),
        })
    }
}

/// The public half: who signed, and the RSA key that checks it.
#[derive(Clone, Debug)]
pub struct PublicKey {
    client_email: String,
    rsa: Vec<u8>,
}

impl PublicKey {
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// Whether `signature` is this key's RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.rsa)
            .verify(message, signature)
            .is_ok()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = BASE64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn unpem(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    BASE64.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_made_key_signs_what_its_public_half_checks() {
        let key = SigningKey::generate("local@cleanops.test").unwrap();
        let signer = key.signer().unwrap();
        let signature = signer.sign("string to sign").await.unwrap();
        let public = key.public_key().unwrap();
        assert!(public.verifies(b"string to sign", &signature));
        assert!(!public.verifies(b"string to sigN", &signature));
        let again = SigningKey::from_service_account(&key.service_account()).unwrap();
        assert_eq!(again.public_key().unwrap().rsa, public.rsa);
    }
}
