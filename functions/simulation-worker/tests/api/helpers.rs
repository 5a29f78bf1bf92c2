//! A tenant with one site of two rooms, one cleaner and a draft plan of her week, seeded
//! straight into the store (the planning function is not this one's to call), and the push
//! envelopes of simulation jobs.

use domain::planning::Plan;
use domain::simulation::{Simulation, SimulationRequest};
use platform::Role;
use platform::crud::Stored;
use platform::testing::{TestApp, job_envelope, spawn_app};
use serde_json::{Value, json};

pub const PATH: &str = "/push/simulation";

pub struct Worker {
    pub app: TestApp,
    pub push: String,
    pub admin: String,
    pub plan_id: String,
}

pub async fn start() -> Worker {
    let app = spawn_app(simulation_worker::router(), Default::default()).await;
    let admin = app.token("acme", Role::Admin);
    let plan_id = seed(&app, &admin).await;
    let push = app.pusher();
    Worker {
        app,
        push,
        admin,
        plan_id,
    }
}

impl Worker {
    /// A simulation of the seeded plan, queued as `POST /v1/simulations` queues it.
    pub async fn queued(&self, body: Value) -> Stored<Simulation> {
        let request = SimulationRequest::parse(&body).expect("a valid request");
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        let simulation = Simulation::queued(
            &request,
            monday,
            chrono::Utc::now() + chrono::Duration::minutes(30),
        );
        self.app
            .data_of(&self.admin)
            .repo::<Simulation>()
            .create(simulation, Vec::new())
            .await
            .expect("stored")
    }

    /// Pushes the job of simulation `id` as message `message_id`; the status Pub/Sub sees.
    pub async fn deliver(&self, id: &str, message_id: &str) -> u16 {
        let mut envelope = job_envelope(
            "simulation",
            "acme",
            chrono::Utc::now(),
            &json!({"simulationId": id}),
        );
        envelope["message"]["messageId"] = json!(message_id);
        self.app.push(&self.push, PATH, &envelope).await
    }

    pub async fn read(&self, id: &str) -> Stored<Simulation> {
        self.app
            .data_of(&self.admin)
            .repo::<Simulation>()
            .get(id)
            .await
            .expect("readable")
    }
}

/// The site, its two rooms, the cleaner and her Monday: both rooms, the second with a window
/// that closes soon after she is due.
async fn seed(app: &TestApp, admin: &str) -> String {
    let site = app
        .seed::<domain::sites::Site>(admin, platform::testing::site_json("HQ", 52.52, 13.40))
        .await
        .id();
    let office = app
        .seed::<domain::sites::AreaType>(
            admin,
            json!({"name": "Office", "performanceSqmPerHour": 100, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    let mut rooms = Vec::new();
    for name in ["Room 1", "Room 2"] {
        rooms.push(
            app.seed::<domain::sites::Area>(
                admin,
                json!({"siteId": site, "name": name, "sizeSqm": 100, "areaTypeId": office}),
            )
            .await
            .id(),
        );
    }
    app.seed::<domain::planning::Cleaner>(
        admin,
        json!({"userId": "maria", "name": "Maria", "home": {"lat": 52.50, "lng": 13.40},
            "shifts": platform::testing::weekdays("06:00", "14:00"), "maxMinutesPerDay": 150}),
    )
    .await;
    let stop = |area: &str, start: &str, end: &str| {
        json!({"areaId": area, "siteId": site, "siteName": "HQ", "arrival": start,
            "start": start, "end": end})
    };
    let plan: Plan = serde_json::from_value(json!({
        "weekStart": "2026-11-30", "status": "draft", "objective": "fleet", "seconds": 1,
        "progress": 1, "unplanned": [], "kpis": kpis(), "current": kpis(),
        "tours": [{
            "cleanerId": "maria", "date": "2026-11-30", "leave": "06:00", "back": "08:20",
            "stops": [stop(&rooms[0], "06:10", "07:10"), stop(&rooms[1], "07:10", "08:10")],
            "cleaningMinutes": 120, "travelMinutes": 20, "waitingMinutes": 0
        }]
    }))
    .expect("a plan");
    app.data_of(admin)
        .repo::<Plan>()
        .create(plan, Vec::new())
        .await
        .expect("stored")
        .meta
        .id
}

fn kpis() -> Value {
    json!({"cleaners": 1, "cleanersOnBusiestDay": 1, "paidMinutes": 140, "cleaningMinutes": 120,
        "travelMinutes": 20, "waitingMinutes": 0, "overtimeMinutes": 0, "unplanned": 0})
}

/// The job runs recorded in the tenant.
pub async fn job_runs(app: &TestApp, admin: &str) -> Vec<domain::store::Document> {
    app.data_of(admin)
        .store()
        .query_all(domain::store::Query::new(platform::push::JOBS))
        .await
        .expect("readable")
}
