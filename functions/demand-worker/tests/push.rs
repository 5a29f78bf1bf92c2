//! The demand job as Pub/Sub pushes it every 15 minutes: fallbacks once after their time,
//! never on a closed day; limits suggested each night from the last 21 days.

use chrono::{DateTime, Duration, Utc};
use domain::sensors::demand::{AreaDemand, SensorDay};
use domain::sensors::{DemandCleaning, DemandTrigger};
use domain::store::Query;
use platform::crud::Stored;
use platform::testing::{TestApp, create, spawn_app};
use serde_json::json;

const TENANT: &str = "acme";

async fn start() -> TestApp {
    spawn_app(demand_worker::router(), Default::default()).await
}

fn data(app: &TestApp) -> platform::TenantData {
    app.data_of(&app.token(TENANT, platform::Role::Admin))
}

/// Site s1 in Berlin (no access hours) with washroom a1, cleaned by demand with the fallback
/// (daily: after 1.5 working days), watched since `cleaned` with 3 uses.
async fn seed(app: &TestApp, cleaned: DateTime<Utc>) -> AreaDemand {
    let mut area = AreaDemand::new("a1", "s1", cleaned);
    area.events = 3;
    let rule = domain::sensors::DemandRule {
        mode: domain::sensors::DemandMode::DemandWithFallback,
        limit: Some(40),
        ..Default::default()
    };
    area.plan_fallback(&rule, 5.0, chrono_tz::Europe::Berlin);
    let writes = vec![
        create(
            "settings",
            "tenant",
            json!({"name": "Acme", "timeZone": "Europe/Berlin",
            "language": "de", "country": "DE", "currency": "EUR"}),
        ),
        create(
            "sites",
            "s1",
            json!({"name": "HQ", "address": {"street": "S 1", "city": "Berlin",
            "country": "DE"}, "location": {"lat": 52.5, "lng": 13.4}, "timeZone": "Europe/Berlin",
            "accessHours": []}),
        ),
        create(
            "areaTypes",
            "washroom",
            json!({"name": "Washroom", "performanceSqmPerHour": 60.0,
            "cleaningsPerWeek": 5.0, "correctionFactor": 1.0, "priority": "normal",
            "demand": {"mode": "demand-with-fallback", "limit": 40, "fallbackFactor": 1.5,
                       "levelThresholdPercent": 20.0}}),
        ),
        create(
            "areas",
            "a1",
            json!({"siteId": "s1", "name": "WC", "floor": 0, "sizeSqm": 20.0,
            "areaTypeId": "washroom"}),
        ),
        create(
            <AreaDemand as domain::Entity>::COLLECTION,
            "a1",
            serde_json::to_value(&area).unwrap(),
        ),
    ];
    data(app).store().commit(writes, Utc::now()).await.unwrap();
    area
}

/// Delivers the run of the tick at the app's clock.
async fn tick(app: &TestApp) -> u16 {
    let now = domain::Clock::now(&*app.clock);
    app.push(
        &app.pusher(),
        "/push/demand",
        &platform::testing::job_envelope("demand", TENANT, now, &json!({})),
    )
    .await
}

async fn cleanings(app: &TestApp) -> Vec<DemandCleaning> {
    data(app)
        .store()
        .query_all(Query::new(<DemandCleaning as domain::Entity>::COLLECTION))
        .await
        .unwrap()
        .into_iter()
        .map(|d| Stored::<DemandCleaning>::from_document(d).unwrap().entity)
        .collect()
}

#[tokio::test]
async fn the_fallback_makes_one_cleaning_once_its_time_has_passed() {
    let app = start().await;
    let now = domain::Clock::now(&*app.clock);
    let area = seed(&app, now - Duration::hours(1)).await;
    assert_eq!(tick(&app).await, 204);
    assert!(cleanings(&app).await.is_empty(), "not yet due");
    let due: DateTime<Utc> = area.fallback_due_at.unwrap().parse().unwrap();
    app.clock.advance(due - now);
    assert_eq!(tick(&app).await, 204);
    // The same tick again, and the next one: still one.
    assert_eq!(tick(&app).await, 204);
    app.clock.advance(Duration::minutes(15));
    assert_eq!(tick(&app).await, 204);
    let made = cleanings(&app).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].trigger, DemandTrigger::Fallback);
    assert_eq!(made[0].events, 3);
}

#[tokio::test]
async fn a_closed_day_makes_no_fallback() {
    let app = start().await;
    let now = domain::Clock::now(&*app.clock);
    let area = seed(&app, now - Duration::hours(1)).await;
    let due: DateTime<Utc> = area.fallback_due_at.unwrap().parse().unwrap();
    app.clock.advance(due - now);
    let day = due.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
    data(&app)
        .store()
        .commit(
            vec![create(
                "closures",
                "h1",
                json!({"siteId": "s1", "from": day.to_string(),
                "to": (day + Duration::days(1)).to_string(), "reason": "Works holiday"}),
            )],
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(tick(&app).await, 204);
    assert!(cleanings(&app).await.is_empty());
}

#[tokio::test]
async fn the_night_run_suggests_each_areas_limit_from_its_last_21_days() {
    let app = start().await;
    let now = domain::Clock::now(&*app.clock);
    seed(&app, now).await;
    // 21 days before today: 14 days with 30 uses each (the sensor reported on 14 days).
    let today = now.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
    let writes = (1..=14)
        .map(|d| {
            let date = today - Duration::days(d);
            let day = SensorDay {
                sensor_id: "ttn-c1".into(),
                area_id: "a1".into(),
                site_id: "s1".into(),
                date,
                events: 30,
                readings: 96,
            };
            create(
                SensorDay::COLLECTION,
                &format!("d{d}"),
                serde_json::to_value(day).unwrap(),
            )
        })
        .collect();
    data(&app).store().commit(writes, Utc::now()).await.unwrap();
    // The next 02:00 in Berlin.
    let mut night = today.and_hms_opt(2, 5, 0).unwrap();
    if night <= now.with_timezone(&chrono_tz::Europe::Berlin).naive_local() {
        night += Duration::days(1);
    }
    let night = night
        .and_local_timezone(chrono_tz::Europe::Berlin)
        .unwrap()
        .with_timezone(&Utc);
    app.clock.advance(night - now);
    assert_eq!(tick(&app).await, 204);
    let stored = data(&app)
        .store()
        .get(<AreaDemand as domain::Entity>::COLLECTION, "a1")
        .await
        .unwrap()
        .unwrap();
    let area: AreaDemand = Stored::from_document(stored).unwrap().entity;
    let suggestion = area.suggestion.expect("a suggestion");
    // 14 × 30 = 420 uses over the 14 days reported: 30 a day; daily cleaning (every 1.4
    // days by the week): a limit of 42.
    assert_eq!((suggestion.daily_average, suggestion.days), (30.0, 14));
    assert_eq!(suggestion.limit, 42);
}
