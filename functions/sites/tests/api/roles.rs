//! Roles: planners write; cleaners read; customers read their own customer's sites only.

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{office_type, seeded, site_body};

#[tokio::test]
async fn cleaners_and_customers_may_not_write() {
    let (app, admin, seed) = seeded().await;
    for role in [Role::Cleaner, Role::Customer] {
        let token = app.token("acme", role);
        let reply = app.post(&token, "/v1/area-types", office_type()).await;
        reply.assert_problem(StatusCode::FORBIDDEN);
        app.post(&token, "/v1/sites", site_body("X"))
            .await
            .assert_problem(StatusCode::FORBIDDEN);
        app.patch(
            &token,
            &format!("/v1/sites/{}", seed.site),
            json!({"name": "X"}),
            "\"1\"",
        )
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    }
    let types = app.get(&admin, "/v1/area-types").await.body["items"].clone();
    assert_eq!(types.as_array().unwrap().len(), 1, "nothing created");
}

#[tokio::test]
async fn a_cleaner_reads_any_site_and_a_customer_none_of_another_customer() {
    let (app, _, seed) = seeded().await;
    for (role, expected) in [
        (Role::Cleaner, StatusCode::OK),
        (Role::Customer, StatusCode::NOT_FOUND),
    ] {
        // The customer token is customer c1's; the seeded site has no customer.
        let token = app.token("acme", role);
        let status = app
            .get(&token, &format!("/v1/sites/{}", seed.site))
            .await
            .status;
        assert_eq!(status, expected);
    }
}

#[tokio::test]
async fn a_customer_lists_its_own_sites_only() {
    let (app, admin, _) = seeded().await;
    app.seed_customer(&admin, "c1").await;
    let mut own = site_body("Customer's");
    own["customerId"] = json!("c1");
    let own = app.created(&admin, "/v1/sites", own).await.id();
    let customer = app.token("acme", Role::Customer);
    let visible = app.get(&customer, "/v1/sites").await;
    assert_eq!(visible.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(visible.body["items"][0]["id"], own.as_str());
    let asked_for_other = app.get(&customer, "/v1/sites?customerId=c2").await;
    assert_eq!(asked_for_other.body["items"], json!([]));
}

#[tokio::test]
async fn a_customer_reads_the_workload_of_its_own_sites_only() {
    let (app, admin, seed) = seeded().await;
    app.seed_customer(&admin, "c1").await;
    let mut own = site_body("Customer's");
    own["customerId"] = json!("c1");
    let own = app.created(&admin, "/v1/sites", own).await.id();
    let customer = app.token("acme", Role::Customer);
    let workload = |id: &str| format!("/v1/sites/{id}/workload");
    assert_eq!(
        app.get(&customer, &workload(&own)).await.status,
        StatusCode::OK
    );
    app.get(&customer, &workload(&seed.site))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_read_no_areas() {
    let (app, _, _) = seeded().await;
    let customer = app.token("acme", Role::Customer);
    app.get(&customer, "/v1/areas")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}
