//! `POST /v1/plans`: a week's draft for the demo tenant, with every cleaning once, within the
//! shifts, calendars and frequencies.

use serde_json::{Value, json};

use crate::helpers::{all_stops, minutes, planned_demo};

#[tokio::test]
async fn every_cleaning_of_the_week_is_planned_exactly_once() {
    let (_, _, _, plan) = planned_demo().await;
    assert_eq!(plan.body["status"], "draft");
    assert_eq!(plan.body["progress"], 1.0);
    assert_eq!(
        plan.body["unplanned"],
        json!([]),
        "{}",
        plan.body["unplanned"]
    );
    // 18 offices x 5 + 12 meeting rooms x 3 cleanings, each exactly once.
    assert_eq!(all_stops(&plan.body).len(), 18 * 5 + 12 * 3);
}

#[tokio::test]
async fn each_tour_stays_within_the_shift_and_the_daily_maximum_its_stops_in_order() {
    let (_, _, _, plan) = planned_demo().await;
    for tour in plan.body["tours"].as_array().unwrap() {
        let (leave, back) = (minutes(&tour["leave"]), minutes(&tour["back"]));
        assert!(leave >= 6 * 60 && back <= 14 * 60, "{tour}");
        assert!(
            back - leave <= 420,
            "paid time within the daily maximum: {tour}"
        );
        let mut clock = leave;
        for stop in tour["stops"].as_array().unwrap() {
            assert!(minutes(&stop["start"]) >= clock, "stops in order: {tour}");
            clock = minutes(&stop["end"]);
        }
    }
}

#[tokio::test]
async fn a_calendar_window_is_kept_every_day_it_falls_on() {
    let (_, _, areas, plan) = planned_demo().await;
    // The lobby's calendar: weekdays, between 06:00 and 08:00.
    let lobby: Vec<&Value> = all_stops(&plan.body)
        .into_iter()
        .filter(|s| s["areaId"] == areas[0].as_str())
        .collect();
    assert_eq!(lobby.len(), 5);
    assert!(
        lobby
            .iter()
            .all(|s| minutes(&s["start"]) >= 360 && minutes(&s["end"]) <= 480)
    );
}

#[tokio::test]
async fn cleanings_three_times_a_week_are_spread_over_the_week() {
    let (_, _, areas, plan) = planned_demo().await;
    let visits_room = |t: &&Value| {
        let stops = t["stops"].as_array().unwrap();
        stops.iter().any(|s| s["areaId"] == areas[9].as_str())
    };
    let room_days: std::collections::BTreeSet<&str> = plan.body["tours"]
        .as_array()
        .unwrap()
        .iter()
        .filter(visits_room)
        .map(|t| t["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        room_days.into_iter().collect::<Vec<_>>(),
        ["2026-11-30", "2026-12-02", "2026-12-04"]
    );
}

#[tokio::test]
async fn the_kpis_add_up_and_compare_with_no_tours_yet() {
    let (_, _, _, plan) = planned_demo().await;
    let kpis = &plan.body["kpis"];
    assert!(kpis["cleaners"].as_u64().unwrap() <= 3);
    assert_eq!(kpis["overtimeMinutes"], 0);
    let paid = kpis["paidMinutes"].as_i64().unwrap();
    let parts =
        ["cleaningMinutes", "travelMinutes", "waitingMinutes"].map(|k| kpis[k].as_i64().unwrap());
    assert_eq!(paid, parts.iter().sum::<i64>());
    assert_eq!(plan.body["current"]["cleaners"], 0, "no tours yet");
}

#[tokio::test]
async fn a_sites_rooms_come_in_one_order_every_day() {
    let (_, _, _, plan) = planned_demo().await;
    // Per cleaner and site, the rooms' order on each day she is there.
    let mut orders: std::collections::BTreeMap<(String, String), Vec<Vec<String>>> =
        Default::default();
    for tour in plan.body["tours"].as_array().unwrap() {
        let mut by_site: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for stop in tour["stops"].as_array().unwrap() {
            let site = stop["siteId"].as_str().unwrap().to_owned();
            by_site
                .entry(site)
                .or_default()
                .push(stop["areaName"].as_str().unwrap().to_owned());
        }
        for (site, rooms) in by_site {
            let cleaner = tour["cleanerId"].as_str().unwrap().to_owned();
            orders.entry((cleaner, site)).or_default().push(rooms);
        }
    }
    for days in orders.values() {
        for rooms in days {
            let mut sorted = rooms.clone();
            sorted.sort_by_key(|name| {
                let (site, room) = name.trim_start_matches("Room ").split_once('.').unwrap();
                (site.parse::<u32>().unwrap(), room.parse::<u32>().unwrap())
            });
            assert_eq!(rooms, &sorted, "{}", plan.body);
        }
    }
}

#[tokio::test]
async fn a_plan_without_a_travel_model_travels_as_the_tenants_tours_do() {
    let app = crate::helpers::start().await;
    let admin = app.token("acme", platform::Role::Admin);
    crate::helpers::demo(&app, &admin).await;
    let mut settings = domain::tours::TourSettings::default();
    settings.travel.speed_kmh = 50.0;
    app.data_of(&admin)
        .repo::<domain::tours::TourSettings>()
        .create_with_id(domain::tours::TourSettings::ID, settings, Vec::new())
        .await
        .unwrap();
    let tenants = json!({"weekStart": "2026-11-30", "seconds": 1.0});
    let tenants = app.plan(&admin, tenants).await;
    let slow = json!({"weekStart": "2026-11-30", "seconds": 1.0,
        "travel": {"roadFactor": 1.3, "speedKmh": 25}});
    let slow = app.plan(&admin, slow).await;
    let travel = |plan: &Value| plan["kpis"]["travelMinutes"].as_i64().unwrap();
    // Twice the speed: about half the minutes on the road.
    let (fast, slow) = (travel(&tenants.body), travel(&slow.body));
    assert!(fast * 10 < slow * 7, "{fast} against {slow}");
}
