use serde_json::json;

use crate::helpers::{PASSWORD, app, claims, login, post, sign_up};

#[tokio::test]
async fn sign_up_makes_a_tenant_with_its_settings_and_a_logged_in_admin() {
    let app = app().await;
    let admin = sign_up(&app, "Blitzblank AG", "ana@blitzblank.ch").await;
    assert!(
        admin.tenant.starts_with("blitzblank-ag-"),
        "{}",
        admin.tenant
    );
    let me = app.get(&admin.access, "/v1/users/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["role"], "admin");
    assert_eq!(me.body["email"], "ana@blitzblank.ch");
    let settings = app.get(&admin.access, "/v1/tenant-settings").await;
    assert_eq!(settings.body["name"], "Blitzblank AG");
    assert_eq!(settings.body["timeZone"], "Europe/Zurich");
    assert_eq!(settings.body["currency"], "CHF");
    let tenant = domain::TenantId::parse_external(&admin.tenant).unwrap();
    assert!(
        platform::tenants::is_active(&app.state.store, &tenant)
            .await
            .unwrap()
    );
    let created = crate::helpers::audit(&app, &admin, "tenant.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["actorId"], admin.user.as_str());
}

#[tokio::test]
async fn the_access_token_names_its_key_issuer_audience_and_lasts_15_minutes() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let header = jsonwebtoken_header(&admin.access);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], app.issuer.kid());
    let c = claims(&admin.access);
    assert_eq!(c["iss"], app.issuer.issuer.as_str());
    assert_eq!(c["aud"], app.issuer.audience.as_str());
    assert_eq!(c["tenant"], admin.tenant.as_str());
    assert_eq!(c["sub"], admin.user.as_str());
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        15 * 60
    );
}

fn jsonwebtoken_header(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_bad_sign_up_names_every_field_and_creates_nothing() {
    let app = app().await;
    let reply = post(
        &app,
        "/v1/signup",
        json!({"company": "", "name": "Ana", "email": "ana", "password": "short", "currency": "USD"}),
    )
    .await;
    reply.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["company", "email", "password"]);
    let (tenants, _) = platform::tenants::active_page(&app.state.store, None, 10)
        .await
        .unwrap();
    assert!(tenants.is_empty());
    let currency = post(
        &app,
        "/v1/signup",
        json!({"company": "Acme", "name": "Ana", "email": "ana@acme.ch", "password": PASSWORD, "currency": "USD"}),
    )
    .await;
    assert_eq!(currency.error_fields(), ["currency"]);
    assert_eq!(login(&app, "ana@acme.ch", PASSWORD).await.status, 401);
}

#[tokio::test]
async fn an_address_with_an_account_signs_up_again_only_with_its_own_password() {
    let app = app().await;
    sign_up(&app, "Acme", "ana@acme.ch").await;
    let other = json!({"company": "Second Co", "name": "Ana", "email": "ana@acme.ch",
        "password": "another long password"});
    let refused = post(&app, "/v1/signup", other).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["password"]);
    let second = sign_up(&app, "Second Co", "ana@acme.ch").await;
    // Now a user of two companies: a login asks which.
    let both = login(&app, "ana@acme.ch", PASSWORD).await;
    assert_eq!(both.status, 200);
    let tenants = both.body["tenants"].as_array().expect("a choice");
    assert_eq!(tenants.len(), 2);
    assert!(both.body.get("accessToken").is_none());
    let chosen = post(
        &app,
        "/v1/auth/login",
        json!({"email": "ana@acme.ch", "password": PASSWORD, "tenant": second.tenant}),
    )
    .await;
    assert_eq!(chosen.body["tenant"], second.tenant.as_str());
}

#[tokio::test]
async fn one_address_signs_up_a_few_companies_an_hour() {
    let app = app().await;
    let from = |i: usize| {
        let app = &app;
        async move {
            crate::helpers::post_with(
                app,
                "/v1/signup",
                json!({"company": format!("Company {i}"), "name": "Ana",
                    "email": format!("ana{i}@example.com"), "password": PASSWORD}),
                &[("x-forwarded-for", "203.0.113.50")],
            )
            .await
        }
    };
    for i in 0..5 {
        assert_eq!(from(i).await.status, 201);
    }
    let sixth = from(5).await;
    sixth.assert_problem(reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sixth.headers["retry-after"], "30");
    let (tenants, _) = platform::tenants::active_page(&app.state.store, None, 10)
        .await
        .unwrap();
    assert_eq!(tenants.len(), 5, "the sixth made nothing");
}
