//! Invoices: read and listed as a resource; changed only by their actions.
//!
//! - `PATCH /v1/invoices/{id}`: a draft's lines and note (VAT and totals are recomputed).
//! - `POST /v1/invoices/{id}/issue`: the draft gets its number, dates and the seller. The
//!   number is drawn from the year's counter in the same commit as the issue, so numbers are
//!   gapless and never repeat: two issues that read one counter meet in the commit (on the
//!   counter's version and on the number's own document, created once), and the loser draws
//!   again.
//! - `POST /v1/invoices/{id}/payment`: an issued invoice is paid.
//! - `POST /v1/invoices/{id}/credit-note`: a draft credit note reversing an issued invoice;
//!   issuing it cancels the original in the same commit.
//! - `POST /v1/invoices/runs {month}`: the month's drafts now, by the monthly run's job.
//! - `GET /v1/invoices/{id}/cii.xml`: an issued invoice as EN 16931 CII XML;
//!   `GET /v1/invoices/{id}/ubl.xml`: as UBL in the XRechnung 3.0 customization;
//!   `GET /v1/invoices/{id}/pdf`: as PDF/A-3 with that XML attached (ZUGFeRD / Factur-X).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use domain::Entity;
use domain::billing::invoice::{
    DraftEdit, InvoiceKind, InvoiceLine, InvoiceStatus, invoice_number,
};
use domain::billing::vat::{self, Vat, VatParties};
use domain::billing::{Customer, Invoice, cii};
use domain::identity::TenantSettings;
use domain::store::{StoreError, Write};
use platform::api::{self, doc};
use platform::crud::{Shown, Stored, entity_fields, entity_response};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};
use serde_json::{Map, Value};

/// Where each year's last invoice number is kept (`invoiceCounters/{year}`).
const COUNTERS: &str = "invoiceCounters";
/// One document per number ever issued (`invoiceNumbers/2026-00042`), created in the issue's
/// commit: a number is taken once, whatever the counter's precondition does under contention.
const NUMBERS: &str = "invoiceNumbers";
/// How often an issue draws again after losing the counter to a parallel issue.
const NUMBER_ATTEMPTS: usize = 20;

pub(crate) struct Invoices;

impl Resource for Invoices {
    type Entity = Invoice;
    const PATH: &'static str = "/v1/invoices";
    const FILTERS: &'static [FilterParam] = &[
        FilterParam::id("customerId"),
        FilterParam::id("contractId"),
        FilterParam::text("status"),
        FilterParam::text("month"),
        FilterParam::text("stage"),
    ];
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id")];
    /// Invoices are made by the monthly run and changed by their actions only.
    const WRITERS: &'static [Role] = &[];

    /// A customer sees her own issued invoices and credit notes, never drafts.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        crate::billing_scope(caller, "read invoices")?;
        let mut scope = caller.customer_scope();
        if !scope.is_empty() {
            scope.push(("stage", Value::from("final")));
        }
        Ok(scope)
    }

    /// An issued invoice past its due date reads as overdue.
    async fn present(items: Vec<Stored<Invoice>>, cx: &RequestContext) -> ApiResult<Vec<Shown>> {
        let today = today(cx).await?;
        items
            .into_iter()
            .map(|mut item| {
                item.entity.status = item.entity.status_on(today);
                item.shown()
            })
            .collect()
    }
}

#[cfg(test)]
pub(crate) fn list_queries() -> Vec<domain::store::Query> {
    resource::list_queries::<Invoices>()
}

pub fn routes() -> Routes {
    resource::routes::<Invoices>()
        .route(
            "/v1/invoices/{id}",
            api::patch(
                edit_draft,
                doc("Change a draft's lines or note")
                    .about(
                        "Roles: admin, dispatcher. A draft only (409 otherwise). The lines \
                         replace the draft's; VAT and totals are computed by the server.",
                    )
                    .body::<DraftEditBody>()
                    .ok::<Stored<Invoice>>()
                    .if_match()
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/invoices/runs",
            api::post(
                start_run,
                doc("Draft a month's invoices now, one per contract")
                    .about(
                        "Roles: admin, dispatcher. The monthly run's job, for this month or an \
                         earlier one: drafts only what is missing (a contract's month is drafted \
                         once, ever). Follow it at /v1/jobs?job=billing.",
                    )
                    .body::<RunBody>()
                    .answers::<RunStarted>(202, "The run was handed to the billing worker"),
            ),
        )
        .route(
            "/v1/invoices/{id}/issue",
            api::post(
                issue,
                doc("Issue a draft: its number, dates and seller, final from then on")
                    .about(
                        "Roles: admin, dispatcher. Numbers are gapless per tenant and year. \
                         Needs the company's billing details (tenant settings, billing); a \
                         credit note cancels the invoice it corrects.",
                    )
                    .ok::<Stored<Invoice>>()
                    .if_match()
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/invoices/{id}/payment",
            api::post(
                record_payment,
                doc("Record that an issued invoice was paid")
                    .about("Roles: admin, dispatcher.")
                    .body::<PaymentBody>()
                    .ok::<Stored<Invoice>>()
                    .if_match()
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/invoices/{id}/credit-note",
            api::post(
                credit_note,
                doc("Draft a credit note that reverses an issued invoice")
                    .about(
                        "Roles: admin, dispatcher. One per invoice: a second call answers \
                         409 naming the first.",
                    )
                    .answers::<Stored<Invoice>>(201, "The draft credit note")
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/invoices/{id}/cii.xml",
            api::get(
                cii_xml,
                doc("An issued invoice as EN 16931 CII XML (Factur-X, EN 16931 profile)")
                    .about("Roles: admin, dispatcher, and the invoice's customer.")
                    .answers_media(200, "application/xml", "The CII XML"),
            ),
        )
        .route(
            "/v1/invoices/{id}/ubl.xml",
            api::get(
                ubl_xml,
                doc("An issued invoice as UBL 2.1 in the XRechnung 3.0 customization")
                    .about(
                        "Roles: admin, dispatcher, and the invoice's customer. For German public \
                         customers (a customer whose eInvoice is xrechnung gets it filed with \
                         the invoice); a credit note is a UBL CreditNote.",
                    )
                    .answers_media(200, "application/xml", "The UBL XML"),
            ),
        )
        .route(
            "/v1/invoices/{id}/pdf",
            api::get(
                invoice_pdf,
                doc("An issued invoice as PDF/A-3 with its CII XML attached (ZUGFeRD / Factur-X)")
                    .about(
                        "Roles: admin, dispatcher, and the invoice's customer. In the customer's \
                         language; the XML is attached as factur-x.xml.",
                    )
                    .answers_media(200, "application/pdf", "The invoice PDF"),
            ),
        )
}

/// The body of `PATCH /v1/invoices/{id}` (read with `DraftEdit`; this describes it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct DraftEditBody {
    /// The draft's new lines, all of them.
    lines: Option<Vec<EditedLineBody>>,
    /// Printed on the invoice; null removes it.
    note: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct EditedLineBody {
    description: String,
    /// Negative for a deduction.
    quantity: domain::billing::Decimal,
    unit: domain::billing::invoice::Unit,
    /// Net, never negative.
    unit_price: domain::billing::Decimal,
}

/// The body of `POST /v1/invoices/runs`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct RunBody {
    /// `YYYY-MM`, this month or earlier.
    month: String,
}

/// A run handed to the worker.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct RunStarted {
    job: &'static str,
    month: String,
    /// Where its status shows.
    status: String,
}

/// `POST /v1/invoices/runs {month}`.
async fn start_run(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "start billing runs")?;
    let today = today(&cx).await?;
    let mut f = domain::Fields::new(&body, &[])?;
    let month = f.required_parsed("month", |raw| {
        let month = raw.parse::<domain::tours::Month>()?;
        if month.first > today {
            return Err("must be this month or an earlier one".into());
        }
        Ok(month)
    });
    let month = f.finish(|| month)?;
    let job = platform::billing_run::BillingRun {
        month: Some(month.to_string()),
    };
    cx.enqueue(&job, &month.to_string()).await?;
    let started = RunStarted {
        job: "billing",
        month: month.to_string(),
        status: "/v1/jobs?job=billing".into(),
    };
    Ok((StatusCode::ACCEPTED, axum::Json(started)).into_response())
}

/// The body of `POST /v1/invoices/{id}/payment`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct PaymentBody {
    /// The day the money arrived (default: today).
    paid_on: Option<NaiveDate>,
}

/// Today in the tenant's zone (the server's zone if it has no settings).
async fn today(cx: &RequestContext) -> ApiResult<NaiveDate> {
    let settings = settings(cx).await?;
    let now = cx.now();
    Ok(match settings {
        Some(s) => now.with_timezone(&s.entity.time_zone.0).date_naive(),
        None => now.date_naive(),
    })
}

async fn settings(cx: &RequestContext) -> ApiResult<Option<Stored<TenantSettings>>> {
    cx.repo::<TenantSettings>().find(TenantSettings::ID).await
}

/// The invoice `id` for someone who may change invoices.
async fn writable(cx: &RequestContext, id: &str, action: &str) -> ApiResult<Stored<Invoice>> {
    cx.caller.require(&Role::PLANNERS, action)?;
    cx.repo::<Invoice>().get(id).await
}

fn require_draft(invoice: &Stored<Invoice>) -> ApiResult<()> {
    if invoice.entity.status != InvoiceStatus::Draft {
        return Err(ApiError::Conflict(format!(
            "invoice {} is {}: only a draft changes; correct an issued one with a credit note",
            invoice.meta.id,
            invoice.entity.status.as_str()
        )));
    }
    Ok(())
}

/// The VAT the tenant charges `customer`.
fn vat_for(settings: &TenantSettings, customer: &Customer) -> ApiResult<Vat> {
    let seller_country = settings
        .billing
        .as_ref()
        .map_or(settings.country.as_str(), |b| {
            b.party.address.country.as_str()
        });
    vat::determine(VatParties {
        seller_country,
        buyer_country: &customer.billing_address.country,
        buyer_vat_id: customer.vat_id.as_deref(),
    })
    .map_err(|e| ApiError::Conflict(e.to_string()))
}

async fn required_settings(cx: &RequestContext) -> ApiResult<Stored<TenantSettings>> {
    settings(cx).await?.ok_or_else(|| {
        ApiError::Conflict("the company has no settings yet (PUT /v1/tenant-settings)".into())
    })
}

fn saved(stored: &Stored<Invoice>) -> ApiResult<Response> {
    Ok(entity_response(
        StatusCode::OK,
        &stored.meta,
        &stored.shown()?,
        None,
    ))
}

/// `PATCH /v1/invoices/{id}` with `If-Match`.
async fn edit_draft(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let stored = writable(&cx, &id, "change invoices").await?;
    stored.expect_version(version)?;
    require_draft(&stored)?;
    let edit = DraftEdit::parse(&body)?;
    let mut invoice = stored.entity.clone();
    if let Some(lines) = edit.lines {
        let settings = required_settings(&cx).await?;
        let customer = cx.repo::<Customer>().get(&invoice.customer_id).await?;
        let vat = vat_for(&settings.entity, &customer.entity)?;
        invoice.set_lines(
            lines
                .into_iter()
                .map(|l| InvoiceLine::new(l.description, l.quantity, l.unit, l.unit_price, vat))
                .collect(),
        );
    }
    if let Some(note) = edit.note {
        invoice.note = note;
    }
    let saved_invoice = cx
        .repo::<Invoice>()
        .replace(&id, version, invoice, Vec::new())
        .await?;
    saved(&saved_invoice)
}

/// `POST /v1/invoices/{id}/issue` with `If-Match`.
async fn issue(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let stored = writable(&cx, &id, "issue invoices").await?;
    stored.expect_version(version)?;
    require_draft(&stored)?;
    let settings = required_settings(&cx).await?;
    let seller = settings.entity.billing.clone().ok_or_else(|| {
        ApiError::Conflict(
            "the company's billing details are missing: set billing (name, address, VAT id, \
             IBAN) in the tenant settings first"
                .into(),
        )
    })?;
    let customer = cx
        .repo::<Customer>()
        .get(&stored.entity.customer_id)
        .await?;
    if stored.entity.lines.is_empty() {
        return Err(ApiError::Conflict(
            "an invoice without lines cannot be issued".into(),
        ));
    }
    // The buyer and the VAT are taken as they are at the issue: a draft made before the
    // customer moved, or before the company's details were entered, is issued right.
    let vat = vat_for(&settings.entity, &customer.entity)?;
    let today = cx
        .now()
        .with_timezone(&settings.entity.time_zone.0)
        .date_naive();
    // The original a credit note cancels, read before the commit that guards it.
    let original = match &stored.entity.corrects {
        Some(reference) => Some(cx.repo::<Invoice>().get(&reference.invoice_id).await?),
        None => None,
    };
    for _ in 0..NUMBER_ATTEMPTS {
        let year = today.year();
        let counter = cx.store().get(COUNTERS, &year.to_string()).await?;
        let last = counter
            .as_ref()
            .and_then(|c| c.fields.get("last").and_then(Value::as_u64))
            .unwrap_or(0);
        let mut invoice = stored.entity.clone();
        invoice.buyer = domain::billing::draft::buyer_of(&customer.entity);
        invoice.buyer_reference = customer.entity.buyer_reference.clone();
        let lines = invoice
            .lines
            .iter()
            .map(|l| InvoiceLine::new(l.description.clone(), l.quantity, l.unit, l.unit_price, vat))
            .collect();
        invoice.set_lines(lines);
        let number = invoice_number(year, last + 1);
        invoice.issue(
            number.clone(),
            today,
            seller.clone(),
            customer.entity.payment_terms_days,
        );
        let mut counter_fields = Map::new();
        counter_fields.insert("last".into(), Value::from(last + 1));
        let mut claim = Map::new();
        claim.insert("invoiceId".into(), Value::from(id.clone()));
        let mut writes = vec![
            Write::Create {
                collection: NUMBERS,
                id: number,
                fields: claim,
            },
            Write::upsert(
                COUNTERS,
                year.to_string(),
                counter.as_ref().map(|c| &c.meta),
                counter_fields,
            ),
            Write::Update {
                collection: Invoice::COLLECTION,
                id: id.clone(),
                expected_version: version,
                fields: entity_fields(&invoice)?,
            },
            // Customers cannot change under an issue: its buyer is copied from them.
            platform::crud::still_at(&customer),
        ];
        if let Some(original) = &original {
            let mut cancelled = original.entity.clone();
            cancelled.status = InvoiceStatus::Cancelled;
            cancelled.credited_by = Some(id.clone());
            writes.push(Write::Update {
                collection: Invoice::COLLECTION,
                id: original.meta.id.clone(),
                expected_version: original.meta.version,
                fields: entity_fields(&cancelled)?,
            });
        }
        match cx.store().commit(writes, cx.now()).await {
            Ok(_) => {
                let issued = cx.repo::<Invoice>().get(&id).await?;
                tracing::info!(invoice = %id, number = ?issued.entity.number, "issued");
                crate::filing::file(&cx, &issued).await;
                tell_customer(&cx, &issued, &customer).await;
                return saved(&issued);
            }
            // Another issue drew this number first: draw again.
            Err(
                StoreError::VersionMismatch { collection, .. }
                | StoreError::AlreadyExists { collection, .. },
            ) if collection == NUMBERS || collection == COUNTERS => {}
            Err(StoreError::VersionMismatch {
                collection,
                id: other,
                actual,
                ..
            }) if collection == Invoice::COLLECTION && other == id => {
                return Err(ApiError::stale(actual));
            }
            Err(e) if e.is_precondition_failure() => {
                return Err(ApiError::LostRace(
                    "the customer or the corrected invoice changed while this one was being \
                     issued; reload and retry"
                        .into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "too many invoices are being issued at once; retry in a moment".into(),
    ))
}

/// The customer's invoice address gets the issued invoice by email, its filed PDF attached.
async fn tell_customer(cx: &RequestContext, issued: &Stored<Invoice>, customer: &Stored<Customer>) {
    let invoice = &issued.entity;
    let Some(email) = customer
        .entity
        .contact
        .as_ref()
        .and_then(|c| c.email.as_ref())
    else {
        tracing::info!(invoice = %issued.meta.id, "the customer has no invoice address: not emailed");
        return;
    };
    let number = invoice
        .number
        .clone()
        .unwrap_or_else(|| issued.meta.id.clone());
    let name = customer
        .entity
        .contact
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| customer.entity.name.clone());
    cx.notify(&domain::notifications::NotificationEvent {
        id: format!("invoice:{}", issued.meta.id),
        to: vec![domain::notifications::Audience::Address {
            email: email.to_string(),
            name,
            language: customer.entity.language,
        }],
        message: domain::notifications::Message::InvoiceIssued {
            company: invoice
                .seller
                .as_ref()
                .map_or_else(String::new, |s| s.party.name.clone()),
            number: number.clone(),
            total: format!("{} {:.2}", invoice.currency.code(), invoice.totals.due),
            due_date: invoice.due_date.unwrap_or_default(),
        },
        time_zone: None,
        link: None,
        attachment: Some(domain::notifications::Attachment {
            blob_key: crate::filing::document_id(&issued.meta.id, "pdf"),
            file_name: format!("{number}.pdf"),
            media_type: "application/pdf".into(),
        }),
        site_id: None,
        not_to: None,
    })
    .await;
}

/// `POST /v1/invoices/{id}/payment {paidOn?}` with `If-Match`.
async fn record_payment(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let stored = writable(&cx, &id, "record payments").await?;
    stored.expect_version(version)?;
    let today = today(&cx).await?;
    let mut f = domain::Fields::new(&body, &[])?;
    let paid_on = f.optional_parsed("paidOn", |raw| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| "must be a date YYYY-MM-DD".to_owned())
    });
    let paid_on = f.finish(|| Some(paid_on.unwrap_or(today)))?;
    let issued_on = stored.entity.issue_date;
    if paid_on > today || issued_on.is_some_and(|issued| paid_on < issued) {
        return Err(ApiError::field(
            "paidOn",
            "must lie between the issue date and today",
        ));
    }
    if stored.entity.status != InvoiceStatus::Issued || stored.entity.kind != InvoiceKind::Invoice {
        return Err(ApiError::Conflict(format!(
            "only an issued invoice is paid; this one is {}",
            stored.entity.status_on(today).as_str()
        )));
    }
    let mut invoice = stored.entity.clone();
    invoice.status = InvoiceStatus::Paid;
    invoice.paid_on = Some(paid_on);
    invoice.totals.due = domain::billing::Decimal::ZERO.cents();
    let saved_invoice = cx
        .repo::<Invoice>()
        .replace(&id, version, invoice, Vec::new())
        .await?;
    saved(&saved_invoice)
}

/// `POST /v1/invoices/{id}/credit-note`: one draft per invoice, kept under `{id}-credit`.
async fn credit_note(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = writable(&cx, &id, "draft credit notes").await?;
    let credit_id = format!("{id}-credit");
    let original = &stored.entity;
    let creditable = original.kind == InvoiceKind::Invoice
        && matches!(original.status, InvoiceStatus::Issued | InvoiceStatus::Paid);
    if !creditable {
        return Err(ApiError::Conflict(format!(
            "only an issued invoice is credited; this one is {} {}",
            original.status.as_str(),
            if original.kind == InvoiceKind::CreditNote {
                "credit note"
            } else {
                "invoice"
            }
        )));
    }
    let draft = original
        .credit_note(&id)
        .ok_or_else(|| ApiError::internal("an issued invoice without number or date"))?;
    let created = cx
        .repo::<Invoice>()
        .create_with_id(&credit_id, draft, vec![platform::crud::still_at(&stored)])
        .await
        .map_err(|e| match e {
            ApiError::Conflict(_) => ApiError::Conflict(format!(
                "invoice {id} has a credit note already: /v1/invoices/{credit_id}"
            )),
            other => other,
        })?;
    Ok(entity_response(
        StatusCode::CREATED,
        &created.meta,
        &created.shown()?,
        Some(format!("/v1/invoices/{credit_id}")),
    ))
}

/// An issued invoice the caller may read (a customer her own), for its documents.
async fn readable_issued(cx: &RequestContext, id: String) -> ApiResult<Stored<Invoice>> {
    crate::billing_scope(&cx.caller, "read invoices")?;
    let stored = cx.repo::<Invoice>().get(&id).await?;
    let hidden = !crate::sees(cx, &stored.entity.customer_id)
        || (cx.caller.role == Role::Customer && stored.entity.status == InvoiceStatus::Draft);
    if hidden {
        return Err(ApiError::NotFound {
            kind: "invoice",
            id,
        });
    }
    Ok(stored)
}

/// A document answered as a download named after the invoice's number.
fn download(
    stored: &Stored<Invoice>,
    content_type: &str,
    extension: &str,
    body: Vec<u8>,
) -> Response {
    let filename = format!(
        "{}.{extension}",
        stored.entity.number.as_deref().unwrap_or(&stored.meta.id)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn cii_of(stored: &Stored<Invoice>) -> ApiResult<String> {
    cii::write(&stored.entity).map_err(|e| ApiError::Conflict(e.to_string()))
}

/// `GET /v1/invoices/{id}/cii.xml`.
async fn cii_xml(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = readable_issued(&cx, id).await?;
    let xml = cii_of(&stored)?;
    Ok(download(
        &stored,
        "application/xml; charset=utf-8",
        "xml",
        xml.into_bytes(),
    ))
}

/// `GET /v1/invoices/{id}/ubl.xml`.
async fn ubl_xml(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = readable_issued(&cx, id).await?;
    let xml = domain::billing::ubl::write(&stored.entity)
        .map_err(|e| ApiError::Conflict(e.to_string()))?;
    Ok(download(
        &stored,
        "application/xml; charset=utf-8",
        "xml",
        xml.into_bytes(),
    ))
}

/// `GET /v1/invoices/{id}/pdf`: the copy filed at the issue, byte for byte; drawn again (in
/// its customer's language) only if it was never filed.
async fn invoice_pdf(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = readable_issued(&cx, id).await?;
    let pdf = match crate::filing::filed_pdf(&cx, &stored.meta.id).await {
        Some(filed) => filed,
        None => {
            let customer = cx
                .repo::<Customer>()
                .find(&stored.entity.customer_id)
                .await?;
            crate::filing::draw_pdf(&stored.entity, customer.as_ref())?
        }
    };
    Ok(download(&stored, "application/pdf", "pdf", pdf))
}
