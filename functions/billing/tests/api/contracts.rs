use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{admin, contract_json, customer_with_site, start};

#[tokio::test]
async fn a_contract_covers_its_customers_sites() {
    let app = start().await;
    let site = customer_with_site(&app, "K-1").await;
    let created = app
        .created(&admin(&app), "/v1/contracts", contract_json("K-1", &site))
        .await;
    assert_eq!(created.body["lines"][0]["unitPrice"], "850.00");
}

#[tokio::test]
async fn a_contract_refuses_an_unknown_customer_and_another_customers_site() {
    let app = start().await;
    customer_with_site(&app, "K-1").await;
    let foreign = customer_with_site(&app, "K-2").await;
    let mut body = contract_json("K-1", &foreign);
    body["siteIds"] = json!([foreign, "no-such-site"]);
    let refused = app.post(&admin(&app), "/v1/contracts", body).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["siteIds[0]", "siteIds[1]"]);
    let unknown = app
        .post(
            &admin(&app),
            "/v1/contracts",
            contract_json("K-9", &foreign),
        )
        .await;
    assert_eq!(unknown.error_fields(), ["customerId", "siteIds[0]"]);
}

#[tokio::test]
async fn amounts_are_exact_decimal_strings() {
    let app = start().await;
    let site = customer_with_site(&app, "K-1").await;
    let mut body = contract_json("K-1", &site);
    body["lines"][0]["unitPrice"] = json!(850.1);
    let refused = app.post(&admin(&app), "/v1/contracts", body).await;
    assert_eq!(refused.error_fields(), ["lines[0].unitPrice"]);
}

#[tokio::test]
async fn a_customer_user_reads_her_own_contracts_only() {
    let app = start().await;
    let own = customer_with_site(&app, "c1").await;
    let other = customer_with_site(&app, "c2").await;
    app.created(&admin(&app), "/v1/contracts", contract_json("c1", &own))
        .await;
    let theirs = app
        .created(&admin(&app), "/v1/contracts", contract_json("c2", &other))
        .await
        .id();
    let customer = app.token("acme", Role::Customer);
    let listed = app.get(&customer, "/v1/contracts").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    app.get(&customer, &format!("/v1/contracts/{theirs}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let written = app
        .post(&customer, "/v1/contracts", contract_json("c1", &own))
        .await;
    written.assert_problem(StatusCode::FORBIDDEN);
}
