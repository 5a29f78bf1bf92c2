//! IoT sensors and demand-based cleaning: rooms are cleaned when and where they were used,
//! not by a fixed rhythm (soobr's idea, as its help pages describe it).
//!
//! - A **sensor** is registered per tenant: its kind (people or door counter, presence, desk
//!   occupancy, fill level, feedback button, air quality), the vendor format its readings
//!   arrive in, the vendor's device id, and the area it is bound to.
//! - An area's **demand rule** (its area type's, or its own) says whether it is cleaned by its
//!   calendars (`fixed`), when its events since the last cleaning reach a limit (`demand`), or
//!   by the limit with a fallback after 1.5 times its regular interval
//!   (`demand-with-fallback`). A fill level under its threshold and a "needs cleaning" button
//!   make a cleaning due whatever the mode.
//! - A **demand cleaning** is one such cleaning made due: at most one per area and cycle (the
//!   time between two cleanings), whoever delivers the reading how often.
//!
//! # Layout
//! - this file: the sensor registry entity, demand rules, demand cleanings;
//! - [`readings`]: vendor payloads (generic JSON, The Things Network v3, Disruptive
//!   Technologies, Milesight) read into readings, every bad field named;
//! - [`demand`]: what readings do: 15-minute slots and daily totals per sensor, the area's
//!   count since its last cleaning, and the trigger it crosses;
//! - [`savings`]: the monthly savings report.

pub mod demand;
pub mod readings;
pub mod savings;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Entity;
use crate::sites::{AreaId, SiteId};
use crate::tours::VisitId;
use crate::validation::{Fields, ValidationErrors, parse_enum};

/// What a sensor measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SensorKind {
    /// People passing (in), counted by the sensor: each is an event.
    PeopleCounter,
    /// Door openings: each is an event.
    DoorCounter,
    /// Someone in the room: each 15-minute slot with presence is one event.
    Presence,
    /// A desk in use: each 15-minute slot occupied is one event.
    DeskOccupancy,
    /// How full a dispenser or bin is, in percent: the latest reading counts (it overwrites).
    FillLevel,
    /// A button people press: "needs cleaning" (cleaning due now), happy, unhappy.
    FeedbackButton,
    /// CO2 in ppm: shown, never a trigger.
    AirQuality,
}

impl SensorKind {
    pub const NAMES: [&'static str; 7] = [
        "people-counter",
        "door-counter",
        "presence",
        "desk-occupancy",
        "fill-level",
        "feedback-button",
        "air-quality",
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &Self::NAMES)
    }

    /// How long the sensor may stay silent before it is flagged: counters and presence
    /// sensors report at least hourly, level sensors and buttons send a daily heartbeat.
    pub fn heartbeat(self) -> Duration {
        match self {
            Self::PeopleCounter | Self::DoorCounter | Self::Presence | Self::DeskOccupancy => {
                Duration::hours(2)
            }
            Self::AirQuality => Duration::hours(1),
            Self::FillLevel | Self::FeedbackButton => Duration::hours(26),
        }
    }
}

/// The payload format a sensor's readings arrive in (`POST /v1/ingest/{format}`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SensorFormat {
    /// cleanops' own JSON batch.
    Generic,
    /// The Things Network v3 uplink webhooks.
    Ttn,
    /// Disruptive Technologies data connectors.
    Dt,
    /// Milesight's platform webhooks (people counters).
    Milesight,
}

impl SensorFormat {
    pub const NAMES: [&'static str; 4] = ["generic", "ttn", "dt", "milesight"];

    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &Self::NAMES)
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// What a fill-level sensor watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Supply {
    Soap,
    Paper,
    Bin,
}

/// The longest vendor device id we take: the sensor's id is `{format}-{deviceId}`.
pub const MAX_DEVICE_ID: usize = 50;

/// A vendor's device id: 1 to 50 letters, digits, `-` or `_`, compared in lower case (a
/// LoRaWAN EUI arrives in either case).
pub fn parse_device_id(raw: &str) -> Result<String, String> {
    let ok = (1..=MAX_DEVICE_ID).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(format!(
            "must be a device id: 1 to {MAX_DEVICE_ID} letters, digits, '-' or '_'"
        ))
    }
}

/// A sensor in a tenant's registry. Stored under `{format}-{deviceId}`, so a device is
/// registered once per tenant (the store's commit refuses a second) and a reading finds its
/// sensor with one read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sensor {
    pub name: String,
    pub kind: SensorKind,
    pub format: SensorFormat,
    /// The vendor's id of the device (TTN's `device_id`, DT's device id, Milesight's devEUI).
    pub device_id: String,
    pub area_id: AreaId,
    /// The area's site (set by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    /// For a fill-level sensor: what it watches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply: Option<Supply>,
    /// The battery as last reported, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub battery_percent: Option<f64>,
    /// When a reading last arrived (kept to within [`LAST_SEEN_EVERY`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// How often a sensor's `lastSeenAt` is written: a sensor reporting every minute costs its
/// record one write in ten minutes, not one a minute.
pub const LAST_SEEN_EVERY: Duration = Duration::minutes(10);

impl Sensor {
    /// The document id of a device's sensor.
    pub fn id_of(format: SensorFormat, device_id: &str) -> String {
        format!("{}-{device_id}", format.as_str())
    }

    /// Whether the sensor has been silent longer than its kind's heartbeat (a sensor never
    /// heard from counts from when it was registered).
    pub fn silent(&self, registered: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let last = self.last_seen_at.unwrap_or(registered);
        now - last > self.kind.heartbeat() + LAST_SEEN_EVERY
    }
}

impl Entity for Sensor {
    const COLLECTION: &'static str = "sensors";
    const KIND: &'static str = "sensor";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "siteId",
        "batteryPercent",
        "lastSeenAt",
        "silent",
    ];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_str("name", 1..=100);
        let kind = f.required_parsed("kind", SensorKind::parse);
        let format = f.required_parsed("format", SensorFormat::parse);
        let device_id = f.required_parsed("deviceId", parse_device_id);
        let area_id = f.required_parsed("areaId", AreaId::parse);
        let supply = f.optional_parsed("supply", |raw| {
            parse_enum::<Supply>(raw, &["soap", "paper", "bin"])
        });
        if supply.is_some() && kind.is_some_and(|k| k != SensorKind::FillLevel) {
            f.error("supply", "is for fill-level sensors only");
        }
        f.finish(|| {
            Some(Sensor {
                name: name?,
                kind: kind?,
                format: format?,
                device_id: device_id?,
                area_id: area_id?,
                site_id: None,
                supply,
                battery_percent: None,
                last_seen_at: None,
            })
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Demand rules

/// How an area's cleanings are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DemandMode {
    /// By its calendars, as without sensors.
    #[default]
    Fixed,
    /// When its events since the last cleaning reach the limit; a scheduled cleaning under
    /// the limit is not needed.
    Demand,
    /// As `demand`, and at the latest after the fallback time (by default 1.5 times the
    /// regular interval) even without use.
    DemandWithFallback,
}

impl DemandMode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["fixed", "demand", "demand-with-fallback"])
    }

    /// Whether scheduled cleanings give way to demand.
    pub fn by_demand(self) -> bool {
        self != Self::Fixed
    }
}

/// The default fallback: 1.5 times the regular interval.
pub const DEFAULT_FALLBACK_FACTOR: f64 = 1.5;
/// The default fill level under which a refill is due, in percent.
pub const DEFAULT_LEVEL_THRESHOLD: f64 = 20.0;

/// An area type's (or one area's) demand rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DemandRule {
    pub mode: DemandMode,
    /// Events since the last cleaning that make a cleaning due (required unless `fixed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The fallback time as a multiple of the regular interval. Default 1.5.
    #[schema(required = false)]
    pub fallback_factor: f64,
    /// A fill level under this (percent) makes a refill due. Default 20.
    #[schema(required = false)]
    pub level_threshold_percent: f64,
}

impl Default for DemandRule {
    fn default() -> Self {
        Self {
            mode: DemandMode::Fixed,
            limit: None,
            fallback_factor: DEFAULT_FALLBACK_FACTOR,
            level_threshold_percent: DEFAULT_LEVEL_THRESHOLD,
        }
    }
}

impl DemandRule {
    /// Reads a rule object (`demand` of an area type or an area).
    pub fn read(f: &mut Fields<'_>) -> Option<Self> {
        let mode = f.required_parsed("mode", DemandMode::parse);
        let limit = f.optional_i64("limit", 1..=1_000_000);
        let factor = f.optional_f64("fallbackFactor", 1.0..=10.0);
        let threshold = f.optional_f64("levelThresholdPercent", 0.0..=100.0);
        if mode.is_some_and(DemandMode::by_demand) && limit.is_none() && !f.has("limit") {
            f.error("limit", "is required when cleaning by demand");
        }
        Some(Self {
            mode: mode?,
            limit: limit.map(|l| l as u64),
            fallback_factor: factor.unwrap_or(DEFAULT_FALLBACK_FACTOR),
            level_threshold_percent: threshold.unwrap_or(DEFAULT_LEVEL_THRESHOLD),
        })
    }

    /// The rule an area follows: its own, else its type's, else fixed.
    pub fn of(area: Option<&DemandRule>, area_type: Option<&DemandRule>) -> DemandRule {
        area.or(area_type).copied().unwrap_or_default()
    }

    /// The working days (weekends left out, as the frequency counts them) after the last
    /// cleaning when the fallback makes one due, for an area cleaned `cleanings_per_week`
    /// times a five-day week; none without a fallback.
    pub fn fallback_working_days(&self, cleanings_per_week: f64) -> Option<f64> {
        if self.mode != DemandMode::DemandWithFallback || cleanings_per_week <= 0.0 {
            return None;
        }
        Some(5.0 / cleanings_per_week * self.fallback_factor)
    }
}

/// `start` plus `days` of working time: Saturdays and Sundays do not pass.
pub fn add_working_days(start: NaiveDateTime, days: f64) -> NaiveDateTime {
    let mut at = start;
    let mut left = Duration::minutes((days * 24.0 * 60.0).round() as i64);
    loop {
        let midnight = (at.date() + Duration::days(1)).and_time(NaiveTime::MIN);
        if matches!(
            at.date().weekday(),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ) {
            at = midnight;
            continue;
        }
        if left <= midnight - at {
            return at + left;
        }
        left -= midnight - at;
        at = midnight;
    }
}

// ---------------------------------------------------------------------------------------------
// Demand cleanings

/// What made a demand cleaning due.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DemandTrigger {
    /// The events since the last cleaning reached the limit.
    Limit,
    /// The fallback time passed.
    Fallback,
    /// A fill level fell under its threshold.
    Level,
    /// Someone pressed "needs cleaning".
    Button,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DemandStatus {
    /// Due, not yet cleaned.
    Open,
    /// Cleaned: a visit at the area closed it.
    Done,
}

/// A cleaning made due by sensors. Its id is the area's and the cycle's (see
/// [`demand::AreaDemand::cycle`]), so one cycle makes one, however often its trigger is
/// delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DemandCleaning {
    pub area_id: AreaId,
    pub site_id: SiteId,
    pub trigger: DemandTrigger,
    pub triggered_at: DateTime<Utc>,
    /// The day it became due, in the site's time zone.
    pub local_date: NaiveDate,
    /// The earliest the site may be entered for it (its access hours); the trigger's time
    /// when they allow it.
    pub due_from: DateTime<Utc>,
    /// Events counted since the last cleaning when it triggered.
    pub events: u64,
    /// The limit it was measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The sensor whose reading triggered it (none for the fallback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_id: Option<String>,
    pub status: DemandStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<VisitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    /// The day it was cleaned, in the site's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_date: Option<NaiveDate>,
}

impl DemandCleaning {
    /// Whether it was due on `date`: made due then or before, and not cleaned before it.
    pub fn due_on(&self, date: NaiveDate) -> bool {
        self.local_date <= date && self.done_date.is_none_or(|done| done >= date)
    }
}

impl Entity for DemandCleaning {
    const COLLECTION: &'static str = "demandCleanings";
    const KIND: &'static str = "demand cleaning";

    /// Demand cleanings are made by readings and the fallback, never written by a client.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "demand cleanings are made by sensor readings and the fallback",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sensor_parses_and_names_bad_fields() {
        let sensor = Sensor::parse(&json!({
            "name": "Lobby entrance", "kind": "people-counter", "format": "ttn",
            "deviceId": "EUI-70B3D57ED0051234", "areaId": "a1"
        }))
        .unwrap();
        assert_eq!(
            sensor.device_id, "eui-70b3d57ed0051234",
            "compared in lower case"
        );
        assert_eq!(
            Sensor::id_of(sensor.format, &sensor.device_id),
            "ttn-eui-70b3d57ed0051234"
        );
        let err = Sensor::parse(&json!({
            "name": "x", "kind": "thermometer", "format": "lorawan", "deviceId": "a b",
            "areaId": "a1", "supply": "soap"
        }))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "format", "deviceId"]);
    }

    #[test]
    fn a_demand_rule_needs_a_limit_and_defaults_its_fallback() {
        let body = json!({"demand": {"mode": "demand-with-fallback", "limit": 40}});
        let mut f = Fields::new(&body, &[]).unwrap();
        let rule = f.required_object("demand", DemandRule::read);
        let rule = f.finish(|| rule).unwrap();
        assert_eq!(rule.fallback_factor, 1.5);
        // Twice a five-day week: every 2.5 working days, so the fallback after 3.75.
        assert_eq!(rule.fallback_working_days(2.0), Some(3.75));
        let body = json!({"demand": {"mode": "demand"}});
        let mut f = Fields::new(&body, &[]).unwrap();
        let rule = f.required_object("demand", DemandRule::read);
        let err = f.finish(|| rule).unwrap_err();
        assert_eq!(err.0[0].field, "demand.limit");
    }

    #[test]
    fn working_time_skips_the_weekend() {
        let friday_evening: NaiveDateTime = "2026-12-04T18:00:00".parse().unwrap();
        // Six hours of Friday, then Monday, then six hours of Tuesday.
        assert_eq!(
            add_working_days(friday_evening, 1.5).to_string(),
            "2026-12-08 06:00:00"
        );
        let saturday: NaiveDateTime = "2026-12-05T10:00:00".parse().unwrap();
        assert_eq!(
            add_working_days(saturday, 0.5).to_string(),
            "2026-12-07 12:00:00"
        );
    }

    #[test]
    fn a_sensor_is_silent_after_its_heartbeat() {
        let registered: DateTime<Utc> = "2026-12-07T06:00:00Z".parse().unwrap();
        let mut sensor = Sensor::parse(&json!({
            "name": "x", "kind": "people-counter", "format": "generic", "deviceId": "d1",
            "areaId": "a1"
        }))
        .unwrap();
        assert!(!sensor.silent(registered, registered + Duration::hours(2)));
        assert!(sensor.silent(registered, registered + Duration::hours(3)));
        sensor.last_seen_at = Some(registered + Duration::hours(2));
        assert!(!sensor.silent(registered, registered + Duration::hours(3)));
    }
}
