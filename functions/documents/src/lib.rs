//! The `documents` function: files kept for a site, a contract, a visit (the cleaner's photos
//! before and after), an inspection or an invoice. The bytes never pass through here: an
//! upload is granted as a signed `PUT` to the bucket, confirmed once the bucket holds exactly
//! the promised bytes, and read through signed `GET`s that last minutes.
//!
//! - `POST /v1/documents {name, contentType, size, crc32c, linkedTo, moment?}`: a pending
//!   document and its upload URL (15 minutes).
//! - `POST /v1/documents/{id}/confirm`: the stored object's size, checksum and file
//!   signature are checked; the document is listed from then on.
//! - `GET /v1/documents/{id}/download`: a signed URL for 5 minutes.
//! - `DELETE /v1/documents/{id}` (`If-Match`): the record, then the object.
//! - `GET /v1/documents?siteId=…` (or `contractId`, `visitId`, `inspectionId`, `invoiceId`,
//!   `customerId`): what the caller may see, newest first with `orderBy=-id`.
//!
//! # Layout
//! - this file: the router, who sees what, and the actions;
//! - [`links`]: what a document belongs to, resolved to the site, customer and contract it
//!   concerns (and whether the caller may add to it).
//!
//! Who sees what: admins and dispatchers every confirmed document; a cleaner those she
//! uploaded; a customer user those of her customer (its sites, contracts, invoices, and the
//! photos and inspections of its sites).

pub mod links;

use std::time::Duration;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Entity;
use domain::documents::{Document, DocumentStatus, DocumentType, Origin};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_response, no_content};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How long an upload URL works: long enough for a large scan on a slow line.
const UPLOAD_VALID_FOR: Duration = Duration::from_secs(15 * 60);
/// How long a download URL works: opened at once, never worth sharing on.
const DOWNLOAD_VALID_FOR: Duration = Duration::from_secs(5 * 60);

pub fn router() -> Routes {
    resource::routes::<Documents>()
        .route(
            Documents::PATH,
            api::post(
                start_upload,
                doc("Start an upload: a pending document and a signed URL to PUT its bytes to")
                    .about(
                        "Roles: admin, dispatcher (any link), cleaner (photos of her own \
                         visits). PDF up to 25 MiB; JPEG, PNG, HEIC up to 15 MiB. The PUT sends \
                         the headers given, exactly (the type and the CRC32C are signed: the \
                         bucket refuses other bytes). Then confirm it.",
                    )
                    .body::<UploadBody>()
                    .answers::<UploadGranted>(201, "The pending document and its upload")
                    .registers::<Stored<Document>>(),
            ),
        )
        .route(
            "/v1/documents/{id}/confirm",
            api::post(
                confirm,
                doc("Confirm an upload: the bucket holds the promised bytes; listed from now on")
                    .about(
                        "Roles: admin, dispatcher, and the uploader. The stored object's size \
                         and CRC32C must be those promised and its first bytes those of its \
                         type (422 names the field, and the object is removed so the upload \
                         can be repeated); 409 while nothing was uploaded. A confirmed \
                         document confirms again unchanged.",
                    )
                    .ok::<Stored<Document>>()
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/documents/{id}/download",
            api::get(
                download,
                doc("A signed URL that downloads the document, for 5 minutes")
                    .about("Whoever sees the document.")
                    .query(
                        "disposition",
                        api::string(),
                        "`inline` (shown in the browser, the default) or `attachment` (saved).",
                    )
                    .ok::<SignedUrl>(),
            ),
        )
        .route(
            "/v1/documents/{id}",
            api::delete(
                remove,
                doc("Delete a document, and its bytes in the bucket")
                    .about(
                        "Roles: admin, dispatcher, and the uploader. An issued invoice's PDF \
                         and XML stay (409), as the invoice does.",
                    )
                    .no_content("Deleted")
                    .if_match()
                    .errors(&[409]),
            ),
        )
}

pub(crate) struct Documents;

impl Resource for Documents {
    type Entity = Document;
    const PATH: &'static str = "/v1/documents";
    const FILTERS: &'static [FilterParam] = &[
        FilterParam::id("siteId"),
        FilterParam::id("contractId"),
        FilterParam::id("visitId"),
        FilterParam::id("inspectionId"),
        FilterParam::id("invoiceId"),
        FilterParam::id("customerId"),
    ];
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id")];
    /// Documents are made by uploads and changed by their actions only.
    const WRITERS: &'static [Role] = &[];

    /// Confirmed documents only, and of those: a cleaner's own uploads, a customer's own.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        let mut scope = vec![("status", Value::from("ready"))];
        match caller.role {
            Role::Admin | Role::Dispatcher => {}
            Role::Cleaner => scope.push(("uploadedBy", Value::from(caller.user.as_str()))),
            Role::Customer => scope.extend(caller.customer_scope()),
        }
        Ok(scope)
    }
}

#[cfg(test)]
pub(crate) fn list_queries() -> Vec<domain::store::Query> {
    resource::list_queries::<Documents>()
}

/// The body of `POST /v1/documents` (read with `Document::parse`; this describes it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct UploadBody {
    /// The file's name, shown and downloaded under.
    name: String,
    /// `application/pdf`, `image/jpeg`, `image/png` or `image/heic`.
    content_type: String,
    /// Bytes.
    size: u64,
    /// The bytes' CRC32C (Castagnoli), big-endian, base64: `mnG7TA==` for `hello`.
    crc32c: String,
    linked_to: domain::documents::Link,
    /// `before` or `after`, for a visit's photo.
    moment: Option<domain::documents::Moment>,
}

/// A signed request: send it as given, before it expires.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct SignedUrl {
    /// `PUT` for an upload, `GET` for a download.
    method: String,
    url: String,
    /// Headers to send with exactly these values (they are signed).
    headers: std::collections::BTreeMap<String, String>,
    /// RFC 3339.
    expires_at: String,
}

impl From<blobs::SignedRequest> for SignedUrl {
    fn from(signed: blobs::SignedRequest) -> Self {
        Self {
            method: signed.method,
            url: signed.url,
            headers: signed.headers,
            expires_at: signed
                .expires_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// What `POST /v1/documents` answers.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct UploadGranted {
    #[schema(schema_with = stored_document)]
    document: Stored<Document>,
    upload: SignedUrl,
}

fn stored_document() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::Ref::from_schema_name("StoredDocument").into()
}

/// `POST /v1/documents`.
async fn start_upload(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    cx.caller.require(
        &[Role::Admin, Role::Dispatcher, Role::Cleaner],
        "upload documents",
    )?;
    let mut document = Document::parse(&body)?;
    let (concerns, guards) = links::resolve(&document.linked_to, &cx).await?;
    concerns.apply(&mut document);
    document.uploaded_by = Some(cx.caller.user.as_str().to_owned());
    let promised = blobs::Upload {
        content_type: document.content_type.mime().to_owned(),
        crc32c: blobs::Crc32c::parse(&document.crc32c).map_err(|e| ApiError::field("crc32c", e))?,
    };
    let stored = cx.repo::<Document>().create(document, guards).await?;
    let upload = cx
        .bucket()?
        .upload_url(&stored.meta.id, &promised, UPLOAD_VALID_FOR)
        .await?;
    let (meta, location) = (
        stored.meta.clone(),
        format!("{}/{}", Documents::PATH, stored.meta.id),
    );
    let granted = UploadGranted {
        document: stored,
        upload: upload.into(),
    };
    Ok(entity_response(
        StatusCode::CREATED,
        &meta,
        &granted,
        Some(location),
    ))
}

/// The document `id`, pending or not, for someone who may change it: the office, or the
/// person who uploaded it. Anyone else gets a 404, as for what they cannot see.
async fn changeable(cx: &RequestContext, id: &str) -> ApiResult<Stored<Document>> {
    let stored = cx.repo::<Document>().get(id).await?;
    let own = stored.entity.uploaded_by.as_deref() == Some(cx.caller.user.as_str());
    if cx.caller.is_planner() || own && cx.caller.role != Role::Customer {
        return Ok(stored);
    }
    Err(ApiError::NotFound {
        kind: Document::KIND,
        id: id.to_owned(),
    })
}

/// `POST /v1/documents/{id}/confirm`.
async fn confirm(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = changeable(&cx, &id).await?;
    if stored.entity.status == DocumentStatus::Ready {
        return saved(&stored);
    }
    let bucket = cx.bucket()?;
    let Some(object) = bucket.stat(&id).await? else {
        return Err(ApiError::Conflict(format!(
            "document {id} has no upload yet: PUT its bytes to the upload URL, then confirm"
        )));
    };
    let promised = &stored.entity;
    let mismatch = if object.size != promised.size {
        Some((
            "size",
            format!(
                "the upload has {} bytes, not the {} promised",
                object.size, promised.size
            ),
        ))
    } else if object.crc32c.to_string() != promised.crc32c {
        Some((
            "crc32c",
            format!(
                "the upload's CRC32C is {}, not the {} promised: the file changed on the way",
                object.crc32c, promised.crc32c
            ),
        ))
    } else if !promised
        .content_type
        .begins(&bucket.read_head(&id, DocumentType::SIGNATURE_BYTES).await?)
    {
        Some((
            "contentType",
            format!(
                "the upload is not a {} file (its first bytes are another type's)",
                promised.content_type.extension().to_uppercase()
            ),
        ))
    } else {
        None
    };
    if let Some((field, message)) = mismatch {
        // The wrong bytes go, so the same upload URL can be used again while it lasts.
        bucket.delete(&id).await?;
        return Err(ApiError::field(field, message));
    }
    let mut document = stored.entity.clone();
    document.status = DocumentStatus::Ready;
    match cx
        .repo::<Document>()
        .replace(&id, stored.meta.version, document, Vec::new())
        .await
    {
        Ok(confirmed) => saved(&confirmed),
        // A parallel confirm won: what it wrote is the answer.
        Err(ApiError::PreconditionFailed { .. }) => {
            let now = cx.repo::<Document>().get(&id).await?;
            if now.entity.status == DocumentStatus::Ready {
                saved(&now)
            } else {
                Err(ApiError::Conflict(format!(
                    "document {id} changed; confirm again"
                )))
            }
        }
        Err(other) => Err(other),
    }
}

fn saved(stored: &Stored<Document>) -> ApiResult<Response> {
    Ok(entity_response(
        StatusCode::OK,
        &stored.meta,
        &stored.shown()?,
        None,
    ))
}

#[derive(Deserialize)]
struct DownloadQuery {
    disposition: Option<String>,
}

/// `GET /v1/documents/{id}/download`.
async fn download(
    cx: RequestContext,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> ApiResult<Response> {
    let attachment = match query.disposition.as_deref() {
        None | Some("inline") => false,
        Some("attachment") => true,
        Some(_) => {
            return Err(ApiError::field(
                "disposition",
                "must be inline or attachment",
            ));
        }
    };
    let stored = resource::in_scope::<Documents>(&cx, &id).await?;
    let url = cx
        .bucket()?
        .download_url(
            &id,
            &blobs::Download {
                file_name: stored.entity.name.clone(),
                attachment,
            },
            DOWNLOAD_VALID_FOR,
        )
        .await?;
    Ok(axum::Json(SignedUrl::from(url)).into_response())
}

/// `DELETE /v1/documents/{id}` with `If-Match`.
async fn remove(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let stored = changeable(&cx, &id).await?;
    stored.expect_version(version)?;
    if stored.entity.origin == Origin::Issued {
        return Err(ApiError::Conflict(format!(
            "document {id} is an issued invoice's: it stays as long as the invoice"
        )));
    }
    cx.repo::<Document>().delete(&id, version).await?;
    // The record is gone first: a failed object delete leaves bytes nobody can reach (and a
    // retried DELETE answers 404), never a record whose bytes are missing.
    if let Err(e) = cx.bucket()?.delete(&id).await {
        tracing::error!(document = %id, "the record is deleted, its object is not: {e}");
    }
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        store::indexes::assert_served(list_queries());
    }
}
