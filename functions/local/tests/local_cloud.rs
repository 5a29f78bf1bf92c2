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

/// The README's session against `base`: an area type, a site, a 40 m² office room; the site.
async fn readme_session(http: &reqwest::Client, base: &str, admin: &str) -> Value {
    let office = json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
    let office = post(http, format!("{base}/v1/area-types"), admin, office).await;
    let site = json!({
        "name": "HQ", "address": {"street": "Main St 1", "city": "Berlin", "country": "DE"},
        "location": {"lat": 52.52, "lng": 13.40}, "timeZone": "Europe/Berlin"});
    let site = post(http, format!("{base}/v1/sites"), admin, site).await;
    let room = json!({"siteId": site["id"], "name": "Room 101", "sizeSqm": 40, "areaTypeId": office["id"]});
    post(http, format!("{base}/v1/areas"), admin, room).await;
    site
}

#[tokio::test]
async fn getting_a_token_registers_its_tenant_for_scheduled_work() {
    let dir = tempfile::tempdir().unwrap();
    token(dir.path(), "demo", "admin");
    let registry = common::open(dir.path());
    let (active, _) = platform::tenants::active_page(&registry, None, 10)
        .await
        .unwrap();
    assert_eq!(
        active.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        ["demo"]
    );
}

#[tokio::test]
async fn the_server_serves_healthz_where_it_says_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// SIGTERM, as Cloud Run stops an instance; whether the process exited cleanly.
fn terminate(mut server: common::Server) -> bool {
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    server.child.wait().unwrap().success()
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    assert!(terminate(server), "graceful exit on SIGTERM");
}

#[tokio::test]
async fn the_readme_session_survives_a_restart_with_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let admin = token(dir.path(), "demo", "admin");
    let http = reqwest::Client::new();
    let server = start(dir.path());
    let site = readme_session(&http, &server.base, &admin).await;
    assert!(terminate(server));
    // Same data directory: the same key (old tokens still valid) and the same data.
    let server = start(dir.path());
    let cleaner = token(dir.path(), "demo", "cleaner");
    let path = format!(
        "{}/v1/sites/{}/workload",
        server.base,
        site["id"].as_str().unwrap()
    );
    for token in [&admin, &cleaner] {
        let response = http.get(&path).bearer_auth(token).send().await.unwrap();
        let workload: Value = response.json().await.unwrap();
        // 40 m² / 200 m²/h = 12 minutes, five times a week.
        assert_eq!(workload["minutesPerWeek"], json!(60.0), "{workload}");
    }
}

/// Concurrent writers, then `kill -9`: every write the server acknowledged is there after a
/// restart (commits are acknowledged only once their group's transaction is committed).
#[tokio::test]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let admin = token(dir.path(), "demo", "admin");
    let mut server = start(dir.path());
    let http = reqwest::Client::new();
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..16)
        .map(|_| {
            let (http, base, admin) = (http.clone(), server.base.clone(), admin.clone());
            let acknowledged = acknowledged.clone();
            tokio::spawn(async move {
                let body =
                    json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
                while let Ok(response) = http
                    .post(format!("{base}/v1/area-types"))
                    .bearer_auth(&admin)
                    .json(&body)
                    .send()
                    .await
                {
                    let Ok(created) = response.json::<Value>().await else {
                        break;
                    };
                    acknowledged
                        .lock()
                        .unwrap()
                        .push(created["id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 300 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let store = common::open(dir.path());
    let tenant = domain::TenantId::parse("demo").unwrap();
    let ids = acknowledged.lock().unwrap().clone();
    let found = store.get_many(&tenant, "areaTypes", &ids).await.unwrap();
    assert_eq!(found.len(), ids.len(), "acknowledged writes lost");
}

#[tokio::test]
async fn a_requested_plan_is_computed_by_the_worker_through_the_local_push_path() {
    let dir = tempfile::tempdir().unwrap();
    let admin = token(dir.path(), "demo", "admin");
    let server = start(dir.path());
    let http = reqwest::Client::new();
    readme_session(&http, &server.base, &admin).await;
    let cleaner = json!({"userId": "maria", "name": "Maria", "home": {"lat": 52.5, "lng": 13.4},
        "shifts": [{"day": "mon", "from": "06:00", "to": "14:00"}], "maxMinutesPerDay": 420});
    post(
        &http,
        format!("{}/v1/cleaners", server.base),
        &admin,
        cleaner,
    )
    .await;
    let queued = http
        .post(format!("{}/v1/plans", server.base))
        .bearer_auth(&admin)
        .json(&json!({"weekStart": "2027-01-04", "seconds": 0.3}))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    let queued: Value = queued.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    let url = format!(
        "{}/v1/plans/{}",
        server.base,
        queued["id"].as_str().unwrap()
    );
    let mut plan = Value::Null;
    for _ in 0..100 {
        plan = http
            .get(&url)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if plan["status"] == "draft" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(plan["status"], "draft", "{plan}");
    assert_eq!(plan["tours"][0]["stops"][0]["areaName"], "Room 101");
}

#[tokio::test]
async fn a_token_signed_for_another_data_dir_is_refused_saying_how_to_get_one() {
    let (served, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = start(served.path());
    let stranger = token(other.path(), "demo", "admin");
    let reply = reqwest::Client::new()
        .get(format!("{}/v1/sites", server.base))
        .bearer_auth(stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    let problem: Value = reply.json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("/v1/auth/login"), "{detail}");
    assert!(
        detail.contains(&format!("--data-dir {}", served.path().display())),
        "{detail}"
    );
}
