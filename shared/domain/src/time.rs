//! Wall-clock values shared by every context: time zones, weekdays and local times of day.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validation::parse_enum;

/// An IANA time zone name, such as `Europe/Berlin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl FromStr for TimeZone {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        chrono_tz::Tz::from_str(raw)
            .map(TimeZone)
            .map_err(|_| "must be an IANA time zone name, such as Europe/Berlin".to_owned())
    }
}
impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}
impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Weekday names for sentences people read.
pub const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl Weekday {
    /// The weekday of a date.
    pub fn of(date: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        const ALL: [Weekday; 7] = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        ALL[date.weekday().num_days_from_monday() as usize]
    }

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl FromStr for Weekday {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &WEEKDAYS)
    }
}

/// A local wall-clock time as minutes after midnight; `24:00` is the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LocalTime(u16);

impl LocalTime {
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// The time `minutes` after midnight, held within the day (0 to 24:00).
    pub fn from_minutes(minutes: i64) -> Self {
        LocalTime(minutes.clamp(0, 24 * 60) as u16)
    }
}
impl FromStr for LocalTime {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        let bad = || "must be a time HH:MM between 00:00 and 24:00".to_owned();
        let (h, m) = raw.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if m > 59 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(LocalTime(h * 60 + m))
    }
}
impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}
impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_parse_strictly() {
        assert_eq!("24:00".parse::<LocalTime>().unwrap().minutes(), 1440);
        for bad in ["24:01", "7:00", "12:60", "ab:cd"] {
            assert!(bad.parse::<LocalTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_date_maps_to_its_weekday() {
        assert_eq!(Weekday::of("2026-12-01".parse().unwrap()), Weekday::Tue);
        assert_eq!(Weekday::Sun.index(), 6);
    }
}
