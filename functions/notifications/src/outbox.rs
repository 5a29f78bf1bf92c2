//! `/v1/notifications`: the outbox, every message the tenant's events made and how far each
//! got. Admins and dispatchers read all; everyone else her own in-app messages. `/v1/inbox`:
//! the caller's in-app messages, newest first, with the unread count; `POST
//! /v1/inbox/{id}/read`.
//!
//! Notification ids are UUIDv7, so "newest first" is by id: the whole outbox needs no index,
//! a status filter one (`status`, `id`), the inbox one (`inbox`, `id`).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Entity;
use domain::notifications::{Channel, Notification};
use domain::store::{Direction, Filter, Query, Write};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_fields, list_response, shown};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order, ParamKind, parse_list_params};
use platform::routes::Routes;
use platform::{ApiError, RequestContext, Role};
use serde::Serialize;

type QueryParams = axum::extract::Query<Vec<(String, String)>>;

pub const PATH: &str = "/v1/notifications";
const FILTERS: &[FilterParam] = &[FilterParam {
    name: "status",
    kind: ParamKind::Text,
}];
const NEWEST_FIRST: Order = Order::desc("id");
/// The unread count looks at this many newest messages ("99+"): its cost is bounded.
pub const MAX_UNREAD: usize = 100;

/// A notification as listed.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationItem {
    pub id: String,
    pub version: u64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    pub notification: Notification,
}

/// The caller's in-app messages.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inbox {
    pub items: Vec<NotificationItem>,
    /// Unread messages, counted up to 100.
    pub unread: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            PATH,
            api::get(
                list,
                doc("List the outbox")
                    .about(
                        "Every notification the tenant's events made: channel, recipient, text, \
                         status (queued, sending, sent, delivered, failed) and the reason. \
                         Admins and dispatchers read all, newest first; everyone else her in-app messages. \
                         The one-time link of an invitation or a password reset is shown only \
                         to its recipient (and in the local cloud, where nothing is sent).",
                    )
                    .page::<NotificationItem>()
                    .query(
                        "status",
                        api::string(),
                        "Only notifications in this status.",
                    ),
            ),
        )
        .route(
            &format!("{PATH}/{{id}}"),
            api::get(
                read,
                doc("Read a notification")
                    .about("Admins and dispatchers any; everyone else her own (404 otherwise).")
                    .answers::<NotificationItem>(200, "The notification")
                    .errors(&[404]),
            ),
        )
        .route(
            "/v1/inbox",
            api::get(
                inbox,
                doc("Read my in-app messages")
                    .about("Newest first, with the unread count among her 100 newest messages.")
                    .answers::<Inbox>(200, "The caller's in-app messages")
                    .paged(),
            ),
        )
        .route(
            "/v1/inbox/{id}/read",
            api::post(
                mark_read,
                doc("Mark an in-app message read")
                    .about("Her own messages only (404 otherwise); marking one twice is no error.")
                    .no_content("Read")
                    .errors(&[404]),
            ),
        )
}

fn planner(cx: &RequestContext) -> bool {
    Role::PLANNERS.contains(&cx.caller.role)
}

/// Whether the caller may see `n` whole: the recipient, or anyone where nothing is sent.
fn shows_link(cx: &RequestContext, n: &Notification) -> bool {
    !n.kind.carries_secret()
        || n.user_id.as_ref() == Some(&cx.caller.user)
        || platform::config::optional("K_SERVICE").is_none()
            && platform::config::optional("AWS_LAMBDA_FUNCTION_NAME").is_none()
}

fn item(cx: &RequestContext, stored: Stored<Notification>) -> NotificationItem {
    let mut notification = stored.entity;
    if !shows_link(cx, &notification) {
        notification.link = None;
    }
    NotificationItem {
        id: stored.meta.id,
        version: stored.meta.version,
        created_at: stored.meta.created_at,
        updated_at: stored.meta.updated_at,
        notification,
    }
}

async fn list(cx: RequestContext, axum::extract::Query(query): QueryParams) -> ApiResult<Response> {
    let status = match query.iter().find(|(name, _)| name == "status") {
        Some((_, raw)) => Some(
            domain::notifications::NotificationStatus::parse(raw)
                .map_err(|e| ApiError::field("status", e))?,
        ),
        None => None,
    };
    let mut params = parse_list_params(&query, FILTERS, &[NEWEST_FIRST])?;
    if !planner(&cx) {
        // Hers are her in-app messages; a status is picked out of each page (its cost stays
        // the page's, and a page may hold fewer items).
        params.filters = vec![("inbox", serde_json::Value::from(cx.caller.user.to_string()))];
    }
    let (items, next) = cx.repo::<Notification>().list(&params).await?;
    let items = items
        .into_iter()
        .filter(|stored| status.is_none_or(|s| stored.entity.status == s))
        .map(|stored| shown(&item(&cx, stored)))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(list_response(items, next))
}

/// The caller's notification `id`, or a 404 that says nothing about others'.
async fn own(cx: &RequestContext, id: &str) -> ApiResult<Stored<Notification>> {
    let stored = cx.repo::<Notification>().find(id).await?;
    match stored {
        Some(stored) if planner(cx) || stored.entity.user_id.as_ref() == Some(&cx.caller.user) => {
            Ok(stored)
        }
        _ => Err(ApiError::NotFound {
            kind: Notification::KIND,
            id: id.to_owned(),
        }),
    }
}

async fn read(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = own(&cx, &id).await?;
    Ok(Json(item(&cx, stored)).into_response())
}

/// The caller's in-app messages, newest first.
pub fn inbox_query(user: &str) -> Query {
    Query::new(Notification::COLLECTION)
        .filter(Filter::eq("inbox", user))
        .order_by("id", Direction::Desc)
}

async fn inbox(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Response> {
    let params = parse_list_params(&query, &[], &[NEWEST_FIRST])?;
    let user = cx.caller.user.to_string();
    let page = cx
        .store()
        .query(
            &inbox_query(&user)
                .limit(params.limit)
                .start_after(params.start_after.clone()),
        )
        .await?;
    let next = page
        .next
        .as_ref()
        .map(|cursor| platform::http::encode_page_token(params.order_field, cursor));
    let items = page
        .documents
        .into_iter()
        .map(|doc| Stored::<Notification>::from_document(doc).map(|s| item(&cx, s)))
        .collect::<ApiResult<Vec<_>>>()?;
    // Unread among her newest messages: the first page tells when it holds them all.
    let newest = if params.start_after.is_none() && params.limit >= MAX_UNREAD {
        None
    } else {
        Some(
            cx.store()
                .query(&inbox_query(&user).limit(MAX_UNREAD))
                .await?,
        )
    };
    let unread = match &newest {
        Some(newest) => newest
            .documents
            .iter()
            .filter(|d| d.fields.get("unread") == Some(&serde_json::Value::Bool(true)))
            .count(),
        None => items.iter().filter(|i| i.notification.unread).count(),
    };
    Ok(Json(Inbox {
        items,
        unread,
        next_page_token: next,
    })
    .into_response())
}

async fn mark_read(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    for _ in 0..3 {
        let stored = cx.repo::<Notification>().find(&id).await?;
        let Some(stored) = stored.filter(|s| {
            s.entity.user_id.as_ref() == Some(&cx.caller.user) && s.entity.channel == Channel::InApp
        }) else {
            return Err(ApiError::NotFound {
                kind: Notification::KIND,
                id,
            });
        };
        if !stored.entity.unread {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        let mut read = stored.entity.clone();
        read.unread = false;
        let write = Write::Update {
            collection: Notification::COLLECTION,
            id: id.clone(),
            expected_version: stored.meta.version,
            fields: entity_fields(&read)?,
        };
        match cx.store().commit(vec![write], cx.now()).await {
            Ok(_) => return Ok(StatusCode::NO_CONTENT.into_response()),
            // The worker or a callback wrote meanwhile: read again.
            Err(domain::store::StoreError::VersionMismatch { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the message keeps changing; retry".into(),
    ))
}
