//! An issued invoice filed as documents: its PDF/A-3 (with the CII XML inside) and the XML
//! on its own, in the bucket and listed with the invoice's documents
//! (`GET /v1/documents?invoiceId=…`), as immutable as the invoice.
//!
//! Filed right after the commit, under ids derived from the invoice's
//! (`{invoice}-pdf`, `{invoice}-xml`), created once: a retry or a repeat files nothing new.

use domain::billing::{Customer, Invoice, cii};
use domain::documents::{Document, DocumentStatus, DocumentType, Link, LinkKind, Origin};
use domain::store::{StoreError, Write};
use platform::RequestContext;
use platform::crud::{Stored, entity_fields};
use platform::error::ApiResult;

/// The id of an issued invoice's document of `kind`.
pub fn document_id(invoice: &str, kind: DocumentType) -> String {
    format!("{invoice}-{}", kind.extension())
}

/// Files `issued` (PDF and XML). Failures are logged, not answered: the invoice is issued
/// whatever happens here, and its PDF and XML are still drawn on request.
pub async fn file(cx: &RequestContext, issued: &Stored<Invoice>) {
    if let Err(e) = try_file(cx, issued).await {
        tracing::error!(invoice = %issued.meta.id, "the issued invoice was not filed: {e}");
    }
}

async fn try_file(cx: &RequestContext, issued: &Stored<Invoice>) -> ApiResult<()> {
    let invoice = &issued.entity;
    let xml = cii::write(invoice).map_err(platform::ApiError::internal)?;
    let language = cx
        .repo::<Customer>()
        .find(&invoice.customer_id)
        .await?
        .map_or(domain::identity::Language::De, |c| c.entity.language);
    let pdf =
        crate::pdf::invoice_pdf(invoice, language, &xml).map_err(platform::ApiError::internal)?;
    let number = invoice.number.as_deref().unwrap_or(&issued.meta.id);
    for (kind, bytes) in [
        (DocumentType::Pdf, pdf),
        (DocumentType::Xml, xml.into_bytes()),
    ] {
        let id = document_id(&issued.meta.id, kind);
        // Filed before: its bytes stay those its record describes.
        if cx.repo::<Document>().find(&id).await?.is_some() {
            continue;
        }
        let object = cx.bucket()?.put(&id, kind.mime(), bytes).await?;
        let document = Document {
            name: format!("{number}.{}", kind.extension()),
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
