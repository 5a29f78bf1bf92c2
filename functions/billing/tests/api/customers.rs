use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{admin, customer_with_site, start};
use platform::testing::customer_json;

#[tokio::test]
async fn a_customer_is_stored_under_its_number() {
    let app = start().await;
    let created = app
        .created(
            &admin(&app),
            "/v1/customers",
            customer_json("K-1", "Muster AG"),
        )
        .await;
    assert_eq!(created.id(), "K-1");
    let read = app.get(&admin(&app), "/v1/customers/K-1").await;
    assert_eq!(read.body["vatId"], "DE811907980");
    assert_eq!(read.body["paymentTermsDays"], 30);
}

#[tokio::test]
async fn a_second_customer_with_the_same_number_is_refused() {
    let app = start().await;
    app.created(
        &admin(&app),
        "/v1/customers",
        customer_json("K-1", "Muster AG"),
    )
    .await;
    let again = app
        .post(
            &admin(&app),
            "/v1/customers",
            customer_json("K-1", "Other AG"),
        )
        .await;
    again.assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_customer_number_cannot_change() {
    let app = start().await;
    let created = app
        .created(
            &admin(&app),
            "/v1/customers",
            customer_json("K-1", "Muster AG"),
        )
        .await;
    let renumbered = app
        .put(
            &admin(&app),
            "/v1/customers/K-1",
            customer_json("K-2", "Muster AG"),
            &created.etag(),
        )
        .await;
    renumbered.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(renumbered.error_fields(), ["number"]);
}

#[tokio::test]
async fn a_malformed_customer_names_every_bad_field() {
    let app = start().await;
    let mut body = customer_json("K 1", "Muster AG");
    body["vatId"] = json!("12");
    body["billingAddress"]["country"] = json!("Germany");
    let refused = app.post(&admin(&app), "/v1/customers", body).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.error_fields(),
        ["number", "billingAddress.country", "vatId"]
    );
}

#[tokio::test]
async fn a_customer_with_sites_is_not_deleted() {
    let app = start().await;
    customer_with_site(&app, "K-1").await;
    let etag = app.get(&admin(&app), "/v1/customers/K-1").await.etag();
    let deleted = app.delete(&admin(&app), "/v1/customers/K-1", &etag).await;
    deleted.assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_customer_user_sees_her_own_customer_only() {
    let app = start().await;
    for number in ["c1", "c2"] {
        app.created(&admin(&app), "/v1/customers", customer_json(number, number))
            .await;
    }
    // The test token of a customer user belongs to customer c1.
    let customer = app.token("acme", Role::Customer);
    let listed = app.get(&customer, "/v1/customers").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let ids: Vec<_> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(ids, [json!("c1")]);
    app.get(&customer, "/v1/customers/c2")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cleaners_do_not_read_customers() {
    let app = start().await;
    let cleaner = app.token("acme", Role::Cleaner);
    app.get(&cleaner, "/v1/customers")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_tenants_customer_is_not_found() {
    let app = start().await;
    app.created(
        &admin(&app),
        "/v1/customers",
        customer_json("K-1", "Muster AG"),
    )
    .await;
    let other = app.token("globex", Role::Admin);
    app.get(&other, "/v1/customers/K-1")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let listed = app.get(&other, "/v1/customers").await;
    assert_eq!(listed.body["items"], json!([]));
}
