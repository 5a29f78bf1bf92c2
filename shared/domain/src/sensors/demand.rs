//! What readings do: each sensor's 15-minute slot and daily total take them in, the area's
//! count since its last cleaning grows, and a trigger may make a cleaning due.
//!
//! Where readings land decides what the store can sustain (Firestore takes about one write a
//! second per document). Every reading is written to documents of its own sensor (its slot
//! and its day) and of its own area: a sensor reporting once a minute writes each of them once
//! a minute, whatever the fleet's size, and no document is shared by the tenant's sensors.
//! The slot also holds the keys of the readings it took, so a redelivered reading is found in
//! the document the commit writes, and the version precondition makes two deliveries racing
//! each other count once.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound as _, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::readings::{Feedback, Measurement};
use super::{DemandRule, DemandTrigger, add_working_days};
use chrono::TimeZone as _;
use chrono_tz::Tz;

/// A slot's length: presence is counted once per slot.
pub const SLOT_MINUTES: i64 = 15;
/// The most readings a sensor's slot takes (one every two seconds); more is refused, so no
/// slot document grows without bound.
pub const MAX_READINGS_PER_SLOT: usize = 450;

/// The start of the slot `at` falls in.
pub fn slot_start(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::minutes(SLOT_MINUTES))
        .unwrap_or(at)
}

/// Presses of a feedback button.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Presses {
    pub needs_cleaning: u64,
    pub happy: u64,
    pub unhappy: u64,
}

/// One sensor's readings in one 15-minute slot (`sensorSlots`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorSlot {
    pub sensor_id: String,
    pub area_id: String,
    pub site_id: String,
    pub start: DateTime<Utc>,
    /// The slot's day in the site's time zone.
    pub local_date: NaiveDate,
    /// Events the slot added to its area.
    pub events: u64,
    pub readings: u64,
    /// Whether presence was seen in the slot.
    #[serde(default)]
    pub occupied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co2_max: Option<f64>,
    #[serde(default)]
    pub presses: Presses,
    /// The keys of the readings taken: a redelivery finds its key here and counts nothing.
    #[serde(default)]
    pub keys: Vec<String>,
}

impl SensorSlot {
    pub const COLLECTION: &'static str = "sensorSlots";

    pub fn new(sensor: &Where, start: DateTime<Utc>, local_date: NaiveDate) -> Self {
        Self {
            sensor_id: sensor.sensor_id.clone(),
            area_id: sensor.area_id.clone(),
            site_id: sensor.site_id.clone(),
            start,
            local_date,
            events: 0,
            readings: 0,
            occupied: false,
            level_percent: None,
            co2_max: None,
            presses: Presses::default(),
            keys: Vec::new(),
        }
    }
}

/// One sensor's day (`sensorDays`), in the site's time zone: what nightly limit suggestions,
/// the week builder's expected demand and the charts read, instead of 96 slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorDay {
    pub sensor_id: String,
    pub area_id: String,
    pub site_id: String,
    pub date: NaiveDate,
    pub events: u64,
    pub readings: u64,
}

impl SensorDay {
    pub const COLLECTION: &'static str = "sensorDays";

    pub fn new(sensor: &Where, date: NaiveDate) -> Self {
        Self {
            sensor_id: sensor.sensor_id.clone(),
            area_id: sensor.area_id.clone(),
            site_id: sensor.site_id.clone(),
            date,
            events: 0,
            readings: 0,
        }
    }
}

/// Where a sensor's readings go: the sensor, its area and the area's site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Where {
    pub sensor_id: String,
    pub area_id: String,
    pub site_id: String,
}

/// An area's demand since its last cleaning (`areaDemand`, under the area's id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaDemand {
    pub area_id: String,
    pub site_id: String,
    /// Counts the area's cleanings since sensors watch it; names the one demand cleaning the
    /// time until the next cleaning may make.
    pub cycle: u64,
    /// The last cleaning (or when sensors started to watch the area): the fallback counts
    /// from it.
    pub since: DateTime<Utc>,
    /// The last cleaning seen: readings from before it are history, not new use. None until
    /// one is seen (readings of a new area count however late they arrive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaned_at: Option<DateTime<Utc>>,
    /// Events since then.
    pub events: u64,
    /// Each fill-level sensor's latest level, in percent.
    #[serde(default)]
    pub levels: BTreeMap<String, f64>,
    /// Each running-total counter's latest total (its increase is what counts).
    #[serde(default)]
    pub totals: BTreeMap<String, u64>,
    /// The demand cleaning this cycle made, if it made one. Written as null when there is
    /// none, so a cleared value is cleared in every store (a field left out of a replace is
    /// not removed by every Firestore emulator).
    #[serde(default)]
    pub open: Option<String>,
    /// When the fallback makes a cleaning due (RFC 3339 in UTC, so it orders as text): what
    /// the sweep looks up. None (null) without a fallback, or while a cleaning is open.
    #[serde(default)]
    pub fallback_due_at: Option<String>,
    /// The nightly suggestion: the limit the last 21 days' daily average gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

/// A limit suggested from the area's last 21 days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// The night it was computed (the site's date).
    pub date: NaiveDate,
    /// Events per day, on average over the days counted.
    pub daily_average: f64,
    /// Days with readings among the 21.
    pub days: u32,
    /// The average times the area's regular interval: the limit that keeps its frequency at
    /// usual use.
    pub limit: u64,
}

/// Formats a time the way `fallbackDueAt` is stored and queried.
pub fn due_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl crate::Entity for AreaDemand {
    const COLLECTION: &'static str = "areaDemand";
    const KIND: &'static str = "area demand";

    /// Kept by readings, cleanings and the nightly suggestion, never written by a client.
    fn parse(_body: &serde_json::Value) -> Result<Self, crate::ValidationErrors> {
        Err(crate::ValidationErrors::single(
            "",
            "an area's demand is kept by its sensors' readings and its cleanings",
        ))
    }
}

impl AreaDemand {
    /// An area sensors start to watch at `since`.
    pub fn new(area_id: &str, site_id: &str, since: DateTime<Utc>) -> Self {
        Self {
            area_id: area_id.to_owned(),
            site_id: site_id.to_owned(),
            cycle: 0,
            since,
            cleaned_at: None,
            events: 0,
            levels: BTreeMap::new(),
            totals: BTreeMap::new(),
            open: None,
            fallback_due_at: None,
            suggestion: None,
        }
    }

    /// The area was cleaned at `at`: a new cycle starts (a visit older than the last
    /// cleaning changes nothing).
    pub fn cleaned(&mut self, at: DateTime<Utc>) -> bool {
        if self.cleaned_at.is_some_and(|last| at <= last) {
            return false;
        }
        self.cycle += 1;
        self.since = at;
        self.cleaned_at = Some(at);
        self.events = 0;
        self.open = None;
        true
    }

    /// Sets when the fallback falls due under `rule` for an area cleaned
    /// `cleanings_per_week` times by its frequency, counting working time in the site's
    /// zone `tz`.
    pub fn plan_fallback(&mut self, rule: &DemandRule, cleanings_per_week: f64, tz: Tz) {
        self.fallback_due_at = match (&self.open, rule.fallback_working_days(cleanings_per_week)) {
            (None, Some(days)) => {
                let local = add_working_days(self.since.with_timezone(&tz).naive_local(), days);
                let due = tz
                    .from_local_datetime(&local)
                    .earliest()
                    .map_or(self.since, |d| d.with_timezone(&Utc));
                Some(due_text(due))
            }
            _ => None,
        };
    }

    /// Whether the fallback is due at `now`.
    pub fn fallback_due(&self, now: DateTime<Utc>) -> bool {
        self.open.is_none()
            && self
                .fallback_due_at
                .as_deref()
                .is_some_and(|due| due <= due_text(now).as_str())
    }
}

/// A reading as [`absorb`] takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub key: String,
    pub at: DateTime<Utc>,
    pub measurement: Measurement,
}

/// What one slot's readings did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Absorbed {
    /// Readings not seen before.
    pub fresh: usize,
    /// What made a cleaning due, if anything did (and none was yet this cycle).
    pub trigger: Option<DemandTrigger>,
}

/// The slot is full: the sensor sends more often than a slot takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sensor's 15-minute slot takes at most {MAX_READINGS_PER_SLOT} readings")]
pub struct SlotFull;

/// Takes `readings` (all in `slot`) of sensor `sensor_id` into its slot, its day and its
/// area, under the area's `rule`.
pub fn absorb(
    sensor_id: &str,
    readings: &[Taken],
    rule: &DemandRule,
    slot: &mut SensorSlot,
    day: &mut SensorDay,
    area: &mut AreaDemand,
) -> Result<Absorbed, SlotFull> {
    let mut absorbed = Absorbed::default();
    let mut pressed = false;
    let mut low = false;
    for reading in readings {
        if slot.keys.contains(&reading.key) {
            continue;
        }
        if slot.keys.len() >= MAX_READINGS_PER_SLOT {
            return Err(SlotFull);
        }
        slot.keys.push(reading.key.clone());
        slot.readings += 1;
        day.readings += 1;
        absorbed.fresh += 1;
        let events = match reading.measurement {
            Measurement::Count(n) => n,
            Measurement::Total(total) => {
                let before = area.totals.insert(sensor_id.to_owned(), total);
                match before {
                    Some(before) if total >= before => total - before,
                    // The device restarted its count.
                    Some(_) => total,
                    // The first total only sets where counting starts.
                    None => 0,
                }
            }
            Measurement::Occupied(true) if !slot.occupied => {
                slot.occupied = true;
                1
            }
            Measurement::Occupied(_) => 0,
            Measurement::Level(percent) => {
                slot.level_percent = Some(percent);
                area.levels.insert(sensor_id.to_owned(), percent);
                low |= percent < rule.level_threshold_percent;
                0
            }
            Measurement::Feedback(feedback) => {
                match feedback {
                    Feedback::NeedsCleaning => {
                        slot.presses.needs_cleaning += 1;
                        pressed = true;
                    }
                    Feedback::Happy => slot.presses.happy += 1,
                    Feedback::Unhappy => slot.presses.unhappy += 1,
                }
                0
            }
            Measurement::Co2(ppm) => {
                slot.co2_max = Some(slot.co2_max.map_or(ppm, |m| m.max(ppm)));
                0
            }
            Measurement::Heartbeat => 0,
        };
        slot.events += events;
        day.events += events;
        // A late reading from before the last cleaning is history, not new use.
        if area.cleaned_at.is_none_or(|cleaned| reading.at >= cleaned) {
            area.events += events;
        }
    }
    if area.open.is_none() {
        let reached = rule.mode.by_demand() && rule.limit.is_some_and(|l| area.events >= l);
        absorbed.trigger = if pressed {
            Some(DemandTrigger::Button)
        } else if low {
            Some(DemandTrigger::Level)
        } else if reached {
            Some(DemandTrigger::Limit)
        } else {
            None
        };
    }
    Ok(absorbed)
}

/// The limit the last days' events suggest for an area cleaned `cleanings_per_week` times a
/// week: the daily average over `days_counted` days (days without readings count as days
/// without use only when the sensor reported on them) times the regular interval in days.
pub fn suggest(
    date: NaiveDate,
    daily_events: &[u64],
    days_counted: u32,
    cleanings_per_week: f64,
) -> Option<Suggestion> {
    if days_counted == 0 || cleanings_per_week <= 0.0 {
        return None;
    }
    let total: u64 = daily_events.iter().sum();
    let daily_average = total as f64 / f64::from(days_counted);
    let interval_days = 7.0 / cleanings_per_week;
    Some(Suggestion {
        date,
        daily_average: crate::number::round2(daily_average),
        days: days_counted,
        limit: ((daily_average * interval_days).round() as u64).max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::DemandMode;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap()
    }

    fn place() -> Where {
        Where {
            sensor_id: "s1".into(),
            area_id: "a1".into(),
            site_id: "site".into(),
        }
    }

    fn rule(limit: u64) -> DemandRule {
        DemandRule {
            mode: DemandMode::Demand,
            limit: Some(limit),
            ..DemandRule::default()
        }
    }

    fn taken(key: &str, time: &str, measurement: Measurement) -> Taken {
        Taken {
            key: key.into(),
            at: at(time),
            measurement,
        }
    }

    struct Docs {
        slot: SensorSlot,
        day: SensorDay,
        area: AreaDemand,
    }

    fn docs() -> Docs {
        let start = at("2026-12-07T08:00:00Z");
        Docs {
            slot: SensorSlot::new(&place(), start, start.date_naive()),
            day: SensorDay::new(&place(), start.date_naive()),
            area: AreaDemand::new("a1", "site", at("2026-12-06T20:00:00Z")),
        }
    }

    fn run(d: &mut Docs, rule: &DemandRule, readings: &[Taken]) -> Absorbed {
        absorb("s1", readings, rule, &mut d.slot, &mut d.day, &mut d.area).unwrap()
    }

    #[test]
    fn slots_are_quarter_hours() {
        assert_eq!(
            slot_start(at("2026-12-07T08:14:59Z")),
            at("2026-12-07T08:00:00Z")
        );
        assert_eq!(
            slot_start(at("2026-12-07T08:15:00Z")),
            at("2026-12-07T08:15:00Z")
        );
    }

    #[test]
    fn a_redelivered_reading_counts_once() {
        let mut d = docs();
        let reading = taken("f7", "2026-12-07T08:01:00Z", Measurement::Count(5));
        assert_eq!(
            run(&mut d, &rule(100), std::slice::from_ref(&reading)).fresh,
            1
        );
        assert_eq!(run(&mut d, &rule(100), &[reading]).fresh, 0);
        assert_eq!((d.slot.events, d.day.events, d.area.events), (5, 5, 5));
    }

    #[test]
    fn reaching_the_limit_triggers_once_per_cycle() {
        let mut d = docs();
        let first = run(
            &mut d,
            &rule(10),
            &[taken("1", "2026-12-07T08:01:00Z", Measurement::Count(9))],
        );
        assert_eq!(first.trigger, None);
        let second = run(
            &mut d,
            &rule(10),
            &[taken("2", "2026-12-07T08:02:00Z", Measurement::Count(1))],
        );
        assert_eq!(second.trigger, Some(DemandTrigger::Limit));
        d.area.open = Some("dc1".into());
        let third = run(
            &mut d,
            &rule(10),
            &[taken("3", "2026-12-07T08:03:00Z", Measurement::Count(4))],
        );
        assert_eq!(third.trigger, None, "one demand cleaning per cycle");
        assert!(d.area.cleaned(at("2026-12-07T09:00:00Z")));
        assert_eq!(
            (d.area.cycle, d.area.events, d.area.open.clone()),
            (1, 0, None)
        );
    }

    #[test]
    fn presence_counts_one_event_per_slot() {
        let mut d = docs();
        let occupied = |k: &str, t: &str| taken(k, t, Measurement::Occupied(true));
        run(
            &mut d,
            &rule(100),
            &[
                occupied("1", "2026-12-07T08:01:00Z"),
                occupied("2", "2026-12-07T08:05:00Z"),
                taken("3", "2026-12-07T08:09:00Z", Measurement::Occupied(false)),
            ],
        );
        assert_eq!(d.area.events, 1);
    }

    #[test]
    fn running_totals_count_their_increase() {
        let mut d = docs();
        let total = |k: &str, n: u64| taken(k, "2026-12-07T08:01:00Z", Measurement::Total(n));
        run(&mut d, &rule(100), &[total("1", 4176), total("2", 4180)]);
        assert_eq!(d.area.events, 4, "the first total sets the start");
        run(&mut d, &rule(100), &[total("3", 3)]);
        assert_eq!(d.area.events, 7, "a restarted device counts from zero");
    }

    #[test]
    fn a_low_level_or_a_press_triggers_in_any_mode() {
        let fixed = DemandRule::default();
        let mut d = docs();
        let low = run(
            &mut d,
            &fixed,
            &[taken("1", "2026-12-07T08:01:00Z", Measurement::Level(15.0))],
        );
        assert_eq!(low.trigger, Some(DemandTrigger::Level));
        let mut d = docs();
        let pressed = run(
            &mut d,
            &fixed,
            &[taken(
                "1",
                "2026-12-07T08:01:00Z",
                Measurement::Feedback(Feedback::NeedsCleaning),
            )],
        );
        assert_eq!(pressed.trigger, Some(DemandTrigger::Button));
        let many = run(
            &mut d,
            &fixed,
            &[taken("2", "2026-12-07T08:02:00Z", Measurement::Count(1000))],
        );
        assert_eq!(many.trigger, None, "a fixed area has no limit");
    }

    #[test]
    fn readings_from_before_the_last_cleaning_do_not_count_towards_the_next() {
        let mut d = docs();
        d.area.cleaned("2026-12-06T20:00:00Z".parse().unwrap());
        run(
            &mut d,
            &rule(100),
            &[taken("1", "2026-12-06T19:00:00Z", Measurement::Count(7))],
        );
        assert_eq!((d.day.events, d.area.events), (7, 0));
    }

    #[test]
    fn the_fallback_falls_due_after_its_time_unless_a_cleaning_is_open() {
        let mut d = docs();
        let rule = DemandRule {
            mode: DemandMode::DemandWithFallback,
            limit: Some(50),
            ..DemandRule::default()
        };
        // Daily (five times a week): after 1.5 working days. Cleaned Sunday 21:00 in
        // Berlin: Monday, then half of Tuesday.
        d.area.plan_fallback(&rule, 5.0, chrono_tz::Europe::Berlin);
        assert_eq!(
            d.area.fallback_due_at.as_deref(),
            Some("2026-12-08T11:00:00Z")
        );
        assert!(!d.area.fallback_due(at("2026-12-08T10:59:59Z")));
        assert!(d.area.fallback_due(at("2026-12-08T11:00:00Z")));
        d.area.open = Some("dc".into());
        assert!(!d.area.fallback_due(at("2026-12-10T00:00:00Z")));
    }

    #[test]
    fn a_full_slot_is_refused() {
        let mut d = docs();
        d.slot.keys = (0..MAX_READINGS_PER_SLOT).map(|i| i.to_string()).collect();
        let more = [taken("x", "2026-12-07T08:01:00Z", Measurement::Count(1))];
        assert_eq!(
            absorb("s1", &more, &rule(10), &mut d.slot, &mut d.day, &mut d.area),
            Err(SlotFull)
        );
    }

    #[test]
    fn the_suggestion_is_the_daily_average_over_the_interval() {
        // 21 days, 210 events: 10 a day; cleaned twice a week, every 3.5 days: 35.
        let s = suggest("2026-12-07".parse().unwrap(), &[105, 105], 21, 2.0).unwrap();
        assert_eq!((s.daily_average, s.limit), (10.0, 35));
        assert_eq!(suggest("2026-12-07".parse().unwrap(), &[], 0, 2.0), None);
    }
}
