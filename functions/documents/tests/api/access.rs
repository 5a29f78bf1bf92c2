//! Tenants never see each other's documents; roles see only their own.

use platform::Role;
use platform::testing::test_bucket_is_gcs;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn another_tenants_documents_are_not_found() {
    let app = start().await;
    let held = holdings(&app, "acme", "K-1").await;
    let id = uploaded(&app, &admin(&app), site_pdf(&held), PDF).await;
    let current = app.get(&admin(&app), &format!("/v1/documents/{id}")).await;
    let other = app.token("globex", Role::Admin);
    for path in [
        format!("/v1/documents/{id}"),
        format!("/v1/documents/{id}/download"),
    ] {
        app.get(&other, &path)
            .await
            .assert_problem(reqwest::StatusCode::NOT_FOUND);
    }
    app.post(&other, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await
        .assert_problem(reqwest::StatusCode::NOT_FOUND);
    app.delete(&other, &format!("/v1/documents/{id}"), &current.etag())
        .await
        .assert_problem(reqwest::StatusCode::NOT_FOUND);
    assert!(ids(&app.get(&other, "/v1/documents").await).is_empty());
    // Nor can its documents be linked to another tenant's site.
    let linked = app
        .post(
            &other,
            "/v1/documents",
            upload_json("b.pdf", "application/pdf", PDF, "site", &held.site),
        )
        .await;
    assert_eq!(linked.error_fields(), ["linkedTo.id"]);
    assert_eq!(downloaded(&app, &admin(&app), &id).await, PDF);
}

#[tokio::test]
async fn one_tenants_url_does_not_reach_another_tenants_object() {
    let app = start().await;
    let acme = holdings(&app, "acme", "K-1").await;
    let globex = holdings(&app, "globex", "K-1").await;
    let theirs = uploaded(
        &app,
        &app.token("globex", Role::Admin),
        upload_json("secret.pdf", "application/pdf", PDF, "site", &globex.site),
        PDF,
    )
    .await;
    let mine = uploaded(
        &app,
        &admin(&app),
        upload_json("a.pdf", "application/pdf", PDF, "site", &acme.site),
        PDF,
    )
    .await;
    let mut forged = download_url(&app, &admin(&app), &mine).await;
    forged.url = forged
        .url
        .replace("tenants/acme/documents/", "tenants/globex/documents/")
        .replace(&mine, &theirs);
    assert!(
        forged
            .url
            .contains(&format!("tenants/globex/documents/{theirs}?"))
    );
    assert_eq!(
        blobs::testing::check(&forged, &app.bucket_key, chrono::Utc::now()),
        Err(blobs::v4::Refusal::BadSignature)
    );
    if !test_bucket_is_gcs() {
        assert_eq!(
            blobs::testing::send(&forged, Vec::new()).await.status(),
            403
        );
    }
}

#[tokio::test]
async fn a_customer_sees_her_own_documents_only() {
    let app = start().await;
    let token = admin(&app);
    let first = holdings(&app, "acme", "K-1").await;
    let second = holdings(&app, "acme", "K-2").await;
    let hers = uploaded(
        &app,
        &token,
        upload_json("a.pdf", "application/pdf", PDF, "contract", &first.contract),
        PDF,
    )
    .await;
    let theirs = uploaded(
        &app,
        &token,
        upload_json(
            "b.pdf",
            "application/pdf",
            PDF,
            "contract",
            &second.contract,
        ),
        PDF,
    )
    .await;
    let photo = uploaded(
        &app,
        &cleaner(&app, "ana"),
        upload_json("p.jpg", "image/jpeg", JPEG, "visit", &first.visit),
        JPEG,
    )
    .await;

    let k1 = customer(&app, "K-1");
    let mut seen = ids(&app.get(&k1, "/v1/documents").await);
    seen.sort();
    let mut expected = vec![hers.clone(), photo];
    expected.sort();
    assert_eq!(seen, expected);
    assert!(ids(&app.get(&k1, "/v1/documents?customerId=K-2").await).is_empty());
    assert_eq!(downloaded(&app, &k1, &hers).await, PDF);
    app.get(&k1, &format!("/v1/documents/{theirs}/download"))
        .await
        .assert_problem(reqwest::StatusCode::NOT_FOUND);
    app.post(
        &k1,
        "/v1/documents",
        upload_json("c.pdf", "application/pdf", PDF, "contract", &first.contract),
    )
    .await
    .assert_problem(reqwest::StatusCode::FORBIDDEN);
    let current = app.get(&token, &format!("/v1/documents/{hers}")).await;
    app.delete(&k1, &format!("/v1/documents/{hers}"), &current.etag())
        .await
        .assert_problem(reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_cleaner_sees_what_she_uploaded_only() {
    let app = start().await;
    let held = holdings(&app, "acme", "K-1").await;
    let office = uploaded(
        &app,
        &admin(&app),
        upload_json("plan.pdf", "application/pdf", PDF, "site", &held.site),
        PDF,
    )
    .await;
    let ana = cleaner(&app, "ana");
    let own = uploaded(
        &app,
        &ana,
        upload_json("p.jpg", "image/jpeg", JPEG, "visit", &held.visit),
        JPEG,
    )
    .await;
    assert_eq!(ids(&app.get(&ana, "/v1/documents").await), [own.as_str()]);
    let newest_first = app.get(&ana, "/v1/documents?orderBy=-id").await;
    assert_eq!(ids(&newest_first), [own.as_str()]);
    app.get(&ana, &format!("/v1/documents/{office}"))
        .await
        .assert_problem(reqwest::StatusCode::NOT_FOUND);
    let current = app.get(&ana, &format!("/v1/documents/{own}")).await;
    let deleted = app
        .delete(&ana, &format!("/v1/documents/{own}"), &current.etag())
        .await;
    assert_eq!(
        deleted.status, 204,
        "she removes a photo she took by mistake"
    );
}
