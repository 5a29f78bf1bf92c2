//! A full run of the local cloud sending for real (SMS to the Twilio mock, email to an SMTP
//! relay that asks for a login), every log line kept at the most verbose level: the Twilio
//! auth token and the SMTP password, as given and as they cross the wire encoded, are in none.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

mod common;

const AUTH_TOKEN: &str = "tw-secret-4f1c9a7be02d";
const SMTP_PASSWORD: &str = "smtp-secret-93ab51e7";
const SMTP_USER: &str = "relay-user";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// An SMTP server of this test's own that asks for a login.
fn smtp_with_login() -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/smtp-sink/serve.py"
        ))
        .args(["--auth", "--with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the SMTP server starts (aiosmtpd in CLEANOPS_PYTHON)");
    let line = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("SMTP_SINK="))
        .expect("the SMTP server's address");
    let (smtp, _) = line["SMTP_SINK=".len()..].split_once(',').unwrap();
    (child, smtp.to_owned())
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Value,
    etag: Option<&str>,
) -> (u16, Value) {
    let mut request = http.request(method, url).bearer_auth(token).json(&body);
    if let Some(etag) = etag {
        request = request.header("If-Match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn credentials_never_reach_the_logs_of_a_full_run() {
    let (mut smtp, smtp_address) = smtp_with_login();
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = common::start_logged(
        dir.path(),
        &[
            ("RUST_LOG", "trace".into()),
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID.into()),
            ("TWILIO_FROM", "+41445550100".into()),
            ("TWILIO_API_URL", platform::testing::peers::twilio_mock()),
            ("CLEANOPS_TWILIO_AUTH_TOKEN", AUTH_TOKEN.into()),
            ("SMTP_URL", format!("smtp://{smtp_address}")),
            ("SMTP_USER", SMTP_USER.into()),
            ("SMTP_FROM", "cleanops <noreply@cleanops.test>".into()),
            ("CLEANOPS_SMTP_PASSWORD", SMTP_PASSWORD.into()),
        ],
        log.clone(),
    );
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let signup = http
        .post(format!("{base}/v1/signup"))
        .json(&json!({"company": "Acme", "name": "Ana", "email": "ana@acme.test", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    let signup: Value = signup.json().await.unwrap();
    let admin = signup["accessToken"].as_str().unwrap().to_owned();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(admin.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let me = claims["sub"].as_str().unwrap();
    // Her phone, and every channel for a failed inspection.
    let user = http
        .get(format!("{base}/v1/users/{me}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let etag = user.headers()["etag"].to_str().unwrap().to_owned();
    let (status, body) = send(
        &http,
        reqwest::Method::PATCH,
        format!("{base}/v1/users/{me}"),
        &admin,
        json!({"phone": "+41791234567"}),
        Some(&etag),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &http,
        reqwest::Method::PUT,
        format!("{base}/v1/notification-preferences"),
        &admin,
        json!({"channels": {"inspectionFailed": ["sms", "email", "inApp"]}}),
        Some("\"0\""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let post = |path: &str, body: Value| {
        let (http, url, admin) = (http.clone(), format!("{base}{path}"), admin.clone());
        async move {
            let (status, body) = send(&http, reqwest::Method::POST, url, &admin, body, None).await;
            assert_eq!(status, 201, "{body}");
            body
        }
    };
    let office = post(
        "/v1/area-types",
        json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
    )
    .await;
    let site = post(
        "/v1/sites",
        json!({"name": "HQ", "address": {"street": "Main St 1", "city": "Berlin", "country": "DE"},
        "location": {"lat": 52.52, "lng": 13.40}, "timeZone": "Europe/Berlin"}),
    )
    .await;
    let room = post("/v1/areas", json!({"siteId": site["id"], "name": "Room 101", "sizeSqm": 40, "areaTypeId": office["id"]})).await;
    post("/v1/inspections", json!({"siteId": site["id"], "date": "2026-12-07", "areas": [{"areaId": room["id"], "appaLevel": 5}]})).await;
    post(
        "/v1/invitations",
        json!({"email": "bea@acme.test", "name": "Bea", "role": "dispatcher", "language": "fr"}),
    )
    .await;
    // SMS, email and in-app for the inspection; the invitation's email.
    let mut sent = Vec::new();
    for _ in 0..200 {
        let (_, listed) = send(
            &http,
            reqwest::Method::GET,
            format!("{base}/v1/notifications"),
            &admin,
            Value::Null,
            None,
        )
        .await;
        sent = listed["items"].as_array().cloned().unwrap_or_default();
        if sent.len() == 4
            && sent
                .iter()
                .all(|n| n["status"] != "queued" && n["status"] != "sending")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let statuses: Vec<(String, String)> = sent
        .iter()
        .map(|n| {
            (
                n["channel"].as_str().unwrap().to_owned(),
                n["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(sent.len(), 4, "{statuses:?}");
    assert!(sent.iter().all(|n| n["status"] == "sent"), "{sent:#?}");
    drop(server);
    let _ = smtp.kill();
    let log = log.lock().unwrap().join("\n");
    assert!(log.lines().count() > 20, "a verbose log:\n{log}");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for (what, secret) in [
        ("the Twilio auth token", AUTH_TOKEN.to_owned()),
        (
            "Twilio's basic auth",
            b64(&format!("{ACCOUNT_SID}:{AUTH_TOKEN}")),
        ),
        ("the SMTP password", SMTP_PASSWORD.to_owned()),
        ("the SMTP password (AUTH LOGIN)", b64(SMTP_PASSWORD)),
        (
            "the SMTP login (AUTH PLAIN)",
            b64(&format!("\0{SMTP_USER}\0{SMTP_PASSWORD}")),
        ),
    ] {
        assert!(!log.contains(&secret), "{what} is in the log");
    }
}
