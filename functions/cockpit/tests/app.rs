//! The cockpit as a browser meets it: the app at every path that is no API route, with a
//! strict Content-Security-Policy and no inline script, its hashed files cached for a year and
//! compressed for clients that take it, its page never cached, and API paths it does not serve
//! answered as every function answers them.

use platform::testing::{TestApp, spawn_app};
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH};

async fn app() -> TestApp {
    spawn_app(cockpit::router(), platform::HttpConfig::default()).await
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(app.url(path)).await.unwrap()
}

/// The hashed scripts the page loads.
async fn scripts(app: &TestApp) -> Vec<String> {
    let page = get(app, "/").await.text().await.unwrap();
    page.split("src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|src| src.starts_with("/assets/") && src.ends_with(".js"))
        .map(str::to_owned)
        .collect()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_app_is_served_at_the_root_with_a_strict_policy_and_no_inline_script() {
    let app = app().await;
    let response = get(&app, "/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, CONTENT_TYPE), "text/html; charset=utf-8");
    let policy = header(&response, CONTENT_SECURITY_POLICY).to_owned();
    for rule in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(rule), "{rule} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains("<div id=\"root\">"));
    for script in page.split("<script").skip(1) {
        assert!(
            script.contains("src=\"/assets/"),
            "an inline script: <script{script}"
        );
    }
}

#[tokio::test]
async fn the_page_is_never_cached() {
    let app = app().await;
    assert_eq!(header(&get(&app, "/").await, CACHE_CONTROL), "no-store");
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year() {
    let app = app().await;
    let scripts = scripts(&app).await;
    assert!(!scripts.is_empty());
    for script in scripts {
        let response = get(&app, &script).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            header(&response, CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            header(&response, CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
    }
}

#[tokio::test]
async fn the_service_worker_and_the_manifest_are_revalidated_on_every_load() {
    let app = app().await;
    for (path, kind) in [
        ("/sw.js", "text/javascript; charset=utf-8"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(header(&response, CONTENT_TYPE), kind, "{path}");
    }
}

#[tokio::test]
async fn a_page_of_the_app_is_the_app() {
    let app = app().await;
    for path in ["/week", "/sites/0193a6f0", "/accept-invitation"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.text().await.unwrap().contains("<div id=\"root\">"));
    }
}

#[tokio::test]
async fn an_api_path_nobody_serves_is_a_404_problem_not_the_app() {
    let app = app().await;
    for path in [
        "/v1/nothing",
        "/push/nothing",
        "/internal/nothing",
        "/.well-known/nothing",
    ] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(header(&response, CONTENT_TYPE), "application/problem+json");
    }
}

#[tokio::test]
async fn a_hashed_file_of_another_build_is_a_404_not_the_page() {
    let app = app().await;
    let response = get(&app, "/assets/index-gone.js").await;
    assert_eq!(response.status(), 404);
    assert_ne!(header(&response, CONTENT_TYPE), "text/html; charset=utf-8");
}

/// A request over a bare socket: the headers and the body's length as sent (reqwest would
/// undo the compression this checks).
async fn raw_get(app: &TestApp, path: &str, coding: &str) -> (String, usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url("").trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: cockpit\r\nAccept-Encoding: {coding}\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    (head, answer.len() - split - 4)
}

#[tokio::test]
async fn clients_that_take_compression_get_the_compressed_copy() {
    let app = app().await;
    let script = scripts(&app).await.remove(0);
    let (plain_head, plain) = raw_get(&app, &script, "identity").await;
    assert!(!plain_head.contains("content-encoding"), "{plain_head}");
    for coding in ["gzip", "br"] {
        let (head, packed) = raw_get(&app, &script, coding).await;
        assert!(
            head.contains(&format!("content-encoding: {coding}")),
            "{coding}: {head}"
        );
        assert!(head.contains("vary: accept-encoding"), "{head}");
        assert!(packed * 2 < plain, "{coding}: {packed} of {plain} bytes");
    }
}

#[tokio::test]
async fn an_unchanged_file_is_not_sent_again() {
    let app = app().await;
    let first = get(&app, "/sw.js").await;
    let tag = header(&first, ETAG).to_owned();
    let again = reqwest::Client::new()
        .get(app.url("/sw.js"))
        .header(IF_NONE_MATCH, tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn the_app_takes_no_writes() {
    let app = app().await;
    let response = reqwest::Client::new()
        .post(app.url("/week"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(header(&response, reqwest::header::ALLOW), "GET, HEAD");
}

#[tokio::test]
async fn the_api_document_is_served_to_anyone() {
    let app = app().await;
    let response = get(&app, "/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/v1/sites"]["get"].is_object());
}
