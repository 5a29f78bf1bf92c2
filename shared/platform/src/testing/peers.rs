//! The real peers notifications are sent to in tests: Twilio's API as Prism serves its own
//! OpenAPI description (`scripts/twilio-mock`), and an SMTP server (`scripts/smtp-sink`,
//! aiosmtpd). The test command starts each once and exports `TWILIO_MOCK_URL` and
//! `SMTP_SINK`; a test binary run alone starts its own, once, and stops it when it ends.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Children a test binary started; they stop when their stdin closes with the binary.
static CHILDREN: Mutex<Vec<Child>> = Mutex::new(Vec::new());

fn repo_path(relative: &str) -> String {
    format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// Starts `command` with `--with-stdin` and reads the `NAME=value` line it prints.
fn start(mut command: Command, name: &str, how: &str) -> String {
    let mut child = command
        .arg("--with-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}'s peer ({how}): {e}"));
    let stdout = child.stdout.take().expect("stdout");
    let prefix = format!("{name}=");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{name}'s peer did not start ({how})"));
    CHILDREN.lock().expect("children").push(child);
    line[prefix.len()..].to_owned()
}

/// Prism serving `twilio_api_v2010.json`: its base URL.
pub fn twilio_mock() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        std::env::var("TWILIO_MOCK_URL").unwrap_or_else(|_| {
            let mut node = Command::new("node");
            node.arg(repo_path("scripts/twilio-mock/start.js"));
            start(
                node,
                "TWILIO_MOCK_URL",
                "needs `npm ci` in scripts/twilio-mock and Node.js 20; scripts/test does both",
            )
        })
    })
    .clone()
}

/// The SMTP server: its `host:port`, and the base URL of its API.
pub fn smtp_sink() -> (String, String) {
    static SINK: OnceLock<(String, String)> = OnceLock::new();
    SINK.get_or_init(|| {
        let value = std::env::var("SMTP_SINK").unwrap_or_else(|_| {
            let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
            let mut command = Command::new(python);
            command.arg(repo_path("scripts/smtp-sink/serve.py"));
            start(
                command,
                "SMTP_SINK",
                "needs aiosmtpd in CLEANOPS_PYTHON's environment; scripts/test installs it",
            )
        });
        let (smtp, api) = value.split_once(',').expect("SMTP_SINK is host:port,url");
        (smtp.to_owned(), api.to_owned())
    })
    .clone()
}

/// The messages the SMTP server received for `to`, oldest first, parsed (see
/// `scripts/smtp-sink/serve.py`).
pub async fn received_mail(to: &str) -> Vec<serde_json::Value> {
    let (_, api) = smtp_sink();
    reqwest::Client::new()
        .get(format!("{api}/messages"))
        .query(&[("to", to)])
        .send()
        .await
        .expect("the SMTP sink answers")
        .json()
        .await
        .expect("JSON")
}
