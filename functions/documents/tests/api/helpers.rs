//! Tenant `acme`: customer K-1 with a site and a contract, a cleaner's visit there; files
//! uploaded as a browser uploads them (the signed PUT, then the confirm).

use blobs::Crc32c;
use domain::tours::Visit;
use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
pub const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01 a photo of a clean floor";

pub async fn start() -> TestApp {
    spawn_app(documents::router(), Default::default()).await
}

pub fn admin(app: &TestApp) -> String {
    app.token("acme", Role::Admin)
}

pub fn cleaner(app: &TestApp, user: &str) -> String {
    app.token_of("acme", user, Role::Cleaner, None)
}

pub fn customer(app: &TestApp, number: &str) -> String {
    app.token_of(
        "acme",
        &format!("user-of-{number}"),
        Role::Customer,
        Some(number),
    )
}

/// What a tenant holds: a customer, its site, a contract over it, and a visit there by
/// cleaner `ana`.
pub struct Holdings {
    pub site: String,
    pub contract: String,
    pub visit: String,
}

pub async fn holdings(app: &TestApp, tenant: &str, number: &str) -> Holdings {
    let token = app.token(tenant, Role::Admin);
    app.seed_customer(&token, number).await;
    let mut site = platform::testing::site_json(&format!("Site of {number}"), 52.5, 13.4);
    site["customerId"] = json!(number);
    let site = app.seed::<domain::sites::Site>(&token, site).await.id();
    let contract = app
        .seed::<domain::billing::Contract>(
            &token,
            json!({
                "name": "Unterhaltsreinigung", "customerId": number, "siteIds": [site],
                "start": "2026-01-01", "currency": "EUR", "prices": "net",
                "lines": [{"kind": "monthly", "description": "Pauschale", "unitPrice": "850.00"}]
            }),
        )
        .await
        .id();
    let visit: Visit = serde_json::from_value(json!({
        "areaId": "area-1", "siteId": site, "cleanerId": "ana",
        "checkedInAt": "2026-11-23T06:15:00Z", "localDate": "2026-11-23",
        "checkedOutAt": "2026-11-23T06:40:00Z", "durationMinutes": 25.0, "status": "done"
    }))
    .expect("a visit");
    let visit = app
        .data_of(&token)
        .repo::<Visit>()
        .create(visit, Vec::new())
        .await
        .expect("stored")
        .meta
        .id;
    Holdings {
        site,
        contract,
        visit,
    }
}

/// An upload's request for `bytes`.
pub fn upload_json(name: &str, content_type: &str, bytes: &[u8], kind: &str, id: &str) -> Value {
    json!({
        "name": name, "contentType": content_type, "size": bytes.len(),
        "crc32c": Crc32c::of(bytes).to_string(), "linkedTo": {"kind": kind, "id": id}
    })
}

/// The signed request of an answer (`upload`, or a download's whole body), checked as Cloud
/// Storage checks it before it is used.
pub fn signed(app: &TestApp, value: &Value) -> blobs::SignedRequest {
    let signed = blobs::SignedRequest {
        method: value["method"].as_str().unwrap().to_owned(),
        url: value["url"].as_str().unwrap().to_owned(),
        headers: serde_json::from_value(value["headers"].clone()).unwrap(),
        expires_at: value["expiresAt"].as_str().unwrap().parse().unwrap(),
    };
    let grant = blobs::testing::check(&signed, &app.bucket_key, chrono::Utc::now())
        .unwrap_or_else(|e| panic!("{} is not a valid signed URL: {e}", signed.url));
    assert_eq!(
        grant.expires_at, signed.expires_at,
        "the expiry said is the URL's"
    );
    signed
}

/// Asks for an upload, PUTs `bytes` to its URL; the pending document's answer.
pub async fn put(app: &TestApp, token: &str, request: Value, bytes: &[u8]) -> Reply {
    let granted = app.post(token, "/v1/documents", request).await;
    assert_eq!(granted.status, 201, "{}", granted.body);
    let upload = signed(app, &granted.body["upload"]);
    let stored = blobs::testing::send(&upload, bytes.to_vec()).await;
    assert!(
        stored.status().is_success(),
        "the bucket took the upload: {}",
        stored.status()
    );
    granted
}

/// Uploads `bytes` and confirms them: the document's id.
pub async fn uploaded(app: &TestApp, token: &str, request: Value, bytes: &[u8]) -> String {
    let granted = put(app, token, request, bytes).await;
    let id = granted.body["document"]["id"].as_str().unwrap().to_owned();
    let confirmed = app
        .post(token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    id
}

/// A download URL of document `id` as `token` gets it, checked.
pub async fn download_url(app: &TestApp, token: &str, id: &str) -> blobs::SignedRequest {
    let grant = app
        .get(token, &format!("/v1/documents/{id}/download"))
        .await;
    assert_eq!(grant.status, 200, "{}", grant.body);
    signed(app, &grant.body)
}

/// Downloads document `id` as `token` sees it: the bytes.
pub async fn downloaded(app: &TestApp, token: &str, id: &str) -> Vec<u8> {
    let url = download_url(app, token, id).await;
    let got = blobs::testing::send(&url, Vec::new()).await;
    assert!(got.status().is_success(), "{}", got.status());
    got.bytes().await.unwrap().to_vec()
}

/// The request of a small PDF for the holdings' site.
pub fn site_pdf(held: &Holdings) -> Value {
    upload_json("a.pdf", "application/pdf", PDF, "site", &held.site)
}

pub fn ids(listing: &Reply) -> Vec<String> {
    listing.body["items"]
        .as_array()
        .expect("a listing")
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}
