use serde_json::json;

use crate::helpers::{PASSWORD, Session, app, audit, login, post, refresh, sign_up};

#[tokio::test]
async fn a_login_answers_tokens_the_functions_accept() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    let reply = login(&app, "Ana@Acme.CH", PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.headers["cache-control"], "no-store");
    let session = Session::of(&reply);
    let claims = app
        .state
        .verifier
        .verify(&session.access)
        .expect("a valid token");
    assert_eq!(claims.tenant, session.tenant);
    assert_eq!(claims.role, platform::Role::Admin);
    assert_eq!(app.get(&session.access, "/v1/users/me").await.status, 200);
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    let wrong = login(&app, "ana@acme.ch", "not the password").await;
    let unknown = login(&app, "nobody@acme.ch", "not the password").await;
    wrong.assert_problem(reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn a_refresh_rotates_the_refresh_token() {
    let app = app().await;
    let first = sign_up(&app, "Acme", "ana@acme.ch").await;
    let next = refresh(&app, &first.refresh).await;
    assert_eq!(next.status, 200, "{}", next.body);
    let next = Session::of(&next);
    assert_ne!(next.refresh, first.refresh);
    assert_eq!(next.tenant, first.tenant);
    assert_eq!(app.get(&next.access, "/v1/users/me").await.status, 200);
    assert_eq!(refresh(&app, &next.refresh).await.status, 200);
}

#[tokio::test]
async fn a_used_refresh_token_presented_again_ends_the_whole_family() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let stolen = admin.refresh.clone();
    let rotated = Session::of(&refresh(&app, &admin.refresh).await);
    let replay = refresh(&app, &stolen).await;
    replay.assert_problem(reqwest::StatusCode::UNAUTHORIZED);
    // The legitimate holder's newer token is dead too: the family is revoked.
    assert_eq!(refresh(&app, &rotated.refresh).await.status, 401);
    let records = audit(&app, &rotated, "session.revokedOnReuse").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["after"]["userId"], admin.user.as_str());
}

#[tokio::test]
async fn a_logout_ends_the_session_and_is_safe_to_repeat() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let out = post(
        &app,
        "/v1/auth/logout",
        json!({"refreshToken": admin.refresh}),
    )
    .await;
    assert_eq!(out.status, 204);
    assert_eq!(refresh(&app, &admin.refresh).await.status, 401);
    let again = post(
        &app,
        "/v1/auth/logout",
        json!({"refreshToken": admin.refresh}),
    )
    .await;
    assert_eq!(again.status, 204);
}

#[tokio::test]
async fn a_forged_or_malformed_refresh_token_is_refused() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let (tenant, rest) = admin.refresh.split_once('.').unwrap();
    let (session, _) = rest.split_once('.').unwrap();
    for forged in [
        "nonsense".to_owned(),
        format!("other-tenant.{session}.{}", "A".repeat(43)),
        format!("{tenant}.{}.{}", "unknown", "A".repeat(43)),
        format!("_system.{session}.{}", "A".repeat(43)),
    ] {
        let reply = refresh(&app, &forged).await;
        reply.assert_problem(reqwest::StatusCode::UNAUTHORIZED);
    }
    // None of them touched the real session.
    assert_eq!(refresh(&app, &admin.refresh).await.status, 200);
}

#[tokio::test]
async fn the_cockpit_keeps_its_refresh_token_in_a_strict_http_only_cookie() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    let client = reqwest::Client::new();
    let reply = client
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "ana@acme.ch", "password": PASSWORD, "session": "cookie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let cookie = reply.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/v1/auth"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let body: serde_json::Value = reply.json().await.unwrap();
    assert!(body.get("refreshToken").is_none(), "{body}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let refreshed = client
        .post(app.url("/v1/auth/refresh"))
        .header("cookie", &pair)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    let rotated = refreshed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(rotated.split(';').next().unwrap(), pair);
    // Without a JSON body (a cross-site form post) the cookie is not even read.
    let form = client
        .post(app.url("/v1/auth/refresh"))
        .header("cookie", rotated.split(';').next().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
}
