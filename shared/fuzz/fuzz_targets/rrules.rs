//! Recurrence rules: any text is refused or accepted, and an accepted rule expands any year
//! within the occurrence budget, at most once a day.
#![no_main]

use chrono::{Duration, NaiveDate};
use domain::Entity;
use domain::calendars::Calendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (offsets, rule) = data.split_at(data.len().min(4));
    let Ok(rule) = std::str::from_utf8(rule) else {
        return;
    };
    let offset = |i: usize| i64::from(*offsets.get(i).unwrap_or(&0));
    let body = serde_json::json!({
        "siteId": "s1", "name": "fuzz", "rrule": rule,
        "startDate": (NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(offset(0) * 140)).to_string(),
        "window": {"earliest": "02:30", "latest": "04:00"}
    });
    let Ok(calendar) = Calendar::parse(&body) else {
        return;
    };
    let from =
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(offset(1) * 140 + offset(2));
    let to = from + Duration::days(365);
    let tz: chrono_tz::Tz = if offset(3) % 2 == 0 {
        chrono_tz::Europe::Berlin
    } else {
        chrono_tz::America::Santiago
    };
    let dates = calendar
        .dates(tz, from, to)
        .unwrap_or_else(|e| panic!("{rule}: an accepted rule failed to expand: {e}"));
    assert!(
        dates.len() <= 366,
        "{rule}: {} dates in a year",
        dates.len()
    );
    let _ = calendar.cleanings_per_week(tz);
});
