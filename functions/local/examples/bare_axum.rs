//! The baseline of `scripts/bench`: a bare axum server on the same runtime settings as the
//! functions, answering `GET /bytes/{n}` with a JSON body of `n` bytes and nothing else (no
//! auth, no store), so that a request path's cost can be read as a share of what axum and
//! hyper alone do on this machine.
//!
//!     cargo run --release -p cleanops --example bare_axum -- PORT

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

async fn bytes(Path(n): Path<usize>) -> impl IntoResponse {
    // `{"pad":"xxx…"}`: valid JSON of exactly n bytes (at least 10).
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(n.saturating_sub(10)));
    ([(header::CONTENT_TYPE, "application/json")], body)
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: bare_axum PORT");
    let app = Router::new().route("/bytes/{n}", get(bytes));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
