//! `GET /v1/proof-of-service`: per site and month, the planned cleanings of each area against
//! the visits recorded.

use chrono::{Datelike, NaiveDate};
use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Scene, check_in_yesterday, check_out, code_of, scene, yesterday_at};

/// Yesterday's visits: the lobby done twice, the office skipped and not accessible, the
/// kitchen still open; one closed day in the month. The proof's path and the cleanings
/// planned per area.
async fn month_of_visits() -> (Scene, String, u64) {
    let s = scene().await;
    let (day, _) = yesterday_at(0, 0);
    let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap();
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
    let days_in_month = (next - first).num_days() as u64;
    // One closed day in the month, not the day of the visits.
    let closed = first
        .with_day(if day.day() == 15 { 16 } else { 15 })
        .unwrap();
    s.app.seed::<domain::calendars::Closure>(&s.admin,
        json!({"siteId": s.seed.site, "from": closed.to_string(), "to": closed.to_string(), "reason": "Inventory"}),
    )
    .await;
    let lobby = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let office = code_of(&s.app, &s.admin, &s.seed.office).await;
    for (code, status, reason, hour) in [
        (&lobby, "done", None, 8),
        (&lobby, "done", None, 12),
        (&office, "skipped", Some("meeting in the room"), 9),
        (&office, "not-accessible", Some("locked"), 13),
    ] {
        let visit = check_in_yesterday(&s.app, &s.maria, code, hour, 0).await;
        let (_, out) = yesterday_at(hour, 20);
        let mut body = json!({"status": status, "at": out});
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        assert_eq!(
            check_out(&s.app, &s.maria, &visit, body).await.status,
            StatusCode::OK
        );
    }
    let kitchen = code_of(&s.app, &s.admin, &s.seed.kitchen).await;
    check_in_yesterday(&s.app, &s.maria, &kitchen, 15, 0).await;
    let month = format!("{:04}-{:02}", day.year(), day.month());
    let path = format!("/v1/proof-of-service?siteId={}&month={month}", s.seed.site);
    (s, path, days_in_month - 1)
}

#[tokio::test]
async fn each_areas_counts_match_its_closed_visits() {
    let (s, path, planned) = month_of_visits().await;
    let proof = s.app.get(&s.admin, &path).await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.body);
    let rows: Vec<(String, u64, u64, u64, u64)> = proof.body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |field: &str| r[field].as_u64().unwrap();
            let name = r["areaName"].as_str().unwrap().to_owned();
            (
                name,
                n("planned"),
                n("done"),
                n("skipped"),
                n("notAccessible"),
            )
        })
        .collect();
    // The kitchen's visit is still open: not counted.
    assert_eq!(
        rows,
        [
            ("Kitchen".to_owned(), planned, 0, 0, 0),
            ("Lobby".to_owned(), planned, 2, 0, 0),
            ("Office".to_owned(), planned, 0, 1, 1)
        ]
    );
}

#[tokio::test]
async fn the_totals_add_up_the_areas() {
    let (s, path, planned) = month_of_visits().await;
    let proof = s.app.get(&s.admin, &path).await;
    assert_eq!(proof.body["totals"]["planned"], 3 * planned);
    assert_eq!(proof.body["totals"]["done"], 2);
    assert_eq!(proof.body["totals"]["skipped"], 1);
    assert_eq!(proof.body["totals"]["notAccessible"], 1);
}

#[tokio::test]
async fn the_sites_customer_reads_the_same_proof() {
    let (s, path, _) = month_of_visits().await;
    let proof = s.app.get(&s.admin, &path).await;
    let customer = s
        .app
        .token_of("acme", "c1-user", Role::Customer, Some("c1"));
    let theirs = s.app.get(&customer, &path).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(theirs.body["areas"], proof.body["areas"]);
}

#[tokio::test]
async fn another_customer_a_cleaner_and_another_tenant_read_no_proof() {
    let (s, path, _) = month_of_visits().await;
    let other_customer = s
        .app
        .token_of("acme", "c2-user", Role::Customer, Some("c2"));
    s.app
        .get(&other_customer, &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    s.app
        .get(&s.maria, &path)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    s.app
        .get(&s.app.token("globex", Role::Admin), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_customer_reads_no_report_of_another_customers_site() {
    let s = scene().await;
    let customer = s
        .app
        .token_of("acme", "c1-user", Role::Customer, Some("c1"));
    for report in ["proof-of-service", "inspections/summary"] {
        let path = format!("/v1/{report}?siteId={}&month=2026-11", s.seed.other_site);
        s.app
            .get(&customer, &path)
            .await
            .assert_problem(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_month_that_does_not_exist_is_a_422_on_month() {
    let s = scene().await;
    let path = format!("/v1/proof-of-service?siteId={}&month=2026-13", s.seed.site);
    let bad = s.app.get(&s.admin, &path).await;
    assert_eq!(bad.error_fields(), ["month"]);
}
