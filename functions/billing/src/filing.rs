//! An issued invoice filed as documents: its PDF/A-3 (with the CII XML inside), the XML on
//! its own, and for a customer who asked for XRechnung its UBL XML, in the bucket and listed with the invoice's documents
//! (`GET /v1/documents?invoiceId=…`), as immutable as the invoice.
//!
//! Filed right after the commit, under ids derived from the invoice's
//! (`{invoice}-pdf`, `{invoice}-xml`), created once: a retry or a repeat files nothing new.

use domain::billing::customer::EInvoiceFormat;
use domain::billing::{Customer, Invoice, cii, ubl};
use domain::documents::{Document, DocumentStatus, DocumentType, Link, LinkKind, Origin};
use domain::store::{StoreError, Write};
use platform::RequestContext;
use platform::crud::{Stored, entity_fields};
use platform::error::ApiResult;

/// The id of an issued invoice's document: `{invoice}-pdf`, `-xml` (CII), `-xrechnung`.
pub fn document_id(invoice: &str, suffix: &str) -> String {
    format!("{invoice}-{suffix}")
}

/// Files `issued` (PDF, XML, and UBL where the customer wants XRechnung). Failures are logged, not answered: the invoice is issued
/// whatever happens here, and its PDF and XML are still drawn on request.
pub async fn file(cx: &RequestContext, issued: &Stored<Invoice>) {
    if let Err(e) = try_file(cx, issued).await {
        tracing::error!(invoice = %issued.meta.id, "the issued invoice was not filed: {e}");
    }
}

async fn try_file(cx: &RequestContext, issued: &Stored<Invoice>) -> ApiResult<()> {
    let invoice = &issued.entity;
    let xml = cii::write(invoice).map_err(platform::ApiError::internal)?;
    let customer = cx.repo::<Customer>().find(&invoice.customer_id).await?;
    let language = customer
        .as_ref()
        .map_or(domain::identity::Language::De, |c| c.entity.language);
    let pdf =
        crate::pdf::invoice_pdf(invoice, language, &xml).map_err(platform::ApiError::internal)?;
    let number = invoice.number.as_deref().unwrap_or(&issued.meta.id);
    let mut files = vec![
        ("pdf", DocumentType::Pdf, format!("{number}.pdf"), pdf),
        (
            "xml",
            DocumentType::Xml,
            format!("{number}.xml"),
            xml.into_bytes(),
        ),
    ];
    if customer.is_some_and(|c| c.entity.e_invoice == EInvoiceFormat::Xrechnung) {
        let ubl = ubl::write(invoice).map_err(platform::ApiError::internal)?;
        let name = format!("{number}-xrechnung.xml");
        files.push(("xrechnung", DocumentType::Xml, name, ubl.into_bytes()));
    }
    for (suffix, kind, name, bytes) in files {
        let id = document_id(&issued.meta.id, suffix);
        // Filed before: its bytes stay those its record describes.
        if cx.repo::<Document>().find(&id).await?.is_some() {
            continue;
        }
        let object = cx.bucket()?.put(&id, kind.mime(), bytes).await?;
        let document = Document {
            name,
            content_type: kind,
            size: object.size,
            crc32c: object.crc32c.to_string(),
            linked_to: Link {
                kind: LinkKind::Invoice,
                id: issued.meta.id.clone(),
            },
            moment: None,
            site_id: None,
            customer_id: Some(invoice.customer_id.clone()),
            contract_id: invoice.contract_id.clone(),
            visit_id: None,
            inspection_id: None,
            invoice_id: Some(issued.meta.id.clone()),
            status: DocumentStatus::Ready,
            uploaded_by: None,
            origin: Origin::Issued,
        };
        let create = Write::Create {
            collection: <Document as domain::Entity>::COLLECTION,
            id,
            fields: entity_fields(&document)?,
        };
        match cx.store().commit(vec![create], cx.now()).await {
            Ok(_) | Err(StoreError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
