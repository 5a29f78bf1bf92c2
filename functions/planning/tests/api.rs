//! The planning function over real sockets: a demo tenant planned end to end and activated,
//! and infeasible requests answered with a reason per area.

use axum::Router;
use platform::Role;
use platform::testing::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn start() -> TestApp {
    let routes: Router<platform::AppState> = planning::router();
    spawn_app(routes, platform::HttpConfig::default()).await
}

fn site(name: &str, lat: f64, lng: f64, access: Value) -> Value {
    let mut site = platform::testing::site_json(name, lat, lng);
    site["accessHours"] = access;
    site
}

fn weekdays(from: &str, to: &str) -> Value {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "from": from, "to": to}))
        .collect();
    Value::from(days)
}

async fn cleaner(app: &TestApp, token: &str, user: &str, lat: f64) {
    app.created(
        token,
        "/v1/cleaners",
        json!({
            "userId": user, "name": user, "home": {"lat": lat, "lng": 13.40},
            "shifts": weekdays("06:00", "14:00"), "maxMinutesPerDay": 420
        }),
    )
    .await;
}

/// Three sites, 30 areas (offices five times a week, meeting rooms three times, a lobby
/// daily by calendar), three cleaners working weekdays.
async fn demo(app: &TestApp, token: &str) -> Vec<String> {
    let mut sites = Vec::new();
    for (name, lat, lng) in [
        ("HQ", 52.52, 13.40),
        ("Depot", 52.48, 13.35),
        ("Mall", 52.55, 13.45),
    ] {
        sites.push(
            app.seed::<domain::sites::Site>(
                token,
                site(name, lat, lng, weekdays("05:00", "20:00")),
            )
            .await
            .id(),
        );
    }
    let office = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Office", "performanceSqmPerHour": 250, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    let meeting = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Meeting room", "performanceSqmPerHour": 200, "cleaningsPerWeek": 3}),
        )
        .await
        .id();
    let mut areas = Vec::new();
    for (s, site_id) in sites.iter().enumerate() {
        for i in 0..10 {
            let (area_type, size) = if i < 6 {
                (&office, 60 + 10 * i)
            } else {
                (&meeting, 40)
            };
            let body = json!({
                "siteId": site_id, "name": format!("Room {s}.{i}"), "sizeSqm": size,
                "areaTypeId": area_type
            });
            areas.push(app.seed::<domain::sites::Area>(token, body).await.id());
        }
    }
    app.seed::<domain::calendars::Calendar>(
        token,
        json!({
            "siteId": sites[0], "areaId": areas[0], "name": "Lobby mornings",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "startDate": "2026-01-05",
            "window": {"earliest": "06:00", "latest": "08:00"}
        }),
    )
    .await;
    for (user, lat) in [("maria", 52.50), ("jana", 52.53), ("ole", 52.47)] {
        cleaner(app, token, user, lat).await;
    }
    areas
}

fn minutes(t: &Value) -> i64 {
    let (h, m) = t.as_str().unwrap().split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

#[tokio::test]
async fn a_demo_tenant_is_planned_end_to_end_and_activated() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let areas = demo(&app, &admin).await;
    let plan = app
        .created(
            &admin,
            "/v1/plans",
            json!({"weekStart": "2026-11-30", "seconds": 1.4}),
        )
        .await;
    assert_eq!(plan.body["status"], "draft");
    assert_eq!(plan.body["progress"], 1.0);
    assert_eq!(
        plan.body["unplanned"],
        json!([]),
        "{}",
        plan.body["unplanned"]
    );
    let tours = plan.body["tours"].as_array().unwrap();
    // 18 offices x 5 + 12 meeting rooms x 3 cleanings, each exactly once.
    let stops: usize = tours
        .iter()
        .map(|t| t["stops"].as_array().unwrap().len())
        .sum();
    assert_eq!(stops, 18 * 5 + 12 * 3);
    for tour in tours {
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
    // The lobby's calendar: weekdays, between 06:00 and 08:00.
    let lobby: Vec<&Value> = tours
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap())
        .filter(|s| s["areaId"] == areas[0].as_str())
        .collect();
    assert_eq!(lobby.len(), 5);
    assert!(
        lobby
            .iter()
            .all(|s| minutes(&s["start"]) >= 360 && minutes(&s["end"]) <= 480)
    );
    // Meeting rooms (three a week) are spread: Monday, Wednesday, Friday.
    let room_days: std::collections::BTreeSet<&str> = tours
        .iter()
        .filter(|t| {
            t["stops"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["areaId"] == areas[9].as_str())
        })
        .map(|t| t["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        room_days.into_iter().collect::<Vec<_>>(),
        ["2026-11-30", "2026-12-02", "2026-12-04"]
    );
    let kpis = &plan.body["kpis"];
    assert!(kpis["cleaners"].as_u64().unwrap() <= 3);
    assert_eq!(kpis["overtimeMinutes"], 0);
    assert_eq!(
        kpis["paidMinutes"].as_i64().unwrap(),
        kpis["cleaningMinutes"].as_i64().unwrap()
            + kpis["travelMinutes"].as_i64().unwrap()
            + kpis["waitingMinutes"].as_i64().unwrap()
    );
    assert_eq!(plan.body["current"]["cleaners"], 0, "no tours yet");

    // Activation replaces the tours, once, at the plan's version.
    let path = format!("/v1/plans/{}/activate", plan.id());
    let stale = app
        .send(Method::POST, &path, Some(&admin), None, Some("\"1\""))
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED);
    let active = app
        .send(Method::POST, &path, Some(&admin), None, Some(&plan.etag()))
        .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    assert_eq!(active.body["status"], "active");
    let tours_now = app.stored::<domain::tours::Tour>(&admin).await;
    let cleaners: std::collections::BTreeSet<&str> = tours_now
        .iter()
        .map(|t| t.entity.cleaner_id.as_str())
        .collect();
    assert_eq!(cleaners.len(), kpis["cleaners"].as_u64().unwrap() as usize);
    app.send(
        Method::POST,
        &path,
        Some(&admin),
        None,
        Some(&active.etag()),
    )
    .await
    .assert_problem(StatusCode::CONFLICT);
    // A new plan compares itself with the tours now in force.
    let next = app
        .created(
            &admin,
            "/v1/plans",
            json!({"weekStart": "2026-11-30", "seconds": 0.7}),
        )
        .await;
    assert_eq!(next.body["current"]["cleaners"], kpis["cleaners"]);
    assert!(next.body["current"]["cleaningMinutes"].as_i64().unwrap() > 0);
    let listed = app.get(&admin, "/v1/plans?status=draft").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    // Other tenants see nothing; cleaners may not plan.
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
async fn an_infeasible_request_comes_back_with_a_reason_per_area() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let open = app
        .seed::<domain::sites::Site>(
            &admin,
            site("Open", 52.52, 13.40, weekdays("05:00", "22:00")),
        )
        .await
        .id();
    let sundays = app
        .seed::<domain::sites::Site>(
            &admin,
            site(
                "Sundays only",
                52.50,
                13.38,
                json!([{"day": "sun", "from": "08:00", "to": "12:00"}]),
            ),
        )
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            &admin,
            json!({"name": "Hall", "performanceSqmPerHour": 100, "cleaningsPerWeek": 1}),
        )
        .await
        .id();
    let area = |site: &str, name: &str, size: u32| json!({"siteId": site, "name": name, "sizeSqm": size, "areaTypeId": area_type});
    let huge = app
        .seed::<domain::sites::Area>(&admin, area(&open, "Hangar", 1000))
        .await
        .id();
    let closed = app
        .seed::<domain::sites::Area>(&admin, area(&sundays, "Chapel", 50))
        .await
        .id();
    let night = app
        .seed::<domain::sites::Area>(&admin, area(&open, "Server room", 50))
        .await
        .id();
    let fine = app
        .seed::<domain::sites::Area>(&admin, area(&open, "Office", 50))
        .await
        .id();
    let glass = app
        .seed::<domain::sites::AreaType>(
            &admin,
            json!({"name": "Glass", "performanceSqmPerHour": 100, "cleaningsPerWeek": 1,
                   "skills": ["windows"]}),
        )
        .await
        .id();
    let facade = app
        .seed::<domain::sites::Area>(
            &admin,
            json!({"siteId": open, "name": "Facade", "sizeSqm": 50, "areaTypeId": glass}),
        )
        .await
        .id();
    app.seed::<domain::calendars::Calendar>(
        &admin,
        json!({
            "siteId": open, "areaId": night, "name": "Nights", "rrule": "FREQ=WEEKLY;BYDAY=WE",
            "startDate": "2026-01-07", "window": {"earliest": "23:00", "latest": "23:30"}
        }),
    )
    .await;
    cleaner(&app, &admin, "maria", 52.51).await;
    let plan = app
        .created(
            &admin,
            "/v1/plans",
            json!({"weekStart": "2026-11-30", "seconds": 0.5}),
        )
        .await;
    let reasons: std::collections::BTreeMap<&str, &str> = plan.body["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["areaId"].as_str().unwrap(), u["reason"].as_str().unwrap()))
        .collect();
    assert!(
        reasons[huge.as_str()].contains("600 minutes"),
        "{reasons:?}"
    );
    assert!(
        reasons[closed.as_str()].contains("cannot be entered on wed"),
        "{reasons:?}"
    );
    assert!(
        reasons[night.as_str()].contains("does not overlap the access hours"),
        "{reasons:?}"
    );
    assert!(
        reasons[facade.as_str()].contains("needs windows"),
        "{reasons:?}"
    );
    assert!(!reasons.contains_key(fine.as_str()));
    assert_eq!(plan.body["kpis"]["unplanned"], 4);
    let stops: Vec<&str> = plan.body["tours"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap())
        .map(|s| s["areaId"].as_str().unwrap())
        .collect();
    assert_eq!(stops, [fine.as_str()]);
}

#[tokio::test]
async fn bad_plan_requests_and_cleaners_are_422s_naming_each_field() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let reply = app
        .post(
            &admin,
            "/v1/plans",
            json!({"weekStart": "2026-12-01", "seconds": 0, "objective": "cheapest", "x": 1}),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error_fields(),
        ["weekStart", "seconds", "objective", "x"]
    );
    let cleaner = app
        .post(
            &admin,
            "/v1/cleaners",
            json!({
                "userId": "a/b", "name": "", "home": {"lat": 95, "lng": 13},
                "shifts": [{"day": "mon", "from": "14:00", "to": "06:00"}],
                "maxMinutesPerDay": 0
            }),
        )
        .await;
    cleaner.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        cleaner.error_fields(),
        [
            "userId",
            "name",
            "home.lat",
            "shifts[0].to",
            "maxMinutesPerDay"
        ]
    );
    assert_eq!(app.get(&admin, "/v1/plans").await.body["items"], json!([]));
}
