//! A demo tenant (three sites, 30 rooms, three cleaners) and a tenant the planner cannot fully
//! serve, with their plans.

use platform::Role;
use platform::plan_runs::PlanningJob;
use platform::testing::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

/// The planning function, and the push routes of the planning and simulation jobs its plans
/// and simulations are run on (the workers', from `platform`).
pub async fn start() -> TestApp {
    let routes = planning::router()
        .merge(platform::job::route::<PlanningJob>())
        .merge(platform::job::route::<
            platform::simulation_runs::SimulationJob,
        >());
    spawn_app(routes, platform::HttpConfig::default()).await
}

pub fn site(name: &str, lat: f64, lng: f64, access: Value) -> Value {
    let mut site = platform::testing::site_json(name, lat, lng);
    site["accessHours"] = access;
    site
}

pub use platform::testing::weekdays;

pub async fn cleaner(app: &TestApp, token: &str, user: &str, lat: f64) {
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
pub async fn demo(app: &TestApp, token: &str) -> Vec<String> {
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

pub fn minutes(t: &Value) -> i64 {
    let (h, m) = t.as_str().unwrap().split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

/// The demo tenant planned for the week of 2026-11-30: the app, the admin, the areas and the
/// plan's create reply.
pub async fn planned_demo() -> (TestApp, String, Vec<String>, Reply) {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let areas = demo(&app, &admin).await;
    let body = json!({"weekStart": "2026-11-30", "seconds": 1.4});
    let plan = app.plan(&admin, body).await;
    (app, admin, areas, plan)
}

/// Every stop of a plan's tours.
pub fn all_stops(plan: &Value) -> Vec<&Value> {
    plan["tours"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap())
        .collect()
}

/// The areas the planner cannot serve, and one it can, at a site open on weekdays.
pub struct Infeasible {
    pub huge: String,
    pub closed: String,
    pub night: String,
    pub facade: String,
    pub fine: String,
}

/// A tenant with one cleaner and: a hangar longer than any shift, a chapel at a site open on
/// Sundays only, a server room whose window lies outside the access hours, a facade needing a
/// skill nobody has, and an office that fits; planned for the week of 2026-11-30.
pub async fn planned_infeasible() -> (Infeasible, Reply) {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let open = site("Open", 52.52, 13.40, weekdays("05:00", "22:00"));
    let open = app.seed::<domain::sites::Site>(&admin, open).await.id();
    let sundays = json!([{"day": "sun", "from": "08:00", "to": "12:00"}]);
    let sundays = site("Sundays only", 52.50, 13.38, sundays);
    let sundays = app.seed::<domain::sites::Site>(&admin, sundays).await.id();
    let hall = json!({"name": "Hall", "performanceSqmPerHour": 100, "cleaningsPerWeek": 1});
    let hall = app.seed::<domain::sites::AreaType>(&admin, hall).await.id();
    let glass = json!({"name": "Glass", "performanceSqmPerHour": 100, "cleaningsPerWeek": 1,
        "skills": ["windows"]});
    let glass = app
        .seed::<domain::sites::AreaType>(&admin, glass)
        .await
        .id();
    let mut ids = Vec::new();
    for (site, name, size, area_type) in [
        (&open, "Hangar", 1000, &hall),
        (&sundays, "Chapel", 50, &hall),
        (&open, "Server room", 50, &hall),
        (&open, "Office", 50, &hall),
        (&open, "Facade", 50, &glass),
    ] {
        let body = json!({"siteId": site, "name": name, "sizeSqm": size, "areaTypeId": area_type});
        ids.push(app.seed::<domain::sites::Area>(&admin, body).await.id());
    }
    let nights = json!({
        "siteId": open, "areaId": ids[2], "name": "Nights", "rrule": "FREQ=WEEKLY;BYDAY=WE",
        "startDate": "2026-01-07", "window": {"earliest": "23:00", "latest": "23:30"}
    });
    app.seed::<domain::calendars::Calendar>(&admin, nights)
        .await;
    cleaner(&app, &admin, "maria", 52.51).await;
    let body = json!({"weekStart": "2026-11-30", "seconds": 0.5});
    let plan = app.plan(&admin, body).await;
    let mut ids = ids.into_iter();
    let mut next = || ids.next().unwrap();
    let (huge, closed, night, fine, facade) = (next(), next(), next(), next(), next());
    (
        Infeasible {
            huge,
            closed,
            night,
            facade,
            fine,
        },
        plan,
    )
}

/// (cleaner, date) of every stop at `area`.
pub fn visits_of(plan: &Value, area: &str) -> Vec<(String, String)> {
    plan["tours"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["stops"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["areaId"] == area)
        })
        .map(|t| {
            (
                t["cleanerId"].as_str().unwrap().to_owned(),
                t["date"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
