//! The reference tenant: a cleaning company at a realistic size, the one fixture that tests
//! past a page and the benchmarks measure against.
//!
//! [`Scale::FULL`] is 3 sites (the first, an office tower, holds 150 of the 200 areas), 4 area
//! types, 20 cleaners with one weekday tour each, a weekday calendar per site and per room,
//! and a quarter of history: about 60,000 visits (20,000 a month, high-traffic rooms are cleaned several
//! times a day) and one inspection per site and working day. Every entity is parsed as a
//! client's would be, and written straight to the store in commits of 500, so the full tenant
//! takes seconds, not the hours 60,000 check-ins through HTTP would.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use domain::Entity;
use domain::calendars::Calendar;
use domain::planning::Cleaner;
use domain::sites::{Area, AreaType, Site};
use domain::store::{MAX_WRITES, StoreResult, TenantStore, Write};
use domain::tours::{Inspection, Tour, Visit};
use serde_json::{Map, Value, json};

/// How big the tenant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Areas in all; the first site holds three quarters of them.
    pub areas: usize,
    /// Cleaners, each with one tour.
    pub cleaners: usize,
    /// Visits over [`Scale::days`] days of history.
    pub visits: usize,
    /// Days of history.
    pub days: u32,
}

impl Scale {
    /// The reference size: 200 areas, 20 cleaners, a quarter with 60,000 visits.
    pub const FULL: Scale = Scale {
        areas: 200,
        cleaners: 20,
        visits: 60_000,
        days: 91,
    };
    /// The reference tenant with `visits` visits over the month that ends on `last_day`
    /// (tests past one page that need not pay for a quarter).
    pub fn month_with_visits(visits: usize, last_day: NaiveDate) -> Scale {
        Scale {
            visits,
            days: last_day.day(),
            ..Scale::FULL
        }
    }
}

/// The ids of what [`build`] stored.
#[derive(Debug, Clone)]
pub struct ReferenceTenant {
    /// The sites; the first is the big one.
    pub sites: Vec<String>,
    /// Every area, those of the first site first.
    pub areas: Vec<String>,
    /// The cleaners' user ids (`cleaner-00`, ...).
    pub cleaners: Vec<String>,
    /// One tour per cleaner, in the cleaners' order.
    pub tours: Vec<String>,
    /// The days of history, oldest first.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Visits and inspections stored.
    pub visits: usize,
    pub inspections: usize,
}

const SITES: [(&str, f64, f64); 3] = [
    ("Tower", 52.520, 13.400),
    ("Depot", 52.480, 13.350),
    ("Clinic", 52.550, 13.450),
];

/// The site each area belongs to: three quarters in the first, the rest split.
fn site_index(area: usize, areas: usize) -> usize {
    let big = areas * 3 / 4;
    if area < big {
        0
    } else if area < big + (areas - big) / 2 {
        1
    } else {
        2
    }
}

fn parsed<E: Entity>(body: Value) -> Map<String, Value> {
    let entity = E::parse(&body).unwrap_or_else(|e| panic!("a valid reference {}: {e}", E::KIND));
    crate::crud::entity_fields(&entity).expect("serialisable")
}

fn stored<E: Entity + serde::de::DeserializeOwned>(fields: Value) -> Map<String, Value> {
    let entity: E = serde_json::from_value(fields)
        .unwrap_or_else(|e| panic!("a valid reference {}: {e}", E::KIND));
    crate::crud::entity_fields(&entity).expect("serialisable")
}

/// Stores `bodies` (id, body as a client would send it) of one entity kind straight into
/// `store`, as [`build`] does: for tests that need more of one kind than the reference holds.
pub async fn store_parsed<E: Entity>(store: &TenantStore, bodies: Vec<(String, Value)>) {
    let mut progress = |_| {};
    let mut batch = Batch {
        store,
        writes: Vec::new(),
        written: 0,
        progress: &mut progress,
    };
    for (id, body) in bodies {
        batch.entity::<E>(id, body).await;
    }
    batch.flush().await.expect("stored");
}

/// Collects creates and commits them [`MAX_WRITES`] at a time.
struct Batch<'a> {
    store: &'a TenantStore,
    writes: Vec<Write>,
    written: usize,
    progress: &'a mut dyn FnMut(usize),
}

impl Batch<'_> {
    /// Parses `body` as a client's `E` and queues its create.
    async fn entity<E: Entity>(&mut self, id: String, body: Value) {
        self.create(E::COLLECTION, id, parsed::<E>(body)).await;
    }
    async fn create(&mut self, collection: &'static str, id: String, fields: Map<String, Value>) {
        self.writes.push(Write::Create {
            collection,
            id,
            fields,
        });
        if self.writes.len() == MAX_WRITES {
            self.flush().await.expect("the reference tenant is stored");
        }
    }
    async fn flush(&mut self) -> StoreResult<()> {
        if self.writes.is_empty() {
            return Ok(());
        }
        let writes = std::mem::take(&mut self.writes);
        self.written += writes.len();
        self.store.commit(writes, Utc::now()).await?;
        (self.progress)(self.written);
        Ok(())
    }
}

fn weekdays(from: &str, to: &str) -> Value {
    ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "from": from, "to": to}))
        .collect()
}

/// Stores the reference tenant at `scale` in `store`, its history ending on `last_day`.
/// `progress` hears the number of documents written after each commit.
pub async fn build(
    store: &TenantStore,
    scale: Scale,
    last_day: NaiveDate,
    progress: &mut dyn FnMut(usize),
) -> ReferenceTenant {
    let mut batch = Batch {
        store,
        writes: Vec::new(),
        written: 0,
        progress,
    };
    let sites: Vec<String> = (0..SITES.len()).map(|i| format!("site-{i}")).collect();
    for ((name, lat, lng), id) in SITES.iter().zip(&sites) {
        let customer = format!("customer-{id}");
        let customer_body = super::customer_json(&customer, &format!("{name} AG"));
        batch
            .entity::<domain::billing::Customer>(customer.clone(), customer_body)
            .await;
        let mut body = super::site_json(name, *lat, *lng);
        body["customerId"] = json!(customer);
        body["accessHours"] = weekdays("05:00", "21:00");
        batch.entity::<Site>(id.clone(), body).await;
        let calendar = json!({
            "siteId": id, "name": "Weekdays", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "startDate": "2026-01-01", "window": {"earliest": "06:00", "latest": "20:00"}
        });
        let calendar_id = format!("calendar-{id}");
        batch.entity::<Calendar>(calendar_id, calendar).await;
    }
    let types = [
        ("Office", 180),
        ("Sanitary", 60),
        ("Corridor", 400),
        ("Kitchen", 120),
    ];
    for (i, (name, rate)) in types.iter().enumerate() {
        let body = json!({"name": name, "performanceSqmPerHour": rate, "cleaningsPerWeek": 5});
        batch.entity::<AreaType>(format!("type-{i}"), body).await;
    }
    let areas: Vec<String> = (0..scale.areas).map(|i| format!("area-{i:03}")).collect();
    for (i, id) in areas.iter().enumerate() {
        let body = json!({
            "siteId": sites[site_index(i, scale.areas)], "name": format!("Room {i:03}"),
            "floor": i / 20, "sizeSqm": 20 + (i * 7) % 80, "areaTypeId": format!("type-{}", i % 4)
        });
        batch.entity::<Area>(id.clone(), body).await;
        // Each room has its own calendar, as rooms with their own hours do.
        let calendar = json!({
            "siteId": sites[site_index(i, scale.areas)], "areaId": id,
            "name": format!("Room {i:03}"), "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "startDate": "2026-01-01", "window": {"earliest": "06:00", "latest": "20:00"}
        });
        batch
            .entity::<Calendar>(format!("calendar-{id}"), calendar)
            .await;
    }
    let cleaners: Vec<String> = (0..scale.cleaners)
        .map(|i| format!("cleaner-{i:02}"))
        .collect();
    let tours: Vec<String> = (0..scale.cleaners)
        .map(|i| format!("tour-{i:02}"))
        .collect();
    for (i, (cleaner, tour)) in cleaners.iter().zip(&tours).enumerate() {
        let body = json!({
            "userId": cleaner, "name": format!("Cleaner {i:02}"),
            "home": {"lat": 52.5 + i as f64 / 1000.0, "lng": 13.4},
            "shifts": weekdays("06:00", "14:00"), "maxMinutesPerDay": 420
        });
        batch.entity::<Cleaner>(cleaner.clone(), body).await;
        let own: Vec<&String> = areas.iter().skip(i).step_by(scale.cleaners).collect();
        let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(|d| json!({"day": d, "areaIds": own}))
            .collect();
        let body = json!({
            "name": format!("Tour {i:02}"), "cleanerId": cleaner, "startTime": "06:00",
            "maxMinutesPerDay": 480, "days": days
        });
        batch.entity::<Tour>(tour.clone(), body).await;
    }
    let first_day = last_day - Duration::days(i64::from(scale.days) - 1);
    let working_days: Vec<NaiveDate> = first_day
        .iter_days()
        .take_while(|d| *d <= last_day)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let per_day = scale.visits.div_ceil(working_days.len().max(1));
    let mut visits = 0;
    'days: for (d, day) in working_days.iter().enumerate() {
        // 06:00 UTC is 07:00 or 08:00 in Berlin: the same local day.
        let start = Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).expect("a time"));
        for slot in 0..per_day {
            if visits == scale.visits {
                break 'days;
            }
            let area = slot % scale.areas;
            let round = slot / scale.areas;
            let cleaner = area % scale.cleaners;
            let at = start + Duration::minutes((round * 45 + area % 30) as i64);
            let fields = json!({
                "areaId": areas[area], "siteId": sites[site_index(area, scale.areas)],
                "cleanerId": cleaners[cleaner], "tourId": tours[cleaner],
                "checkedInAt": at, "localDate": day, "checkedOutAt": at + Duration::minutes(12),
                "durationMinutes": 12.0, "status": "done", "flags": []
            });
            batch
                .create(
                    Visit::COLLECTION,
                    format!("visit-{d:03}-{slot:04}"),
                    stored::<Visit>(fields),
                )
                .await;
            visits += 1;
        }
    }
    let mut inspections = 0;
    for day in &working_days {
        for (s, site) in sites.iter().enumerate() {
            let inspected: Vec<Value> = (0..scale.areas)
                .filter(|a| site_index(*a, scale.areas) == s)
                .take(10)
                .map(|a| json!({"areaId": areas[a], "appaLevel": 1 + (a + day.day() as usize) % 3}))
                .collect();
            let body = json!({"siteId": site, "date": day, "areas": inspected});
            let mut fields = parsed::<Inspection>(body);
            fields.insert("inspectorId".into(), json!("inspector"));
            batch
                .create(
                    Inspection::COLLECTION,
                    format!("inspection-{day}-{s}"),
                    fields,
                )
                .await;
            inspections += 1;
        }
    }
    batch.flush().await.expect("the reference tenant is stored");
    ReferenceTenant {
        sites,
        areas,
        cleaners,
        tours,
        first_day,
        last_day,
        visits,
        inspections,
    }
}
