//! Tenant `acme`: customer K-1 with a site, its company settings with billing details, and
//! drafts as the monthly run leaves them.

use domain::Entity;
use domain::billing::draft::{MonthFacts, monthly_draft};
use domain::billing::vat::{self, VatParties};
use domain::billing::{Contract, Customer};
use domain::identity::TenantSettings;
use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

pub async fn start() -> TestApp {
    spawn_app(billing::router(), Default::default()).await
}

pub fn admin(app: &TestApp) -> String {
    app.token("acme", Role::Admin)
}

/// The company's settings, with or without the billing details an issue needs.
pub async fn settings(app: &TestApp, with_billing: bool) {
    let mut body = json!({"name": "Acme Reinigung", "timeZone": "Europe/Berlin", "language": "de",
        "country": "DE", "currency": "EUR"});
    if with_billing {
        body["billing"] = json!({
            "name": "Acme Reinigung GmbH",
            "address": {"street": "Industriestr. 7", "postalCode": "80331", "city": "München", "country": "DE"},
            "vatId": "DE129273398", "iban": "DE02 1203 0000 0000 2020 51", "bic": "BYLADEM1001",
            "email": "rechnung@acme.example"
        });
    }
    let settings = TenantSettings::parse(&body).expect("valid settings");
    app.data_of(&admin(app))
        .repo::<TenantSettings>()
        .create_with_id(TenantSettings::ID, settings, Vec::new())
        .await
        .expect("stored");
}

pub fn contract_json(customer: &str, site: &str) -> Value {
    json!({
        "name": "Unterhaltsreinigung", "customerId": customer, "siteIds": [site],
        "start": "2026-01-01", "currency": "EUR", "prices": "net", "deductMissedCleanings": true,
        "lines": [
            {"kind": "monthly", "description": "Grundpauschale", "unitPrice": "850.00"},
            {"kind": "perVisit", "description": "Sanitärreinigung", "unitPrice": "18.35"}
        ]
    })
}

/// Customer `number` with a site of its own; the site's id.
pub async fn customer_with_site(app: &TestApp, number: &str) -> String {
    let token = admin(app);
    app.created(
        &token,
        "/v1/customers",
        platform::testing::customer_json(number, &format!("Kunde {number}")),
    )
    .await;
    let mut site = platform::testing::site_json(&format!("Site of {number}"), 52.5, 13.4);
    site["customerId"] = json!(number);
    app.seed::<domain::sites::Site>(&token, site).await.id()
}

/// November 2026's draft for customer `number`, as the monthly run writes it: its id.
pub async fn draft(app: &TestApp, tenant: &str, number: &str) -> String {
    let token = app.token(tenant, Role::Admin);
    let data = app.data_of(&token);
    let customer = data
        .repo::<Customer>()
        .get(number)
        .await
        .expect("the customer");
    let contract = Contract::parse(&contract_json(number, "s1")).unwrap();
    let vat = vat::determine(VatParties {
        seller_country: "DE",
        buyer_country: &customer.entity.billing_address.country,
        buyer_vat_id: customer.entity.vat_id.as_deref(),
    })
    .unwrap();
    let facts = MonthFacts {
        cleanings_planned: 20,
        cleanings_done: 18,
        ..Default::default()
    };
    let invoice = monthly_draft(
        "c-1",
        &contract,
        &customer.entity,
        "2026-11".parse().unwrap(),
        &facts,
        vat,
    )
    .expect("a draft");
    let stored = data
        .repo::<domain::billing::Invoice>()
        .create(invoice, Vec::new())
        .await
        .expect("stored");
    stored.meta.id
}

/// The company with its billing details, customer `number` with a site, and the customer's
/// November draft: its id.
pub async fn ready_draft(app: &TestApp, number: &str) -> String {
    settings(app, true).await;
    customer_with_site(app, number).await;
    draft(app, "acme", number).await
}

/// Issues invoice `id` at its current version.
pub async fn issue(app: &TestApp, token: &str, id: &str) -> Reply {
    let etag = app.get(token, &format!("/v1/invoices/{id}")).await.etag();
    post_with(
        app,
        token,
        &format!("/v1/invoices/{id}/issue"),
        json!({}),
        &etag,
    )
    .await
}

pub async fn post_with(app: &TestApp, token: &str, path: &str, body: Value, etag: &str) -> Reply {
    app.send(
        reqwest::Method::POST,
        path,
        Some(token),
        Some(body),
        Some(etag),
    )
    .await
}
