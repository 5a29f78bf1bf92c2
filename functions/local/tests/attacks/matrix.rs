//! Every route and method of every function, tried by each role of a second tenant and by
//! each role of the same tenant that owns nothing, on the first tenant's ids. The statuses
//! must be those of `expected.txt` (a route missing there fails the suite), a reply to the
//! second tenant never holds the first tenant's data, and the first tenant's data is the
//! same afterwards. `CLEANOPS_ATTACK_WRITE=1` rewrites the table from what was seen, to
//! review in the diff.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Victim, attack, callers, seed_victim, snapshot, start};

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];
const TABLE: &str = "tests/attacks/expected.txt";

/// The body a real client would send: what it read of the item, or an action's own body.
async fn body_for(app: &platform::testing::TestApp, victim: &Victim, path: &str) -> Value {
    match path {
        p if p.ends_with("/check-in") => json!({"code": victim.value("code")}),
        p if p.ends_with("/check-out") => json!({"status": "done"}),
        "/v1/plans" => json!({"weekStart": "2026-11-30", "seconds": 0.2}),
        p if p.contains('{') || p == "/v1/tour-settings" || p == "/v1/tenant-settings" => {
            app.get(&victim.admin, &victim.path(p)).await.body
        }
        p => match victim.ids.iter().find(|(k, _)| *k == p) {
            Some(_) => {
                app.get(&victim.admin, &victim.path(&format!("{p}/{{id}}")))
                    .await
                    .body
            }
            None => json!({}),
        },
    }
}

/// The victim's current ETag of the item a path is about.
async fn etag_for(app: &platform::testing::TestApp, victim: &Victim, path: &str) -> Option<String> {
    let item: Vec<&str> = path.split('/').take(4).collect();
    let item = victim.path(&item.join("/"));
    let reply = app.get(&victim.admin, &item).await;
    reply
        .headers
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
}

/// What one caller's run saw: each route-method's status, in route order, and any leak.
#[derive(Default)]
struct Seen {
    statuses: BTreeMap<(usize, String), Vec<u16>>,
    leaks: Vec<String>,
}

/// The victim's words or ids in a reply to another tenant that it has not sent itself (in
/// this request or an earlier one: a cleaner it created under the victim's user id is its
/// own, and reading it back tells nothing). A feed
/// link is a bearer capability of its own (tested in tours), so feeds are left out.
fn leaked(victim: &Victim, path: &str, sent: &str, reply: &str) -> Vec<String> {
    if path.starts_with("/v1/feeds") {
        return Vec::new();
    }
    let ids = victim
        .ids
        .iter()
        .filter(|(k, _)| k.starts_with("/v1/") || *k == "area_id")
        .map(|(_, v)| v);
    victim
        .secrets
        .iter()
        .chain(ids)
        .filter(|secret| reply.contains(secret.as_str()) && !sent.contains(secret.as_str()))
        .cloned()
        .collect()
}

/// Caller `nth` tries every route and method on a fresh app (what one caller may change does
/// not hide another's); the victim's data must be unchanged by an outsider or a customer.
async fn run_caller(nth: usize, paths: &[String], seen: &mut Seen) {
    let (app, _) = start().await;
    let (caller, token) = callers(&app).swap_remove(nth);
    let victim = seed_victim(&app).await;
    let before = snapshot(&app, &victim, paths).await;
    let mut sent = String::new();
    for (index, path) in paths.iter().enumerate() {
        for method in &METHODS {
            let body = match method == Method::GET {
                true => None,
                false => Some(body_for(&app, &victim, path).await),
            };
            let etag = etag_for(&app, &victim, path).await;
            sent.push_str(&body.as_ref().map(Value::to_string).unwrap_or_default());
            let target = victim.path(path);
            let reply = attack(&app, method, &target, &token, body, etag.as_deref()).await;
            if reply.status.as_u16() >= 400 {
                reply.assert_problem(reply.status);
            }
            if caller.starts_with("other:") && reply.status.is_success() {
                for secret in leaked(&victim, path, &sent, &reply.body.to_string()) {
                    seen.leaks
                        .push(format!("{caller} {method} {path}: {secret}"));
                }
            }
            let route = (index, format!("{method} {path}"));
            seen.statuses
                .entry(route)
                .or_default()
                .push(reply.status.as_u16());
        }
    }
    if caller.starts_with("other:") || caller == "same:customer" {
        let after = snapshot(&app, &victim, paths).await;
        assert_eq!(after, before, "{caller} changed data");
    }
}

/// The table of what was seen, in the format of `expected.txt`.
fn table(seen: &Seen) -> String {
    let mut table = String::from(
        "# METHOD PATH, then the status for each caller: the other tenant's admin, dispatcher,\n\
         # cleaner, customer | the same tenant's admin, dispatcher, a colleague cleaner, another\n\
         # customer. Generated by CLEANOPS_ATTACK_WRITE=1 and reviewed: a change shows in the diff.\n",
    );
    for ((_, route), statuses) in &seen.statuses {
        let cells: Vec<String> = statuses.iter().map(u16::to_string).collect();
        let (other, same) = cells.split_at(4);
        let (other, same) = (other.join(" "), same.join(" "));
        writeln!(table, "{route:<48} {other} | {same}").unwrap();
    }
    table
}

/// The first two words of a table line: its method and path.
fn route_of(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn every_route_and_method_gives_its_expected_status_and_leaks_nothing() {
    let (probe, paths) = start().await;
    let count = callers(&probe).len();
    let mut seen = Seen::default();
    for nth in 0..count {
        run_caller(nth, &paths, &mut seen).await;
    }
    let requests = paths.len() * METHODS.len() * count;
    let (routes, leaks) = (paths.len(), seen.leaks.len());
    println!(
        "attack matrix: {routes} routes x {} methods x {count} callers = {requests} requests; \
         leaks: {leaks}",
        METHODS.len()
    );
    assert!(seen.leaks.is_empty(), "leaks: {:#?}", seen.leaks);
    let seen = table(&seen);
    if std::env::var_os("CLEANOPS_ATTACK_WRITE").is_some() {
        std::fs::write(TABLE, &seen).unwrap();
    }
    let expected = std::fs::read_to_string(TABLE).unwrap_or_default();
    for line in seen.lines().filter(|l| !l.starts_with('#')) {
        let route = route_of(line);
        let entry = expected.lines().find(|l| route_of(l) == route);
        let entry = entry.unwrap_or_else(|| panic!("{route} has no entry in {TABLE}: add one"));
        assert_eq!(
            entry.trim_end(),
            line.trim_end(),
            "{route}: expected | seen"
        );
    }
}
