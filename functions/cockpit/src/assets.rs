//! The app's built files, embedded, and how they are served.
//!
//! - Hashed files (`/assets/...`, named by their content) are cached for a year, immutable.
//! - The page (`index.html`) is never cached (`no-store`): a deployment shows at the next load.
//!   The other files named alike (the service worker, the manifest, icons) are revalidated on
//!   every use (`no-cache`, with an `ETag`).
//! - A path that is no file is a page of the app (it routes in the browser): `index.html`.
//!   API paths (`/v1/...` and the other functions' prefixes) never are: they answer a 404
//!   problem, as every function does for a path it does not serve.
//! - Text files are sent gzip- or brotli-compressed when the build made such a copy and the
//!   client takes it.
//! - Every answer carries a strict Content-Security-Policy: scripts, styles and connections
//!   from this origin only, no inline script, no framing.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use platform::ApiError;

#[derive(rust_embed::Embed)]
#[folder = "$COCKPIT_DIST"]
struct Dist;

/// Where the app may load from and talk to. `blob:`/`mediastream:` for the camera preview of
/// the QR scanner and the CSV export; `data:` images for inline SVG icons.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
     media-src 'self' blob: mediastream:; worker-src 'self'; manifest-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Path prefixes that belong to the API (and the functions' own endpoints), never the app.
const API_PREFIXES: [&str; 6] = [
    "/v1/",
    "/push/",
    "/internal/",
    "/.well-known/",
    "/healthz",
    "/openapi.json",
];

/// A year: hashed files never change under their name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";
const NEVER: &str = "no-store";

/// Answers every request no route of the fleet serves.
pub async fn app(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if API_PREFIXES
        .iter()
        .any(|p| path.starts_with(p) || path == p.trim_end_matches('/'))
    {
        return ApiError::NoRoute.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = ApiError::MethodNotAllowed.into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let name = path.trim_start_matches('/');
    let (name, file) = match Dist::get(name).filter(|_| !name.is_empty()) {
        Some(file) => (name, file),
        // A hashed file that is not there is a stale page asking for an old build: a 404, not
        // the app's HTML in place of a script.
        None if name.starts_with("assets/") => {
            return (StatusCode::NOT_FOUND, secured(HeaderMap::new())).into_response();
        }
        None => match Dist::get("index.html") {
            Some(index) => ("index.html", index),
            None => {
                return ApiError::internal("the cockpit was built without index.html")
                    .into_response();
            }
        },
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    let mut out = secured(HeaderMap::new());
    out.insert(header::CONTENT_TYPE, content_type(name));
    let caching = match name {
        "index.html" => NEVER,
        _ if name.starts_with("assets/") => IMMUTABLE,
        _ => REVALIDATE,
    };
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    let accepts = |coding: &str| {
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|c| c.split(';').next().unwrap_or("").trim() == coding)
            })
    };
    for (coding, suffix) in [("br", "br"), ("gzip", "gz")] {
        if accepts(coding)
            && let Some(packed) = Dist::get(&format!("{name}.{suffix}"))
        {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            return (out, packed.data.into_owned()).into_response();
        }
    }
    (out, file.data.into_owned()).into_response()
}

/// The headers every answer of the app carries.
fn secured(mut headers: HeaderMap) -> HeaderMap {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
    headers
}

fn content_type(name: &str) -> HeaderValue {
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    HeaderValue::from_static(match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
