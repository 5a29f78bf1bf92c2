use std::sync::Arc;

use domain::notifications::{
    Attachment, Audience, Channel, Message, NotificationEvent, NotificationStatus,
};
use notifications_worker::Senders;
use notifications_worker::senders::Smtp;
use platform::testing::peers::received_mail;

use crate::helpers::*;

fn skipped_event(id: &str) -> NotificationEvent {
    NotificationEvent {
        id: id.into(),
        to: vec![Audience::Dispatchers],
        message: Message::VisitSkipped {
            cleaner_name: "Ana Muster".into(),
            site_name: "Seefeld".into(),
            area_name: "WC 1".into(),
            status: "not-accessible".into(),
            reason: Some("Türe verschlossen".into()),
            at: "2026-12-07T06:05:00Z".parse().unwrap(),
        },
        time_zone: Some("Europe/Zurich".parse().unwrap()),
        link: Some("https://app.cleanops.test/week".into()),
        attachment: None,
        site_id: None,
        not_to: None,
    }
}

#[tokio::test]
async fn an_email_is_multipart_text_and_html_in_the_recipients_language() {
    let app = app().await;
    let tenant = tenant();
    seed(&app, &tenant, &[("d1", "dispatcher", "fr", None)]).await;
    assert_eq!(deliver(&app, &tenant, &skipped_event("visit-1")).await, 204);
    let mail = received_mail(&address("d1", &tenant)).await;
    assert_eq!(mail.len(), 1, "one email");
    let headers = &mail[0]["headers"];
    assert_eq!(headers["Subject"], "WC 1 à Seefeld n’était pas accessible");
    assert_eq!(headers["Content-Language"], "fr");
    assert_eq!(headers["From"], "cleanops <noreply@cleanops.test>");
    assert_eq!(
        headers["To"],
        format!("User d1 <{}>", address("d1", &tenant))
    );
    assert_eq!(
        headers["List-Unsubscribe"],
        "<https://app.cleanops.test/settings/notifications>"
    );
    assert_eq!(headers["Auto-Submitted"], "auto-generated");
    assert!(
        headers["Message-ID"]
            .as_str()
            .unwrap()
            .ends_with("@cleanops.test>")
    );
    let mime = &mail[0]["mime"];
    assert_eq!(mime["contentType"], "multipart/alternative");
    let parts = mime["parts"].as_array().unwrap();
    assert_eq!(parts[0]["contentType"], "text/plain");
    assert_eq!(parts[1]["contentType"], "text/html");
    let text = parts[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "Ana Muster n’a pas pu entrer dans WC 1 à Seefeld à 07:05. Motif : Türe verschlossen"
        ),
        "{text}"
    );
    assert!(text.contains("Ouvrir dans cleanops: https://app.cleanops.test/week"));
    let html = parts[1]["text"].as_str().unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("href=\"https://app.cleanops.test/week\""));
    let sent = notifications(&app, &tenant).await;
    let email = sent
        .iter()
        .find(|n| n.entity.channel == Channel::Email)
        .unwrap();
    assert_eq!(email.entity.status, NotificationStatus::Sent);
}

#[tokio::test]
async fn an_issued_invoice_is_emailed_with_its_pdf_attached() {
    let app = app().await;
    let tenant = tenant();
    seed(&app, &tenant, &[]).await;
    let pdf = b"%PDF-1.7\n% an invoice\n".repeat(200);
    let bucket = platform::bucket::TenantBucket::new(
        app.state.blobs.clone().unwrap(),
        domain::TenantId::parse(&tenant).unwrap(),
    );
    bucket
        .put("inv1-pdf", "application/pdf", pdf.clone())
        .await
        .unwrap();
    let to = format!("billing@{tenant}.test");
    let event = NotificationEvent {
        id: "invoice:inv1".into(),
        to: vec![Audience::Address {
            email: to.clone(),
            name: "Muster AG".into(),
            language: domain::identity::Language::De,
        }],
        message: Message::InvoiceIssued {
            company: "Acme Reinigung".into(),
            number: "2026-00042".into(),
            total: "CHF 1234.50".into(),
            due_date: "2026-12-31".parse().unwrap(),
        },
        time_zone: None,
        link: None,
        attachment: Some(Attachment {
            blob_key: "inv1-pdf".into(),
            file_name: "2026-00042.pdf".into(),
            media_type: "application/pdf".into(),
        }),
        site_id: None,
        not_to: None,
    };
    assert_eq!(deliver(&app, &tenant, &event).await, 204);
    let mail = received_mail(&to).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0]["headers"]["Subject"],
        "Rechnung 2026-00042 von Acme Reinigung"
    );
    // An invoice is not a subscription: no unsubscribe header.
    assert!(mail[0]["headers"]["List-Unsubscribe"].is_null());
    let mime = &mail[0]["mime"];
    assert_eq!(mime["contentType"], "multipart/mixed");
    let parts = mime["parts"].as_array().unwrap();
    assert_eq!(parts[0]["contentType"], "multipart/alternative");
    assert!(
        parts[0]["parts"][0]["text"]
            .as_str()
            .unwrap()
            .contains("über CHF 1234.50, zahlbar bis 31.12.2026")
    );
    assert_eq!(parts[1]["contentType"], "application/pdf");
    assert_eq!(parts[1]["filename"], "2026-00042.pdf");
    assert_eq!(parts[1]["size"], pdf.len());
    assert_eq!(parts[1]["head"], "%PDF-1.7");
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_retried_with_backoff() {
    let closed = platform::testing::free_port();
    let app = app_with(Senders {
        sms: None,
        email: Some(Arc::new(
            Smtp::new(
                &format!("smtp://127.0.0.1:{closed}"),
                None,
                None,
                "noreply@cleanops.test",
            )
            .unwrap(),
        )),
    })
    .await;
    let tenant = tenant();
    seed(&app, &tenant, &[("d1", "dispatcher", "de", None)]).await;
    // Pub/Sub is asked to redeliver (503); the email waits for its backoff.
    assert_eq!(
        deliver(&app, &tenant, &skipped_event("visit-retry")).await,
        503
    );
    let sent = notifications(&app, &tenant).await;
    let email = sent
        .iter()
        .find(|n| n.entity.channel == Channel::Email)
        .unwrap();
    assert_eq!(email.entity.status, NotificationStatus::Queued);
    assert_eq!(email.entity.attempts, 1);
    assert!(
        email
            .entity
            .reason
            .as_deref()
            .unwrap()
            .starts_with("SMTP failed")
    );
    assert!(email.entity.not_before > email.meta.created_at);
}
