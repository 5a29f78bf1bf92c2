//! Invoker tokens on Cloud Run are Google-signed ID tokens (RS256) checked against Google's
//! rotating published keys. The verifier's key source is swapped here for a local RSA key; the
//! checks are the production ones.

use std::time::Duration;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::Engine as _;
use gcloud_sdk::id_token_verify::{IdTokenKeys, IdTokenKeysSource, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::ApiError;
use platform::push::PushVerifier;
use serde_json::json;

const AUDIENCE: &str = "https://workload-report-abc-ew.a.run.app";
const ACCOUNT: &str = "pubsub-push@demo.iam.gserviceaccount.com";

struct Keys(Option<JwkSet>);

#[async_trait::async_trait]
impl IdTokenKeysSource for Keys {
    async fn fetch_keys(&self) -> gcloud_sdk::error::Result<IdTokenKeys> {
        match &self.0 {
            Some(keys) => Ok(IdTokenKeys::new(keys.clone(), Duration::from_secs(300))),
            // What Google's keys endpoint answers when it is down.
            None => Err(gcloud_sdk::error::ErrorKind::HttpStatus(
                http::StatusCode::SERVICE_UNAVAILABLE,
            )
            .into()),
        }
    }
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo`: SEQUENCE { INTEGER version,
/// SEQUENCE algorithm, OCTET STRING key }. (The signer takes PKCS#1; the generator gives PKCS#8.)
fn pkcs1_of(pkcs8: &[u8]) -> &[u8] {
    /// One DER element at `at`: (content start, content end).
    fn element(der: &[u8], at: usize) -> (usize, usize) {
        let first = der[at + 1] as usize;
        let (len, header) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            (
                der[at + 2..at + 2 + n]
                    .iter()
                    .fold(0, |acc, b| (acc << 8) | *b as usize),
                2 + n,
            )
        };
        (at + header, at + header + len)
    }
    let (body, _) = element(pkcs8, 0);
    let (_, version_end) = element(pkcs8, body);
    let (_, algorithm_end) = element(pkcs8, version_end);
    let (key, key_end) = element(pkcs8, algorithm_end);
    &pkcs8[key..key_end]
}

struct Google {
    key: EncodingKey,
    jwks: JwkSet,
}

impl Google {
    fn new() -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let der: Pkcs8V1Der = pair.as_der().unwrap();
        let public = aws_lc_rs::signature::KeyPair::public_key(&pair);
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwks = serde_json::from_value(json!({"keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": "google-1",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        }]}))
        .unwrap();
        Self {
            key: EncodingKey::from_rsa_der(pkcs1_of(der.as_ref())),
            jwks,
        }
    }

    fn token(&self, audience: &str, email: &str, ttl_seconds: i64, kid: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        let claims = json!({"iss": "https://accounts.google.com", "aud": audience, "sub": "10769150350006150715113082367",
            "email": email, "email_verified": true, "iat": now - 5, "exp": now + ttl_seconds});
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }
}

fn verifier(keys: Option<JwkSet>) -> PushVerifier {
    PushVerifier::google(AUDIENCE, ACCOUNT, Some(Box::new(Keys(keys)))).unwrap()
}

#[tokio::test]
async fn google_signed_tokens_of_the_push_account_pass_and_others_do_not() {
    let google = Google::new();
    let verifier = verifier(Some(google.jwks.clone()));
    verifier
        .verify(&google.token(AUDIENCE, ACCOUNT, 300, "google-1"))
        .await
        .unwrap();

    let refused = [
        (
            "another account",
            google.token(
                AUDIENCE,
                "intruder@evil.iam.gserviceaccount.com",
                300,
                "google-1",
            ),
            403,
        ),
        (
            "another audience",
            google.token("https://elsewhere.run.app", ACCOUNT, 300, "google-1"),
            401,
        ),
        (
            "expired",
            google.token(AUDIENCE, ACCOUNT, -300, "google-1"),
            401,
        ),
        (
            "an unknown key",
            google.token(AUDIENCE, ACCOUNT, 300, "google-9"),
            401,
        ),
        (
            "a forged signature",
            Google::new().token(AUDIENCE, ACCOUNT, 300, "google-1"),
            401,
        ),
    ];
    for (case, token, status) in refused {
        let err = verifier.verify(&token).await.unwrap_err();
        assert_eq!(err.status().as_u16(), status, "{case}: {err}");
    }
}

#[tokio::test]
async fn unavailable_keys_are_a_503_so_the_delivery_is_retried() {
    let google = Google::new();
    let err = verifier(None)
        .verify(&google.token(AUDIENCE, ACCOUNT, 300, "google-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Unavailable(_)), "{err:?}");
}
