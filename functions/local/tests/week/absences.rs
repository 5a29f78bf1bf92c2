//! Absences: the planner gives an absent cleaner no work, her stops in force become
//! uncovered on her sheet and in the dispatcher's list, and a partial re-plan hands them to
//! the others without touching the other days.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::helpers::*;

const MONDAY: &str = "2026-12-07";
const WEDNESDAY: &str = "2026-12-09";

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn absent(app: &platform::testing::TestApp, admin: &str, cleaner: &str, day: &str) {
    let body = json!({"cleanerId": cleaner, "from": day, "to": day, "kind": "sick"});
    app.created(admin, "/v1/absences", body).await;
}

/// A morning cleaner with work on Wednesday in the active plan.
fn morning_cleaner_on(plan: &Value, day: NaiveDate) -> String {
    tours_on(plan, day)
        .iter()
        .map(|t| t["cleanerId"].as_str().unwrap().to_owned())
        .find(|c| c != "jana")
        .expect("a morning tour")
}

/// (cleaner, date, areas in order) of every tour of a plan, or of those not on `except`.
fn tour_keys(plan: &Value, except: Option<NaiveDate>) -> BTreeSet<(String, String, Vec<String>)> {
    plan["tours"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| except.is_none_or(|d| t["date"] != d.to_string().as_str()))
        .map(|t| {
            (
                t["cleanerId"].as_str().unwrap().to_owned(),
                t["date"].as_str().unwrap().to_owned(),
                t["stops"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["areaId"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

struct Absent {
    app: platform::testing::TestApp,
    tenant: Tenant,
    plan: platform::testing::Reply,
    cleaner: String,
}

/// The new user's week planned and active, then a morning cleaner off sick on Wednesday.
async fn absent_on_wednesday() -> Absent {
    let app = start().await;
    let tenant = new_user(&app).await;
    let plan = planned_and_active(&app, &tenant.admin, date(MONDAY)).await;
    let cleaner = morning_cleaner_on(&plan.body, date(WEDNESDAY));
    absent(&app, &tenant.admin, &cleaner, WEDNESDAY).await;
    Absent {
        app,
        tenant,
        plan,
        cleaner,
    }
}

struct Replanned {
    app: platform::testing::TestApp,
    tenant: Tenant,
    plan: platform::testing::Reply,
    cleaner: String,
    replan: platform::testing::Reply,
}

/// [`absent_on_wednesday`], and the week re-planned keeping what the absence leaves alone.
async fn replanned_after_absence() -> Replanned {
    let Absent {
        app,
        tenant,
        plan,
        cleaner,
    } = absent_on_wednesday().await;
    let body = json!({"weekStart": MONDAY, "keep": "unaffected"});
    let replan = app.plan(&tenant.admin, body).await;
    Replanned {
        app,
        tenant,
        plan,
        cleaner,
        replan,
    }
}

#[tokio::test]
async fn the_planner_gives_an_absent_cleaner_no_work() {
    let app = start().await;
    let tenant = new_user(&app).await;
    absent(&app, &tenant.admin, "maria", WEDNESDAY).await;
    let body = json!({"weekStart": MONDAY, "seconds": 1.0});
    let plan = app.plan(&tenant.admin, body).await;
    let wednesday = tours_on(&plan.body, date(WEDNESDAY));
    assert!(!wednesday.is_empty());
    assert!(
        wednesday.iter().all(|t| t["cleanerId"] != "maria"),
        "{}",
        plan.body
    );
    assert!(
        plan.body["unplanned"].as_array().unwrap().is_empty(),
        "{}",
        plan.body
    );
}

#[tokio::test]
async fn an_absence_leaves_her_stops_in_force_uncovered() {
    let Absent {
        app,
        tenant,
        plan: _,
        cleaner,
    } = absent_on_wednesday().await;

    let sheet = sheet(&app, &tenant.admin, &cleaner, date(WEDNESDAY)).await;
    assert_eq!(sheet["absence"]["kind"], "sick");
    let stops = sheet_stops(&sheet);
    assert!(!stops.is_empty());
    assert!(stops.iter().all(|s| s["uncovered"].is_string()), "{sheet}");
    let thursday = sheet_stops(
        &crate::helpers::sheet(&app, &tenant.admin, &cleaner, date("2026-12-10")).await,
    )
    .iter()
    .all(|s| s.get("uncovered").is_none());
    assert!(thursday, "the day after is covered");

    let listed = app
        .get(
            &tenant.admin,
            &format!("/v1/uncovered-stops?from={MONDAY}&to=2026-12-13"),
        )
        .await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", listed.body);
    assert_eq!(items[0]["date"], WEDNESDAY);
    assert_eq!(items[0]["cleanerId"], cleaner.as_str());
    assert_eq!(
        items[0]["tour"]["stops"].as_array().unwrap().len(),
        stops.len()
    );
}

#[tokio::test]
async fn a_partial_replan_covers_the_absent_days_stops_and_keeps_the_other_days() {
    let Replanned {
        app,
        tenant,
        plan,
        cleaner,
        replan,
    } = replanned_after_absence().await;
    assert_eq!(replan.body["replannedDays"], json!([WEDNESDAY]));
    assert!(
        replan.body["unplanned"].as_array().unwrap().is_empty(),
        "{}",
        replan.body
    );
    let wednesday = tours_on(&replan.body, date(WEDNESDAY));
    assert!(wednesday.iter().all(|t| t["cleanerId"] != cleaner.as_str()));
    let covered: BTreeSet<&str> = wednesday
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap())
        .map(|s| s["areaId"].as_str().unwrap())
        .collect();
    assert_eq!(
        covered.len(),
        10,
        "every room on Wednesday: {}",
        replan.body
    );
    assert_eq!(
        tour_keys(&replan.body, Some(date(WEDNESDAY))),
        tour_keys(&plan.body, Some(date(WEDNESDAY))),
        "the other days are unchanged"
    );
    // The others keep their own Wednesday stops in their order; the rest is added.
    for tour in tours_on(&plan.body, date(WEDNESDAY)) {
        let Some(now) = wednesday
            .iter()
            .find(|t| t["cleanerId"] == tour["cleanerId"])
        else {
            assert_eq!(tour["cleanerId"], cleaner.as_str());
            continue;
        };
        let ids = |t: &Value| -> Vec<String> {
            t["stops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["areaId"].as_str().unwrap().to_owned())
                .collect()
        };
        let (before, after) = (ids(tour), ids(now));
        let kept: Vec<&String> = after.iter().filter(|a| before.contains(a)).collect();
        assert_eq!(
            kept,
            before.iter().collect::<Vec<_>>(),
            "{}",
            tour["cleanerId"]
        );
    }

    let path = format!("/v1/plans/{}/activate", replan.id());
    let active = app
        .send(
            reqwest::Method::POST,
            &path,
            Some(&tenant.admin),
            Some(json!({})),
            Some(&replan.etag()),
        )
        .await;
    assert_eq!(active.status, reqwest::StatusCode::OK, "{}", active.body);
    let her_day = sheet(&app, &tenant.admin, &cleaner, date(WEDNESDAY)).await;
    assert!(sheet_stops(&her_day).is_empty(), "{her_day}");
    let listed = app
        .get(
            &tenant.admin,
            &format!("/v1/uncovered-stops?from={WEDNESDAY}&to={WEDNESDAY}"),
        )
        .await;
    assert_eq!(listed.body["items"], json!([]));
}

#[tokio::test]
async fn a_partial_replans_diff_names_who_takes_over_the_absent_cleaners_stops() {
    let Replanned {
        app,
        tenant,
        plan: _,
        cleaner,
        replan,
    } = replanned_after_absence().await;

    let diff = app
        .get(&tenant.admin, &format!("/v1/plans/{}/diff", replan.id()))
        .await;
    let days = diff.body["days"].as_array().unwrap();
    assert!(days.iter().all(|d| d["date"] == WEDNESDAY), "{}", diff.body);
    let hers = days
        .iter()
        .find(|d| d["cleanerId"] == cleaner.as_str())
        .unwrap();
    assert_eq!(hers["minutesAfter"], 0);
    let removed = hers["removed"].as_array().unwrap();
    assert!(!removed.is_empty());
    let taken: BTreeSet<&str> = days
        .iter()
        .filter(|d| d["cleanerId"] != cleaner.as_str())
        .flat_map(|d| d["added"].as_array().unwrap())
        .inspect(|a| assert_eq!(a["otherCleaner"], cleaner.as_str()))
        .map(|a| a["areaId"].as_str().unwrap())
        .collect();
    let gave: BTreeSet<&str> = removed
        .iter()
        .map(|r| r["areaId"].as_str().unwrap())
        .collect();
    assert_eq!(taken, gave);
    assert!(removed.iter().all(|r| r["otherCleaner"].is_string()));
}
