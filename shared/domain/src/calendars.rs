//! Cleaning calendars: when an area (or every area of a site) is cleaned.
//!
//! A calendar is an RFC 5545 recurrence rule (expanded by the `rrule` crate, never by hand)
//! anchored at a start date, plus a local time window (earliest start, latest end) in the
//! site's time zone. Closures (site closed, public holidays) remove occurrences. Everything
//! here is pure: the caller loads the site's time zone and the closures.

use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entity::Entity;
use crate::id::Id;
use crate::sites::{AreaId, AreaTypeId, SiteId};
use crate::time::LocalTime;
use crate::validation::{Fields, ValidationErrors};

pub enum CalendarKind {}
pub enum ClosureKind {}
pub type CalendarId = Id<CalendarKind>;
pub type ClosureId = Id<ClosureKind>;

/// The longest range one expansion covers: a year and a day, so a whole year fits.
pub const MAX_EXPANSION_DAYS: i64 = 366;

/// How far a scheduled frequency may differ from the agreed one before it is flagged (monthly
/// rules give 12/52 = 0.23 a week against an agreed 0.25).
pub const FREQUENCY_TOLERANCE: f64 = 0.1;

/// Cleaning calendars start and end within these years: outside them a date is a typo, and
/// a rule walked from year 0 would cost a request thousands of periods.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The most occurrences one expansion may walk (those before its range included). Rules are
/// refused when parsed if they could need more (see [`Recurrence`]), so this only guards
/// against a rule stored before the checks: no request's CPU time depends on what a tenant
/// stored. Walking this many takes about 10 ms.
pub const OCCURRENCE_BUDGET: usize = 50_000;

/// The largest `COUNT` a rule may have (27 years of a daily rule): a rule with COUNT is walked
/// from its first occurrence, so its count bounds the walk.
pub const MAX_COUNT: u32 = 10_000;

/// A rule must fall on some day within this many years of its start (a rule for 29 February,
/// or for ISO week 53, falls on one every few years).
const FIRST_OCCURRENCE_YEARS: i32 = 8;

/// Parses `YYYY-MM-DD` within [`YEARS`].
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .ok_or_else(|| "must be a date YYYY-MM-DD".to_owned())?;
    if !YEARS.contains(&chrono::Datelike::year(&date)) {
        return Err(format!(
            "must be a date in the years {} to {}",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(date)
}

/// An RFC 5545 `RRULE` value, such as `FREQ=WEEKLY;BYDAY=MO,WE,FR`, checked by the `rrule`
/// crate. The start comes from the calendar, so `DTSTART` is not part of it.
///
/// A rule's cost is bounded by what it expands to: it falls on at most one time a day (no
/// `BYHOUR`, `BYMINUTE` or `BYSECOND`, and `FREQ` daily or less often; the window gives the
/// time), `INTERVAL` and `COUNT` are at least 1, `COUNT` is at most [`MAX_COUNT`] and never
/// with `UNTIL` (RFC 5545 forbids both), and it falls on a day within a few years.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence(String);

impl Recurrence {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn rule(&self) -> rrule::RRule<rrule::Unvalidated> {
        self.0.parse().expect("checked when parsed")
    }

    /// How a rule without COUNT repeats itself exactly: starting it a whole number of these
    /// periods later yields the same later occurrences. With UNTIL, also the last day a start
    /// may be moved to.
    fn period(&self) -> Option<(Period, Option<NaiveDate>)> {
        let rule = self.rule();
        let interval = rule.get_interval().max(1);
        let until = rule.get_until().map(|u| u.date_naive() - Duration::days(1));
        let (unit, interval) = match (rule.get_count(), rule.get_freq()) {
            (None, rrule::Frequency::Daily) => (Unit::Days(1), interval),
            (None, rrule::Frequency::Weekly) => (Unit::Days(7), interval),
            (None, rrule::Frequency::Monthly) => (Unit::Months(1), interval),
            (None, rrule::Frequency::Yearly) => (Unit::Months(12), interval),
            _ => return None,
        };
        let period = Period { unit, interval };
        Some((period, until))
    }

    /// The day of the rule's UNTIL, if it has one.
    pub fn until(&self) -> Option<NaiveDate> {
        self.rule().get_until().map(|u| u.date_naive())
    }

    /// The rule's occurrences from `start`, in `start`'s time zone.
    fn iter(&self, start: DateTime<Tz>) -> Result<rrule::RRuleSet, String> {
        let start = start.with_timezone(&rrule::Tz::Tz(start.timezone()));
        self.rule().build(start).map_err(|e| e.to_string())
    }
}

/// A rule's own repetition: every `interval` units (a day, a week, a month, a year).
#[derive(Debug, Clone, Copy)]
struct Period {
    unit: Unit,
    interval: u16,
}

#[derive(Debug, Clone, Copy)]
enum Unit {
    Days(i64),
    Months(u32),
}

/// The rule parts that would place more than one occurrence on a day.
fn time_of_day_parts(rule: &rrule::RRule<rrule::Unvalidated>) -> Vec<&'static str> {
    [
        ("BYHOUR", rule.get_by_hour().is_empty()),
        ("BYMINUTE", rule.get_by_minute().is_empty()),
        ("BYSECOND", rule.get_by_second().is_empty()),
    ]
    .into_iter()
    .filter_map(|(part, absent)| (!absent).then_some(part))
    .collect()
}

impl FromStr for Recurrence {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        let rule = raw.trim();
        let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
        // RFC 5545 rule values are ASCII; the `rrule` crate panics on some other text (found
        // by fuzzing: `BYDAY=MOҹR`), so it never sees any.
        if !rule.is_ascii() || rule.chars().any(|c| c.is_ascii_control()) {
            return Err("must be an RFC 5545 RRULE value: ASCII letters, digits and ;=,+-".into());
        }
        if rule.to_ascii_uppercase().contains("DTSTART") {
            return Err(
                "must be one RRULE value without DTSTART (the calendar's startDate is \
                        the start)"
                    .into(),
            );
        }
        let parsed: rrule::RRule<rrule::Unvalidated> = rule
            .parse()
            .map_err(|e| format!("is not a valid RFC 5545 recurrence rule: {e}"))?;
        if !matches!(
            parsed.get_freq(),
            rrule::Frequency::Daily
                | rrule::Frequency::Weekly
                | rrule::Frequency::Monthly
                | rrule::Frequency::Yearly
        ) {
            return Err(
                "must recur daily or less often (FREQ=DAILY, WEEKLY, MONTHLY or \
                        YEARLY); use the window for the time of day"
                    .into(),
            );
        }
        let parts = time_of_day_parts(&parsed);
        if !parts.is_empty() {
            return Err(format!(
                "must not set the time of day ({}): a calendar falls on a day at most once, \
                 at its window",
                parts.join(", ")
            ));
        }
        if parsed.get_interval() == 0 {
            return Err("INTERVAL must be at least 1".into());
        }
        match (parsed.get_count(), parsed.get_until()) {
            (Some(0), _) => return Err("COUNT must be at least 1".into()),
            (Some(count), _) if count > MAX_COUNT => {
                return Err(format!("COUNT must be at most {MAX_COUNT}"));
            }
            (Some(_), Some(_)) => {
                return Err(
                    "must not have both COUNT and UNTIL (RFC 5545 allows one of them)".into(),
                );
            }
            _ => {}
        }
        // Validation needs a start; any fixed one shows the rule's own contradictions.
        let probe = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        parsed
            .clone()
            .validate(probe.with_timezone(&rrule::Tz::UTC))
            .map_err(|e| format!("is not a valid RFC 5545 recurrence rule: {e}"))?;
        // A rule that never falls on a day would walk the crate's whole loop limit on every
        // expansion; it is refused here, once. (The probe start itself always counts, so the
        // second occurrence is the first the rule chose.)
        // COUNT and UNTIL are left out of this probe: they end a rule, they never make it fall.
        let endless: rrule::RRule<rrule::Unvalidated> = rule
            .split(';')
            .filter(|part| {
                let name = part.split('=').next().unwrap_or("").trim();
                !name.eq_ignore_ascii_case("COUNT") && !name.eq_ignore_ascii_case("UNTIL")
            })
            .collect::<Vec<_>>()
            .join(";")
            .parse()
            .map_err(|e| format!("is not a valid RFC 5545 recurrence rule: {e}"))?;
        let start = probe.with_timezone(&rrule::Tz::UTC);
        let endless = endless
            .validate(start)
            .map_err(|e| format!("is not a valid RFC 5545 recurrence rule: {e}"))?;
        let horizon = probe + Duration::days(366 * i64::from(FIRST_OCCURRENCE_YEARS));
        let falls = (&rrule::RRuleSet::new(start).rrule(endless))
            .into_iter()
            .nth(1)
            .is_some_and(|second| second.with_timezone(&Utc) <= horizon);
        if !falls {
            return Err(format!(
                "falls on no day within {FIRST_OCCURRENCE_YEARS} years (its BY parts \
                 contradict each other)"
            ));
        }
        Ok(Recurrence(rule.to_owned()))
    }
}

impl Serialize for Recurrence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for Recurrence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// When on a cleaning day the work may happen, in the site's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimeWindow {
    pub earliest: LocalTime,
    pub latest: LocalTime,
}

impl TimeWindow {
    /// Reads `{earliest, latest}` (local times, `latest` later on the same day).
    pub fn read(w: &mut Fields<'_>) -> Option<Self> {
        let earliest = w.required_parsed("earliest", str::parse::<LocalTime>);
        let latest = w.required_parsed("latest", str::parse::<LocalTime>);
        if let (Some(earliest), Some(latest)) = (earliest, latest)
            && latest <= earliest
        {
            w.error(
                "latest",
                "must be later than earliest (a window ends on the day it starts)",
            );
            return None;
        }
        Some(TimeWindow {
            earliest: earliest?,
            latest: latest?,
        })
    }

    pub fn contains(&self, time: LocalTime) -> bool {
        self.earliest <= time && time <= self.latest
    }

    /// How long it is open.
    pub fn minutes(&self) -> i64 {
        i64::from(self.latest.minutes()) - i64::from(self.earliest.minutes())
    }
}

/// A cleaning schedule for one area, for one area type at a site, or for a whole site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    pub site_id: SiteId,
    /// Only this area. Without it (and without `areaTypeId`) every area of the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_id: Option<AreaId>,
    /// Only the site's areas of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_type_id: Option<AreaTypeId>,
    pub name: String,
    pub rrule: Recurrence,
    /// The first day the rule may fall on (its DTSTART, at the window's earliest time).
    pub start_date: NaiveDate,
    /// The last day, inclusive. Without it the rule's own COUNT or UNTIL, or never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    pub window: TimeWindow,
}

impl Entity for Calendar {
    const COLLECTION: &'static str = "calendars";
    const KIND: &'static str = "calendar";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "frequency",
        "warnings",
    ];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let site_id = f.required_parsed("siteId", SiteId::parse);
        let area_id = f.optional_parsed("areaId", AreaId::parse);
        let area_type_id = f.optional_parsed("areaTypeId", AreaTypeId::parse);
        if area_id.is_some() && area_type_id.is_some() {
            f.error(
                "areaTypeId",
                "must be left out when areaId is given (a calendar is for one area, one area \
                 type or the whole site)",
            );
        }
        let name = f.required_str("name", 1..=200);
        let rule =
            f.required_str("rrule", 1..=1000)
                .and_then(|raw| match raw.parse::<Recurrence>() {
                    Ok(rule) => Some(rule),
                    Err(message) => {
                        f.error("rrule", message);
                        None
                    }
                });
        let start_date = f.required_parsed("startDate", parse_date);
        if let (Some(rule), Some(start)) = (&rule, start_date)
            && rule.until().is_some_and(|until| until <= start)
        {
            // The rule could never start (found by fuzzing: every expansion failed).
            f.error("rrule", "UNTIL must be after startDate");
        }
        let end_date = f.optional_parsed("endDate", parse_date);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            f.error("endDate", "must not be before startDate");
        }
        let window = f.required_object("window", TimeWindow::read);
        f.finish(|| {
            Some(Calendar {
                site_id: site_id?,
                area_id,
                area_type_id,
                name: name?,
                rrule: rule?,
                start_date: start_date?,
                end_date,
                window: window?,
            })
        })
    }
}

/// Days on which a site (or, without a site, every site of the tenant) is not cleaned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Closure {
    /// The closed site; without it the closure (a public holiday) applies to every site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    /// First closed day.
    pub from: NaiveDate,
    /// Last closed day, inclusive.
    pub to: NaiveDate,
    pub reason: String,
}

impl Closure {
    pub fn covers(&self, site: &str, date: NaiveDate) -> bool {
        self.site_id.as_ref().is_none_or(|s| s.as_str() == site)
            && self.from <= date
            && date <= self.to
    }
}

impl Entity for Closure {
    const COLLECTION: &'static str = "closures";
    const KIND: &'static str = "closure";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let site_id = f.optional_parsed("siteId", SiteId::parse);
        let from = f.required_parsed("from", parse_date);
        let to = f.required_parsed("to", parse_date);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                f.error("to", "must not be before from");
            } else if (to - from).num_days() >= MAX_EXPANSION_DAYS {
                f.error("to", "a closure lasts at most a year");
            }
        }
        let reason = f.required_str("reason", 1..=200);
        f.finish(|| {
            Some(Closure {
                site_id,
                from: from?,
                to: to?,
                reason: reason?,
            })
        })
    }
}

/// One concrete cleaning slot.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    /// The local date.
    pub date: NaiveDate,
    /// The window's start and end as instants with the local UTC offset of that day.
    pub start: DateTime<chrono::FixedOffset>,
    pub end: DateTime<chrono::FixedOffset>,
}

/// An occurrence a closure removed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClosedOccurrence {
    pub date: NaiveDate,
    pub closure_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Expansion {
    pub occurrences: Vec<Occurrence>,
    pub closed: Vec<ClosedOccurrence>,
}

/// The instant a local wall-clock time names. In the hour skipped when clocks go forward the
/// time is moved on by that hour; in the hour repeated when they go back, the first is taken.
pub fn local_instant(tz: Tz, date: NaiveDate, time: LocalTime) -> DateTime<Tz> {
    let naive: NaiveDateTime = date.and_hms_opt(0, 0, 0).expect("midnight exists")
        + Duration::minutes(i64::from(time.minutes()));
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
        LocalResult::None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .unwrap_or_else(|| tz.from_utc_datetime(&naive)),
    }
}

impl Calendar {
    /// Whether this calendar schedules the area (of the given type) at its site.
    pub fn applies_to(&self, site: &str, area: &str, area_type: &str) -> bool {
        self.site_id.as_str() == site
            && self.area_id.as_ref().is_none_or(|a| a.as_str() == area)
            && self
                .area_type_id
                .as_ref()
                .is_none_or(|t| t.as_str() == area_type)
    }

    /// How specific the calendar is: an area's own calendar (2 or 3) over an area type's (1)
    /// over the site's (0). Where several apply to an area, only the most specific count.
    pub fn specificity(&self) -> u8 {
        2 * u8::from(self.area_id.is_some()) + u8::from(self.area_type_id.is_some())
    }

    /// The dates the rule falls on within `from..=to` (local dates), before closures.
    pub fn dates(&self, tz: Tz, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, String> {
        let last = self.end_date.map_or(to, |end| end.min(to));
        if last < from || last < self.start_date {
            return Ok(Vec::new());
        }
        let start = local_instant(tz, self.fast_forward(from), self.window.earliest);
        let mut dates = Vec::new();
        for (walked, occurrence) in (&self.rrule.iter(start)?).into_iter().enumerate() {
            if walked >= OCCURRENCE_BUDGET {
                return Err(format!(
                    "the rule needs more than {OCCURRENCE_BUDGET} occurrences to reach {last}"
                ));
            }
            let date = occurrence.date_naive();
            if date > last {
                break;
            }
            if date >= from && dates.last() != Some(&date) {
                dates.push(date);
            }
        }
        Ok(dates)
    }

    /// A start on the rule's own grid shortly before `from`, so an old rule is not walked from
    /// its first day (seven years of a daily rule take most of a millisecond). The unit (day,
    /// week, month or year) the start falls in ends before `from`: the `rrule` crate counts a
    /// start that misses the rule's days as an occurrence, and leaves the days before the
    /// start out of its first unit (which moves a `BYSETPOS` choice). Monthly and yearly rules
    /// move only from a day every month has, so the day of the month stays the same.
    fn fast_forward(&self, from: NaiveDate) -> NaiveDate {
        use chrono::{Datelike, Months};
        let Some((Period { unit, interval }, until)) = self.rrule.period() else {
            return self.start_date;
        };
        let start = match unit {
            Unit::Days(days) => {
                // Whole units strictly before the unit `from` falls in.
                let step = days * i64::from(interval);
                let behind = (from - self.start_date).num_days() - days;
                (behind >= step).then(|| self.start_date + Duration::days(behind / step * step))
            }
            Unit::Months(months) if self.start_date.day() <= 28 => {
                let unit_of = |d: NaiveDate| {
                    (i64::from(d.year()) * 12 + i64::from(d.month0())) / i64::from(months)
                };
                let behind = unit_of(from) - unit_of(self.start_date) - 1;
                let step = i64::from(interval);
                u32::try_from(behind / step * step * i64::from(months))
                    .ok()
                    .filter(|&m| m > 0)
                    .and_then(|m| self.start_date.checked_add_months(Months::new(m)))
            }
            Unit::Months(_) => None,
        };
        match (start, until) {
            // A start after UNTIL is an invalid rule; the rule ends by itself anyway.
            (Some(start), Some(until)) if start > until => self.start_date,
            (Some(start), _) => start,
            (None, _) => self.start_date,
        }
    }

    /// The occurrences within `from..=to`, in the site's time zone, without the closed days.
    pub fn expand(
        &self,
        tz: Tz,
        closures: &[(String, Closure)],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Expansion, String> {
        let mut expansion = Expansion::default();
        for date in self.dates(tz, from, to)? {
            if let Some((id, closure)) = closures
                .iter()
                .find(|(_, c)| c.covers(self.site_id.as_str(), date))
            {
                expansion.closed.push(ClosedOccurrence {
                    date,
                    closure_id: id.clone(),
                    reason: closure.reason.clone(),
                });
                continue;
            }
            expansion.occurrences.push(Occurrence {
                date,
                start: local_instant(tz, date, self.window.earliest).fixed_offset(),
                end: local_instant(tz, date, self.window.latest).fixed_offset(),
            });
        }
        Ok(expansion)
    }

    /// Cleanings per week the rule schedules: its average over the first year from its start
    /// (or over its whole span, if shorter), closures left aside.
    pub fn cleanings_per_week(&self, tz: Tz) -> Result<f64, String> {
        let year_end = self.start_date + Duration::days(363);
        let last = self.end_date.map_or(year_end, |end| end.min(year_end));
        let days = (last - self.start_date).num_days() + 1;
        let count = self.dates(tz, self.start_date, last)?.len();
        Ok(count as f64 * 7.0 / days.max(7) as f64)
    }
}

/// How a calendar's frequency compares with what was agreed for the areas it covers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FrequencyCheck {
    pub scheduled_per_week: f64,
    /// The agreed cleanings per week of each distinct frequency among the covered areas.
    pub agreed_per_week: Vec<f64>,
    pub matches: bool,
}

impl FrequencyCheck {
    pub fn new(scheduled_per_week: f64, mut agreed: Vec<f64>) -> Self {
        agreed.sort_by(f64::total_cmp);
        agreed.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        let matches = agreed.iter().all(|&agreed| {
            (scheduled_per_week - agreed).abs() <= FREQUENCY_TOLERANCE * agreed.max(0.1)
        });
        Self {
            scheduled_per_week: crate::number::round2(scheduled_per_week),
            agreed_per_week: agreed,
            matches,
        }
    }

    /// A sentence for the dispatcher, if the frequencies disagree.
    pub fn warning(&self) -> Option<String> {
        (!self.matches).then(|| {
            let agreed: Vec<String> = self.agreed_per_week.iter().map(f64::to_string).collect();
            format!(
                "the rule schedules {} cleanings a week but the areas it covers are agreed at {} \
                 a week (cleaningsPerWeek of the area or its area type)",
                self.scheduled_per_week,
                agreed.join(" and ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calendar(rule: &str, earliest: &str, latest: &str) -> Calendar {
        Calendar::parse(&json!({
            "siteId": "s1", "name": "Office", "rrule": rule, "startDate": "2026-03-02",
            "window": {"earliest": earliest, "latest": latest}
        }))
        .unwrap()
    }

    fn date(raw: &str) -> NaiveDate {
        parse_date(raw).unwrap()
    }

    #[test]
    fn a_weekly_rule_keeps_its_local_time_across_the_change_to_summer_time() {
        let cal = calendar("FREQ=WEEKLY;BYDAY=MO", "06:00", "08:00");
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let found = cal
            .expand(tz, &[], date("2026-03-16"), date("2026-04-06"))
            .unwrap();
        let starts: Vec<String> = found
            .occurrences
            .iter()
            .map(|o| o.start.to_rfc3339())
            .collect();
        // Clocks go forward on Sunday 29 March 2026.
        assert_eq!(
            starts,
            [
                "2026-03-16T06:00:00+01:00",
                "2026-03-23T06:00:00+01:00",
                "2026-03-30T06:00:00+02:00",
                "2026-04-06T06:00:00+02:00"
            ]
        );
    }

    #[test]
    fn a_window_in_the_skipped_hour_moves_on_by_that_hour() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let t = local_instant(tz, date("2026-03-29"), "02:30".parse().unwrap());
        assert_eq!(t.to_rfc3339(), "2026-03-29T03:30:00+02:00");
        let repeated = local_instant(tz, date("2026-10-25"), "02:30".parse().unwrap());
        assert_eq!(repeated.to_rfc3339(), "2026-10-25T02:30:00+02:00");
    }

    #[test]
    fn starting_late_on_the_rules_grid_gives_the_same_days() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let rules = [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SA",
            "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,MO",
            "FREQ=DAILY;BYDAY=MO,TU;BYMONTH=3,10",
            "FREQ=WEEKLY;UNTIL=20260401T000000Z",
            "FREQ=DAILY;COUNT=400",
            "FREQ=MONTHLY;BYDAY=1MO",
            "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15,31",
            "FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;INTERVAL=5",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "FREQ=YEARLY;INTERVAL=2",
            "FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO",
        ];
        // Started on a Thursday, which most of the rules do not fall on, on a day some months
        // lack and on one every month has.
        for (rule, start) in rules
            .iter()
            .flat_map(|rule| [(rule, "2024-02-29"), (rule, "2023-01-12")])
        {
            let cal = Calendar::parse(&json!({
                "siteId": "s1", "name": "x", "rrule": rule, "startDate": start,
                "window": {"earliest": "02:30", "latest": "04:00"}
            }))
            .unwrap();
            for (from, to) in [
                ("2024-02-29", "2024-04-30"),
                ("2025-03-27", "2025-04-03"),
                ("2026-03-29", "2026-03-29"),
                ("2026-10-20", "2026-11-30"),
            ] {
                let (from, to) = (date(from), date(to));
                let walked: Vec<NaiveDate> = {
                    let start = local_instant(tz, cal.start_date, cal.window.earliest);
                    (&cal.rrule.iter(start).unwrap())
                        .into_iter()
                        .map(|t| t.date_naive())
                        .take_while(|d| *d <= to)
                        .filter(|d| *d >= from)
                        .collect()
                };
                assert_eq!(
                    cal.dates(tz, from, to).unwrap(),
                    walked,
                    "{rule} from {start}, {from}..{to}"
                );
            }
        }
    }

    #[test]
    fn closures_remove_exactly_their_days() {
        let cal = calendar("FREQ=DAILY", "18:00", "20:00");
        let closure = Closure {
            site_id: None,
            from: date("2026-03-04"),
            to: date("2026-03-05"),
            reason: "holiday".into(),
        };
        let other_site = Closure {
            site_id: Some(SiteId::parse("s2").unwrap()),
            from: date("2026-03-06"),
            to: date("2026-03-06"),
            reason: "other".into(),
        };
        let found = cal
            .expand(
                chrono_tz::UTC,
                &[("c1".into(), closure), ("c2".into(), other_site)],
                date("2026-03-02"),
                date("2026-03-08"),
            )
            .unwrap();
        let days: Vec<u32> = found
            .occurrences
            .iter()
            .map(|o| chrono::Datelike::day(&o.date))
            .collect();
        assert_eq!(days, [2, 3, 6, 7, 8]);
        assert_eq!(found.closed.len(), 2);
        assert_eq!(found.closed[0].closure_id, "c1");
    }

    #[test]
    fn frequency_is_compared_with_the_agreed_one() {
        let tz = chrono_tz::UTC;
        let weekdays = calendar("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "06:00", "08:00");
        assert!((weekdays.cleanings_per_week(tz).unwrap() - 5.0).abs() < 1e-9);
        assert!(FrequencyCheck::new(5.0, vec![5.0]).matches);
        let check = FrequencyCheck::new(5.0, vec![3.0, 5.0]);
        assert!(!check.matches);
        assert!(check.warning().unwrap().contains("3 and 5"));
        let monthly = calendar("FREQ=MONTHLY;BYMONTHDAY=2", "06:00", "08:00");
        let per_week = monthly.cleanings_per_week(tz).unwrap();
        assert!(
            FrequencyCheck::new(per_week, vec![0.25]).matches,
            "{per_week}"
        );
        let fortnightly = calendar("FREQ=WEEKLY;INTERVAL=2", "06:00", "08:00");
        assert!(
            (fortnightly.cleanings_per_week(tz).unwrap() - 0.5).abs() < 0.02,
            "{}",
            fortnightly.cleanings_per_week(tz).unwrap()
        );
    }

    #[test]
    fn bad_calendars_name_their_fields() {
        let err = Calendar::parse(&json!({
            "siteId": "s1", "areaId": "a1", "areaTypeId": "t1", "name": "x",
            "rrule": "FREQ=SOMETIMES", "startDate": "2026-02-30",
            "window": {"earliest": "09:00", "latest": "08:00"}
        }))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["areaTypeId", "rrule", "startDate", "window.latest"],
            "{err:?}"
        );
        for rule in ["FREQ=HOURLY", "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY"] {
            assert!(rule.parse::<Recurrence>().is_err(), "{rule}");
        }
        assert_eq!(
            "RRULE:FREQ=DAILY".parse::<Recurrence>().unwrap().as_str(),
            "FREQ=DAILY"
        );
    }

    fn refusal(rule: &str) -> String {
        rule.parse::<Recurrence>().expect_err(rule)
    }

    #[test]
    fn a_rule_that_sets_the_time_of_day_is_refused() {
        let seconds: Vec<String> = (0..60).map(|s| s.to_string()).collect();
        let attack = format!(
            "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;\
             BYMINUTE={0};BYSECOND={0}",
            seconds.join(",")
        );
        let started = std::time::Instant::now();
        let message = refusal(&attack);
        assert!(message.contains("BYHOUR, BYMINUTE, BYSECOND"), "{message}");
        // Refused before anything is expanded: a generous bound, not a benchmark.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(refusal("FREQ=WEEKLY;BYDAY=MO;BYHOUR=6").contains("BYHOUR"));
        assert!(refusal("FREQ=MINUTELY").contains("daily or less often"));
    }

    #[test]
    fn a_rule_with_text_beyond_ascii_is_refused_not_a_panic() {
        for rule in [
            "FREQ=WEEKLY;BYDAY=MO\u{4b9}R",
            "FREQ=MONTHLY;BYDAY=''\u{572}O",
        ] {
            assert!(refusal(rule).contains("ASCII"), "{rule}");
        }
    }

    #[test]
    fn interval_and_count_must_be_positive() {
        assert_eq!(
            refusal("FREQ=DAILY;INTERVAL=0"),
            "INTERVAL must be at least 1"
        );
        assert_eq!(refusal("FREQ=DAILY;COUNT=0"), "COUNT must be at least 1");
        assert_eq!(
            refusal("FREQ=DAILY;COUNT=10001"),
            "COUNT must be at most 10000"
        );
    }

    #[test]
    fn count_and_until_together_are_refused() {
        let message = refusal("FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z");
        assert!(message.contains("both COUNT and UNTIL"), "{message}");
    }

    #[test]
    fn a_rule_that_falls_on_no_day_is_refused() {
        for rule in [
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31;UNTIL=20990101T000000Z",
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        ] {
            assert!(refusal(rule).contains("falls on no day"), "{rule}");
        }
        // Rare is not never: 29 February and ISO week 53 come every few years.
        for rule in [
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO",
        ] {
            assert!(rule.parse::<Recurrence>().is_ok(), "{rule}");
        }
    }

    #[test]
    fn an_until_before_the_start_is_refused() {
        let err = Calendar::parse(&json!({
            "siteId": "s1", "name": "x", "rrule": "FREQ=WEEKLY;UNTIL=20300101T000000Z",
            "startDate": "2031-01-01", "window": {"earliest": "06:00", "latest": "08:00"}
        }))
        .unwrap_err();
        assert_eq!(err.0[0].field, "rrule");
        assert!(err.0[0].message.contains("UNTIL"), "{err:?}");
    }

    #[test]
    fn dates_outside_the_supported_years_are_refused() {
        for raw in ["0000-01-01", "1999-12-31", "2101-01-01"] {
            assert!(
                parse_date(raw).unwrap_err().contains("2000 to 2100"),
                "{raw}"
            );
        }
        assert!(parse_date("2000-01-01").is_ok());
    }

    #[test]
    fn a_date_with_white_space_around_it_is_refused() {
        let err = Calendar::parse(&json!({
            "siteId": "s1", "name": "x", "rrule": "FREQ=DAILY", "startDate": "2026-03-02 ",
            "window": {"earliest": "06:00", "latest": "08:00"}
        }))
        .unwrap_err();
        assert_eq!(err.0[0].field, "startDate");
        assert!(err.0[0].message.contains("white space"), "{err:?}");
    }
}
