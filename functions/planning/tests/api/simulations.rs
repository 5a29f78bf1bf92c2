//! `/v1/simulations` and a plan's quick simulation: queued, run through the simulation job's
//! push route, read back with their figures, intervals and assumptions.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::tours::{Visit, VisitStatus};
use platform::Role;
use platform::testing::{Reply, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{all_stops, planned_demo};

/// POSTs a simulation, asserts the 202 and the queued document, runs the job, reads it back.
async fn simulated(app: &TestApp, token: &str, body: Value) -> Value {
    let queued = app.post(token, "/v1/simulations", body).await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    assert_eq!(queued.body["status"], "queued");
    let id = queued.id();
    assert_eq!(
        queued.headers["location"].to_str().unwrap(),
        format!("/v1/simulations/{id}")
    );
    assert!(app.deliver_published().await.iter().all(|s| *s == 204));
    let done = app.get(token, &format!("/v1/simulations/{id}")).await;
    assert_eq!(done.body["status"], "done", "{}", done.body);
    done.body
}

fn estimate_holds(e: &Value) -> bool {
    let (v, lo, hi) = (
        e["value"].as_f64().unwrap(),
        e["low"].as_f64().unwrap(),
        e["high"].as_f64().unwrap(),
    );
    (0.0..=1.0).contains(&v) && lo <= v && v <= hi
}

fn plan_id(plan: &Reply) -> String {
    plan.id()
}

#[tokio::test]
async fn a_new_plan_shows_its_quick_simulation_beside_its_kpis() {
    let (_app, _admin, _areas, plan) = planned_demo().await;
    let risk = &plan.body["risk"];
    assert_eq!(risk["replications"], 1000, "{}", plan.body);
    assert!(estimate_holds(&risk["serviceLevel"]), "{risk}");
    assert!(risk["riskiestVisits"].as_array().unwrap().len() <= 5);
    assert!(risk["daysAtRisk"].as_u64().is_some());
}

#[tokio::test]
async fn a_plans_simulation_reports_every_visit_day_and_site_with_intervals() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let body = json!({"planId": plan_id(&plan), "replications": 2000, "seed": 5});
    let simulation = simulated(&app, &admin, body).await;
    assert_eq!(simulation["progress"], 1.0);
    let result = &simulation["result"];
    assert_eq!(result["replications"], 2000);
    let visits = result["visits"].as_array().unwrap();
    assert_eq!(visits.len(), all_stops(&plan.body).len());
    assert!(visits.iter().all(|v| estimate_holds(&v["onTime"])));
    let days = result["days"].as_array().unwrap();
    assert_eq!(days.len(), plan.body["tours"].as_array().unwrap().len());
    assert!(days.iter().all(|d| estimate_holds(&d["overtime"])));
    assert_eq!(result["sites"].as_array().unwrap().len(), 3);
    assert!(estimate_holds(&result["serviceLevel"]));
    // Without history: the default duration, the prior's absences, and what is assumed shown.
    let assumed = &simulation["assumptions"];
    assert!(
        assumed["durations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["source"] == "default")
    );
    assert_eq!(assumed["absences"].as_array().unwrap().len(), 3);
    assert_eq!(assumed["absentStops"], "missed");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_figures() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let body = json!({"planId": plan_id(&plan), "replications": 500, "seed": 42});
    let first = simulated(&app, &admin, body.clone()).await;
    let second = simulated(&app, &admin, body).await;
    assert_eq!(first["result"], second["result"]);
}

#[tokio::test]
async fn a_cleaner_off_misses_her_visits_in_the_variant_and_the_difference_shows_it() {
    let (app, admin, _areas, plan) = planned_demo().await;
    // A cleaner with work in the plan (the search decides who).
    let off = plan.body["tours"][0]["cleanerId"].clone();
    let body = json!({"planId": plan_id(&plan), "replications": 1000,
        "changes": {"cleanersOff": [{"cleanerId": off}]}});
    let simulation = simulated(&app, &admin, body).await;
    let hers: Vec<(&Value, &Value)> = simulation["result"]["visits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["cleanerId"] == off)
        .map(|v| (&v["areaId"], &v["date"]))
        .collect();
    assert!(!hers.is_empty());
    // The variant's visits are in the difference (stored once): each of hers is missed.
    assert_eq!(simulation["variant"]["visits"], json!([]));
    let visits = simulation["difference"]["visits"].as_array().unwrap();
    for (area, date) in hers {
        let missed = visits
            .iter()
            .find(|v| v["areaId"] == *area && v["date"] == *date)
            .unwrap();
        assert_eq!(missed["variantOnTime"]["value"], 0.0, "{missed}");
    }
    let difference = &simulation["difference"];
    assert!(difference["serviceLevel"]["value"].as_f64().unwrap() < 0.0);
    assert_eq!(
        difference["visits"].as_array().unwrap().len(),
        all_stops(&plan.body).len()
    );
    assert!(
        difference["days"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["change"].is_object())
    );
}

#[tokio::test]
async fn two_plans_of_a_week_compare_side_by_side() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let other = app
        .plan(
            &admin,
            json!({"weekStart": "2026-11-30", "seconds": 0.5, "objective": "distance"}),
        )
        .await;
    let body = json!({"planId": plan_id(&plan), "comparePlanId": plan_id(&other),
        "replications": 500});
    let simulation = simulated(&app, &admin, body).await;
    assert!(simulation["variant"]["visits"].is_array());
    assert!(simulation["difference"]["sites"].as_array().unwrap().len() == 3);
}

#[tokio::test]
async fn a_rooms_own_history_sets_its_durations_and_sick_days_its_cleaners_absences() {
    let (app, admin, areas, plan) = planned_demo().await;
    let data = app.data_of(&admin);
    let stops = all_stops(&plan.body);
    let stop = stops
        .iter()
        .find(|s| s["areaId"] == areas[1])
        .expect("a planned stop");
    let planned = crate::helpers::minutes(&stop["end"]) - crate::helpers::minutes(&stop["start"]);
    // Ten visits in the weeks before, each half as long again as planned.
    for i in 0..10 {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap() + Duration::days(i);
        let at = Utc.from_utc_datetime(&day.and_hms_opt(7, 0, 0).unwrap());
        let visit = Visit {
            area_id: domain::sites::AreaId::parse(&areas[1]).unwrap(),
            site_id: domain::sites::SiteId::parse(stop["siteId"].as_str().unwrap()).unwrap(),
            cleaner_id: domain::UserId::parse("maria").unwrap(),
            tour_id: None,
            checked_in_at: at,
            local_date: day,
            checked_out_at: Some(at + Duration::minutes(planned * 3 / 2)),
            duration_minutes: Some(planned as f64 * 1.5),
            status: VisitStatus::Done,
            reason: None,
            flags: Vec::new(),
        };
        data.repo::<Visit>()
            .create(visit, Vec::new())
            .await
            .unwrap();
    }
    app.created(
        &admin,
        "/v1/absences",
        json!({"cleanerId": "jana", "from": "2026-11-02", "to": "2026-11-06", "kind": "sick"}),
    )
    .await;
    let body = json!({"planId": plan_id(&plan), "replications": 200});
    let simulation = simulated(&app, &admin, body).await;
    let assumed = &simulation["assumptions"];
    let room = assumed["durations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["areaId"] == areas[1])
        .unwrap();
    assert_eq!(room["source"], "area", "{room}");
    assert_eq!(room["visits"], 10);
    let median = room["medianRatio"].as_f64().unwrap();
    // The planned minutes are whole: the ratio is 1.5 within their rounding.
    assert!((median - 1.5).abs() < 0.05, "{median}");
    let jana = assumed["absences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["cleanerId"] == "jana")
        .unwrap();
    assert_eq!(jana["sickDays"], 5);
    let maria = assumed["absences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["cleanerId"] == "maria")
        .unwrap();
    assert!(jana["probability"].as_f64() > maria["probability"].as_f64());
}

#[tokio::test]
async fn bad_requests_name_the_field_and_queue_nothing() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let id = plan_id(&plan);
    for (body, field) in [
        (json!({}), "planId"),
        (json!({"planId": "nope"}), "planId"),
        (json!({"weekStart": "2026-12-01"}), "weekStart"),
        (json!({"planId": id, "replications": 10}), "replications"),
        (
            json!({"planId": id, "comparePlanId": "nope"}),
            "comparePlanId",
        ),
        (
            json!({"planId": id, "changes": {"addSiteId": "nope"}}),
            "changes.addSiteId",
        ),
        (
            json!({"planId": id, "changes": {"durationFactor": 0}}),
            "changes.durationFactor",
        ),
    ] {
        let reply = app.post(&admin, "/v1/simulations", body.clone()).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error_fields(), [field], "{body}");
    }
    let listed = app.get(&admin, "/v1/simulations").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_plan_of_another_week_is_no_comparison() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let later = app
        .plan(&admin, json!({"weekStart": "2026-12-07", "seconds": 0.3}))
        .await;
    let body = json!({"planId": plan_id(&plan), "comparePlanId": plan_id(&later)});
    let reply = app.post(&admin, "/v1/simulations", body).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["comparePlanId"]);
}

#[tokio::test]
async fn cleaners_cannot_simulate_and_another_tenants_plan_is_unknown() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let cleaner = app.token_of("acme", "maria", Role::Cleaner, None);
    let body = json!({"planId": plan_id(&plan)});
    let refused = app.post(&cleaner, "/v1/simulations", body.clone()).await;
    refused.assert_problem(StatusCode::FORBIDDEN);
    let stranger = app.token("globex", Role::Admin);
    let unknown = app.post(&stranger, "/v1/simulations", body).await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let simulation = simulated(
        &app,
        &admin,
        json!({"planId": plan_id(&plan), "replications": 100}),
    )
    .await;
    let path = format!("/v1/simulations/{}", simulation["id"].as_str().unwrap());
    app.get(&stranger, &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.get(&cleaner, &path)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_simulation_whose_message_was_lost_reads_as_failed_with_why() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let lost = app
        .post(&admin, "/v1/simulations", json!({"planId": plan_id(&plan)}))
        .await
        .id();
    app.clock
        .advance(platform::progress::QUEUE_LEASE + chrono::Duration::seconds(1));
    let read = app.get(&admin, &format!("/v1/simulations/{lost}")).await;
    assert_eq!(read.body["status"], "failed");
    let why = read.body["failure"].as_str().unwrap();
    assert!(why.contains("simulate again"), "{why}");
    let listed = app.get(&admin, "/v1/simulations").await;
    assert_eq!(listed.body["items"][0]["status"], "failed");
}

#[tokio::test]
async fn a_plan_too_big_for_one_result_is_refused_with_the_limit() {
    let (app, admin, _areas, plan) = planned_demo().await;
    let data = app.data_of(&admin);
    let stored = data
        .repo::<domain::planning::Plan>()
        .get(&plan_id(&plan))
        .await
        .unwrap();
    // The same tours many times over: more visits than a simulation takes.
    let mut big = stored.entity.clone();
    while big.tours.iter().map(|t| t.stops.len()).sum::<usize>() <= domain::simulation::MAX_VISITS {
        big.tours.extend(stored.entity.tours.clone());
    }
    data.repo::<domain::planning::Plan>()
        .replace(&stored.meta.id, stored.meta.version, big, Vec::new())
        .await
        .unwrap();
    let reply = app
        .post(&admin, "/v1/simulations", json!({"planId": plan_id(&plan)}))
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["planId"]);
    assert!(
        reply.body.to_string().contains("at most 1200"),
        "{}",
        reply.body
    );
}
