//! The `identity` binary as Cloud Run starts it: it needs its issuer key (a catalog secret)
//! and stops naming the variable without one; with a monthly master secret it signs, and it
//! verifies its own tokens through its published keys (`AUTH_JWKS_URL`), as every function
//! does in the cloud.

use std::process::Command;

use platform::auth::TokenIssuer;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_identity");
const KEY_VAR: &str = "CLEANOPS_ISSUER_KEY";

fn identity(data_dir: &std::path::Path) -> Command {
    let issuer = TokenIssuer::generate().unwrap();
    platform::testing::function_command(BIN, &issuer, data_dir)
}

#[test]
fn a_missing_or_weak_issuer_key_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for key in [None, Some("monthly:c2hvcnQ="), Some("not a key")] {
        let mut command = identity(dir.path());
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
async fn with_a_monthly_master_secret_it_signs_and_verifies_through_its_published_keys() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = platform::testing::KillOnDrop(
        identity(dir.path())
            .env_remove("AUTH_JWKS")
            .env("AUTH_JWKS_URL", format!("{base}/.well-known/jwks.json"))
            .env(
                KEY_VAR,
                "monthly:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            )
            .env("PORT", port.to_string())
            .spawn()
            .unwrap(),
    );
    platform::testing::wait_until_serving(&base, &mut child).await;
    let http = reqwest::Client::new();
    let keys: Value = http
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let published = keys["keys"].as_array().unwrap().len();
    assert!(
        (2..=3).contains(&published),
        "this month's, next month's (and last month's): {keys}"
    );
    let signup = json!({"company": "Acme", "name": "Ana", "email": "ana@acme.ch", "password": "correct horse battery"});
    let reply: Value = http
        .post(format!("{base}/v1/signup"))
        .json(&signup)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = reply["accessToken"].as_str().expect("signed up");
    let me = http
        .get(format!("{base}/v1/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}
