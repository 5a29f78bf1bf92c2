use serde_json::json;

use crate::helpers::{app, audit, sign_up};

/// A new key of `scopes`, as made (with the key itself). What a key opens is decided before
/// any handler runs: identity's own routes, in no scope, show the refusals here; the local
/// cloud's tests show a key reading the sites it may.
async fn key_with(
    app: &platform::testing::TestApp,
    admin: &str,
    scopes: serde_json::Value,
) -> serde_json::Value {
    let made = app
        .post(
            admin,
            "/v1/api-keys",
            json!({"name": "Lobby display", "scopes": scopes}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.body
}

#[tokio::test]
async fn a_key_is_shown_once_and_only_its_hash_is_kept() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let made = key_with(&app, &admin.access, json!(["sites:read"])).await;
    let key = made["key"].as_str().unwrap();
    let prefix = made["prefix"].as_str().unwrap();
    assert!(key.starts_with(&format!("co_{prefix}_")), "{key}");
    let read = app
        .get(&admin.access, &format!("/v1/api-keys/{prefix}"))
        .await;
    assert_eq!(read.body["scopes"], json!(["sites:read"]));
    assert!(read.body.get("key").is_none());
    let secret = &key[key.len() - 43..];
    let system =
        domain::store::TenantStore::new(app.state.store.clone(), domain::TenantId::system());
    let credential = system
        .get(platform::api_keys::CREDENTIALS, prefix)
        .await
        .unwrap()
        .unwrap();
    let listed = app
        .data_of(&admin.access)
        .store()
        .get("apiKeys", prefix)
        .await
        .unwrap()
        .unwrap();
    for doc in [credential, listed] {
        let json = serde_json::to_string(&doc.fields).unwrap();
        assert!(
            !json.contains(secret),
            "the secret is stored nowhere: {json}"
        );
    }
    assert_eq!(audit(&app, &admin, "apiKey.created").await.len(), 1);
}

#[tokio::test]
async fn a_key_opens_only_the_routes_of_its_scopes() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let made = key_with(&app, &admin.access, json!(["tours:read"])).await;
    let key = made["key"].as_str().unwrap();
    // Identity's routes are in no scope: refused before any handler runs.
    let users = app.get(key, "/v1/users").await;
    users.assert_problem(reqwest::StatusCode::FORBIDDEN);
    assert!(
        users.body["detail"]
            .as_str()
            .unwrap()
            .contains("tours:read"),
        "{}",
        users.body
    );
    let keys = app
        .post(
            key,
            "/v1/api-keys",
            json!({"name": "x", "scopes": ["sites:read"]}),
        )
        .await;
    keys.assert_problem(reqwest::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_revoked_or_altered_key_is_refused() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let made = key_with(&app, &admin.access, json!(["sites:read"])).await;
    let key = made["key"].as_str().unwrap().to_owned();
    let altered = format!("{}A", &key[..key.len() - 1]);
    let tampered = if altered == key {
        format!("{}B", &key[..key.len() - 1])
    } else {
        altered
    };
    app.get(&tampered, "/v1/users")
        .await
        .assert_problem(reqwest::StatusCode::UNAUTHORIZED);
    let prefix = made["prefix"].as_str().unwrap();
    let path = format!("/v1/api-keys/{prefix}");
    let etag = app.get(&admin.access, &path).await.etag();
    assert_eq!(app.delete(&admin.access, &path, &etag).await.status, 204);
    // Instances remember a verified key for a minute at most.
    app.clock.advance(platform::api_keys::REMEMBER);
    app.get(&key, "/v1/users")
        .await
        .assert_problem(reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(audit(&app, &admin, "apiKey.revoked").await.len(), 1);
}

#[tokio::test]
async fn a_key_request_names_known_scopes() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bad = app
        .post(
            &admin.access,
            "/v1/api-keys",
            json!({"name": "", "scopes": ["root"]}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["name", "scopes[0]"]);
    let none = app
        .post(
            &admin.access,
            "/v1/api-keys",
            json!({"name": "x", "scopes": []}),
        )
        .await;
    assert_eq!(none.error_fields(), ["scopes"]);
    let listed = app.get(&admin.access, "/v1/api-keys").await;
    assert_eq!(listed.body["items"], json!([]));
}
