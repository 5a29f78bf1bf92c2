//! Properties of calendar expansion over generated rules, start days, ranges and time zones:
//! the occurrence budget always holds, skipping ahead never changes the days, and a change of
//! clocks never moves a cleaning's local start time.

use chrono::{Duration, NaiveDate, TimeZone as _, Timelike};
use chrono_tz::Tz;
use domain::Entity;
use domain::calendars::Calendar;
use proptest::prelude::*;
use serde_json::json;

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Santiago",
    "UTC",
];
const DAYS: &[&str] = &["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// A rule of the shape tenants write: a frequency, an interval, and some BY parts.
fn rule() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
        1u16..=4,
        prop::collection::btree_set(0..DAYS.len(), 0..=3),
        prop::collection::btree_set(prop_oneof![1i8..=31, -3i8..=-1], 0..=2),
        prop::collection::btree_set(1u8..=12, 0..=2),
        prop::option::of(prop_oneof![1i32..=3, Just(-1)]),
        prop::option::weighted(0.2, 1u32..=400),
    )
        .prop_map(
            |(freq, interval, days, month_days, months, set_pos, count)| {
                let mut parts = vec![format!("FREQ={freq}"), format!("INTERVAL={interval}")];
                let list = |items: Vec<String>| items.join(",");
                if !days.is_empty() {
                    parts.push(format!(
                        "BYDAY={}",
                        list(days.iter().map(|&d| DAYS[d].to_owned()).collect())
                    ));
                }
                if !month_days.is_empty() && freq != "WEEKLY" {
                    parts.push(format!(
                        "BYMONTHDAY={}",
                        list(month_days.iter().map(i8::to_string).collect())
                    ));
                }
                if !months.is_empty() {
                    parts.push(format!(
                        "BYMONTH={}",
                        list(months.iter().map(u8::to_string).collect())
                    ));
                }
                if let Some(pos) = set_pos.filter(|_| !days.is_empty()) {
                    parts.push(format!("BYSETPOS={pos}"));
                }
                if let Some(count) = count {
                    parts.push(format!("COUNT={count}"));
                }
                parts.join(";")
            },
        )
}

fn calendar(rule: &str, start: NaiveDate, earliest: &str) -> Option<Calendar> {
    Calendar::parse(&json!({
        "siteId": "s1", "name": "generated", "rrule": rule, "startDate": start.to_string(),
        "window": {"earliest": earliest, "latest": "23:59"}
    }))
    .ok()
}

fn day(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(i64::from(offset))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_accepted_rule_expands_within_the_budget_and_the_range(
        rule in rule(),
        start in 0u32..36_000,
        from in 0u32..36_500,
        span in 0i64..=365,
        zone in prop::sample::select(ZONES),
    ) {
        let tz: Tz = zone.parse().unwrap();
        let Some(cal) = calendar(&rule, day(start), "06:00") else { return Ok(()) };
        let (from, to) = (day(from), day(from) + Duration::days(span));
        let dates = cal.dates(tz, from, to).map_err(TestCaseError::fail)?;
        prop_assert!(dates.len() as i64 <= span + 1, "{rule}: {} dates", dates.len());
        prop_assert!(dates.windows(2).all(|w| w[0] < w[1]), "{rule}: not increasing");
        prop_assert!(dates.iter().all(|d| from <= *d && *d <= to && *d >= cal.start_date));
    }

    #[test]
    fn skipping_ahead_gives_the_days_walking_from_the_start_gives(
        rule in rule(),
        start in 0u32..12_000,
        ahead in 0u32..3_000,
        span in 0i64..=60,
    ) {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let Some(cal) = calendar(&rule, day(start), "02:30") else { return Ok(()) };
        let from = day(start + ahead);
        let to = from + Duration::days(span);
        let walked: Vec<NaiveDate> = cal
            .dates(tz, cal.start_date, to)
            .map_err(TestCaseError::fail)?
            .into_iter()
            .filter(|d| *d >= from)
            .collect();
        prop_assert_eq!(cal.dates(tz, from, to).map_err(TestCaseError::fail)?, walked, "{}", rule);
    }

    #[test]
    fn a_change_of_clocks_never_moves_the_local_start(
        rule in rule(),
        start in 0u32..36_000,
        hour in 0u32..24,
        minute in prop::sample::select(vec![0u32, 15, 30, 45]),
        zone in prop::sample::select(ZONES),
    ) {
        let tz: Tz = zone.parse().unwrap();
        let earliest = format!("{hour:02}:{minute:02}");
        let Some(cal) = calendar(&rule, day(start), &earliest) else { return Ok(()) };
        let from = cal.start_date;
        let found = cal.expand(tz, &[], from, from + Duration::days(365)).map_err(TestCaseError::fail)?;
        for occurrence in found.occurrences {
            let local = occurrence.start.with_timezone(&tz);
            prop_assert_eq!(local.date_naive(), occurrence.date);
            let shifted = (local.hour(), local.minute()) != (hour, minute);
            // Only a time the clocks skip that day moves, and by the skipped hour.
            let wall = occurrence.date.and_hms_opt(hour, minute, 0).unwrap();
            let skipped = tz.from_local_datetime(&wall).earliest().is_none();
            prop_assert!(!shifted || skipped, "{} at {}: {}", rule, earliest, local);
        }
    }
}
