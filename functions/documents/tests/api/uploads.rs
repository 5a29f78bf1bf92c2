//! Upload, confirm, list, download, delete.

use platform::testing::test_bucket_is_gcs;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_confirmed_pdf_is_listed_and_downloads_as_uploaded() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let request = upload_json(
        "Übergabeprotokoll.pdf",
        "application/pdf",
        PDF,
        "site",
        &held.site,
    );
    let id = uploaded(&app, &token, request, PDF).await;

    let listing = app
        .get(&token, &format!("/v1/documents?siteId={}", held.site))
        .await;
    assert_eq!(ids(&listing), [id.as_str()]);
    let document = &listing.body["items"][0];
    assert_eq!(document["status"], "ready");
    assert_eq!(document["customerId"], "K-1");
    assert_eq!(document["uploadedBy"], "admin-user");
    assert_eq!(document["size"], PDF.len());
    assert_eq!(downloaded(&app, &token, &id).await, PDF);
}

#[tokio::test]
async fn a_download_names_the_file_and_is_saved_when_asked() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let request = upload_json(
        "Übergabe.pdf",
        "application/pdf",
        PDF,
        "contract",
        &held.contract,
    );
    let id = uploaded(&app, &token, request, PDF).await;
    let grant = app
        .get(
            &token,
            &format!("/v1/documents/{id}/download?disposition=attachment"),
        )
        .await;
    let url = signed(&app, &grant.body);
    let signed_query = blobs::testing::check(&url, &app.bucket_key, chrono::Utc::now())
        .unwrap()
        .query;
    assert_eq!(
        signed_query["response-content-disposition"],
        "attachment; filename=\"_bergabe.pdf\"; filename*=UTF-8''%C3%9Cbergabe.pdf"
    );
    if !test_bucket_is_gcs() {
        let got = blobs::testing::send(&url, Vec::new()).await;
        assert_eq!(
            got.headers()["content-disposition"],
            "attachment; filename=\"_bergabe.pdf\"; filename*=UTF-8''%C3%9Cbergabe.pdf"
        );
        assert_eq!(got.headers()["content-type"], "application/pdf");
    }
    let wrong = app
        .get(
            &token,
            &format!("/v1/documents/{id}/download?disposition=open"),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.error_fields(), ["disposition"]);
}

#[tokio::test]
async fn a_pending_document_is_neither_listed_nor_downloadable() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let granted = put(&app, &token, site_pdf(&held), PDF).await;
    let id = granted.body["document"]["id"].as_str().unwrap();
    assert_eq!(granted.body["document"]["status"], "pending");
    assert!(ids(&app.get(&token, "/v1/documents").await).is_empty());
    assert_eq!(
        app.get(&token, &format!("/v1/documents/{id}")).await.status,
        404
    );
    assert_eq!(
        app.get(&token, &format!("/v1/documents/{id}/download"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_confirm_before_the_upload_is_a_conflict() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let granted = app.post(&token, "/v1/documents", site_pdf(&held)).await;
    let id = granted.body["document"]["id"].as_str().unwrap();
    let early = app
        .post(&token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    early.assert_problem(reqwest::StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_second_confirm_changes_nothing() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let id = uploaded(&app, &token, site_pdf(&held), PDF).await;
    let before = app.get(&token, &format!("/v1/documents/{id}")).await;
    let again = app
        .post(&token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.etag(), before.etag());
}

#[tokio::test]
async fn other_bytes_than_promised_never_become_a_document() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let granted = app.post(&token, "/v1/documents", site_pdf(&held)).await;
    let id = granted.body["document"]["id"].as_str().unwrap().to_owned();
    let upload = signed(&app, &granted.body["upload"]);
    let mut other = PDF.to_vec();
    other[10] = b'X';
    let sent = blobs::testing::send(&upload, other).await;
    let confirm = app
        .post(&token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    if test_bucket_is_gcs() {
        // fake-gcs-server takes any bytes (Cloud Storage would refuse them): the confirm
        // catches them, and removes them so the upload can be repeated.
        assert!(sent.status().is_success());
        assert_eq!(confirm.status, 422);
        assert_eq!(confirm.error_fields(), ["crc32c"]);
    } else {
        assert_eq!(
            sent.status(),
            400,
            "the local bucket checks the signed checksum"
        );
        confirm.assert_problem(reqwest::StatusCode::CONFLICT);
    }
    let retried = blobs::testing::send(&upload, PDF.to_vec()).await;
    assert!(retried.status().is_success());
    let confirmed = app
        .post(&token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    assert_eq!(confirmed.status, 200);
}

#[tokio::test]
async fn a_file_that_is_not_of_its_type_is_refused_and_removed() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let html = b"<html><script>alert(1)</script></html>";
    let granted = put(
        &app,
        &token,
        upload_json("a.pdf", "application/pdf", html, "site", &held.site),
        html,
    )
    .await;
    let id = granted.body["document"]["id"].as_str().unwrap();
    let confirm = app
        .post(&token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    assert_eq!(confirm.status, 422);
    assert_eq!(confirm.error_fields(), ["contentType"]);
    let again = app
        .post(&token, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    again.assert_problem(reqwest::StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_cleaner_adds_photos_to_her_own_visits() {
    let app = start().await;
    let held = holdings(&app, "acme", "K-1").await;
    let ana = cleaner(&app, "ana");
    let mut photo = upload_json("nachher.jpg", "image/jpeg", JPEG, "visit", &held.visit);
    photo["moment"] = json!("after");
    let id = uploaded(&app, &ana, photo.clone(), JPEG).await;

    let listing = app
        .get(
            &admin(&app),
            &format!("/v1/documents?visitId={}", held.visit),
        )
        .await;
    assert_eq!(ids(&listing), [id.as_str()]);
    let document = &listing.body["items"][0];
    assert_eq!(document["moment"], "after");
    assert_eq!(document["siteId"], held.site.as_str());
    assert_eq!(document["customerId"], "K-1");
    assert_eq!(ids(&app.get(&ana, "/v1/documents").await), [id.as_str()]);
    assert_eq!(downloaded(&app, &ana, &id).await, JPEG);

    let bob = cleaner(&app, "bob");
    let refused = app.post(&bob, "/v1/documents", photo).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.error_fields(), ["linkedTo.id"]);
    assert!(ids(&app.get(&bob, "/v1/documents").await).is_empty());
    assert_eq!(
        app.get(&bob, &format!("/v1/documents/{id}/download"))
            .await
            .status,
        404
    );
    let site_file = upload_json("plan.pdf", "application/pdf", PDF, "site", &held.site);
    app.post(&ana, "/v1/documents", site_file)
        .await
        .assert_problem(reqwest::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_requests_name_the_field_and_store_nothing() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let cases = [
        ("contentType", json!({"contentType": "text/html"})),
        ("size", json!({"size": 30 * 1024 * 1024})),
        ("crc32c", json!({"crc32c": "not base64"})),
        ("name", json!({"name": "../../etc/passwd"})),
        (
            "linkedTo.kind",
            json!({"linkedTo": {"kind": "tour", "id": "t1"}}),
        ),
        (
            "linkedTo.id",
            json!({"linkedTo": {"kind": "site", "id": "no-such-site"}}),
        ),
        (
            "linkedTo.id",
            json!({"linkedTo": {"kind": "invoice", "id": "no-such-invoice"}}),
        ),
    ];
    for (field, change) in cases {
        let mut request = site_pdf(&held);
        for (key, value) in change.as_object().unwrap() {
            request[key] = value.clone();
        }
        let refused = app.post(&token, "/v1/documents", request).await;
        assert_eq!(refused.status, 422, "{field}: {}", refused.body);
        assert_eq!(refused.error_fields(), [field]);
    }
    assert!(
        app.stored::<domain::documents::Document>(&token)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn deleting_a_document_deletes_its_bytes() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let id = uploaded(&app, &token, site_pdf(&held), PDF).await;
    let url = download_url(&app, &token, &id).await;
    let current = app.get(&token, &format!("/v1/documents/{id}")).await;

    assert_eq!(
        app.delete(&token, &format!("/v1/documents/{id}"), "\"0\"")
            .await
            .status,
        412
    );
    let deleted = app
        .delete(&token, &format!("/v1/documents/{id}"), &current.etag())
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        app.get(&token, &format!("/v1/documents/{id}")).await.status,
        404
    );
    let gone = blobs::testing::send(&url, Vec::new()).await;
    assert_eq!(gone.status(), 404, "the object went with the record");
}

#[tokio::test]
async fn a_download_url_is_refused_after_its_expiry() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let id = uploaded(&app, &token, site_pdf(&held), PDF).await;
    let url = download_url(&app, &token, &id).await;
    let minutes = (url.expires_at - chrono::Utc::now()).num_seconds();
    assert!(
        (290..=300).contains(&minutes),
        "valid for 5 minutes, not {minutes} s"
    );
    let expired = blobs::testing::check(&url, &app.bucket_key, url.expires_at);
    assert!(matches!(expired, Err(blobs::v4::Refusal::Expired(_))));
    if !test_bucket_is_gcs() {
        app.bucket_clock.advance(chrono::Duration::seconds(301));
        let refused = blobs::testing::send(&url, Vec::new()).await;
        assert_eq!(refused.status(), 400);
        assert!(refused.text().await.unwrap().contains("ExpiredToken"));
    }
}

#[tokio::test]
async fn an_issued_invoices_document_is_not_deleted() {
    let app = start().await;
    let token = admin(&app);
    let held = holdings(&app, "acme", "K-1").await;
    let id = uploaded(
        &app,
        &token,
        upload_json("a.pdf", "application/pdf", PDF, "contract", &held.contract),
        PDF,
    )
    .await;
    let data = app.data_of(&token);
    let repo = data.repo::<domain::documents::Document>();
    let stored = repo.get(&id).await.unwrap();
    let mut issued = stored.entity.clone();
    issued.origin = domain::documents::Origin::Issued;
    let issued = repo
        .replace(&id, stored.meta.version, issued, Vec::new())
        .await
        .unwrap();
    let refused = app
        .delete(
            &token,
            &format!("/v1/documents/{id}"),
            &format!("\"{}\"", issued.meta.version),
        )
        .await;
    refused.assert_problem(reqwest::StatusCode::CONFLICT);
    assert_eq!(downloaded(&app, &token, &id).await, PDF);
}
