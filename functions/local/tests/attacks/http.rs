//! The HTTP layer under abuse: idle and slow connections are closed, oversized bodies are a
//! 413, bodies in another charset a 415, a request that outlasts its time a 503, and every
//! error carries a problem+json body.

use std::time::Duration;

use platform::Role;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{VICTIM, start};

/// Reads until the server closes the connection; what it sent. A generous bound keeps a
/// broken server from hanging the suite.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut out))
        .await
        .expect("the server closed the connection")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let (app, _) = start().await;
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    assert_eq!(read_until_closed(&mut stream).await, "");
}

#[tokio::test]
async fn a_connection_idle_after_a_request_is_closed() {
    let (app, _) = start().await;
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let reply = read_until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[tokio::test]
async fn headers_sent_slowly_are_cut_off() {
    let (app, _) = start().await;
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nx-slow: ")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(b"still").await.unwrap();
    let reply = read_until_closed(&mut stream).await;
    assert!(!reply.contains(" 200 "), "{reply}");
}

#[tokio::test]
async fn a_body_that_never_finishes_is_a_503_problem_when_its_time_is_up() {
    let (app, _) = start().await;
    let token = app.token(VICTIM, Role::Admin);
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    let head = format!(
        "POST /v1/sites HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"name\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut reply = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut reply))
        .await
        .expect("an answer once the request's time is up")
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..read]);
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(reply.contains("application/problem+json"), "{reply}");
}

#[tokio::test]
async fn an_oversized_body_is_a_413_problem() {
    let (app, _) = start().await;
    let token = app.token(VICTIM, Role::Admin);
    let name = "x".repeat(8 * 1024 * 1024);
    let reply = app
        .post(&token, "/v1/sites", serde_json::json!({"name": name}))
        .await;
    reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_body_in_utf_16_is_a_415_problem() {
    let (app, _) = start().await;
    let response = reqwest::Client::new()
        .post(app.url("/v1/sites"))
        .bearer_auth(app.token(VICTIM, Role::Admin))
        .header("content-type", "application/json; charset=utf-16")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn a_path_that_does_not_decode_is_a_problem_not_plain_text() {
    let (app, _) = start().await;
    let token = app.token(VICTIM, Role::Admin);
    let reply = app.get(&token, "/v1/sites/%FF%FE").await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    reply.assert_problem(reply.status);
}
