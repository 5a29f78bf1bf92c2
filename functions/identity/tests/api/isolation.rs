//! Another tenant's users, invitations, API keys and audit records are not there for the
//! caller, to read or to change.

use serde_json::json;

use crate::helpers::{app, invite_and_accept, sign_up};

#[tokio::test]
async fn another_tenants_users_invitations_keys_and_audit_records_are_404() {
    let app = app().await;
    let acme = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &acme, "bea@acme.ch", "dispatcher", json!({})).await;
    let pending = app
        .post(
            &acme.access,
            "/v1/invitations",
            json!({"email": "cy@acme.ch", "name": "Cy", "role": "dispatcher", "language": "en"}),
        )
        .await;
    let key = app
        .post(
            &acme.access,
            "/v1/api-keys",
            json!({"name": "Display", "scopes": ["sites:read"]}),
        )
        .await;
    let audit = app.get(&acme.access, "/v1/audit").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rival = sign_up(&app, "Rival", "rex@rival.ch").await;
    for path in [
        format!("/v1/users/{}", bea.user),
        format!("/v1/invitations/{}", pending.id()),
        format!("/v1/audit/{audit}"),
        format!("/v1/api-keys/{}", key.id()),
    ] {
        app.get(&rival.access, &path)
            .await
            .assert_problem(reqwest::StatusCode::NOT_FOUND);
    }
    let etag = app
        .get(&acme.access, &format!("/v1/users/{}", bea.user))
        .await
        .etag();
    let hijack = app
        .patch(
            &rival.access,
            &format!("/v1/users/{}", bea.user),
            json!({"active": false}),
            &etag,
        )
        .await;
    hijack.assert_problem(reqwest::StatusCode::NOT_FOUND);
    let out = app
        .post(
            &rival.access,
            &format!("/v1/users/{}/logout", bea.user),
            json!({}),
        )
        .await;
    out.assert_problem(reqwest::StatusCode::NOT_FOUND);
    let key_path = format!("/v1/api-keys/{}", key.id());
    let revoke = app.delete(&rival.access, &key_path, &key.etag()).await;
    revoke.assert_problem(reqwest::StatusCode::NOT_FOUND);
    let listed = app.get(&rival.access, "/v1/users").await.body["items"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["email"], "rex@rival.ch");
    // Bea and the key still work (the key is refused identity's routes, not unknown).
    assert_eq!(app.get(&bea.access, "/v1/users/me").await.status, 200);
    let secret = key.body["key"].as_str().unwrap();
    assert_eq!(app.get(secret, "/v1/users").await.status, 403);
}
