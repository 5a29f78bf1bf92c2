//! Bearer tokens an attacker forges or replays, on every route of every function: each is a
//! 401 problem, never a 2xx, and never a 500.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use platform::Role;
use platform::auth::Claims;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{VICTIM, start};

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn claims(app: &platform::testing::TestApp) -> Claims {
    let now = chrono::Utc::now().timestamp();
    let token = app.token(VICTIM, Role::Admin);
    let mut claims: Claims = app.issuer.verifier().verify(&token).unwrap();
    claims.iat = now;
    claims.exp = now + 600;
    claims
}

/// Each attack, named, as the token it sends.
fn forged_tokens(app: &platform::testing::TestApp) -> Vec<(&'static str, String)> {
    let good = app.token(VICTIM, Role::Admin);
    let parts: Vec<&str> = good.split('.').collect();
    let payload = parts[1];
    let signed = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value = serde_json::to_value(claims(app)).unwrap();
        edit(&mut value);
        app.issuer.sign(&value)
    };
    let now = chrono::Utc::now().timestamp();
    vec![
        (
            "alg none",
            format!("{}.{payload}.", b64(&json!({"alg": "none", "typ": "JWT"}))),
        ),
        ("HS256 keyed with the public key", {
            let header = b64(&json!({"alg": "HS256", "typ": "JWT"}));
            let key = serde_json::to_vec(&app.issuer.jwks()).unwrap();
            let signature = aws_lc_rs::hmac::sign(
                &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key),
                format!("{header}.{payload}").as_bytes(),
            );
            format!(
                "{header}.{payload}.{}",
                URL_SAFE_NO_PAD.encode(signature.as_ref())
            )
        }),
        (
            "unknown kid",
            format!(
                "{}.{payload}.{}",
                b64(&json!({"alg": "EdDSA", "kid": "nope"})),
                parts[2]
            ),
        ),
        (
            "path kid",
            format!(
                "{}.{payload}.{}",
                b64(&json!({"alg": "EdDSA", "kid": "../../etc/passwd"})),
                parts[2]
            ),
        ),
        (
            "embedded jwk",
            format!(
                "{}.{payload}.{}",
                b64(&json!({"alg": "EdDSA", "jwk": app.issuer.jwks().keys[0]})),
                parts[2]
            ),
        ),
        (
            "jku",
            format!(
                "{}.{payload}.{}",
                b64(&json!({"alg": "EdDSA", "jku": "http://127.0.0.1:1/keys"})),
                parts[2]
            ),
        ),
        (
            "tampered payload",
            format!(
                "{}.{}.{}",
                parts[0],
                b64(&json!({"tenant": "globex"})),
                parts[2]
            ),
        ),
        (
            "expired",
            signed(&|c| {
                c["exp"] = json!(now - 3600);
                c["iat"] = json!(now - 7200);
            }),
        ),
        (
            "nbf an hour ahead",
            signed(&|c| c["nbf"] = json!(now + 3600)),
        ),
        (
            "nbf a year ahead",
            signed(&|c| c["nbf"] = json!(now + 365 * 86400)),
        ),
        (
            "iat a year ahead",
            signed(&|c| c["iat"] = json!(now + 365 * 86400)),
        ),
        (
            "wrong issuer",
            signed(&|c| c["iss"] = json!("https://evil.example")),
        ),
        (
            "wrong audience",
            signed(&|c| c["aud"] = json!("someone-else")),
        ),
        (
            "tenant not an id",
            signed(&|c| c["tenant"] = json!("../globex")),
        ),
        (
            "tenant missing",
            signed(&|c| {
                c.as_object_mut().unwrap().remove("tenant");
            }),
        ),
        ("unknown role", signed(&|c| c["role"] = json!("root"))),
        ("huge", signed(&|c| c["pad"] = json!("x".repeat(7000)))),
        ("not a JWT", "not-a-token".into()),
        (
            "100 KB",
            format!("{}.{}.{}", parts[0], "x".repeat(100 * 1024), parts[2]),
        ),
    ]
}

/// The routes a client reaches before it has a token: sign-up, login, refresh and logout
/// (a refresh token), an invitation's link, the issuer's published keys, the API's document.
const PUBLIC: [&str; 10] = [
    "/v1/signup",
    "/v1/auth/password-reset",
    "/v1/auth/password-reset/confirm",
    "/v1/auth/login",
    "/v1/auth/refresh",
    "/v1/auth/logout",
    "/v1/invitations/accept",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
    "/v1/openapi.json",
];

#[tokio::test]
async fn forged_and_replayed_tokens_are_401_on_every_route() {
    let (app, paths) = start().await;
    let attacks = forged_tokens(&app);
    let mut tried = 0;
    for path in &paths {
        let path = path
            .replace("{id}", "x")
            .replace("{area_id}", "x")
            .replace("{date}", "2026-11-30");
        if path.contains("/feeds") {
            continue; // feeds take no bearer token: their own token is fuzzed and tested
        }
        if PUBLIC.contains(&path.as_str()) {
            continue; // no bearer token either: identity's own tests try their credentials
        }
        for (name, token) in &attacks {
            for method in [Method::GET, Method::POST] {
                let reply = app
                    .send(method.clone(), &path, Some(token), Some(json!({})), None)
                    .await;
                tried += 1;
                // A method the route lacks is a 405 before any token is read.
                if reply.status == 405 {
                    continue;
                }
                assert!(
                    reply.status == 401
                        || ((path.starts_with("/push/") || path.starts_with("/v1/twilio/"))
                            && reply.status == 403),
                    "{name}: {method} {path} gave {}",
                    reply.status
                );
                reply.assert_problem(reply.status);
            }
        }
    }
    println!(
        "token attacks: {} kinds x {} routes: {tried} requests, none accepted",
        attacks.len(),
        paths.len()
    );
}
