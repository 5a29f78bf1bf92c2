//! Tokens: anything but a valid token of the configured issuer and audience is a 401.

use platform::Role;
use platform::auth::{Claims, TokenIssuer};
use reqwest::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::start;

fn claims(iss: &str, aud: &str, exp: i64) -> Claims {
    Claims {
        iss: iss.into(),
        aud: aud.into(),
        sub: "u1".into(),
        exp,
        iat: chrono::Utc::now().timestamp() - 10,
        tenant: "acme".into(),
        role: Role::Admin,
        customer: None,
    }
}

#[tokio::test]
async fn missing_expired_forged_or_misaddressed_tokens_get_401() {
    let app = start().await;
    let now = chrono::Utc::now().timestamp();
    let issuer = &app.issuer;
    let (iss, aud) = (issuer.issuer.clone(), issuer.audience.clone());
    let stranger = TokenIssuer::generate().unwrap();
    let no_tenant =
        json!({"iss": iss, "aud": aud, "sub": "u1", "exp": now + 3600, "role": "admin"});
    let cases = [
        ("no token", None),
        ("garbage", Some("not-a-jwt".to_owned())),
        (
            "expired",
            Some(issuer.sign(&claims(&iss, &aud, now - 3600))),
        ),
        (
            "bad signature",
            Some(stranger.sign(&claims(&iss, &aud, now + 3600))),
        ),
        (
            "wrong audience",
            Some(issuer.sign(&claims(&iss, "someone-else", now + 3600))),
        ),
        (
            "wrong issuer",
            Some(issuer.sign(&claims("https://evil.example", &aud, now + 3600))),
        ),
        ("no tenant", Some(issuer.sign(&no_tenant))),
    ];
    for (case, token) in cases {
        let reply = app
            .send(Method::GET, "/v1/sites", token.as_deref(), None, None)
            .await;
        reply.assert_problem(StatusCode::UNAUTHORIZED);
        assert!(
            reply.headers.contains_key(header::WWW_AUTHENTICATE),
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_valid_token_is_accepted() {
    let app = start().await;
    let now = chrono::Utc::now().timestamp();
    let issuer = &app.issuer;
    let valid = issuer.sign(&claims(&issuer.issuer, &issuer.audience, now + 3600));
    let reply = app
        .send(Method::GET, "/v1/sites", Some(&valid), None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}
