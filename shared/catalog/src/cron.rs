//! Five-field cron expressions as Cloud Scheduler takes them (minute, hour, day of month,
//! month, day of week), evaluated in a time zone: which minutes fire.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    /// Standard cron: when both day fields are restricted, either may match.
    days_restricted: bool,
    weekdays_restricted: bool,
}

fn field(raw: &str, low: u32, high: u32) -> Option<(Vec<bool>, bool)> {
    let mut set = vec![false; high as usize + 1];
    for part in raw.split(',') {
        let (range, step) = part.split_once('/').unwrap_or((part, "1"));
        let step: u32 = step.parse().ok().filter(|s| *s > 0)?;
        let (from, to) = match range {
            "*" => (low, high),
            _ => match range.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let v = range.parse().ok()?;
                    (v, if part.contains('/') { high } else { v })
                }
            },
        };
        if from < low || to > high || from > to {
            return None;
        }
        for v in (from..=to).step_by(step as usize) {
            set[v as usize] = true;
        }
    }
    Some((set, raw != "*"))
}

impl Cron {
    pub fn parse(expression: &str) -> Option<Self> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields.as_slice() else {
            return None;
        };
        let (minutes, _) = field(minute, 0, 59)?;
        let (hours, _) = field(hour, 0, 23)?;
        let (days, days_restricted) = field(day, 1, 31)?;
        let (months, _) = field(month, 1, 12)?;
        let (mut weekdays, weekdays_restricted) = field(weekday, 0, 7)?;
        // 7 is Sunday too.
        if weekdays[7] {
            weekdays[0] = true;
        }
        Some(Self {
            minutes,
            hours,
            days,
            months,
            weekdays,
            days_restricted,
            weekdays_restricted,
        })
    }

    /// Whether the minute starting at `local` fires.
    pub fn matches<T: TimeZone>(&self, local: &DateTime<T>) -> bool {
        let day = self.days[local.day() as usize];
        let weekday = self.weekdays[local.weekday().num_days_from_sunday() as usize];
        let day_matches = match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => day || weekday,
            (true, false) => day,
            (false, true) => weekday,
            (false, false) => true,
        };
        self.minutes[local.minute() as usize]
            && self.hours[local.hour() as usize]
            && self.months[local.month() as usize]
            && day_matches
    }

    /// The first firing minute after `after` and no later than `until`, in `zone`'s local time.
    /// Minutes are walked in UTC, so a daylight-saving change neither skips nor repeats one.
    pub fn next_after(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        zone: Tz,
    ) -> Option<DateTime<Utc>> {
        let mut minute = after.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        while minute <= until {
            if self.matches(&minute.with_timezone(&zone)) {
                return Some(minute);
            }
            minute += Duration::minutes(1);
        }
        None
    }

    /// The latest firing minute at or before `now` within the last `days` days: the tick a
    /// run "now" belongs to.
    pub fn latest_at_or_before(
        &self,
        now: DateTime<Utc>,
        zone: Tz,
        days: i64,
    ) -> Option<DateTime<Utc>> {
        // Walked backwards minute by minute: a daily job is found within 1,440 steps.
        let mut minute = now.with_second(0)?.with_nanosecond(0)?;
        let oldest = now - Duration::days(days);
        while minute > oldest {
            if self.matches(&minute.with_timezone(&zone)) {
                return Some(minute);
            }
            minute -= Duration::minutes(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_tick_is_the_last_firing_at_or_before_now() {
        let weekly = Cron::parse("0 3 * * 0").unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Tuesday 2026-12-01: the last Sunday 03:00 in Berlin was 2026-11-29 02:00 UTC.
        assert_eq!(
            weekly.latest_at_or_before(utc("2026-12-01T20:00:00Z"), berlin, 8),
            Some(utc("2026-11-29T02:00:00Z"))
        );
        assert_eq!(
            weekly.latest_at_or_before(utc("2026-11-29T02:00:30Z"), berlin, 8),
            Some(utc("2026-11-29T02:00:00Z"))
        );
        assert_eq!(
            weekly.latest_at_or_before(utc("2026-12-01T20:00:00Z"), berlin, 1),
            None
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_nightly_run_fires_at_local_time_across_a_daylight_saving_change() {
        let nightly = Cron::parse("0 2 * * *").unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 02:00 in Berlin is 01:00 UTC in winter and 00:00 UTC in summer.
        assert_eq!(
            nightly.next_after(
                utc("2026-03-01T12:00:00Z"),
                utc("2026-03-03T00:00:00Z"),
                berlin
            ),
            Some(utc("2026-03-02T01:00:00Z"))
        );
        assert_eq!(
            nightly.next_after(
                utc("2026-07-01T12:00:00Z"),
                utc("2026-07-03T00:00:00Z"),
                berlin
            ),
            Some(utc("2026-07-02T00:00:00Z"))
        );
        assert_eq!(
            nightly.next_after(
                utc("2026-03-02T01:00:00Z"),
                utc("2026-03-02T12:00:00Z"),
                berlin
            ),
            None
        );
    }

    #[test]
    fn fields_lists_ranges_steps_and_either_day_field() {
        let cron = Cron::parse("*/15 8-9 1 * 1").unwrap();
        let utc_zone: Tz = "UTC".parse().unwrap();
        // 2026-11-23 is a Monday (weekday matches although the 23rd is not the 1st).
        assert!(cron.matches(&utc("2026-11-23T08:45:00Z").with_timezone(&utc_zone)));
        assert!(!cron.matches(&utc("2026-11-24T08:45:00Z").with_timezone(&utc_zone)));
        assert!(cron.matches(&utc("2026-12-01T09:00:00Z").with_timezone(&utc_zone)));
        assert!(!cron.matches(&utc("2026-11-23T10:00:00Z").with_timezone(&utc_zone)));
        for bad in [
            "* * * *",
            "0 24 * * *",
            "*/0 * * * *",
            "5-1 * * * *",
            "a b c d e",
        ] {
            assert!(Cron::parse(bad).is_none(), "{bad}");
        }
    }
}
