//! Areas cleaned by demand: a scheduled cleaning their use did not need is shown as such and
//! never missed; a cleaning sensors made due is on the sheet, and the visit closes it.

use chrono::{Datelike, Duration, NaiveDate};
use domain::sensors::DemandCleaning;
use domain::sensors::demand::AreaDemand;
use platform::crud::Stored;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Scene, check_in_yesterday, check_out, code_of, scene, today, tour, yesterday_at,
};

/// A washroom at the HQ cleaned by demand (limit 10) and daily by the calendar, watched by
/// sensors for a month with 4 uses since its last cleaning.
async fn washroom(s: &Scene) -> String {
    let area_type = s
        .app
        .seed::<domain::sites::AreaType>(
            &s.admin,
            json!({"name": "Washroom", "performanceSqmPerHour": 60, "cleaningsPerWeek": 7,
                   "demand": {"mode": "demand", "limit": 10}}),
        )
        .await
        .id();
    let area = s
        .app
        .seed::<domain::sites::Area>(
            &s.admin,
            json!({"siteId": s.seed.site, "name": "WC", "sizeSqm": 20, "areaTypeId": area_type}),
        )
        .await
        .id();
    let since = s.app.clock_now() - Duration::days(40);
    let mut watched = AreaDemand::new(&area, &s.seed.site, since);
    watched.events = 4;
    s.app
        .data_of(&s.admin)
        .repo::<AreaDemand>()
        .create_with_id(&area, watched, Vec::new())
        .await
        .unwrap();
    area
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl ClockNow for platform::testing::TestApp {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        domain::Clock::now(&*self.clock)
    }
}

/// A demand cleaning of `area` made due on `date` (done then, if `done`).
async fn demand(s: &Scene, area: &str, date: NaiveDate, done: bool) -> Stored<DemandCleaning> {
    let mut body = json!({
        "areaId": area, "siteId": s.seed.site, "trigger": "limit",
        "triggeredAt": format!("{date}T06:00:00Z"), "localDate": date,
        "dueFrom": format!("{date}T06:00:00Z"), "events": 10, "limit": 10, "status": "open"
    });
    if done {
        body["status"] = json!("done");
        body["doneAt"] = json!(format!("{date}T09:00:00Z"));
        body["doneDate"] = json!(date);
    }
    let cleaning: DemandCleaning = serde_json::from_value(body).unwrap();
    s.app
        .data_of(&s.admin)
        .repo::<DemandCleaning>()
        .create(cleaning, Vec::new())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scheduled_cleaning_the_areas_use_did_not_need_is_neither_planned_nor_missed() {
    let s = scene().await;
    let wc = washroom(&s).await;
    let (yesterday, _) = yesterday_at(0, 0);
    demand(&s, &wc, yesterday, true).await;
    let code = code_of(&s.app, &s.admin, &wc).await;
    let visit = check_in_yesterday(&s.app, &s.maria, &code, 8, 0).await;
    let (_, out) = yesterday_at(8, 20);
    let reply = check_out(
        &s.app,
        &s.maria,
        &visit,
        json!({"status": "done", "at": out}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);

    let first = NaiveDate::from_ymd_opt(yesterday.year(), yesterday.month(), 1).unwrap();
    let last = first.checked_add_months(chrono::Months::new(1)).unwrap() - Duration::days(1);
    let month = format!("{:04}-{:02}", yesterday.year(), yesterday.month());
    let proof = s
        .app
        .get(
            &s.admin,
            &format!("/v1/proof-of-service?siteId={}&month={month}", s.seed.site),
        )
        .await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.body);
    let row = proof.body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["areaId"] == json!(wc))
        .cloned()
        .expect("the washroom");
    // Daily by the calendar; every day up to today but yesterday (when a demand was due)
    // was not needed, and the days still ahead stay planned.
    let scheduled = (last - first).num_days() + 1;
    let up_to_today = first
        .iter_days()
        .take_while(|d| *d <= last && *d <= today(&s.app))
        .filter(|d| *d != yesterday)
        .count() as i64;
    assert_eq!(row["notNeeded"], up_to_today);
    assert_eq!(row["demand"], 1);
    assert_eq!(row["planned"], scheduled - up_to_today);
    assert_eq!(row["done"], 1);
}

fn stop<'a>(sheet: &'a Value, area: &str) -> &'a Value {
    sheet["tours"][0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["areaId"] == json!(area))
        .unwrap_or_else(|| panic!("a stop at {area}: {sheet}"))
}

#[tokio::test]
async fn the_sheet_marks_a_demand_and_an_unneeded_stop_and_the_visit_closes_the_demand() {
    let s = scene().await;
    let wc = washroom(&s).await;
    let reply = s
        .app
        .created(
            &s.admin,
            "/v1/tours",
            tour("Early", "maria", 600, &[&s.seed.lobby, &wc]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let sheet = s.app.get(&s.maria, "/v1/tour-sheets").await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
    let unneeded = stop(&sheet.body, &wc);
    assert_eq!(
        unneeded["notNeeded"],
        "used 4 times of 10 since the last cleaning: not needed today"
    );
    assert!(stop(&sheet.body, &s.seed.lobby).get("notNeeded").is_none());

    let due = demand(&s, &wc, today(&s.app), false).await;
    // As the sensors function records it: the area's cycle has its demand.
    let data = s.app.data_of(&s.admin);
    let watched = data.repo::<AreaDemand>().get(&wc).await.unwrap();
    let mut open = watched.entity.clone();
    open.open = Some(due.meta.id.clone());
    data.repo::<AreaDemand>()
        .replace(&wc, watched.meta.version, open, Vec::new())
        .await
        .unwrap();
    let sheet = s.app.get(&s.maria, "/v1/tour-sheets").await;
    let needed = stop(&sheet.body, &wc);
    assert!(needed.get("notNeeded").is_none());
    assert_eq!(needed["demand"]["demandCleaningId"], json!(due.meta.id));
    assert_eq!(needed["demand"]["trigger"], "limit");

    // Maria cleans it now: the demand is done, and the area's count starts again.
    let code = code_of(&s.app, &s.admin, &wc).await;
    let visit = s
        .app
        .created(&s.maria, "/v1/visits/check-in", json!({"code": code}))
        .await;
    let reply = check_out(&s.app, &s.maria, &visit, json!({"status": "done"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let closed = data
        .repo::<DemandCleaning>()
        .get(&due.meta.id)
        .await
        .unwrap();
    assert_eq!(closed.entity.status, domain::sensors::DemandStatus::Done);
    assert_eq!(
        closed.entity.visit_id.map(|v| v.to_string()),
        Some(visit.id())
    );
    let watched = data.repo::<AreaDemand>().get(&wc).await.unwrap().entity;
    assert_eq!((watched.events, watched.cycle, watched.open), (0, 1, None));
}

#[tokio::test]
async fn a_demand_no_tour_covers_today_is_on_the_dispatchers_uncovered_list() {
    let s = scene().await;
    let wc = washroom(&s).await;
    let reply = s
        .app
        .created(
            &s.admin,
            "/v1/tours",
            tour("Early", "maria", 600, &[&s.seed.lobby]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let lonely = demand(&s, &wc, today(&s.app), false).await;
    let covered = demand(&s, &s.seed.lobby, today(&s.app), false).await;
    let list = s.app.get(&s.admin, "/v1/uncovered-stops").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let ids: Vec<&str> = list.body["demandCleanings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [lonely.meta.id.as_str()], "not {}", covered.meta.id);
}
