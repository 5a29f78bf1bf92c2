//! The `tours` binary needs its signing key (a catalog secret): without one, or with a weak
//! one, it stops naming the variable; with one it serves (its late check's pushes verified).

use std::process::Command;
use std::time::{Duration, Instant};

use platform::Role;
use platform::auth::TokenIssuer;

const BIN: &str = env!("CARGO_BIN_EXE_tours");
const KEY_VAR: &str = "CLEANOPS_SIGNING_KEY";

/// The binary as Cloud Run starts it; it also takes Pub/Sub's pushes of the late check.
fn tours(issuer: &TokenIssuer, data_dir: &std::path::Path) -> Command {
    let mut command = platform::testing::function_command(BIN, issuer, data_dir);
    command
        .env("PUSH_AUDIENCE", platform::testing::PUSH_AUDIENCE)
        .env(
            "PUSH_SERVICE_ACCOUNT",
            platform::testing::PUSH_SERVICE_ACCOUNT,
        )
        .env("PUSH_JWKS", serde_json::to_string(&issuer.jwks()).unwrap());
    command
}

#[test]
fn a_missing_or_weak_signing_key_stops_start_up_naming_it() {
    let issuer = TokenIssuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for key in [None, Some("c2hvcnQ="), Some("not base64!")] {
        let mut command = tours(&issuer, dir.path());
        if let Some(key) = key {
            command.env(KEY_VAR, key);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{key:?}: started anyway");
        assert!(stderr.contains(KEY_VAR), "{key:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn with_its_key_it_serves() {
    let issuer = TokenIssuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tours(&issuer, dir.path())
        .env(KEY_VAR, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
        .env("PORT", port.to_string())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(child.try_wait().unwrap().is_none(), "the function exited");
        assert!(started.elapsed() < Duration::from_secs(20), "did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let token = issuer.token("acme", "u1", Role::Admin, chrono::Duration::hours(1));
    let status = http
        .get(format!("{base}/v1/check-in-codes/nope"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
    child.kill().unwrap();
    child.wait().unwrap();
}
