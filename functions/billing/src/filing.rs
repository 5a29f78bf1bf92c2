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
use platform::crud::{Stored, entity_fields};
use platform::error::ApiResult;
use platform::{ApiError, RequestContext};

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

/// An issued invoice as PDF/A-3 with its CII XML inside, in `customer`'s language.
pub fn draw_pdf(invoice: &Invoice, customer: Option<&Stored<Customer>>) -> ApiResult<Vec<u8>> {
    let xml = cii::write(invoice).map_err(|e| ApiError::Conflict(e.to_string()))?;
    let language = customer.map_or(domain::identity::Language::De, |c| c.entity.language);
    crate::pdf::invoice_pdf(invoice, language, &xml).map_err(ApiError::internal)
}

/// The PDF filed for invoice `id`, if it was filed and the bucket answers (else `None`: the
/// caller draws it again, which gives the same invoice).
pub async fn filed_pdf(cx: &RequestContext, id: &str) -> Option<Vec<u8>> {
    let document_id = document_id(id, "pdf");
    let filed = cx.repo::<Document>().find(&document_id).await.ok()??;
    match cx
        .bucket()
        .ok()?
        .read_head(&document_id, filed.entity.size)
        .await
    {
        Ok(bytes) if bytes.len() as u64 == filed.entity.size => Some(bytes),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(invoice = %id, "the filed PDF cannot be read, drawn again: {e}");
            None
        }
    }
}

async fn try_file(cx: &RequestContext, issued: &Stored<Invoice>) -> ApiResult<()> {
    let invoice = &issued.entity;
    let customer = cx.repo::<Customer>().find(&invoice.customer_id).await?;
    let pdf = draw_pdf(invoice, customer.as_ref())?;
    let xml = cii::write(invoice).map_err(ApiError::internal)?;
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
        let ubl = ubl::write(invoice).map_err(ApiError::internal)?;
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
