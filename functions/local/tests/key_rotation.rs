//! Rotating the issuer's keys under a running local cloud: tokens of the old key and of the
//! new one are both accepted across the rotation, and once the old key's last token has
//! expired a further rotation retires it, and its tokens are refused.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

mod common;

use common::{BIN, start};

fn rotate(data_dir: &Path, at: Option<&str>) -> String {
    let mut command = Command::new(BIN);
    command.args(["rotate-keys", "--data-dir"]).arg(data_dir);
    if let Some(at) = at {
        command.args(["--at", at]);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn kid(token: &str) -> String {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

async fn login(http: &reqwest::Client, base: &str) -> String {
    let body = json!({"email": "ana@acme.ch", "password": "correct horse battery"});
    let reply: Value = http
        .post(format!("{base}/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["accessToken"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

async fn me(http: &reqwest::Client, base: &str, token: &str) -> u16 {
    http.get(format!("{base}/v1/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn tokens_of_the_old_and_the_new_key_both_pass_a_rotation_until_the_old_one_retires() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let http = reqwest::Client::new();
    let base = &server.base;
    let signup = json!({"company": "Acme", "name": "Ana", "email": "ana@acme.ch",
        "password": "correct horse battery"});
    let created = http
        .post(format!("{base}/v1/signup"))
        .json(&signup)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let old = login(&http, base).await;
    let jwks: Value = http
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = jwks["keys"][1]["kid"].as_str().unwrap().to_owned();

    let report = rotate(dir.path(), None);
    assert!(report.contains(&format!("signing with {next}")), "{report}");
    // The server reads the changed ring (it looks at most once a second).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let new = login(&http, base).await;
    assert_eq!(kid(&new), next, "the key published ahead now signs");
    assert_ne!(kid(&old), kid(&new));
    assert_eq!(
        me(&http, base, &old).await,
        200,
        "an old token still passes"
    );
    assert_eq!(me(&http, base, &new).await, 200);

    // Seventeen minutes on, the old key's tokens have all expired: it goes.
    let later = (chrono::Utc::now() + chrono::Duration::minutes(17)).to_rfc3339();
    let report = rotate(dir.path(), Some(&later));
    assert!(
        report.contains(&format!("removed: {}", kid(&old))),
        "{report}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        me(&http, base, &old).await,
        401,
        "the retired key's token is refused"
    );
    assert_eq!(
        me(&http, base, &new).await,
        200,
        "the key retiring now still verifies"
    );
}
