use serde_json::json;

use crate::helpers::{PASSWORD, Session, app, claims, invite_and_accept, login, post, sign_up};

fn dispatcher(email: &str) -> serde_json::Value {
    json!({"email": email, "name": "Bea", "role": "dispatcher", "language": "de"})
}

#[tokio::test]
async fn an_invitation_accepted_makes_a_user_who_then_logs_in() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let invited = app
        .post(&admin.access, "/v1/invitations", dispatcher("bea@acme.ch"))
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let url = invited.body["acceptUrl"].as_str().unwrap();
    let token = invited.body["token"].as_str().unwrap();
    assert!(
        url.ends_with(&format!("/accept-invitation#token={token}")),
        "{url}"
    );
    // The invitee gets the link by email, in her language.
    let raised = app.raised().await;
    let event = &raised.last().expect("an invitation raised").1;
    assert_eq!(event["message"]["kind"], "invitation");
    assert_eq!(event["message"]["company"], "Acme");
    assert_eq!(event["link"], url);
    assert_eq!(
        event["to"],
        json!([{"type": "address", "email": "bea@acme.ch", "name": "Bea", "language": "de"}])
    );
    let expires =
        chrono::DateTime::parse_from_rfc3339(invited.body["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires.with_timezone(&chrono::Utc) - domain::Clock::now(&*app.clock),
        chrono::Duration::days(7)
    );
    let accepted = post(
        &app,
        "/v1/invitations/accept",
        json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    assert_eq!(accepted.body["user"]["role"], "dispatcher");
    let bea = Session::of(&login(&app, "bea@acme.ch", PASSWORD).await);
    assert_eq!(claims(&bea.access)["role"], "dispatcher");
    let again = post(
        &app,
        "/v1/invitations/accept",
        json!({"token": token, "password": PASSWORD}),
    )
    .await;
    again.assert_problem(reqwest::StatusCode::GONE);
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let invited = app
        .post(&admin.access, "/v1/invitations", dispatcher("bea@acme.ch"))
        .await;
    app.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    let late = post(
        &app,
        "/v1/invitations/accept",
        json!({"token": invited.body["token"], "password": PASSWORD}),
    )
    .await;
    late.assert_problem(reqwest::StatusCode::GONE);
}

#[tokio::test]
async fn a_revoked_invitation_no_longer_opens() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let invited = app
        .post(&admin.access, "/v1/invitations", dispatcher("bea@acme.ch"))
        .await;
    let path = format!("/v1/invitations/{}", invited.id());
    assert_eq!(
        app.delete(&admin.access, &path, &invited.etag())
            .await
            .status,
        204
    );
    let late = post(
        &app,
        "/v1/invitations/accept",
        json!({"token": invited.body["token"], "password": PASSWORD}),
    )
    .await;
    late.assert_problem(reqwest::StatusCode::GONE);
}

#[tokio::test]
async fn an_address_already_a_user_of_the_tenant_is_not_invited_twice() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let again = app
        .post(&admin.access, "/v1/invitations", dispatcher("Ana@acme.ch"))
        .await;
    again.assert_problem(reqwest::StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_cleaner_is_invited_as_her_cleaner_record_and_her_token_names_it() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let unknown = app
        .post(
            &admin.access,
            "/v1/invitations",
            json!({"email": "maria@acme.ch", "name": "Maria",
            "role": "cleaner", "language": "it", "cleanerId": "maria"}),
        )
        .await;
    assert_eq!(unknown.error_fields(), ["cleanerId"]);
    // The planning function keeps a cleaner under her user id.
    let cleaner = <domain::planning::Cleaner as domain::Entity>::parse(&json!({"userId": "maria",
        "name": "Maria", "home": {"lat": 47.37, "lng": 8.54},
        "shifts": [{"day": "mon", "from": "16:00", "to": "20:00"}], "maxMinutesPerDay": 240}))
    .unwrap();
    app.data_of(&admin.access)
        .repo::<domain::planning::Cleaner>()
        .create_with_id("maria", cleaner, vec![])
        .await
        .unwrap();
    let maria = invite_and_accept(
        &app,
        &admin,
        "maria@acme.ch",
        "cleaner",
        json!({"cleanerId": "maria"}),
    )
    .await;
    assert_eq!(maria.user, "maria");
    assert_eq!(claims(&maria.access)["sub"], "maria");
    assert_eq!(claims(&maria.access)["role"], "cleaner");
}

#[tokio::test]
async fn a_customer_user_carries_her_customer_in_the_token() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let missing = app
        .post(
            &admin.access,
            "/v1/invitations",
            json!({"email": "c@client.ch", "name": "C", "role": "customer", "language": "fr"}),
        )
        .await;
    assert_eq!(missing.error_fields(), ["customerId"]);
    let carla = invite_and_accept(
        &app,
        &admin,
        "c@client.ch",
        "customer",
        json!({"customerId": "c1"}),
    )
    .await;
    assert_eq!(claims(&carla.access)["customer"], "c1");
}

#[tokio::test]
async fn an_address_with_an_account_accepts_with_its_own_password_only() {
    let app = app().await;
    let acme = sign_up(&app, "Acme", "ana@acme.ch").await;
    let rival = sign_up(&app, "Rival", "rex@rival.ch").await;
    let invited = app
        .post(&rival.access, "/v1/invitations", dispatcher("ana@acme.ch"))
        .await;
    let token = invited.body["token"].as_str().unwrap();
    // Whoever holds the link cannot set Ana's password.
    let takeover = post(
        &app,
        "/v1/invitations/accept",
        json!({"token": token, "password": "an attacker's choice"}),
    )
    .await;
    assert_eq!(takeover.error_fields(), ["password"]);
    assert_eq!(
        login(&app, "ana@acme.ch", PASSWORD).await.body["tenant"],
        acme.tenant.as_str()
    );
    let joined = post(
        &app,
        "/v1/invitations/accept",
        json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!(joined.body["tenant"], rival.tenant.as_str());
}

#[tokio::test]
async fn an_acceptance_cut_short_leaves_nothing_in_the_way_of_the_next_invitation() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    // As if the tenant's commit had never landed: the account names a user who is not there.
    let data = app.data_of(&admin.access);
    let email = domain::identity::Email::parse("bea@acme.ch").unwrap();
    let gone = vec![
        domain::store::Write::Delete {
            collection: "users",
            id: bea.user.clone(),
            expected_version: None,
        },
        domain::store::Write::Delete {
            collection: "userEmails",
            id: identity::users::email_marker_id(&email),
            expected_version: None,
        },
    ];
    data.store().commit(gone, data.now()).await.unwrap();
    let again = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    assert_ne!(again.user, bea.user);
    let me = app.get(&again.access, "/v1/users/me").await;
    assert_eq!(me.body["email"], "bea@acme.ch");
    assert_eq!(
        login(&app, "bea@acme.ch", PASSWORD).await.body["user"]["id"],
        again.user.as_str()
    );
}
