//! An identity app, sign-ups and logins as a client makes them, and reading the tokens.

use platform::testing::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";

pub async fn app() -> TestApp {
    spawn_app(identity::router(), platform::HttpConfig::default()).await
}

/// A public request (no bearer token) with a JSON body.
pub async fn post(app: &TestApp, path: &str, body: Value) -> Reply {
    app.send(Method::POST, path, None, Some(body), None).await
}

/// A public POST with extra headers (a proxy's `X-Forwarded-For`, a cookie).
pub async fn post_with(app: &TestApp, path: &str, body: Value, headers: &[(&str, &str)]) -> Reply {
    let mut request = reqwest::Client::new().post(app.url(path)).json(&body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("a response");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

/// A logged-in user as a client holds her: tenant, user id and both tokens.
#[derive(Debug, Clone)]
pub struct Session {
    pub tenant: String,
    pub user: String,
    pub access: String,
    pub refresh: String,
}

impl Session {
    pub fn of(reply: &Reply) -> Self {
        assert!(reply.status.is_success(), "{}", reply.body);
        let text = |v: &Value| v.as_str().expect("a string").to_owned();
        Self {
            tenant: text(&reply.body["tenant"]),
            user: text(&reply.body["user"]["id"]),
            access: text(&reply.body["accessToken"]),
            refresh: text(&reply.body["refreshToken"]),
        }
    }
}

/// Signs up `company` with its admin `email`.
pub async fn sign_up(app: &TestApp, company: &str, email: &str) -> Session {
    let reply = post(
        app,
        "/v1/signup",
        json!({"company": company, "name": "Ana Admin", "email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    Session::of(&reply)
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> Reply {
    post(
        app,
        "/v1/auth/login",
        json!({"email": email, "password": password}),
    )
    .await
}

pub async fn refresh(app: &TestApp, token: &str) -> Reply {
    post(app, "/v1/auth/refresh", json!({"refreshToken": token})).await
}

/// Invites `email` as `role` and accepts with [`PASSWORD`]: the new user's session.
pub async fn invite_and_accept(
    app: &TestApp,
    admin: &Session,
    email: &str,
    role: &str,
    extra: Value,
) -> Session {
    let mut body = json!({"email": email, "name": "New User", "role": role, "language": "de"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    let invited = app.post(&admin.access, "/v1/invitations", body).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let token = invited.body["token"].as_str().unwrap();
    let accepted = post(
        app,
        "/v1/invitations/accept",
        json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    Session::of(&accepted)
}

/// The claims of a JWT, read without verifying (the app verifies; tests look).
pub fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The audit records of the caller's tenant with `action`, newest first.
pub async fn audit(app: &TestApp, admin: &Session, action: &str) -> Vec<Value> {
    let reply = app
        .get(&admin.access, &format!("/v1/audit?action={action}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}
