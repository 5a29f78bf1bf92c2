//! `cleanops simulate-sensors --tenant T --site S [--rate R] [--hours H]`: realistic sensor
//! readings fed into the running local cloud, so a demo shows demand cleaning in minutes.
//!
//! Every room of the site gets a people counter (`generic`, device `sim-…`) unless it has a
//! sensor already; then the last H hours (default 12) are replayed as a working day from
//! 06:00 (the readings carry their real times), R simulated minutes per second (default 60:
//! an hour a second), through `POST /v1/ingest/generic` as a gateway would deliver them. Rooms are used as rooms are: washrooms and kitchens busy in the
//! morning and at lunch and quiet in the afternoon, meeting rooms (their name says
//! "meeting", "Besprechung", "Konferenz", "réunion", "riunione") used twice, other rooms a
//! little all day. A progress bar shows the simulated time and what it made due.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::Role;
use platform::auth::TokenIssuer;
use serde_json::{Value, json};

/// What an operator asked to simulate.
#[derive(Debug, PartialEq)]
pub struct Simulation {
    pub tenant: String,
    pub site: String,
    /// Simulated minutes per real second.
    pub rate: u32,
    pub hours: u32,
    /// The local cloud's address (`http://host:port`).
    pub base_url: String,
}

/// How a room is used over the day.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Profile {
    /// Busy mornings, lunch, quiet afternoons.
    Washroom,
    /// Two meetings, late morning and afternoon.
    MeetingRoom,
    /// A little, all day.
    Office,
}

impl Profile {
    fn of(name: &str) -> Self {
        let name = name.to_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| name.contains(w));
        if any(&[
            "meeting",
            "besprech",
            "konferenz",
            "réunion",
            "reunion",
            "riunione",
        ]) {
            Self::MeetingRoom
        } else if any(&[
            "wc", "toilet", "washroom", "sanit", "küche", "kitchen", "bad",
        ]) {
            Self::Washroom
        } else {
            Self::Office
        }
    }

    /// The people expected in one minute at `hour` (local) on a weekday.
    fn rate(self, hour: u32) -> f64 {
        match (self, hour) {
            (Self::Washroom, 7..=9) => 0.9,
            (Self::Washroom, 12..=13) => 0.7,
            (Self::Washroom, 10..=11) => 0.35,
            (Self::Washroom, 14..=17) => 0.12,
            (Self::MeetingRoom, 10) | (Self::MeetingRoom, 15) => 0.5,
            (Self::Office, 8..=17) => 0.08,
            _ => 0.0,
        }
    }
}

/// A small deterministic generator: the same run counts the same people.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// People in a minute with `mean` expected (Poisson, by inversion).
    fn people(&mut self, mean: f64) -> u64 {
        let (mut k, mut p, limit) = (0, 1.0, (-mean).exp());
        loop {
            p *= self.next();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            format!(
                "the local cloud at {} does not answer ({e}): start it with `cleanops`",
                self.base
            )
        })?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!(
                "{method} {path}: {status}: {}",
                body["detail"].as_str().unwrap_or_default()
            ))
        }
    }

    /// Every item of a listing.
    async fn all(&self, path: &str) -> Result<Vec<Value>, String> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = match &token {
                Some(t) => format!("{path}&limit=200&pageToken={t}"),
                None => format!("{path}&limit=200"),
            };
            let body = self.send(reqwest::Method::GET, &page, None).await?;
            items.extend(body["items"].as_array().cloned().unwrap_or_default());
            match body["nextPageToken"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(items),
            }
        }
    }
}

/// Runs the simulation against the local cloud.
pub async fn run(simulation: Simulation, data_dir: &Path) -> Result<(), String> {
    let issuer = TokenIssuer::load_or_create(data_dir)?;
    let token = issuer.token_with_customer(
        &simulation.tenant,
        "sensor-simulator",
        Role::Dispatcher,
        None,
        chrono::Duration::hours(2),
    );
    let api = Api {
        http: reqwest::Client::new(),
        base: simulation.base_url.clone(),
        token,
    };
    let site = &simulation.site;
    let site_doc = api
        .send(reqwest::Method::GET, &format!("/v1/sites/{site}"), None)
        .await?;
    let areas = api.all(&format!("/v1/areas?siteId={site}")).await?;
    if areas.is_empty() {
        return Err(format!("site {site} has no rooms: add some first"));
    }
    let sensors = api.all(&format!("/v1/sensors?siteId={site}")).await?;
    // Each room's counter: its own generic one, or a new one.
    let mut counters = Vec::new();
    for area in &areas {
        let area_id = area["id"].as_str().unwrap_or_default();
        let name = area["name"].as_str().unwrap_or_default();
        let existing = sensors.iter().find(|s| {
            s["areaId"] == area["id"] && s["format"] == "generic" && s["kind"] == "people-counter"
        });
        let device = match existing {
            Some(sensor) => sensor["deviceId"].as_str().unwrap_or_default().to_owned(),
            None => {
                let device: String = format!("sim-{area_id}")
                    .chars()
                    .take(domain::sensors::MAX_DEVICE_ID)
                    .collect();
                let device = device.to_ascii_lowercase();
                api.send(
                    reqwest::Method::POST,
                    "/v1/sensors",
                    Some(&json!({"name": format!("Simulated counter · {name}"), "kind": "people-counter",
                                 "format": "generic", "deviceId": device, "areaId": area_id})),
                )
                .await?;
                device
            }
        };
        counters.push((device, Profile::of(name), name.to_owned()));
    }
    println!(
        "simulating {} rooms of {} over the last {} h, {} simulated minutes a second",
        counters.len(),
        site_doc["name"].as_str().unwrap_or(site),
        simulation.hours,
        simulation.rate
    );
    let now = Utc::now();
    let start = now - chrono::Duration::hours(i64::from(simulation.hours));
    let total_minutes = i64::from(simulation.hours) * 60;
    let mut draws = Draws(
        0x5EED_CAFE_F00D_u64
            ^ site
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    let (mut readings_sent, mut due) = (0usize, 0usize);
    let mut minute = 0;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while minute < total_minutes {
        tick.tick().await;
        let until = (minute + i64::from(simulation.rate)).min(total_minutes);
        let mut batch = Vec::new();
        for m in minute..until {
            let at: DateTime<Utc> = start + chrono::Duration::minutes(m);
            // The readings carry their real times; the use follows a working day from 06:00,
            // so a demo at night or on a Sunday shows a busy morning all the same.
            let hour = ((6 + m / 60) % 24) as u32;
            for (device, profile, _) in &counters {
                let mean = profile.rate(hour);
                let people = draws.people(mean);
                if people > 0 {
                    batch.push(json!({"deviceId": device, "eventId": format!("{device}-{}", at.timestamp()),
                        "at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "count": people,
                        "batteryPercent": 87}));
                }
            }
        }
        for chunk in batch.chunks(domain::sensors::readings::MAX_BATCH) {
            let answer = api
                .send(
                    reqwest::Method::POST,
                    "/v1/ingest/generic",
                    Some(&json!({"readings": chunk})),
                )
                .await?;
            readings_sent += answer["accepted"].as_u64().unwrap_or(0) as usize;
            due += answer["demandCleanings"].as_array().map_or(0, Vec::len);
        }
        minute = until;
        progress(minute, total_minutes, readings_sent, due);
    }
    println!();
    println!(
        "done: {readings_sent} readings, {due} demand cleanings made due; see the cockpit's Sensoren page"
    );
    Ok(())
}

fn progress(minute: i64, total: i64, readings: usize, due: usize) {
    const WIDTH: i64 = 30;
    let filled = (minute * WIDTH / total.max(1)) as usize;
    let day = (6 * 60 + minute) % (24 * 60);
    print!(
        "\r[{}{}] {:>3} % · day {:02}:{:02} · {readings} readings · {due} demand cleanings ",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled),
        minute * 100 / total.max(1),
        day / 60,
        day % 60,
    );
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_used_as_their_names_say() {
        assert_eq!(Profile::of("WC Damen 2. OG"), Profile::Washroom);
        assert_eq!(Profile::of("Besprechungsraum Spree"), Profile::MeetingRoom);
        assert_eq!(Profile::of("Büro 2.14"), Profile::Office);
        assert!(Profile::Washroom.rate(8) > Profile::Washroom.rate(15));
    }

    #[test]
    fn the_draws_count_as_many_people_as_expected_on_average() {
        let mut draws = Draws(42);
        let total: u64 = (0..10_000).map(|_| draws.people(0.9)).sum();
        let mean = total as f64 / 10_000.0;
        assert!((mean - 0.9).abs() < 0.05, "{mean}");
    }
}
