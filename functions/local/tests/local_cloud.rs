//! The local cloud binary as a user runs it: `token` prints a token, the server prints where it
//! listens, serves the README's session, stops cleanly on SIGTERM and keeps its data.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

mod common;

use common::{BIN, start};

fn token(data_dir: &Path, tenant: &str, role: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "--tenant", tenant, "--role", role, "--data-dir"])
        .arg(data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

async fn post(http: &reqwest::Client, url: String, token: &str, body: Value) -> Value {
    let response = http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_readme_session_works_and_data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let admin = token(dir.path(), "demo", "admin");
    // Getting a token registers the tenant, so scheduled work includes it.
    let registry =
        std::sync::Arc::new(store::EmbeddedStore::open(dir.path().join("store.sqlite3")).unwrap());
    let (active, _) = platform::tenants::active_page(
        &(registry as std::sync::Arc<dyn domain::store::DocumentStore>),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        active.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        ["demo"]
    );
    let http = reqwest::Client::new();

    let server = start(dir.path());
    assert_eq!(
        http.get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let office = post(
        &http,
        format!("{}/v1/area-types", server.base),
        &admin,
        json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
    )
    .await;
    let site = post(
        &http,
        format!("{}/v1/sites", server.base),
        &admin,
        json!({
        "name": "HQ", "address": {"street": "Main St 1", "city": "Berlin", "country": "DE"},
        "location": {"lat": 52.52, "lng": 13.40}, "timeZone": "Europe/Berlin"}),
    )
    .await;
    post(&http, format!("{}/v1/areas", server.base), &admin,
        json!({"siteId": site["id"], "name": "Room 101", "sizeSqm": 40, "areaTypeId": office["id"]})).await;

    // SIGTERM, as Cloud Run stops an instance: the process exits cleanly.
    let mut server = server;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        server.child.wait().unwrap().success(),
        "graceful exit on SIGTERM"
    );

    // Same data directory: the same key (old tokens still valid) and the same data.
    let server = start(dir.path());
    let cleaner = token(dir.path(), "demo", "cleaner");
    for token in [&admin, &cleaner] {
        let workload: Value = http
            .get(format!(
                "{}/v1/sites/{}/workload",
                server.base,
                site["id"].as_str().unwrap()
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // 40 m² / 200 m²/h = 12 minutes, five times a week.
        assert_eq!(workload["minutesPerWeek"], json!(60.0), "{workload}");
    }
}
