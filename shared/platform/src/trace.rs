//! Request tracing: every request runs in a span that carries its trace id (from
//! `traceparent`, else `X-Cloud-Trace-Context`, else a new one), so every log line of the
//! request, and every 500, can be found by it.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    pub span_id: Option<String>,
    pub sampled: bool,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// W3C `traceparent`: `00-<trace id>-<parent id>-<flags>`.
fn from_traceparent(value: &str) -> Option<TraceContext> {
    let mut parts = value.trim().split('-');
    let (version, trace, span, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if !is_hex(version, 2)
        || !is_hex(trace, 32)
        || !is_hex(span, 16)
        || !is_hex(flags, 2)
        || trace.bytes().all(|b| b == b'0')
    {
        return None;
    }
    let flags = u8::from_str_radix(flags, 16).ok()?;
    Some(TraceContext {
        trace_id: trace.to_ascii_lowercase(),
        span_id: Some(span.to_ascii_lowercase()),
        sampled: flags & 1 == 1,
    })
}

/// `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS` (span id in decimal).
fn from_cloud_trace_context(value: &str) -> Option<TraceContext> {
    let (ids, options) = value.trim().split_once(';').unwrap_or((value.trim(), ""));
    let (trace, span) = ids.split_once('/').unwrap_or((ids, ""));
    if !is_hex(trace, 32) {
        return None;
    }
    let span_id = span.parse::<u64>().ok().map(|s| format!("{s:016x}"));
    Some(TraceContext {
        trace_id: trace.to_ascii_lowercase(),
        span_id,
        sampled: options.trim() == "o=1",
    })
}

impl TraceContext {
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        header("traceparent")
            .and_then(from_traceparent)
            .or_else(|| header("x-cloud-trace-context").and_then(from_cloud_trace_context))
    }

    pub fn new_root() -> Self {
        Self {
            trace_id: uuid::Uuid::new_v4().simple().to_string(),
            span_id: None,
            sampled: false,
        }
    }
}

tokio::task_local! {
    static TRACE_ID: String;
}

/// The trace id of the request being handled, if any.
pub fn current_trace_id() -> Option<String> {
    TRACE_ID.try_with(Clone::clone).ok()
}

/// Middleware: opens the request span and logs each finished request.
pub async fn trace_requests(request: Request, next: Next) -> Response {
    let context =
        TraceContext::from_headers(request.headers()).unwrap_or_else(TraceContext::new_root);
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        trace = %context.trace_id,
        span_id = context.span_id.as_deref(),
        sampled = context.sampled,
        tenant = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let trace_id = context.trace_id.clone();
    TRACE_ID
        .scope(trace_id, async move {
            let response = next.run(request).await;
            let status = response.status().as_u16();
            let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
            if status >= 500 {
                tracing::warn!(status, latency_ms, "request failed");
            } else {
                tracing::info!(status, latency_ms, "request handled");
            }
            response
        })
        .instrument(span)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_trace_headers() {
        let tp =
            from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert_eq!(
            (tp.trace_id.as_str(), tp.sampled),
            ("4bf92f3577b34da6a3ce929d0e0e4736", true)
        );
        let ct = from_cloud_trace_context("105445aa7843bc8bf206b12000100000/1;o=1").unwrap();
        assert_eq!(ct.span_id.as_deref(), Some("0000000000000001"));
        assert!(
            from_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none()
        );
        assert!(from_cloud_trace_context("nothex/1").is_none());
    }
}
