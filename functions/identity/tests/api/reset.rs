use domain::store::TenantStore;
use serde_json::json;

use crate::helpers::{PASSWORD, app, login, post, refresh, sign_up};

/// The reset links raised for the notifications worker to `email`'s user.
async fn links(app: &platform::testing::TestApp, email: &str) -> Vec<String> {
    let mut links = Vec::new();
    for (tenant, event) in app.raised().await {
        if event["message"]["kind"] != "passwordReset" {
            continue;
        }
        let users = TenantStore::new(app.state.store.clone(), tenant);
        let user = event["to"][0]["userId"].as_str().unwrap_or_default();
        let Some(user) = users.get("users", user).await.unwrap() else {
            continue;
        };
        if user.fields["email"] == email {
            links.push(event["link"].as_str().unwrap().to_owned());
        }
    }
    links
}

fn token_of(link: &str) -> String {
    link.split_once("#token=").unwrap().1.to_owned()
}

#[tokio::test]
async fn a_reset_sets_the_new_password_and_ends_every_session() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let asked = post(
        &app,
        "/v1/auth/password-reset",
        json!({"email": "ana@acme.ch"}),
    )
    .await;
    assert_eq!(asked.status, 202);
    let link = links(&app, "ana@acme.ch")
        .await
        .pop()
        .expect("a link in the outbox");
    let token = token_of(&link);
    let weak = post(
        &app,
        "/v1/auth/password-reset/confirm",
        json!({"token": token, "password": "short"}),
    )
    .await;
    assert_eq!(weak.error_fields(), ["password"]);
    let done = post(
        &app,
        "/v1/auth/password-reset/confirm",
        json!({"token": token, "password": "a brand new passphrase"}),
    )
    .await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(
        refresh(&app, &admin.refresh).await.status,
        401,
        "the old session ended"
    );
    assert_eq!(login(&app, "ana@acme.ch", PASSWORD).await.status, 401);
    assert_eq!(
        login(&app, "ana@acme.ch", "a brand new passphrase")
            .await
            .status,
        200
    );
    let records = crate::helpers::audit(&app, &admin, "user.passwordReset").await;
    assert_eq!(
        records.len(),
        1,
        "her tenant's admins see why her sessions ended"
    );
    assert_eq!(records[0]["targetId"], admin.user.as_str());
    let twice = post(
        &app,
        "/v1/auth/password-reset/confirm",
        json!({"token": token, "password": "yet another passphrase"}),
    )
    .await;
    twice.assert_problem(reqwest::StatusCode::GONE);
}

#[tokio::test]
async fn a_reset_link_expires_after_30_minutes() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    post(
        &app,
        "/v1/auth/password-reset",
        json!({"email": "ana@acme.ch"}),
    )
    .await;
    let token = token_of(&links(&app, "ana@acme.ch").await[0]);
    app.clock.advance(chrono::Duration::minutes(30));
    let late = post(
        &app,
        "/v1/auth/password-reset/confirm",
        json!({"token": token, "password": "a brand new passphrase"}),
    )
    .await;
    late.assert_problem(reqwest::StatusCode::GONE);
}

#[tokio::test]
async fn asking_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    let known = post(
        &app,
        "/v1/auth/password-reset",
        json!({"email": "ana@acme.ch"}),
    )
    .await;
    let unknown = post(
        &app,
        "/v1/auth/password-reset",
        json!({"email": "nobody@acme.ch"}),
    )
    .await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    assert!(links(&app, "nobody@acme.ch").await.is_empty());
}
