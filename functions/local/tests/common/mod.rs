//! The local cloud binary as the tests start it (shared by the binary-level test files).
//! Each test binary uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use domain::store::DocumentStore;

pub const BIN: &str = env!("CARGO_BIN_EXE_cleanops");

/// A running local cloud; killed when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`, from the line it prints first.
    pub base: String,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the local cloud on a free port with its data in `data_dir`, and waits until it
/// says where it listens.
pub fn start(data_dir: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the local cloud starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).unwrap();
    // Keep reading, as a terminal would, so the server's logs never block on a full pipe.
    std::thread::spawn(move || stdout.lines().map_while(Result::ok).for_each(drop));
    serving(child, &first_line)
}

/// Starts the local cloud with `env` set, keeping every line it writes (stdout and stderr)
/// in `log`.
pub fn start_logged(
    data_dir: &Path,
    env: &[(&str, String)],
    log: Arc<std::sync::Mutex<Vec<String>>>,
) -> Server {
    let mut command = Command::new(BIN);
    command
        .args(["--port", "0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the local cloud starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).unwrap();
    log.lock().unwrap().push(first_line.clone());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            log.lock().unwrap().push(line);
        }
    });
    serving(child, &first_line)
}

/// The server whose first line is `first_line` (it names where it listens).
fn serving(child: Child, first_line: &str) -> Server {
    let base = first_line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first_line:?}"))
        .to_owned();
    let port = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    Server { child, base, port }
}

/// The store in `data_dir`, opened beside the running server (SQLite allows both).
pub fn open(data_dir: &Path) -> Arc<dyn DocumentStore> {
    Arc::new(store::EmbeddedStore::open(data_dir.join("store.sqlite3")).unwrap())
}
