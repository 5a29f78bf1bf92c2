//! The week builder and sensors: a room cleaned by demand is planned on the weekdays its
//! history says it is needed.

use domain::sensors::DemandCleaning;
use domain::sensors::demand::AreaDemand;
use platform::Role;
use platform::testing::TestApp;
use serde_json::json;

use crate::helpers::{cleaner, site, start, visits_of, weekdays};

/// A washroom cleaned by demand on a daily weekday calendar, watched by sensors since
/// October; in the four weeks before 30 November its demand arose `per_monday` times each
/// Monday, and never on other days. The app, the admin, the washroom and an office.
async fn washroom_needed_on_mondays(per_monday: usize) -> (TestApp, String, String, String) {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let hq = app
        .seed::<domain::sites::Site>(&admin, site("HQ", 52.52, 13.40, weekdays("05:00", "20:00")))
        .await
        .id();
    let washroom = app
        .seed::<domain::sites::AreaType>(
            &admin,
            json!({"name": "Washroom", "performanceSqmPerHour": 60, "cleaningsPerWeek": 5,
                   "demand": {"mode": "demand", "limit": 40}}),
        )
        .await
        .id();
    let office = app
        .seed::<domain::sites::AreaType>(
            &admin,
            json!({"name": "Office", "performanceSqmPerHour": 250, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    let wc = app
        .seed::<domain::sites::Area>(
            &admin,
            json!({"siteId": hq, "name": "WC", "sizeSqm": 20, "areaTypeId": washroom}),
        )
        .await
        .id();
    let room = app
        .seed::<domain::sites::Area>(
            &admin,
            json!({"siteId": hq, "name": "Office", "sizeSqm": 80, "areaTypeId": office}),
        )
        .await
        .id();
    app.seed::<domain::calendars::Calendar>(
        &admin,
        json!({"siteId": hq, "name": "Weekdays", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
               "startDate": "2026-01-05", "window": {"earliest": "06:00", "latest": "18:00"}}),
    )
    .await;
    cleaner(&app, &admin, "maria", 52.52).await;
    let data = app.data_of(&admin);
    let since = "2026-10-01T06:00:00Z".parse().unwrap();
    data.repo::<AreaDemand>()
        .create_with_id(&wc, AreaDemand::new(&wc, &hq, since), Vec::new())
        .await
        .unwrap();
    for (monday, _) in ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
        .iter()
        .flat_map(|m| (0..per_monday).map(move |i| (m, i)))
    {
        let cleaning: DemandCleaning = serde_json::from_value(json!({
            "areaId": wc, "siteId": hq, "trigger": "limit",
            "triggeredAt": format!("{monday}T07:00:00Z"), "localDate": monday,
            "dueFrom": format!("{monday}T07:00:00Z"), "events": 40, "status": "done",
            "doneAt": format!("{monday}T09:00:00Z"), "doneDate": monday
        }))
        .unwrap();
        data.repo::<DemandCleaning>()
            .create(cleaning, Vec::new())
            .await
            .unwrap();
    }
    (app, admin, wc, room)
}

#[tokio::test]
async fn a_room_cleaned_by_demand_is_planned_on_the_weekdays_it_was_needed() {
    let (app, admin, wc, room) = washroom_needed_on_mondays(1).await;
    let plan = app
        .plan(&admin, json!({"weekStart": "2026-11-30", "seconds": 1.0}))
        .await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    let days_of = |area: &str| -> Vec<String> {
        let mut days: Vec<String> = visits_of(&plan.body, area)
            .into_iter()
            .map(|(_, date)| date)
            .collect();
        days.sort();
        days
    };
    assert_eq!(days_of(&wc), ["2026-11-30"], "Mondays only");
    assert_eq!(days_of(&room).len(), 5, "the office keeps its calendar");
}

/// Needed three times each Monday: its planned Monday cleaning is one, the simulation adds two.
#[tokio::test]
async fn a_simulation_adds_the_extra_cleanings_a_demand_rooms_history_expects() {
    let (app, admin, wc, _) = washroom_needed_on_mondays(3).await;
    let plan = app
        .plan(&admin, json!({"weekStart": "2026-11-30", "seconds": 0.5}))
        .await;
    let queued = app
        .post(
            &admin,
            "/v1/simulations",
            json!({"planId": plan.id(), "replications": 200}),
        )
        .await;
    assert_eq!(queued.status, 202, "{}", queued.body);
    assert!(app.deliver_published().await.iter().all(|s| *s == 204));
    let done = app
        .get(&admin, &format!("/v1/simulations/{}", queued.id()))
        .await;
    assert_eq!(
        done.body["assumptions"]["demand"],
        json!([{"areaId": wc, "date": "2026-11-30", "extraPerDay": 2.0}]),
        "{}",
        done.body["assumptions"]
    );
}
