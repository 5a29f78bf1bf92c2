use serde_json::json;

use crate::helpers::{PASSWORD, app, audit, invite_and_accept, login, refresh, sign_up};

#[tokio::test]
async fn deactivating_a_user_ends_her_sessions_and_her_logins() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    let path = format!("/v1/users/{}", bea.user);
    let etag = app.get(&admin.access, &path).await.etag();
    let off = app
        .patch(&admin.access, &path, json!({"active": false}), &etag)
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(refresh(&app, &bea.refresh).await.status, 401);
    assert_eq!(login(&app, "bea@acme.ch", PASSWORD).await.status, 401);
    // Her access token was issued for 15 minutes at most: that bounds what she keeps.
    let claims = crate::helpers::claims(&bea.access);
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 900);
    let records = audit(&app, &admin, "user.deactivated").await;
    assert_eq!(records[0]["before"]["active"], true);
    assert_eq!(records[0]["after"]["active"], false);
    assert_eq!(records[0]["actorId"], admin.user.as_str());
}

#[tokio::test]
async fn a_role_change_takes_effect_at_the_next_login_and_ends_the_sessions() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    let path = format!("/v1/users/{}", bea.user);
    let etag = app.get(&admin.access, &path).await.etag();
    let promoted = app
        .patch(&admin.access, &path, json!({"role": "admin"}), &etag)
        .await;
    assert_eq!(promoted.body["role"], "admin");
    assert_eq!(refresh(&app, &bea.refresh).await.status, 401);
    let again = crate::helpers::Session::of(&login(&app, "bea@acme.ch", PASSWORD).await);
    assert_eq!(crate::helpers::claims(&again.access)["role"], "admin");
}

#[tokio::test]
async fn an_admin_neither_demotes_nor_deactivates_herself() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let path = format!("/v1/users/{}", admin.user);
    let etag = app.get(&admin.access, &path).await.etag();
    let demote = app
        .patch(&admin.access, &path, json!({"role": "dispatcher"}), &etag)
        .await;
    assert_eq!(demote.error_fields(), ["role"]);
    let off = app
        .patch(&admin.access, &path, json!({"active": false}), &etag)
        .await;
    assert_eq!(off.error_fields(), ["active"]);
    let email = app
        .patch(&admin.access, &path, json!({"email": "x@acme.ch"}), &etag)
        .await;
    assert_eq!(email.error_fields(), ["email"]);
    assert_eq!(
        app.get(&admin.access, &path).await.etag(),
        etag,
        "nothing changed"
    );
}

#[tokio::test]
async fn a_stale_user_update_is_a_412() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    let path = format!("/v1/users/{}", bea.user);
    let etag = app.get(&admin.access, &path).await.etag();
    app.patch(&admin.access, &path, json!({"name": "Bea B."}), &etag)
        .await;
    let stale = app
        .patch(&admin.access, &path, json!({"name": "Bea C."}), &etag)
        .await;
    stale.assert_problem(reqwest::StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn logging_a_user_out_everywhere_ends_every_session_of_hers() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let phone = crate::helpers::Session::of(&login(&app, "ana@acme.ch", PASSWORD).await);
    let out = app
        .post(
            &admin.access,
            &format!("/v1/users/{}/logout", admin.user),
            json!({}),
        )
        .await;
    assert_eq!(out.status, 204, "{}", out.body);
    assert_eq!(refresh(&app, &admin.refresh).await.status, 401);
    assert_eq!(refresh(&app, &phone.refresh).await.status, 401);
    let records = audit(&app, &admin, "user.loggedOutEverywhere").await;
    assert_eq!(records.len(), 1);
}

#[tokio::test]
async fn only_admins_manage_users() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    for path in ["/v1/users", "/v1/audit", "/v1/invitations"] {
        app.get(&bea.access, path)
            .await
            .assert_problem(reqwest::StatusCode::FORBIDDEN);
    }
    let path = format!("/v1/users/{}", admin.user);
    let etag = app.get(&admin.access, &path).await.etag();
    let demote = app
        .patch(&bea.access, &path, json!({"role": "cleaner"}), &etag)
        .await;
    demote.assert_problem(reqwest::StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&bea.access, "/v1/users/me").await.body["role"],
        "dispatcher"
    );
}

#[tokio::test]
async fn the_user_list_filters_by_role_and_orders_by_name() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    for (email, name) in [("zoe@acme.ch", "Zoe"), ("bea@acme.ch", "Bea")] {
        let invited = app
            .post(
                &admin.access,
                "/v1/invitations",
                json!({"email": email, "name": name, "role": "dispatcher", "language": "de"}),
            )
            .await;
        let token = invited.body["token"].as_str().unwrap();
        crate::helpers::post(
            &app,
            "/v1/invitations/accept",
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    }
    let names = |path: &'static str| {
        let app = &app;
        let token = admin.access.clone();
        async move {
            let reply = app.get(&token, path).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(names("/v1/users").await, ["Ana Admin", "Bea", "Zoe"]);
    assert_eq!(names("/v1/users?role=dispatcher").await, ["Bea", "Zoe"]);
    assert_eq!(
        names("/v1/users?role=admin&orderBy=id").await,
        ["Ana Admin"]
    );
}

#[tokio::test]
async fn the_audit_log_filters_by_actor_target_and_action() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    let path = format!("/v1/users/{}", bea.user);
    let etag = app.get(&admin.access, &path).await.etag();
    app.patch(&admin.access, &path, json!({"name": "Bea B."}), &etag)
        .await;
    let items = |query: String| {
        let app = &app;
        let token = admin.access.clone();
        async move {
            let reply = app.get(&token, &format!("/v1/audit?{query}")).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.body["items"].as_array().unwrap().clone()
        }
    };
    let about_bea = items(format!("targetId={}", bea.user)).await;
    let actions: Vec<_> = about_bea
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.updated", "user.created"], "newest first");
    assert_eq!(about_bea[0]["before"]["name"], "New User");
    assert_eq!(about_bea[0]["after"]["name"], "Bea B.");
    let by_bea = items(format!("actorId={}", bea.user)).await;
    assert_eq!(by_bea.len(), 1, "she accepted her invitation");
    let updates = items("action=user.updated".into()).await;
    assert_eq!(updates.len(), 1);
    assert!(
        updates[0]["clientAddress"].is_null(),
        "no proxy in front of the test app"
    );
}

#[tokio::test]
async fn a_user_becomes_a_cleaner_only_once_her_cleaner_record_exists() {
    let app = app().await;
    let admin = sign_up(&app, "Acme", "ana@acme.ch").await;
    let bea = invite_and_accept(&app, &admin, "bea@acme.ch", "dispatcher", json!({})).await;
    let path = format!("/v1/users/{}", bea.user);
    let etag = app.get(&admin.access, &path).await.etag();
    let change = json!({"role": "cleaner", "cleanerId": bea.user});
    let early = app.patch(&admin.access, &path, change.clone(), &etag).await;
    assert_eq!(early.error_fields(), ["cleanerId"]);
    let record = json!({"userId": bea.user, "name": "Bea", "home": {"lat": 47.37, "lng": 8.54},
        "shifts": [{"day": "mon", "from": "16:00", "to": "20:00"}], "maxMinutesPerDay": 240});
    let record = <domain::planning::Cleaner as domain::Entity>::parse(&record).unwrap();
    app.data_of(&admin.access)
        .repo::<domain::planning::Cleaner>()
        .create_with_id(&bea.user, record, vec![])
        .await
        .unwrap();
    let done = app.patch(&admin.access, &path, change, &etag).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["role"], "cleaner");
}
