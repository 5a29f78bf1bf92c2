//! The one error type of the HTTP layer and its mapping to `application/problem+json`
//! (RFC 9457). Every failure a handler can meet ends here, so every response looks alike.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::store::StoreError;
use domain::{FieldError, ValidationErrors};
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all (syntax).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Input that parsed but breaks the rules: every offending field is listed.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    #[error("no such route")]
    NoRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// 409: one such work may be pending at a time, and `running_id` is (told in the body, to
    /// follow it instead).
    #[error("{detail}")]
    Running { detail: String, running_id: String },
    #[error("If-Match is required")]
    PreconditionRequired,
    #[error("the entity has changed (ETag {current})")]
    PreconditionFailed { current: String },
    /// 412: a write lost a race to another one that changed what it was based on (another
    /// entity than the one named by `If-Match`), with what won.
    #[error("{0}")]
    LostRace(String),
    /// The body is larger than [`crate::http::MAX_BODY_BYTES`].
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// Any other status the HTTP layer answers with (a malformed path or query), with why.
    #[error("{detail}")]
    Http { status: StatusCode, detail: String },
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    /// 429: too many attempts (failed logins); try again after `retry_after` seconds.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// A bug or an unexpected failure. The detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    /// 412: the client's `If-Match` names an older version than `current`, which it is told.
    pub fn stale(current: u64) -> Self {
        ApiError::PreconditionFailed {
            current: crate::http::etag_value(current),
        }
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(ValidationErrors::single(field, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::Running { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed { .. } | ApiError::LostRace(_) => {
                StatusCode::PRECONDITION_FAILED
            }
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Http { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed-json",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::Validation(_) => "validation-failed",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound { .. } | ApiError::NoRoute => "not-found",
            ApiError::MethodNotAllowed => "method-not-allowed",
            ApiError::Conflict(_) | ApiError::Running { .. } => "conflict",
            ApiError::PreconditionRequired => "precondition-required",
            ApiError::PreconditionFailed { .. } | ApiError::LostRace(_) => "precondition-failed",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::Http { .. } => "http",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Validation(e) => format!("{} field(s) are invalid; see errors", e.0.len()),
            ApiError::PreconditionRequired => {
                "send If-Match with the ETag of the version you are changing".into()
            }
            ApiError::PreconditionFailed { current } => format!(
                "the entity was changed by someone else; its current ETag is {current}: reload and retry"
            ),
            ApiError::Internal(_) => "an internal error occurred; it has been logged".into(),
            other => other.to_string(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::VersionMismatch { actual, .. } => ApiError::stale(actual),
            StoreError::NotFound { .. } => ApiError::Conflict(
                "the entity was deleted while the request was being handled".into(),
            ),
            StoreError::AlreadyExists { .. } => ApiError::Conflict(e.to_string()),
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            StoreError::Invalid(_) | StoreError::Internal(_) => ApiError::internal(e),
        }
    }
}

/// A stored rule that cannot expand is our data's fault, never the caller's.
impl From<domain::boards::BoardError> for ApiError {
    fn from(e: domain::boards::BoardError) -> Self {
        use domain::boards::BoardError;
        match e {
            BoardError::NoThread(id) => ApiError::NotFound { kind: "thread", id },
            BoardError::Unavailable(e) => ApiError::Unavailable(e),
            BoardError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<domain::schedule::ScheduleError> for ApiError {
    fn from(e: domain::schedule::ScheduleError) -> Self {
        ApiError::internal(e)
    }
}

/// The body of every error answer (RFC 9457 problem details).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Problem<'a> {
    /// `urn:cleanops:problem:{slug}`, such as `urn:cleanops:problem:validation-failed`.
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    /// What went wrong, for a person.
    detail: String,
    /// 422: every bad field and the rule it breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
    /// 409 on work already pending: the one to follow instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    running_id: Option<&'a str>,
    /// 500: the trace id the log keeps the cause under.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let trace_id = crate::trace::current_trace_id();
        if let ApiError::Internal(detail) = &self {
            // The caller gets a generic message; the log keeps the cause with the trace id
            // (the request span carries it).
            tracing::error!(error = %detail, "internal error");
        }
        let problem = Problem {
            kind: format!("urn:cleanops:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail(),
            errors: match &self {
                ApiError::Validation(e) => Some(&e.0),
                _ => None,
            },
            running_id: match &self {
                ApiError::Running { running_id, .. } => Some(running_id),
                _ => None,
            },
            trace_id: matches!(self, ApiError::Internal(_))
                .then_some(trace_id)
                .flatten(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            ApiError::Unauthenticated(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ApiError::PreconditionFailed { current } => {
                if let Ok(v) = HeaderValue::from_str(current) {
                    headers.insert(header::ETAG, v);
                }
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
