//! The `sites` binary as Cloud Run starts it: bad configuration stops it with a message that
//! names the variable; an unreachable Firestore makes requests 503, never a crash.

use std::process::Command;

use platform::Role;
use platform::auth::TokenIssuer;
use platform::testing::{CuttableProxy, KillOnDrop, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_sites");

/// The binary with a valid auth config and a clean environment otherwise.
fn sites(issuer: &TokenIssuer, data_dir: &std::path::Path) -> Command {
    platform::testing::function_command(BIN, issuer, data_dir)
}

/// The variable a message must name, the variables set, and those removed.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn bad_configuration_stops_start_up_naming_the_variable() {
    let issuer = TokenIssuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases: [Case; 5] = [
        ("PORT", &[("PORT", "eighty")], &[]),
        ("AUTH_ISSUER", &[], &["AUTH_ISSUER"]),
        ("AUTH_JWKS", &[("AUTH_JWKS", "{not json")], &[]),
        ("CLEANOPS_STORE", &[("CLEANOPS_STORE", "postgres")], &[]),
        (
            "FIRESTORE_PROJECT_ID",
            &[("CLEANOPS_STORE", "firestore")],
            &[],
        ),
    ];
    for (variable, set, unset) in cases {
        let mut command = sites(&issuer, dir.path());
        command.envs(set.iter().copied());
        for name in unset {
            command.env_remove(name);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{variable}: started anyway");
        assert!(
            stderr.contains(variable),
            "{variable} not named in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{variable}: {stderr}");
    }
}

#[test]
fn an_unreachable_firestore_at_start_up_is_a_clear_error() {
    let issuer = TokenIssuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = sites(&issuer, dir.path())
        .env("CLEANOPS_STORE", "firestore")
        .env("FIRESTORE_PROJECT_ID", "nowhere")
        .env(
            "FIRESTORE_EMULATOR_HOST",
            format!("127.0.0.1:{}", free_port()),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("cannot connect to Firestore"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn firestore_lost_after_start_up_is_a_503_and_the_function_keeps_serving() {
    let emulator = std::env::var("FIRESTORE_EMULATOR_HOST").expect(
        "FIRESTORE_EMULATOR_HOST is not set: run scripts/test, which starts the Firestore emulator",
    );
    let proxy = CuttableProxy::start(emulator).await;
    let proxy_port = proxy.port;
    let issuer = TokenIssuer::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = sites(&issuer, dir.path())
        .env("PORT", port.to_string())
        .env("CLEANOPS_STORE", "firestore")
        .env("FIRESTORE_PROJECT_ID", format!("lost-{port}"))
        .env("FIRESTORE_EMULATOR_HOST", format!("127.0.0.1:{proxy_port}"))
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    platform::testing::wait_until_serving(&base, &mut child).await;
    let token = issuer.token("acme", "u1", Role::Admin, chrono::Duration::hours(1));
    let list = || {
        http.get(format!("{base}/v1/sites"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(
        list().await.unwrap().status(),
        200,
        "served while Firestore is there"
    );

    proxy.cut().await;
    // The first request may meet the pooled connection just closed, the later ones a refused
    // connect: both are an outage.
    for attempt in 0..5 {
        let response = list().await.unwrap();
        assert_eq!(response.status(), 503, "request {attempt} after the cut");
        assert!(response.headers().contains_key("retry-after"));
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(child.0.try_wait().unwrap().is_none(), "still running");
}
