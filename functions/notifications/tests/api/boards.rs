use domain::tours::Tour;
use platform::Role;
use platform::testing::create;
use serde_json::json;

use crate::helpers::*;

/// Site s1 of customer c1 with area a1; cleaner `ana` has a tour there, `eva` none.
async fn board(app: &platform::testing::TestApp) {
    site(app, "acme", "s1", Some("c1")).await;
    commit(app, "acme", vec![
        create("areas", "a1", json!({"siteId": "s1", "name": "WC", "floor": 0, "sizeSqm": 20.0, "areaTypeId": "t1"})),
        create("users", "dispatcher-user", json!({"email": "d@acme.test", "name": "Dora Disponentin",
            "language": "de", "role": "dispatcher", "active": true})),
    ]).await;
    let days: Vec<_> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "areaIds": ["a1"]}))
        .collect();
    app.seed::<Tour>(
        &planner(app, "acme"),
        json!({"name": "Ana", "cleanerId": "ana", "tourType": "regular",
        "startTime": "06:00", "maxMinutesPerDay": 480, "days": days}),
    )
    .await;
}

#[tokio::test]
async fn the_dispatcher_the_sites_cleaner_and_its_customer_share_a_thread() {
    let app = app().await;
    board(&app).await;
    let dispatcher = planner(&app, "acme");
    let started = app
        .post(
            &dispatcher,
            "/v1/boards/s1/threads",
            json!({"title": "Schlüssel", "text": "Der Schlüssel liegt beim Empfang."}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_eq!(started.body["thread"]["startedByName"], "Dora Disponentin");
    let thread = started.body["thread"]["id"].as_str().unwrap().to_owned();
    let ana = cleaner(&app, "acme", "ana");
    let posted = app
        .post(
            &ana,
            &format!("/v1/boards/s1/threads/{thread}/posts"),
            json!({"text": "Danke, gefunden."}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let customer = app.token("acme", Role::Customer);
    let posts = app
        .get(&customer, &format!("/v1/boards/s1/threads/{thread}/posts"))
        .await;
    assert_eq!(posts.status, 200, "{}", posts.body);
    let texts: Vec<&str> = posts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["Der Schlüssel liegt beim Empfang.", "Danke, gefunden."]
    );
    let threads = app.get(&customer, "/v1/boards/s1/threads").await;
    assert_eq!(threads.body["items"][0]["posts"], 2);
    assert_eq!(
        threads.body["items"][0]["participants"],
        json!(["dispatcher-user", "ana"])
    );
}

#[tokio::test]
async fn each_new_post_is_raised_as_an_in_app_notification_for_the_others() {
    let app = app().await;
    board(&app).await;
    let ana = cleaner(&app, "acme", "ana");
    let started = app
        .post(
            &ana,
            "/v1/boards/s1/threads",
            json!({"title": "Seife", "text": "Die Seife im WC ist leer."}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let raised = app.raised().await;
    assert_eq!(raised.len(), 1);
    let event = &raised[0].1;
    assert_eq!(event["message"]["kind"], "boardPost");
    assert_eq!(event["message"]["excerpt"], "Die Seife im WC ist leer.");
    assert_eq!(event["notTo"], "ana", "not to its author");
    assert_eq!(
        event["to"],
        json!([{"type": "dispatchers"}, {"type": "customer", "customerId": "c1"}, {"type": "user", "userId": "ana"}])
    );
}

#[tokio::test]
async fn no_one_else_finds_the_board() {
    let app = app().await;
    board(&app).await;
    let started = app
        .post(
            &planner(&app, "acme"),
            "/v1/boards/s1/threads",
            json!({"title": "T", "text": "x"}),
        )
        .await;
    let thread = started.body["thread"]["id"].as_str().unwrap().to_owned();
    // A cleaner without a tour there, another customer, another tenant: as if no site.
    let outsiders = [
        cleaner(&app, "acme", "eva"),
        app.token_of("acme", "cust-2", Role::Customer, Some("c2")),
        app.token("globex", Role::Admin),
    ];
    for token in &outsiders {
        assert_eq!(app.get(token, "/v1/boards/s1/threads").await.status, 404);
        assert_eq!(
            app.get(token, &format!("/v1/boards/s1/threads/{thread}/posts"))
                .await
                .status,
            404
        );
        let post = app
            .post(
                token,
                &format!("/v1/boards/s1/threads/{thread}/posts"),
                json!({"text": "hi"}),
            )
            .await;
        assert_eq!(post.status, 404);
    }
    // A thread of another site is not found under this one.
    site(&app, "acme", "s2", None).await;
    let dispatcher = planner(&app, "acme");
    assert_eq!(
        app.get(
            &dispatcher,
            &format!("/v1/boards/s2/threads/{thread}/posts")
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn a_post_names_its_bad_fields_and_changes_nothing() {
    let app = app().await;
    board(&app).await;
    let dispatcher = planner(&app, "acme");
    let bad = app
        .post(
            &dispatcher,
            "/v1/boards/s1/threads",
            json!({"title": "", "text": "x", "documentIds": ["nope"]}),
        )
        .await;
    bad.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["title"]);
    let missing_photo = app
        .post(
            &dispatcher,
            "/v1/boards/s1/threads",
            json!({"title": "Foto", "text": "x", "documentIds": ["doc-1"]}),
        )
        .await;
    assert_eq!(missing_photo.error_fields(), ["documentIds[0]"]);
    assert_eq!(
        app.get(&dispatcher, "/v1/boards/s1/threads").await.body["items"],
        json!([])
    );
}
