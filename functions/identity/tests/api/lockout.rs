use serde_json::json;

use crate::helpers::{PASSWORD, app, login, post_with, sign_up};

#[tokio::test]
async fn five_failures_lock_the_account_and_the_wait_then_doubles() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    for _ in 0..5 {
        assert_eq!(
            login(&app, "ana@acme.ch", "a wrong guess").await.status,
            401
        );
    }
    // Locked: even the right password waits.
    let locked = login(&app, "ana@acme.ch", PASSWORD).await;
    locked.assert_problem(reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers["retry-after"], "30");
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(
        login(&app, "ana@acme.ch", "a wrong guess").await.status,
        401
    );
    let doubled = login(&app, "ana@acme.ch", PASSWORD).await;
    assert_eq!(doubled.status, 429);
    assert_eq!(doubled.headers["retry-after"], "60");
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(login(&app, "ana@acme.ch", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn an_unknown_email_is_locked_like_a_known_one() {
    let app = app().await;
    for _ in 0..5 {
        login(&app, "nobody@acme.ch", "a wrong guess").await;
    }
    let locked = login(&app, "nobody@acme.ch", "a wrong guess").await;
    assert_eq!(locked.status, 429);
    assert_eq!(locked.headers["retry-after"], "30");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_locked_out_itself() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    let from = |address: &'static str, email: String, password: &'static str| {
        let app = &app;
        async move {
            post_with(
                app,
                "/v1/auth/login",
                json!({"email": email, "password": password}),
                &[("x-forwarded-for", address)],
            )
            .await
        }
    };
    for i in 0..20 {
        let reply = from("203.0.113.9", format!("guess{i}@acme.ch"), "a wrong guess").await;
        assert_eq!(reply.status, 401, "{}", reply.body);
    }
    let locked = from("203.0.113.9", "ana@acme.ch".into(), PASSWORD).await;
    assert_eq!(locked.status, 429);
    // Someone else, from elsewhere, logs in.
    let elsewhere = from("198.51.100.7", "ana@acme.ch".into(), PASSWORD).await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.body);
}
