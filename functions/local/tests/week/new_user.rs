//! The new user's week: the plan's times survive activation onto the tours and the sheets,
//! and a check-in at the sheet's time is in order.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use serde_json::{Value, json};

use crate::helpers::*;

/// A stop's (cleaner, area), on a plan's tour or a stored tour alike.
fn stop_key(tour: &Value, stop: &Value) -> (String, String) {
    (
        tour["cleanerId"].as_str().unwrap().to_owned(),
        stop["areaId"].as_str().unwrap().to_owned(),
    )
}

/// A stop's arrival, start and end in minutes after midnight.
fn stop_times(stop: &Value) -> [i64; 3] {
    ["arrival", "start", "end"].map(|k| minutes(stop[k].as_str().unwrap()))
}

/// The plan's stops of a day by (cleaner, area): arrival, start, end.
fn plan_times(plan: &Value, date: NaiveDate) -> BTreeMap<(String, String), [i64; 3]> {
    let mut times = BTreeMap::new();
    for tour in tours_on(plan, date) {
        for stop in tour["stops"].as_array().unwrap() {
            times.insert(stop_key(tour, stop), stop_times(stop));
        }
    }
    times
}

/// The new user's week, planned and active, and its last weekday before today (a day whose
/// check-ins may still be recorded).
async fn active_week() -> (
    platform::testing::TestApp,
    Tenant,
    NaiveDate,
    platform::testing::Reply,
) {
    let app = start().await;
    let tenant = new_user(&app).await;
    let today = domain::Clock::now(&*app.clock).date_naive();
    let day = last_weekday_before(today);
    let plan = planned_and_active(&app, &tenant.admin, monday_of(day)).await;
    (app, tenant, day, plan)
}

#[tokio::test]
async fn the_practice_is_planned_inside_its_evening_window() {
    let (_app, tenant, day, plan) = active_week().await;
    let times = plan_times(&plan.body, day);
    for room in &tenant.surgery {
        let (_, [_, start, end]) = times.iter().find(|((_, a), _)| a == room).unwrap();
        assert!(
            *start >= 18 * 60 && *start <= 20 * 60,
            "{start} {}",
            plan.body
        );
        assert!(*end > *start);
    }
    let (_, [_, kitchen, _]) = times
        .iter()
        .find(|((_, a), _)| *a == tenant.kitchen)
        .unwrap();
    assert!((8 * 60..=10 * 60).contains(kitchen), "{kitchen}");
}

#[tokio::test]
async fn activated_tours_keep_the_plans_stop_times() {
    let (app, tenant, day, plan) = active_week().await;
    let weekday = domain::time::WEEKDAYS[domain::time::Weekday::of(day).index()];
    let tours = app.get(&tenant.admin, "/v1/tours?limit=100").await;
    let mut on_tours = BTreeMap::new();
    for tour in tours.body["items"].as_array().unwrap() {
        assert_eq!(tour["planId"], plan.body["id"]);
        for tour_day in tour["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["day"] == weekday)
        {
            for stop in tour_day["stops"].as_array().unwrap() {
                on_tours.insert(stop_key(tour, stop), stop_times(stop));
            }
        }
    }
    let planned = plan_times(&plan.body, day);
    assert_eq!(planned.len(), 10, "every room once: {}", plan.body);
    assert_eq!(
        on_tours.keys().collect::<Vec<_>>(),
        planned.keys().collect::<Vec<_>>()
    );
    for (key, times) in &planned {
        for (tour, plan) in on_tours[key].iter().zip(times) {
            assert!(
                (tour - plan).abs() <= 1,
                "{key:?}: {:?} against {times:?}",
                on_tours[key]
            );
        }
    }
}

#[tokio::test]
async fn the_sheet_shows_the_tours_times() {
    let (app, tenant, day, plan) = active_week().await;
    for tour in tours_on(&plan.body, day) {
        let cleaner = tour["cleanerId"].as_str().unwrap();
        let sheet = sheet(&app, &tenant.admin, cleaner, day).await;
        let on_sheet: Vec<(String, String, String, String)> = sheet_stops(&sheet)
            .iter()
            .map(|s| {
                (
                    s["areaId"].as_str().unwrap().to_owned(),
                    clock_of(&s["plannedArrival"]),
                    clock_of(&s["plannedStart"]),
                    clock_of(&s["plannedEnd"]),
                )
            })
            .collect();
        let planned: Vec<(String, String, String, String)> = tour["stops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let text = |k: &str| s[k].as_str().unwrap().to_owned();
                (text("areaId"), text("arrival"), text("start"), text("end"))
            })
            .collect();
        assert_eq!(on_sheet, planned, "{cleaner}");
    }
}

#[tokio::test]
async fn a_check_in_at_the_sheets_time_is_not_flagged() {
    let (app, tenant, day, plan) = active_week().await;
    let room = tenant.surgery[0].as_str();
    let tour = tours_on(&plan.body, day)
        .into_iter()
        .find(|t| {
            t["stops"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["areaId"] == room)
        })
        .expect("a tour cleans the first treatment room");
    let cleaner = tour["cleanerId"].as_str().unwrap();
    let sheet = sheet(&app, &tenant.admin, cleaner, day).await;
    let on_sheet = sheet["tours"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t["stops"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["areaId"] == room)
        })
        .unwrap();
    let stop = on_sheet["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["areaId"] == room)
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(stop["plannedStart"].as_str().unwrap()).unwrap();
    let code = app
        .get(
            &tenant.admin,
            &format!("/v1/check-in-codes/{}", tenant.surgery[0]),
        )
        .await
        .body["code"]
        .clone();
    let token = app.token_of("newco", cleaner, platform::Role::Cleaner, None);
    let tour_id = on_sheet["tourId"].clone();
    let body = json!({"code": code, "at": chrono::Utc.from_utc_datetime(&at.naive_utc()), "tourId": tour_id});
    let visit = app.post(&token, "/v1/visits/check-in", body).await;
    assert_eq!(visit.status, reqwest::StatusCode::CREATED, "{}", visit.body);
    assert_eq!(visit.body["flags"], json!([]), "{}", visit.body);
}
