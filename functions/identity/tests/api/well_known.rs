use crate::helpers::{app, sign_up};

#[tokio::test]
async fn the_functions_verify_tokens_against_the_published_keys() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let url = app.url("/.well-known/jwks.json");
    // What every other function does with AUTH_JWKS_URL: no key known until it fetches them.
    let verifier =
        platform::auth::Verifier::from_url(&url, &app.issuer.issuer, &app.issuer.audience);
    let claims = verifier
        .verify_fresh(&admin.access)
        .await
        .expect("verified with fetched keys");
    assert_eq!(claims.tenant, admin.tenant);
    let mut stranger = platform::auth::TokenIssuer::generate().unwrap();
    stranger.issuer = app.issuer.issuer.clone();
    stranger.audience = app.issuer.audience.clone();
    let forged = stranger.token(
        &admin.tenant,
        &admin.user,
        platform::Role::Admin,
        chrono::Duration::minutes(5),
    );
    assert!(
        verifier.verify_fresh(&forged).await.is_err(),
        "a key the issuer never published"
    );
}

#[tokio::test]
async fn the_issuer_publishes_its_metadata_and_keys_for_caching() {
    let app = app().await;
    let config = app
        .send(
            reqwest::Method::GET,
            "/.well-known/openid-configuration",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(config.status, 200);
    assert_eq!(config.body["issuer"], app.issuer.issuer.as_str());
    assert_eq!(config.body["jwks_uri"], app.url("/.well-known/jwks.json"));
    assert_eq!(
        config.body["id_token_signing_alg_values_supported"],
        serde_json::json!(["EdDSA"])
    );
    let keys = app
        .send(
            reqwest::Method::GET,
            "/.well-known/jwks.json",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(keys.headers["cache-control"], "public, max-age=300");
    assert_eq!(keys.body["keys"][0]["kid"], app.issuer.kid());
    assert!(keys.body["keys"][0].get("d").is_none(), "no private part");
}
