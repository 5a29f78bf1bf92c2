use std::collections::BTreeSet;

use platform::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    admin, customer_with_site, draft, issue, post_with, ready_draft, settings, start,
};

#[tokio::test]
async fn issuing_a_draft_gives_it_the_years_first_number_and_the_seller() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let issued = issue(&app, &admin(&app), &id).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert_eq!(
        issued.body["number"],
        format!("{}-00001", chrono::Utc::now().format("%Y"))
    );
    assert_eq!(issued.body["status"], "issued");
    assert_eq!(issued.body["stage"], "final");
    assert_eq!(issued.body["seller"]["iban"], "DE02120300000000202051");
    assert!(issued.body["dueDate"].is_string());
}

#[tokio::test]
async fn an_issue_without_the_companys_billing_details_is_refused() {
    let app = start().await;
    settings(&app, false).await;
    customer_with_site(&app, "K-1").await;
    let id = draft(&app, "acme", "K-1").await;
    let refused = issue(&app, &admin(&app), &id).await;
    refused.assert_problem(StatusCode::CONFLICT);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("billing details")
    );
    assert_eq!(status_of(&app, &id).await, "draft");
}

#[tokio::test]
async fn parallel_issues_get_consecutive_numbers() {
    let app = start().await;
    settings(&app, true).await;
    customer_with_site(&app, "K-1").await;
    let mut drafts = Vec::new();
    for _ in 0..6 {
        drafts.push(draft(&app, "acme", "K-1").await);
    }
    let token = admin(&app);
    let replies = futures_join(&app, &token, &drafts).await;
    let numbers: BTreeSet<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body["number"].as_str().unwrap().to_owned()
        })
        .collect();
    let year = chrono::Utc::now().format("%Y");
    let expected: BTreeSet<String> = (1..=6).map(|n| format!("{year}-{n:05}")).collect();
    assert_eq!(numbers, expected);
}

/// Issues every draft at once.
async fn futures_join(
    app: &platform::testing::TestApp,
    token: &str,
    ids: &[String],
) -> Vec<platform::testing::Reply> {
    let mut etags = Vec::new();
    for id in ids {
        etags.push(app.get(token, &format!("/v1/invoices/{id}")).await.etag());
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (id, etag) in ids.iter().zip(etags) {
        let (url, token, id) = (
            app.url(&format!("/v1/invoices/{id}/issue")),
            token.to_owned(),
            id.clone(),
        );
        tasks.spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("If-Match", etag)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            (
                id,
                response.status(),
                response.json::<Value>().await.unwrap(),
            )
        });
    }
    let mut replies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (_, status, body) = done.unwrap();
        replies.push(platform::testing::Reply {
            status,
            headers: Default::default(),
            body,
        });
    }
    replies
}

#[tokio::test]
async fn a_retried_issue_draws_no_second_number() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let etag = app
        .get(&admin(&app), &format!("/v1/invoices/{id}"))
        .await
        .etag();
    let path = format!("/v1/invoices/{id}/issue");
    let first = post_with(&app, &admin(&app), &path, json!({}), &etag).await;
    assert_eq!(first.status, StatusCode::OK);
    // The same request again (a client's retry): its version is gone, and so is the draft.
    let again = post_with(&app, &admin(&app), &path, json!({}), &etag).await;
    again.assert_problem(StatusCode::PRECONDITION_FAILED);
    let next = draft(&app, "acme", "K-1").await;
    let second = issue(&app, &admin(&app), &next).await;
    assert!(second.body["number"].as_str().unwrap().ends_with("-00002"));
}

#[tokio::test]
async fn an_issued_invoice_is_emailed_to_the_customer_with_its_pdf() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let etag = app
        .get(&admin(&app), &format!("/v1/invoices/{id}"))
        .await
        .etag();
    let issued = post_with(
        &app,
        &admin(&app),
        &format!("/v1/invoices/{id}/issue"),
        json!({}),
        &etag,
    )
    .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let number = issued.body["number"].as_str().unwrap();
    let raised = app.raised().await;
    assert_eq!(raised.len(), 1);
    let event = &raised[0].1;
    assert_eq!(event["id"], format!("invoice:{id}"));
    assert_eq!(event["message"]["number"], number);
    assert_eq!(
        event["to"],
        json!([{"type": "address", "email": "buchhaltung@example.com", "name": "Erika Muster", "language": "de"}])
    );
    // The attachment is the PDF filed at the issue.
    assert_eq!(event["attachment"]["blobKey"], format!("{id}-pdf"));
    assert_eq!(event["attachment"]["fileName"], format!("{number}.pdf"));
}

#[tokio::test]
async fn editing_a_draft_recomputes_its_totals() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let etag = app
        .get(&admin(&app), &format!("/v1/invoices/{id}"))
        .await
        .etag();
    let lines = json!({"lines": [
        {"description": "Grundpauschale", "quantity": "1", "unit": "MON", "unitPrice": "850.00"},
        {"description": "Fensterreinigung", "quantity": "12", "unit": "C62", "unitPrice": "4.125"}
    ], "note": "Danke für Ihren Auftrag"});
    let edited = app
        .patch(&admin(&app), &format!("/v1/invoices/{id}"), lines, &etag)
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["totals"]["netTotal"], "899.50");
    assert_eq!(edited.body["totals"]["vatTotal"], "170.91");
    assert_eq!(edited.body["totals"]["grossTotal"], "1070.41");
    assert_eq!(edited.body["note"], "Danke für Ihren Auftrag");
}

#[tokio::test]
async fn an_issued_invoice_is_never_edited() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let issued = issue(&app, &admin(&app), &id).await;
    let edit = json!({"note": "changed"});
    let refused = app
        .patch(
            &admin(&app),
            &format!("/v1/invoices/{id}"),
            edit,
            &issued.etag(),
        )
        .await;
    refused.assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_stale_draft_edit_is_a_412() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let path = format!("/v1/invoices/{id}");
    let etag = app.get(&admin(&app), &path).await.etag();
    app.patch(&admin(&app), &path, json!({"note": "first"}), &etag)
        .await;
    let late = app
        .patch(&admin(&app), &path, json!({"note": "second"}), &etag)
        .await;
    late.assert_problem(StatusCode::PRECONDITION_FAILED);
    assert_eq!(app.get(&admin(&app), &path).await.body["note"], "first");
}

#[tokio::test]
async fn a_bad_line_is_named_and_changes_nothing() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let path = format!("/v1/invoices/{id}");
    let before = app.get(&admin(&app), &path).await;
    let bad =
        json!({"lines": [{"description": "x", "quantity": "1", "unit": "MON", "unitPrice": "-5"}]});
    let refused = app.patch(&admin(&app), &path, bad, &before.etag()).await;
    assert_eq!(refused.error_fields(), ["lines[0].unitPrice"]);
    assert_eq!(app.get(&admin(&app), &path).await.body, before.body);
}

#[tokio::test]
async fn a_credit_note_cancels_its_invoice_when_issued() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let original = issue(&app, &admin(&app), &id).await;
    let credit = app
        .created(
            &admin(&app),
            &format!("/v1/invoices/{id}/credit-note"),
            json!({}),
        )
        .await;
    assert_eq!(credit.body["kind"], "creditNote");
    assert_eq!(credit.body["corrects"]["number"], original.body["number"]);
    let again = app
        .post(
            &admin(&app),
            &format!("/v1/invoices/{id}/credit-note"),
            json!({}),
        )
        .await;
    again.assert_problem(StatusCode::CONFLICT);
    let issued = issue(&app, &admin(&app), &credit.id()).await;
    assert!(issued.body["number"].as_str().unwrap().ends_with("-00002"));
    let cancelled = app.get(&admin(&app), &format!("/v1/invoices/{id}")).await;
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["creditedBy"], credit.id());
}

#[tokio::test]
async fn a_paid_invoice_owes_nothing() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let issued = issue(&app, &admin(&app), &id).await;
    let path = format!("/v1/invoices/{id}/payment");
    let paid = post_with(&app, &admin(&app), &path, json!({}), &issued.etag()).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    assert_eq!(paid.body["totals"]["due"], "0.00");
    let twice = post_with(&app, &admin(&app), &path, json!({}), &paid.etag()).await;
    twice.assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_customer_sees_her_issued_invoices_but_no_drafts() {
    let app = start().await;
    settings(&app, true).await;
    customer_with_site(&app, "c1").await;
    customer_with_site(&app, "c2").await;
    let issued = draft(&app, "acme", "c1").await;
    issue(&app, &admin(&app), &issued).await;
    let pending = draft(&app, "acme", "c1").await;
    let theirs = draft(&app, "acme", "c2").await;
    issue(&app, &admin(&app), &theirs).await;
    let customer = app.token("acme", Role::Customer);
    let listed = app.get(&customer, "/v1/invoices").await;
    let ids: Vec<_> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, [json!(issued)]);
    for hidden in [&pending, &theirs] {
        app.get(&customer, &format!("/v1/invoices/{hidden}"))
            .await
            .assert_problem(StatusCode::NOT_FOUND);
        app.get(&customer, &format!("/v1/invoices/{hidden}/cii.xml"))
            .await
            .assert_problem(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn another_tenants_invoice_is_not_found() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let other = app.token("globex", Role::Admin);
    app.get(&other, &format!("/v1/invoices/{id}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let stolen = post_with(
        &app,
        &other,
        &format!("/v1/invoices/{id}/issue"),
        json!({}),
        "\"1\"",
    )
    .await;
    stolen.assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, &id).await, "draft");
}

#[tokio::test]
async fn an_issued_invoices_xml_passes_the_en16931_rules() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    issue(&app, &admin(&app), &id).await;
    let response = reqwest::Client::new()
        .get(app.url(&format!("/v1/invoices/{id}/cii.xml")))
        .bearer_auth(admin(&app))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = response.text().await.unwrap();
    let verdict = platform::testing::einvoice_check(&xml);
    assert!(
        verdict.xsd.is_empty() && verdict.failed.is_empty(),
        "{verdict:#?}"
    );
}

/// The issued invoice `id` as PDF, kept in the test's scratch directory as `name`.
async fn pdf_of(app: &platform::testing::TestApp, id: &str, name: &str) -> std::path::PathBuf {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/v1/invoices/{id}/pdf")))
        .bearer_auth(admin(app))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
    path
}

fn run(program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (poppler-utils) runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn the_pdf_is_pdf_a_3_and_carries_its_xml_as_factur_x() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    issue(&app, &admin(&app), &id).await;
    let pdf = pdf_of(&app, &id, "invoice-de.pdf").await;
    let pdf = pdf.to_str().unwrap();
    let attachments = run("pdfdetach", &["-list", pdf]);
    assert!(attachments.contains("factur-x.xml"), "{attachments}");
    let metadata = run("pdfinfo", &["-meta", pdf]);
    assert!(
        metadata.contains("<pdfaid:part>3</pdfaid:part>"),
        "{metadata}"
    );
    let xml_path = format!("{pdf}.xml");
    run("pdfdetach", &["-save", "1", "-o", &xml_path, pdf]);
    let verdict = platform::testing::einvoice_check(&std::fs::read_to_string(&xml_path).unwrap());
    assert!(
        verdict.xsd.is_empty() && verdict.failed.is_empty(),
        "{verdict:#?}"
    );
    let text = run("pdftotext", &["-layout", pdf, "-"]);
    for expected in [
        "Rechnung",
        "Fällig am",
        "Gesamtbetrag",
        "DE02 1203 0000 0000 2020 51",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn a_french_business_gets_its_reverse_charge_invoice_in_french() {
    let app = start().await;
    settings(&app, true).await;
    let mut customer = platform::testing::customer_json("F-1", "Nettoyage Lyon SARL");
    customer["billingAddress"] = json!({"street": "12 rue de la République", "postalCode": "69002", "city": "Lyon", "country": "FR"});
    customer["vatId"] = json!("FR40303265045");
    customer["language"] = json!("fr");
    app.created(&admin(&app), "/v1/customers", customer).await;
    let id = draft(&app, "acme", "F-1").await;
    let issued = issue(&app, &admin(&app), &id).await;
    assert_eq!(issued.body["totals"]["vatTotal"], "0.00");
    let pdf = pdf_of(&app, &id, "invoice-fr.pdf").await;
    let text = run("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for expected in ["Facture", "Autoliquidation", "Total TTC"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn a_month_is_billed_now_through_the_monthly_runs_job() {
    let app = start().await;
    settings(&app, true).await;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let started = app
        .post(&admin(&app), "/v1/invoices/runs", json!({"month": month}))
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let published = app.published().await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].0, "/push/billing");
}

#[tokio::test]
async fn a_future_month_is_not_billed() {
    let app = start().await;
    settings(&app, true).await;
    let refused = app
        .post(
            &admin(&app),
            "/v1/invoices/runs",
            json!({"month": "2999-01"}),
        )
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["month"]);
    assert!(app.published().await.is_empty());
}

#[tokio::test]
async fn an_issue_takes_the_vat_the_customers_country_gives_now() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    // The customer turns out to be a French business.
    let read = app.get(&admin(&app), "/v1/customers/K-1").await;
    let mut moved = read.body.clone();
    moved["billingAddress"] = json!({"street": "1 rue de Rivoli", "postalCode": "75001", "city": "Paris", "country": "FR"});
    moved["vatId"] = json!("FR40303265045");
    let saved = app
        .put(&admin(&app), "/v1/customers/K-1", moved, &read.etag())
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let issued = issue(&app, &admin(&app), &id).await;
    assert_eq!(issued.body["totals"]["vat"][0]["vat"]["category"], "AE");
    assert_eq!(issued.body["buyer"]["address"]["city"], "Paris");
}

/// The status invoice `id` reads with now.
async fn status_of(app: &platform::testing::TestApp, id: &str) -> serde_json::Value {
    app.get(&admin(app), &format!("/v1/invoices/{id}"))
        .await
        .body["status"]
        .clone()
}

#[tokio::test]
async fn an_issued_invoice_is_filed_as_its_pdf_and_xml() {
    let app = start().await;
    let id = ready_draft(&app, "K-1").await;
    let token = admin(&app);
    let issued = issue(&app, &token, &id).await;
    let number = issued.body["number"].as_str().unwrap();
    let documents = app.stored::<domain::documents::Document>(&token).await;
    let names: BTreeSet<String> = documents.iter().map(|d| d.entity.name.clone()).collect();
    assert_eq!(
        names,
        BTreeSet::from([format!("{number}.pdf"), format!("{number}.xml")])
    );
    let xml = reqwest::Client::new()
        .get(app.url(&format!("/v1/invoices/{id}/cii.xml")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let bucket = app.state.blobs.clone().expect("a bucket");
    for document in &documents {
        let filed = &document.entity;
        assert_eq!(filed.origin, domain::documents::Origin::Issued);
        assert_eq!(filed.invoice_id.as_deref(), Some(id.as_str()));
        assert_eq!(filed.customer_id.as_deref(), Some("K-1"));
        let key = blobs::ObjectKey::document("acme", &document.meta.id).unwrap();
        let object = bucket.stat(&key).await.unwrap().expect("in the bucket");
        assert_eq!(
            (object.size, object.crc32c.to_string()),
            (filed.size, filed.crc32c.clone())
        );
        let bytes = bucket.read_head(&key, filed.size).await.unwrap();
        match filed.content_type {
            domain::documents::DocumentType::Pdf => assert!(bytes.starts_with(b"%PDF-")),
            _ => assert_eq!(bytes, xml.as_ref(), "the filed XML is the invoice's"),
        }
    }
}
