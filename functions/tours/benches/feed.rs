//! Feed and tour sheet benchmark over real sockets on the embedded store. Fixed workload: one
//! site with 30 areas, each scheduled by a daily calendar running since 2020 (so every
//! expansion walks seven years of rule), and a cleaner with 3 tours of 10 areas on every
//! weekday. Prints the median of 10 requests of each.
//!
//!     cargo bench -p tours --bench feed

use std::time::{Duration, Instant};

use platform::Role;
use platform::testing::spawn_app;
use serde_json::json;

const RUNS: usize = 10;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let routes = tours::router();
    let app = spawn_app(routes, platform::HttpConfig::default()).await;
    let admin = app.token("bench", Role::Admin);
    let site = app
        .seed::<domain::sites::Site>(&admin, platform::testing::site_json("HQ", 52.52, 13.39))
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            &admin,
            json!({"name": "Office", "performanceSqmPerHour": 300, "cleaningsPerWeek": 7}),
        )
        .await
        .id();
    let mut areas = Vec::new();
    for i in 0..30 {
        let area = app
            .seed::<domain::sites::Area>(&admin,
                json!({"siteId": site, "name": format!("Room {i}"), "sizeSqm": 40, "areaTypeId": area_type}),
            )
            .await
            .id();
        app.seed::<domain::calendars::Calendar>(
            &admin,
            json!({
                "siteId": site, "areaId": area, "name": format!("Room {i} daily"),
                "rrule": "FREQ=DAILY", "startDate": "2020-01-01",
                "window": {"earliest": "05:00", "latest": "22:00"}
            }),
        )
        .await;
        areas.push(area);
    }
    for (t, chunk) in areas.chunks(10).enumerate() {
        let days: Vec<_> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| json!({"day": d, "areaIds": chunk}))
            .collect();
        app.created(
            &admin,
            "/v1/tours",
            json!({
                "name": format!("Tour {t}"), "cleanerId": "maria", "startTime": "06:00",
                "maxMinutesPerDay": 600, "days": days
            }),
        )
        .await;
    }
    let maria = app.token_of("bench", "maria", Role::Cleaner, None);
    let feed = app
        .created(&maria, "/v1/feed-tokens", json!({"cleanerId": "maria"}))
        .await;
    let url = app.url(feed.body["url"].as_str().unwrap());
    let http = reqwest::Client::new();
    let mut feed_times = Vec::new();
    let mut events = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let body = http.get(&url).send().await.unwrap().text().await.unwrap();
        feed_times.push(started.elapsed());
        events = body.matches("BEGIN:VEVENT").count();
    }
    let mut sheet_times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let reply = app.get(&maria, "/v1/tour-sheets?date=2026-11-23").await;
        sheet_times.push(started.elapsed());
        assert_eq!(reply.body["tours"].as_array().unwrap().len(), 3);
    }
    println!(
        "feed ({events} events, 3 tours x 10 areas x 64 days): median {:.1} ms over {RUNS}",
        median(feed_times).as_secs_f64() * 1e3
    );
    println!(
        "tour sheet (3 tours x 10 areas): median {:.1} ms over {RUNS}",
        median(sheet_times).as_secs_f64() * 1e3
    );
}
