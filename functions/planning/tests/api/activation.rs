//! `POST /v1/plans/{id}/activate`: the draft's tours replace the tenant's, once, at the plan's
//! version.

use std::collections::BTreeSet;

use platform::Role;
use platform::testing::{Reply, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::planned_demo;

/// The plans whose tours are in force on `date` (`None` for a tour made by hand).
async fn plans_in_force(app: &TestApp, token: &str, date: &str) -> BTreeSet<Option<String>> {
    let date: chrono::NaiveDate = date.parse().unwrap();
    app.stored::<domain::tours::Tour>(token)
        .await
        .into_iter()
        .filter(|t| t.entity.in_force_on(date))
        .map(|t| t.entity.plan_id)
        .collect()
}

async fn activate(app: &TestApp, token: &str, plan: &Reply, etag: &str) -> Reply {
    let path = format!("/v1/plans/{}/activate", plan.id());
    app.send(Method::POST, &path, Some(token), None, Some(etag))
        .await
}

#[tokio::test]
async fn a_stale_version_does_not_activate() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, "\"1\"")
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn activation_replaces_the_tours_with_one_per_planned_cleaner() {
    let (app, admin, _, plan) = planned_demo().await;
    let active = activate(&app, &admin, &plan, &plan.etag()).await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    assert_eq!(active.body["status"], "active");
    let tours = app.stored::<domain::tours::Tour>(&admin).await;
    let cleaners: std::collections::BTreeSet<&str> =
        tours.iter().map(|t| t.entity.cleaner_id.as_str()).collect();
    let planned = plan.body["kpis"]["cleaners"].as_u64().unwrap() as usize;
    assert_eq!(cleaners.len(), planned);
}

#[tokio::test]
async fn each_planned_cleaner_is_told_her_new_week_with_a_link() {
    let (app, admin, _, plan) = planned_demo().await;
    let active = activate(&app, &admin, &plan, &plan.etag()).await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    let tours = app.stored::<domain::tours::Tour>(&admin).await;
    let cleaners: BTreeSet<String> = tours
        .iter()
        .filter(|t| t.entity.plan_id.is_some())
        .map(|t| t.entity.cleaner_id.to_string())
        .collect();
    let told: BTreeSet<String> = app
        .raised()
        .await
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["message"]["kind"] == "planActivated")
        .map(|e| {
            assert!(e["link"].as_str().unwrap().ends_with("/today"), "{e}");
            assert_eq!(e["message"]["weekStart"], plan.body["weekStart"]);
            assert!(e["message"]["stops"].as_u64().unwrap() > 0);
            e["to"][0]["userId"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(told, cleaners);
}

#[tokio::test]
async fn an_active_plan_is_not_activated_again() {
    let (app, admin, _, plan) = planned_demo().await;
    let active = activate(&app, &admin, &plan, &plan.etag()).await;
    activate(&app, &admin, &plan, &active.etag())
        .await
        .assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_new_plan_compares_itself_with_the_tours_in_force() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, &plan.etag()).await;
    let body = json!({"weekStart": "2026-11-30", "seconds": 0.7});
    let next = app.plan(&admin, body).await;
    assert_eq!(
        next.body["current"]["cleaners"],
        plan.body["kpis"]["cleaners"]
    );
    assert!(next.body["current"]["cleaningMinutes"].as_i64().unwrap() > 0);
    let listed = app.get(&admin, "/v1/plans?status=draft").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn other_tenants_see_no_plan_and_cleaners_may_not_plan() {
    let (app, _, _, plan) = planned_demo().await;
    app.get(
        &app.token("globex", Role::Admin),
        &format!("/v1/plans/{}", plan.id()),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    app.post(&app.token("acme", Role::Cleaner), "/v1/plans", json!({}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn activated_tours_keep_the_plans_times_for_its_week_only() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, &plan.etag()).await;
    let tours = app.stored::<domain::tours::Tour>(&admin).await;
    let monday: chrono::NaiveDate = "2026-11-30".parse().unwrap();
    for planned in plan.body["tours"].as_array().unwrap() {
        let date: chrono::NaiveDate = planned["date"].as_str().unwrap().parse().unwrap();
        let tour = tours
            .iter()
            .find(|t| t.entity.cleaner_id.as_str() == planned["cleanerId"])
            .expect("a tour per planned cleaner");
        assert_eq!(tour.entity.valid_from, Some(monday));
        assert_eq!(
            tour.entity.valid_to,
            Some(monday + chrono::Duration::days(6))
        );
        let day = tour.entity.runs_on(date).expect("the planned day");
        assert_eq!(day.leave.unwrap().to_string(), planned["leave"]);
        let stops = day.timed_stops().expect("timed stops");
        for (stop, want) in stops.iter().zip(planned["stops"].as_array().unwrap()) {
            assert_eq!(stop.area_id.as_str(), want["areaId"]);
            assert_eq!(stop.arrival.to_string(), want["arrival"]);
            assert_eq!(stop.start.to_string(), want["start"]);
            assert_eq!(stop.end.to_string(), want["end"]);
        }
    }
}

#[tokio::test]
async fn activating_next_weeks_plan_leaves_this_weeks_tours_in_force() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, &plan.etag()).await;
    let this_week = app.stored::<domain::tours::Tour>(&admin).await;
    let body = json!({"weekStart": "2026-12-07", "seconds": 0.7});
    let next = app.plan(&admin, body).await;
    let active = activate(&app, &admin, &next, &next.etag()).await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    let all = app.stored::<domain::tours::Tour>(&admin).await;
    let tuesday: chrono::NaiveDate = "2026-12-01".parse().unwrap();
    let in_force: Vec<_> = all
        .iter()
        .filter(|t| t.entity.in_force_on(tuesday))
        .map(|t| (&t.meta.id, &t.entity))
        .collect();
    let before: Vec<_> = this_week.iter().map(|t| (&t.meta.id, &t.entity)).collect();
    assert_eq!(in_force, before, "this week's tours are untouched");
    assert_eq!(
        plans_in_force(&app, &admin, "2026-12-08").await,
        BTreeSet::from([Some(next.id())])
    );
}

/// However the activations interleave, each is a 200 or a 412 (a lost race, never an
/// overwrite), and the week ends with one active plan whose tours alone are in force.
#[tokio::test]
async fn plans_for_one_week_activated_at_once_leave_one_plan_in_force() {
    let (app, admin, _, plan) = planned_demo().await;
    let mut plans = vec![plan];
    for _ in 0..3 {
        let body = json!({"weekStart": "2026-11-30", "seconds": 0.2});
        plans.push(app.plan(&admin, body).await);
    }
    let etags: Vec<String> = plans.iter().map(Reply::etag).collect();
    let (a, b, c, d) = tokio::join!(
        activate(&app, &admin, &plans[0], &etags[0]),
        activate(&app, &admin, &plans[1], &etags[1]),
        activate(&app, &admin, &plans[2], &etags[2]),
        activate(&app, &admin, &plans[3], &etags[3]),
    );
    for reply in [&a, &b, &c, &d] {
        assert!(
            [StatusCode::OK, StatusCode::PRECONDITION_FAILED].contains(&reply.status),
            "{}",
            reply.body
        );
    }
    let listed = app.get(&admin, "/v1/plans?status=active").await;
    let active = listed.body["items"].as_array().unwrap();
    assert_eq!(active.len(), 1, "{}", listed.body);
    let winner = active[0]["id"].as_str().map(str::to_owned);
    assert_eq!(
        plans_in_force(&app, &admin, "2026-11-30").await,
        BTreeSet::from([winner])
    );
}

#[tokio::test]
async fn a_second_activation_for_the_week_supersedes_the_first() {
    let (app, admin, _, plan) = planned_demo().await;
    activate(&app, &admin, &plan, &plan.etag()).await;
    let body = json!({"weekStart": "2026-11-30", "seconds": 0.5});
    let other = app.plan(&admin, body).await;
    let active = activate(&app, &admin, &other, &other.etag()).await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    let first = app.get(&admin, &format!("/v1/plans/{}", plan.id())).await;
    assert_eq!(first.body["status"], "superseded");
    assert_eq!(
        plans_in_force(&app, &admin, "2026-11-30").await,
        BTreeSet::from([Some(other.id())])
    );
}

#[tokio::test]
async fn a_user_is_one_cleaner() {
    let (app, admin, _, _) = planned_demo().await;
    let again = json!({
        "userId": "maria", "name": "Maria again", "home": {"lat": 52.5, "lng": 13.4},
        "shifts": [{"day": "mon", "from": "06:00", "to": "14:00"}], "maxMinutesPerDay": 420
    });
    app.post(&admin, "/v1/cleaners", again)
        .await
        .assert_problem(StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_plans_diff_adds_every_stop_to_an_empty_week_and_nothing_once_active() {
    let (app, admin, _, plan) = planned_demo().await;
    let path = format!("/v1/plans/{}/diff", plan.id());
    let before = app.get(&admin, &path).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let stops = plan.body["tours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stops"].as_array().unwrap().len())
        .sum::<usize>();
    assert_eq!(before.body["summary"]["added"], stops);
    assert_eq!(before.body["summary"]["removed"], 0);
    let days = before.body["days"].as_array().unwrap();
    assert_eq!(days.len(), plan.body["tours"].as_array().unwrap().len());
    assert!(
        days.iter()
            .all(|d| d["minutesBefore"] == 0 && d["minutesChanged"] == d["minutesAfter"])
    );

    activate(&app, &admin, &plan, &plan.etag()).await;
    let after = app.get(&admin, &path).await;
    assert_eq!(after.body["days"], json!([]), "{}", after.body);
}
