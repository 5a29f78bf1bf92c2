//! HTTP helpers shared by every function: JSON bodies, ETags and `If-Match`, list parameters
//! and page tokens.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{CONTENT_TYPE, IF_MATCH};
use axum::http::request::Parts;
use base64::Engine as _;
use domain::store::{Cursor, Direction};
use domain::{FieldError, ValidationErrors};
use serde_json::Value;

use crate::error::ApiError;

/// The largest request body any function reads: entities are a few kilobytes, and the
/// largest (a week's plan request) well under this.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body, parsed but not yet validated: a syntax error is a 400, a body that is
/// not declared as JSON (or declares a charset other than UTF-8, the only one JSON has, RFC
/// 8259) a 415, one over [`MAX_BODY_BYTES`] a 413. Rule checks (422) are the domain's job.
pub struct JsonBody(pub Value);

/// Whether a `Content-Type` declares JSON in UTF-8.
fn is_utf8_json(content_type: &str) -> bool {
    let mut params = content_type.split(';');
    let mime = params.next().unwrap_or("").trim().to_ascii_lowercase();
    let json =
        mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"));
    json && params.all(|param| {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        !name.trim().eq_ignore_ascii_case("charset")
            || value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
    })
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        RawJsonBody::from_request(request, state)
            .await
            .map(|raw| JsonBody(raw.value))
    }
}

/// A [`JsonBody`] that keeps its bytes too: for a body whose signature covers its bytes.
pub struct RawJsonBody {
    pub bytes: Bytes,
    pub value: Value,
}

impl<S: Send + Sync> FromRequest<S> for RawJsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_utf8_json);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                }
            } else {
                ApiError::MalformedJson(format!("cannot read the body: {e}"))
            }
        })?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::MalformedJson(format!("line {} column {}: {e}", e.line(), e.column()))
        })?;
        Ok(Self { bytes, value })
    }
}

/// Middleware: every error status carries a problem+json body. What axum itself answers (a
/// path segment or query string that does not decode, say) keeps its status and its text
/// becomes the problem's detail.
pub async fn problem_bodies(
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(crate::error::PROBLEM_JSON.as_bytes())
    });
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = match axum::body::to_bytes(body, 4096).await {
        Ok(text) if !text.is_empty() => String::from_utf8_lossy(&text).into_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let mut problem = if status.is_server_error() {
        ApiError::Internal(detail)
    } else {
        ApiError::Http { status, detail }
    }
    .into_response();
    // Headers such as Allow (405) stay.
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    *problem.status_mut() = status;
    problem
}

/// A strong ETag for a version: `"<version>"`.
pub fn etag_value(version: u64) -> String {
    format!("\"{version}\"")
}

/// The version an update must find, from `If-Match`: 428 when missing, 412 when it cannot
/// match any version (a weak or malformed tag). `*` is not accepted: updates must say which
/// version they change.
pub struct IfMatch(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let raw = parts
            .headers
            .get(IF_MATCH)
            .ok_or(ApiError::PreconditionRequired)?;
        let raw = raw
            .to_str()
            .map_err(|_| ApiError::field("If-Match", "must be an ETag"))?
            .trim();
        raw.strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .and_then(|v| v.parse().ok())
            .map(IfMatch)
            .ok_or_else(|| {
                ApiError::field(
                    "If-Match",
                    "must be one strong ETag as returned by GET, such as \"3\"",
                )
            })
    }
}

/// The largest page a list endpoint serves, and the default.
pub const MAX_LIMIT: usize = 200;
pub const DEFAULT_LIMIT: usize = 50;

/// A filter a list endpoint accepts as a query parameter, compared for equality.
#[derive(Debug, Clone, Copy)]
pub struct FilterParam {
    pub name: &'static str,
    pub kind: ParamKind,
}

impl FilterParam {
    /// A filter on a document id (`?siteId=...`).
    pub const fn id(name: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Id,
        }
    }

    pub const fn text(name: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Text,
        }
    }

    pub const fn integer(name: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Integer,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A document id.
    Id,
    Text,
    Integer,
}

/// An order a listing offers: a field and a direction. Each one costs composite indexes in
/// Firestore (one per equality filter it combines with), so a listing offers the orders its
/// screens use, not every field both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub field: &'static str,
    pub direction: Direction,
}

impl Order {
    pub const fn asc(field: &'static str) -> Self {
        Self {
            field,
            direction: Direction::Asc,
        }
    }
    pub const fn desc(field: &'static str) -> Self {
        Self {
            field,
            direction: Direction::Desc,
        }
    }
    /// As the `orderBy` parameter names it: the field, `-` before it for descending.
    pub fn name(&self) -> String {
        match self.direction {
            Direction::Asc => self.field.to_owned(),
            Direction::Desc => format!("-{}", self.field),
        }
    }
}

/// What a list request asked for, parsed from its query string.
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub filters: Vec<(&'static str, Value)>,
    pub order_field: &'static str,
    pub direction: Direction,
    pub limit: usize,
    pub start_after: Option<Cursor>,
}

/// Parses `limit`, `pageToken`, `orderBy` (one of `orders`, `-` for descending; else the
/// first of them) and the declared filters, reporting every bad or unknown parameter.
pub fn parse_list_params(
    query: &[(String, String)],
    filters: &[FilterParam],
    orders: &[Order],
) -> Result<ListParams, ApiError> {
    let default_order = orders.first().copied().unwrap_or(Order::asc("id"));
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    let mut params = ListParams {
        filters: Vec::new(),
        order_field: default_order.field,
        direction: default_order.direction,
        limit: DEFAULT_LIMIT,
        start_after: None,
    };
    let mut token = None;
    let mut seen = BTreeMap::new();
    for (name, value) in query {
        if seen.insert(name.as_str(), ()).is_some() {
            error(name, "must be given once".into());
            continue;
        }
        match name.as_str() {
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => params.limit = n,
                _ => error(
                    name,
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                ),
            },
            "pageToken" => token = Some(value.clone()),
            "orderBy" => {
                let (field, direction) = match value.strip_prefix('-') {
                    Some(field) => (field, Direction::Desc),
                    None => (value.as_str(), Direction::Asc),
                };
                match orders
                    .iter()
                    .find(|o| o.field == field && o.direction == direction)
                {
                    Some(order) => {
                        (params.order_field, params.direction) = (order.field, order.direction);
                    }
                    None => {
                        let names: Vec<String> = orders.iter().map(Order::name).collect();
                        error(
                            name,
                            format!("must be one of {} (- is descending)", names.join(", ")),
                        );
                    }
                }
            }
            _ => match filters.iter().find(|f| f.name == name) {
                Some(filter) => match parse_filter_value(filter.kind, value) {
                    Ok(v) => params.filters.push((filter.name, v)),
                    Err(message) => error(name, message),
                },
                None => {
                    let mut known: Vec<&str> = vec!["limit", "pageToken", "orderBy"];
                    known.extend(filters.iter().map(|f| f.name));
                    error(
                        name,
                        format!("is not a known parameter; known: {}", known.join(", ")),
                    );
                }
            },
        }
    }
    if let Some(token) = token {
        match decode_page_token(&token, params.order_field) {
            Some(cursor) => params.start_after = Some(cursor),
            None => error(
                "pageToken",
                "is not a page token of this listing and order".into(),
            ),
        }
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(ApiError::Validation(ValidationErrors(errors)))
    }
}

/// Query parameters as a JSON object of strings, to read with [`domain::Fields`] like a body:
/// every bad, missing or unknown parameter is named. A repeated parameter is refused.
pub fn query_object(query: &[(String, String)]) -> Result<Value, ApiError> {
    let mut object = serde_json::Map::new();
    for (name, value) in query {
        if object
            .insert(name.clone(), Value::String(value.clone()))
            .is_some()
        {
            return Err(ApiError::field(name.as_str(), "must be given once"));
        }
    }
    Ok(Value::Object(object))
}

fn parse_filter_value(kind: ParamKind, raw: &str) -> Result<Value, String> {
    match kind {
        ParamKind::Id => domain::id::parse_id(raw).map(|id| Value::String(id.into())),
        ParamKind::Text => Ok(Value::String(raw.into())),
        ParamKind::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "must be a whole number".into()),
    }
}

/// Page tokens are opaque to clients: base64url of `[orderField, value, id]`. Binding the
/// order field makes a token from another ordering fail loudly instead of skipping data.
pub fn encode_page_token(order_field: &str, cursor: &Cursor) -> String {
    let raw = serde_json::to_vec(&(order_field, &cursor.value, &cursor.id)).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

pub fn decode_page_token(token: &str, order_field: &str) -> Option<Cursor> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let (field, value, id): (String, Value, String) = serde_json::from_slice(&raw).ok()?;
    (field == order_field && domain::id::parse_id(&id).is_ok()).then_some(Cursor { value, id })
}

/// The size of the chunks a [`streamed_json`] answer is written in.
const STREAM_CHUNK_BYTES: usize = 64 * 1024;

/// A 200 JSON answer written as it is sent, for answers too large to hold whole (a year of a
/// site's occurrences is megabytes of JSON): `head`, then items `0..count` separated by
/// commas, each written by `write_item`, then `tail`. Memory holds one chunk of about
/// 64 KiB, not the answer. `head` and `tail` make the document around the items, e.g.
/// `{"items":[` and `]}`.
pub fn streamed_json(
    head: String,
    count: usize,
    write_item: impl FnMut(usize, &mut Vec<u8>) -> serde_json::Result<()> + Send + Unpin + 'static,
    tail: String,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let body = JsonChunks {
        head: Some(head),
        next: 0,
        count,
        write_item,
        tail: Some(tail),
    };
    axum::response::Response::builder()
        .header(CONTENT_TYPE, "application/json")
        .body(axum::body::Body::new(body))
        .unwrap_or_else(|_| ApiError::internal("a streamed answer").into_response())
}

struct JsonChunks<W> {
    head: Option<String>,
    next: usize,
    count: usize,
    write_item: W,
    tail: Option<String>,
}

impl<W> http_body::Body for JsonChunks<W>
where
    W: FnMut(usize, &mut Vec<u8>) -> serde_json::Result<()> + Send + Unpin + 'static,
{
    type Data = Bytes;
    type Error = serde_json::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        let mut chunk = this.head.take().map(String::into_bytes).unwrap_or_default();
        while chunk.len() < STREAM_CHUNK_BYTES && this.next < this.count {
            if this.next > 0 {
                chunk.push(b',');
            }
            if let Err(e) = (this.write_item)(this.next, &mut chunk) {
                return std::task::Poll::Ready(Some(Err(e)));
            }
            this.next += 1;
        }
        if this.next == this.count
            && let Some(tail) = this.tail.take()
        {
            chunk.extend_from_slice(tail.as_bytes());
        }
        std::task::Poll::Ready(
            (!chunk.is_empty()).then(|| Ok(http_body::Frame::data(chunk.into()))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.tail.is_none()
    }
}

/// The origin the client reached: `PUBLIC_URL` when set, else the request's own host.
pub fn origin(headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = crate::config::optional("PUBLIC_URL") {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let local =
        host.starts_with("127.0.0.1") || host.starts_with("localhost") || host.starts_with("[::1]");
    format!("{}://{host}", if local { "http" } else { "https" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_streamed_answer_is_one_json_document_across_chunks() {
        let count = 20_000;
        let response = streamed_json(
            "{\"items\":[".into(),
            count,
            |k, out| {
                serde_json::to_writer(out, &serde_json::json!({"n": k, "pad": "x".repeat(20)}))
            },
            "],\"done\":true}".into(),
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(
            body.len() > 4 * STREAM_CHUNK_BYTES,
            "several chunks: {}",
            body.len()
        );
        let value: Value = serde_json::from_slice(&body).unwrap();
        let items = value["items"].as_array().unwrap();
        assert_eq!(items.len(), count);
        assert_eq!(items[count - 1]["n"], count - 1);
        assert_eq!(value["done"], true);
    }

    #[tokio::test]
    async fn a_streamed_answer_without_items_is_its_head_and_tail() {
        let response = streamed_json("[".into(), 0, |_, _| Ok(()), "]".into());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], b"[]");
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn every_bad_parameter_is_reported() {
        let filters = [FilterParam::integer("floor")];
        let Err(ApiError::Validation(e)) = parse_list_params(
            &q(&[
                ("limit", "0"),
                ("floor", "x"),
                ("orderBy", "size"),
                ("nope", "1"),
            ]),
            &filters,
            &[Order::asc("id"), Order::asc("name")],
        ) else {
            panic!("expected validation errors")
        };
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "floor", "orderBy", "nope"]);
    }

    #[test]
    fn an_order_is_offered_in_its_declared_direction_only() {
        let orders = [Order::asc("name"), Order::desc("id")];
        let order = |raw: &str| {
            parse_list_params(&q(&[("orderBy", raw)]), &[], &orders)
                .map(|p| (p.order_field, p.direction))
        };
        assert_eq!(order("name").unwrap(), ("name", Direction::Asc));
        assert_eq!(order("-id").unwrap(), ("id", Direction::Desc));
        let Err(ApiError::Validation(e)) = order("-name") else {
            panic!("-name is not offered")
        };
        assert_eq!(e.0[0].message, "must be one of name, -id (- is descending)");
    }

    #[test]
    fn page_tokens_round_trip_and_are_bound_to_the_order() {
        let cursor = Cursor {
            value: Value::String("Lobby".into()),
            id: "a1".into(),
        };
        let token = encode_page_token("name", &cursor);
        let params = parse_list_params(
            &q(&[("orderBy", "name"), ("pageToken", &token)]),
            &[],
            &[Order::asc("id"), Order::asc("name")],
        )
        .unwrap();
        assert_eq!(params.start_after, Some(cursor));
        assert!(
            parse_list_params(
                &q(&[("pageToken", &token)]),
                &[],
                &[Order::asc("id"), Order::asc("name")]
            )
            .is_err()
        );
    }
}
