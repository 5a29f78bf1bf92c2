//! Tours, visits and quality inspections: who cleans which areas in which order, proof that
//! it was done, and how well.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendars::parse_date;
use crate::entity::Entity;
use crate::id::{Id, UserId};
use crate::number::round2;
use crate::sites::{AreaId, SiteId};
use crate::time::{LocalTime, Weekday};
use crate::validation::parse_enum;
use crate::validation::{Fields, ValidationErrors};

pub use crate::planning::OneOffJobId;

pub enum TourKind {}
pub enum VisitKind {}
pub enum InspectionKind {}
pub type TourId = Id<TourKind>;
pub type VisitId = Id<VisitKind>;
pub type InspectionId = Id<InspectionKind>;

/// Most areas one tour visits on one day.
pub const MAX_AREAS_PER_DAY: usize = 300;

/// Most one-off jobs on one tour day.
pub const MAX_ONE_OFF_JOBS_PER_DAY: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TourType {
    Regular,
    DeepCleaning,
    InspectionRound,
}

impl FromStr for TourType {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["regular", "deep-cleaning", "inspection-round"])
    }
}

/// The areas a tour visits on one weekday, in visiting order, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TourDay {
    pub day: Weekday,
    /// The areas whose regular cleaning she does that day.
    #[schema(required = false)]
    pub area_ids: Vec<AreaId>,
    /// One-off jobs she does that day besides (each on its own date: on the tour's other
    /// weeks the day has none of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_off_job_ids: Vec<OneOffJobId>,
    /// When she sets off that day (a plan's time); the tour's start time if not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave: Option<LocalTime>,
    /// Each stop's planned times in visiting order: the areas of `area_ids` in their order,
    /// and the one-off jobs among them. Set by the server (from the plan, or timed from
    /// `leave` with the travel model), never read from a body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stops: Vec<TimedStop>,
}

impl TourDay {
    /// Its stops in order: the planned ones where they are aligned (one-off jobs included),
    /// else its areas' regular cleanings.
    pub fn stop_refs(&self) -> Vec<crate::planning::StopRef> {
        match self.timed_stops() {
            Some(stops) => stops
                .iter()
                .map(|s| crate::planning::StopRef {
                    area_id: s.area_id.to_string(),
                    one_off_job_id: s.one_off_job_id.as_ref().map(ToString::to_string),
                })
                .collect(),
            None => self
                .area_ids
                .iter()
                .map(|a| crate::planning::StopRef::regular(a.as_str()))
                .collect(),
        }
    }

    /// The planned times, if they still describe `area_ids` (an area added or moved by a
    /// client since they were set makes them stale).
    pub fn timed_stops(&self) -> Option<&[TimedStop]> {
        let regular = self.stops.iter().filter(|s| s.one_off_job_id.is_none());
        let jobs: BTreeSet<&OneOffJobId> = self
            .stops
            .iter()
            .filter_map(|s| s.one_off_job_id.as_ref())
            .collect();
        let aligned = regular.clone().count() == self.area_ids.len()
            && regular.zip(&self.area_ids).all(|(s, a)| s.area_id == *a)
            && jobs.len() == self.one_off_job_ids.len()
            && self.one_off_job_ids.iter().all(|j| jobs.contains(j));
        aligned.then_some(self.stops.as_slice())
    }
}

/// One stop's planned times on a tour day, in the local time of its site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimedStop {
    pub area_id: AreaId,
    /// When it is a one-off job at the area rather than its regular cleaning, which.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<OneOffJobId>,
    /// When she gets there, after travelling from home or the previous stop.
    pub arrival: LocalTime,
    /// When cleaning starts: on arrival, or when the area's window opens.
    pub start: LocalTime,
    pub end: LocalTime,
    /// What is wrong with these times (outside the window, the site closed for entry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What timing a stop needs to know: where it is, how long it takes, and when it may be
/// cleaned that day (earliest start, latest end), or why it may not.
#[derive(Debug, Clone, PartialEq)]
pub struct StopPlace {
    pub area_id: AreaId,
    pub one_off_job_id: Option<OneOffJobId>,
    pub location: crate::sites::GeoPoint,
    pub minutes: i64,
    pub window: Result<(i64, i64), String>,
}

/// Times a day's stops the way the planner does: from `home` (or the first stop when her
/// home is not known) at `leave`, travelling with `travel`, waiting where a window opens
/// later, and warning where a stop ends after its window or has none.
pub fn time_day(
    leave: LocalTime,
    home: Option<crate::sites::GeoPoint>,
    stops: &[StopPlace],
    travel: &crate::planning::TravelModel,
) -> Vec<TimedStop> {
    let Some(first) = stops.first() else {
        return Vec::new();
    };
    let mut at = home.unwrap_or(first.location);
    let mut time = i64::from(leave.minutes());
    let clock = LocalTime::from_minutes;
    stops
        .iter()
        .map(|stop| {
            let arrival = time + travel.minutes(at, stop.location);
            let mut warnings = Vec::new();
            let start = match &stop.window {
                Ok((earliest, latest)) => {
                    let start = arrival.max(*earliest);
                    if start + stop.minutes > *latest {
                        warnings.push(format!(
                            "ends at {}, after its window closes at {}",
                            clock(start + stop.minutes),
                            clock(*latest)
                        ));
                    }
                    start
                }
                Err(reason) => {
                    warnings.push(reason.clone());
                    arrival
                }
            };
            let end = start + stop.minutes;
            if end > 24 * 60 {
                warnings.push("runs past midnight".into());
            }
            time = end;
            at = stop.location;
            TimedStop {
                area_id: stop.area_id.clone(),
                one_off_job_id: stop.one_off_job_id.clone(),
                arrival: clock(arrival),
                start: clock(start),
                end: clock(end),
                warnings,
            }
        })
        .collect()
}

/// A cleaner's recurring shift: ordered areas per weekday.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tour {
    pub name: String,
    /// The cleaner (user id, the token's subject) who works the tour.
    pub cleaner_id: UserId,
    /// Default `regular`.
    #[schema(required = false)]
    pub tour_type: TourType,
    /// When the shift starts, in the local time of the tour's sites.
    pub start_time: LocalTime,
    /// The most cleaning minutes the tour may plan on one day.
    pub max_minutes_per_day: u32,
    pub days: Vec<TourDay>,
    /// The first day the tour is in force; null: since ever.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// The last day the tour is in force; null: until replaced.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// `validTo`, or [`OPEN_END`] for an open-ended tour: stored so the tours in force are
    /// one range query (Firestore's emulator takes no null filter next to another).
    /// Set with [`Tour::in_force_until`], never from a body.
    #[serde(default = "open_end")]
    pub in_force_until: NaiveDate,
    /// The plan whose activation made the tour (set by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
}

/// The `inForceUntil` of a tour without an end: the last four-digit date, so it sorts after
/// every other date as text, as stores compare it.
pub const OPEN_END: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => panic!("a valid date"),
};

fn open_end() -> NaiveDate {
    OPEN_END
}

impl Tour {
    /// The stored last day in force for a tour ending on `valid_to`.
    pub fn in_force_until(valid_to: Option<NaiveDate>) -> NaiveDate {
        valid_to.unwrap_or(OPEN_END)
    }

    pub fn day(&self, day: Weekday) -> Option<&TourDay> {
        self.days.iter().find(|d| d.day == day)
    }

    /// Whether the tour is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= date) && self.valid_to.is_none_or(|to| date <= to)
    }

    /// Whether the tour is in force on some day from `first` to `last`.
    pub fn overlaps(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= last)
            && self.valid_to.is_none_or(|to| first <= to)
    }

    /// The tour's day on `date`, if it is in force then and runs that weekday.
    pub fn runs_on(&self, date: NaiveDate) -> Option<&TourDay> {
        self.in_force_on(date)
            .then(|| self.day(Weekday::of(date)))
            .flatten()
    }

    /// What is left of the tour around the days `first` to `last` when another plan takes
    /// them: the part before (ending the day before `first`) and the part after (starting
    /// the day after `last`), each if it has any day.
    pub fn around(&self, first: NaiveDate, last: NaiveDate) -> (Option<Tour>, Option<Tour>) {
        let before = self
            .valid_from
            .is_none_or(|from| from < first)
            .then(|| Tour {
                valid_to: first.pred_opt(),
                in_force_until: Tour::in_force_until(first.pred_opt()),
                ..self.clone()
            });
        let after = self.valid_to.is_none_or(|to| to > last).then(|| Tour {
            valid_from: last.succ_opt(),
            ..self.clone()
        });
        (before, after)
    }

    /// Every one-off job on any of its days.
    pub fn one_off_job_ids(&self) -> BTreeSet<String> {
        self.days
            .iter()
            .flat_map(|d| d.one_off_job_ids.iter().map(|j| j.to_string()))
            .collect()
    }

    /// Every area the tour visits on any day for its regular cleaning.
    pub fn area_ids(&self) -> BTreeSet<String> {
        self.days
            .iter()
            .flat_map(|d| d.area_ids.iter().map(|a| a.to_string()))
            .collect()
    }

    /// The planned minutes of each day, from each area's minutes per cleaning.
    pub fn day_loads(&self, minutes_per_cleaning: &BTreeMap<String, f64>) -> Vec<DayLoad> {
        self.days
            .iter()
            .map(|day| {
                let minutes: f64 = day
                    .area_ids
                    .iter()
                    .filter_map(|a| minutes_per_cleaning.get(a.as_str()))
                    .sum();
                let max = f64::from(self.max_minutes_per_day);
                DayLoad {
                    day: day.day,
                    areas: day.area_ids.len(),
                    planned_minutes: round2(minutes),
                    max_minutes: self.max_minutes_per_day,
                    over_by_minutes: round2((minutes - max).max(0.0)),
                }
            })
            .collect()
    }
}

/// One day of a tour, measured against its cap.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayLoad {
    pub day: Weekday,
    pub areas: usize,
    pub planned_minutes: f64,
    pub max_minutes: u32,
    pub over_by_minutes: f64,
}

impl DayLoad {
    pub fn overloaded(&self) -> bool {
        self.over_by_minutes > 0.0
    }
}

impl Entity for Tour {
    const COLLECTION: &'static str = "tours";
    const KIND: &'static str = "tour";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "load",
        "warnings",
        "planId",
        "inForceUntil",
    ];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_str("name", 1..=200);
        let cleaner_id = f.required_parsed("cleanerId", UserId::parse);
        let tour_type = f.optional_parsed("tourType", str::parse::<TourType>);
        let start_time = f.required_parsed("startTime", str::parse::<LocalTime>);
        let max_minutes = f.required_f64("maxMinutesPerDay", 1.0..=1440.0);
        if let Some(m) = max_minutes
            && m.fract() != 0.0
        {
            f.error("maxMinutesPerDay", "must be a whole number of minutes");
        }
        let days = f.required_list("days", 7, |d| {
            let day = d.required_parsed("day", str::parse::<Weekday>);
            let areas = d.optional_parsed_list("areaIds", MAX_AREAS_PER_DAY, AreaId::parse);
            if let Some(areas) = &areas {
                let mut seen = BTreeSet::new();
                if let Some(i) = areas.iter().position(|a| !seen.insert(a.as_str())) {
                    d.error(&format!("areaIds[{i}]"), "is already in this day's tour");
                }
            }
            let jobs = d.optional_parsed_list(
                "oneOffJobIds",
                MAX_ONE_OFF_JOBS_PER_DAY,
                OneOffJobId::parse,
            );
            if let Some(jobs) = &jobs {
                let mut seen = BTreeSet::new();
                if let Some(i) = jobs.iter().position(|j| !seen.insert(j.as_str())) {
                    d.error(
                        &format!("oneOffJobIds[{i}]"),
                        "is already in this day's tour",
                    );
                }
            }
            let leave = d.optional_parsed("leave", str::parse::<LocalTime>);
            d.ignore("stops");
            Some(TourDay {
                day: day?,
                area_ids: areas.unwrap_or_default(),
                one_off_job_ids: jobs.unwrap_or_default(),
                leave,
                stops: Vec::new(),
            })
        });
        if let Some(days) = &days {
            let mut seen = BTreeSet::new();
            if let Some(i) = days.iter().position(|d| !seen.insert(d.day)) {
                f.error(
                    &format!("days[{i}].day"),
                    "appears twice; list each weekday once",
                );
            }
        }
        let valid_from = f.optional_parsed("validFrom", parse_date);
        let valid_to = f.optional_parsed("validTo", parse_date);
        if let (Some(from), Some(to)) = (valid_from, valid_to)
            && to < from
        {
            f.error("validTo", "must not be before validFrom");
        }
        f.finish(|| {
            Some(Tour {
                name: name?,
                cleaner_id: cleaner_id?,
                tour_type: tour_type.unwrap_or(TourType::Regular),
                start_time: start_time?,
                max_minutes_per_day: max_minutes? as u32,
                days: days?,
                valid_from,
                valid_to,
                in_force_until: Tour::in_force_until(valid_to),
                plan_id: None,
            })
        })
    }
}

/// What happens to a tour whose planned minutes exceed its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OverloadPolicy {
    /// 422: the dispatcher must fix the tour first.
    #[default]
    Refuse,
    /// Saved, with a warning on the tour.
    Flag,
}

/// A tenant's rules for tours; one document, `settings/tours`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TourSettings {
    pub overload: OverloadPolicy,
    /// How travel between sites is timed: for tours made by hand, and for plans that do not
    /// name their own.
    #[serde(default)]
    pub travel: crate::planning::TravelModel,
}

impl TourSettings {
    pub const ID: &'static str = "tours";
}

impl Entity for TourSettings {
    const COLLECTION: &'static str = "settings";
    const KIND: &'static str = "tour settings";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let overload = f.required_parsed("overload", |raw| {
            parse_enum::<OverloadPolicy>(raw, &["refuse", "flag"])
        });
        let travel = f.optional_object("travel", crate::planning::TravelModel::read);
        f.finish(|| {
            Some(TourSettings {
                overload: overload?,
                travel: travel.unwrap_or_default(),
            })
        })
    }
}

/// A revocable calendar feed of one cleaner's tours or of one tour. The feed URL carries a
/// token signed for the tenant and this document's id; deleting the document revokes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedToken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaner_id: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour_id: Option<TourId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The cleaner the feed serves (the tour's, for a tour's feed): set by the server, never
    /// from the body. She may always see and revoke it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<UserId>,
}

impl Entity for FeedToken {
    const COLLECTION: &'static str = "feedTokens";
    const KIND: &'static str = "feed token";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "ownerId",
        "token",
        "url",
    ];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let cleaner_id = f.optional_parsed("cleanerId", UserId::parse);
        let tour_id = f.optional_parsed("tourId", TourId::parse);
        let name = f.optional_str("name", 1..=200);
        match (f.has("cleanerId"), f.has("tourId")) {
            (true, true) => f.error("tourId", "must be left out when cleanerId is given"),
            (false, false) => f.error("cleanerId", "is required (or tourId)"),
            _ => {}
        }
        f.finish(|| {
            Some(FeedToken {
                cleaner_id,
                tour_id,
                name,
                owner_id: None,
            })
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Visits

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum VisitStatus {
    InProgress,
    Done,
    Skipped,
    NotAccessible,
}

impl VisitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitStatus::InProgress => "in-progress",
            VisitStatus::Done => "done",
            VisitStatus::Skipped => "skipped",
            VisitStatus::NotAccessible => "not-accessible",
        }
    }
}

/// What a visit's flag says, as a code clients can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum VisitFlagCode {
    /// A closure closes the site on the day.
    SiteClosed,
    /// No calendar schedules the area on the day.
    NotScheduled,
    /// The check-in lies outside every cleaning window of the day.
    OutsideWindow,
    /// The named tour does not visit the area on that weekday.
    NotInTour,
}

/// Something about a visit that a dispatcher should look at; the visit still counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitFlag {
    pub code: VisitFlagCode,
    pub message: String,
}

/// A cleaner's check-in (and check-out) at one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    pub area_id: AreaId,
    pub site_id: SiteId,
    pub cleaner_id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour_id: Option<TourId>,
    pub checked_in_at: DateTime<Utc>,
    /// The check-in's date in the site's time zone (what month reports count by).
    pub local_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_out_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<f64>,
    pub status: VisitStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub flags: Vec<VisitFlag>,
}

impl Entity for Visit {
    const COLLECTION: &'static str = "visits";
    const KIND: &'static str = "visit";

    /// Visits are made by check-in and check-out, never written whole by a client.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "visits are recorded by POST /v1/visits/check-in and /v1/visits/{id}/check-out",
        ))
    }
}

/// How far a client's own clock (`at`) may lie from ours, and how late an offline check-in
/// may be synced.
pub const MAX_CLOCK_AHEAD_MINUTES: i64 = 5;
pub const MAX_SYNC_DELAY_DAYS: i64 = 7;

fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 timestamp, such as 2026-11-23T06:15:00+01:00".into())
}

/// The body of `POST /v1/visits/check-in`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    /// The text of the area's printed QR code.
    pub code: String,
    /// When it happened, if the phone was offline; otherwise now.
    pub at: Option<DateTime<Utc>>,
    pub tour_id: Option<TourId>,
    /// A client-chosen id, so a retried check-in records one visit.
    pub visit_id: Option<VisitId>,
}

impl CheckIn {
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let code = f.required_str("code", 1..=200);
        let at = f.optional_parsed("at", parse_instant);
        let tour_id = f.optional_parsed("tourId", TourId::parse);
        let visit_id = f.optional_parsed("visitId", VisitId::parse);
        f.finish(|| {
            Some(CheckIn {
                code: code?,
                at,
                tour_id,
                visit_id,
            })
        })
    }
}

/// The body of `POST /v1/visits/{id}/check-out`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOut {
    pub status: VisitStatus,
    pub reason: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

impl CheckOut {
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let status = f.required_parsed("status", |raw| match raw {
            "done" => Ok(VisitStatus::Done),
            "skipped" => Ok(VisitStatus::Skipped),
            "not-accessible" => Ok(VisitStatus::NotAccessible),
            _ => Err("must be one of: done, skipped, not-accessible".into()),
        });
        let reason = f.optional_str("reason", 1..=500);
        if status.is_some_and(|s| s != VisitStatus::Done) && reason.is_none() {
            f.error(
                "reason",
                "is required when the area was skipped or not accessible",
            );
        }
        let at = f.optional_parsed("at", parse_instant);
        f.finish(|| {
            Some(CheckOut {
                status: status?,
                reason,
                at,
            })
        })
    }
}

/// Checks a client's timestamp against now; the message names the rule.
pub fn check_client_time(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), String> {
    if at > now + chrono::Duration::minutes(MAX_CLOCK_AHEAD_MINUTES) {
        return Err("must not be in the future".into());
    }
    if at < now - chrono::Duration::days(MAX_SYNC_DELAY_DAYS) {
        return Err(format!(
            "must be within the last {MAX_SYNC_DELAY_DAYS} days"
        ));
    }
    Ok(())
}

/// Whether a check-in at local `time` on a day with these windows needs a flag.
pub fn window_flag(time: LocalTime, windows: &[crate::calendars::TimeWindow]) -> Option<VisitFlag> {
    if windows.is_empty() {
        return Some(VisitFlag {
            code: VisitFlagCode::NotScheduled,
            message: "no calendar schedules this area on this day".into(),
        });
    }
    if windows.iter().any(|w| w.contains(time)) {
        return None;
    }
    let list: Vec<String> = windows
        .iter()
        .map(|w| format!("{}-{}", w.earliest, w.latest))
        .collect();
    Some(VisitFlag {
        code: VisitFlagCode::OutsideWindow,
        message: format!(
            "checked in at {time}, outside the cleaning window {}",
            list.join(", ")
        ),
    })
}

/// The flags of a check-in at `area` (of `area_type`) at local `date` and `time`: a closed
/// site, or else a day without a calendar or a time outside its windows (a one-off job of
/// the area that day, of `jobs` by id, adds its window; one without a window allows any
/// time); and, when the cleaner named `tour`, a tour that visits the area on that weekday
/// neither for its regular cleaning nor for one of those jobs.
pub fn check_in_flags(
    schedule: &crate::schedule::SiteSchedule,
    area: &str,
    area_type: &str,
    date: NaiveDate,
    time: LocalTime,
    tour: Option<&Tour>,
    jobs: &[(&str, &crate::planning::OneOffJob)],
) -> Result<Vec<VisitFlag>, crate::schedule::ScheduleError> {
    let mut flags = Vec::new();
    let jobs: Vec<_> = jobs
        .iter()
        .filter(|(_, j)| j.area_id.as_str() == area && j.date == date)
        .collect();
    let mut windows = schedule.windows(area, area_type, date)?;
    windows.extend(jobs.iter().filter_map(|(_, j)| j.window));
    let any_time = jobs.iter().any(|(_, j)| j.window.is_none());
    if let Some(closure) = schedule.closure_on(date) {
        flags.push(VisitFlag {
            code: VisitFlagCode::SiteClosed,
            message: format!("the site is closed on {date}: {}", closure.reason),
        });
    } else if !any_time && let Some(flag) = window_flag(time, &windows) {
        flags.push(flag);
    }
    if let Some(tour) = tour {
        let planned = tour.runs_on(date).is_some_and(|d| {
            d.area_ids.iter().any(|a| a.as_str() == area)
                || d.one_off_job_ids
                    .iter()
                    .any(|id| jobs.iter().any(|(j, _)| *j == id.as_str()))
        });
        if !planned {
            flags.push(VisitFlag {
                code: VisitFlagCode::NotInTour,
                message: format!("the tour does not visit this area on {date}"),
            });
        }
    }
    Ok(flags)
}

// ---------------------------------------------------------------------------------------------
// Quality inspections

/// One checked point of an area's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChecklistResult {
    pub item: String,
    pub passed: bool,
}

/// One inspected area: an APPA appearance level (1 = orderly spotlessness .. 5 = unkempt
/// neglect) or a pass/fail checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectedArea {
    pub area_id: AreaId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appa_level: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl InspectedArea {
    /// 0 to 100: APPA level 1 is 100 %, each level below it 25 points less; a checklist is
    /// the share of passed points.
    pub fn score_percent(&self) -> f64 {
        match self.appa_level {
            Some(level) => (5.0 - f64::from(level)) * 25.0,
            None => {
                let passed = self.checklist.iter().filter(|c| c.passed).count();
                passed as f64 * 100.0 / self.checklist.len().max(1) as f64
            }
        }
    }
}

/// A scored quality check of some of a site's areas on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub site_id: SiteId,
    pub date: NaiveDate,
    /// Who inspected: set from the token, never from the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspector_id: Option<UserId>,
    pub areas: Vec<InspectedArea>,
    /// The mean of the areas' scores (computed).
    pub score_percent: f64,
}

impl Entity for Inspection {
    const COLLECTION: &'static str = "inspections";
    const KIND: &'static str = "inspection";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "scorePercent",
        "inspectorId",
    ];

    /// The inspector is not in the body: the handler sets it from the caller.
    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let site_id = f.required_parsed("siteId", SiteId::parse);
        let date = f.required_parsed("date", parse_date);
        let areas = f.required_list("areas", 500, |a| {
            let area_id = a.required_parsed("areaId", AreaId::parse);
            let level = a.optional_f64("appaLevel", 1.0..=5.0);
            if level.is_some_and(|l| l.fract() != 0.0) {
                a.error("appaLevel", "must be a whole level from 1 to 5");
            }
            let checklist = a.optional_list("checklist", 100, |c| {
                let item = c.required_str("item", 1..=200);
                let passed = c.optional_bool("passed");
                if passed.is_none() {
                    c.error("passed", "is required (true or false)");
                }
                Some(ChecklistResult {
                    item: item?,
                    passed: passed?,
                })
            });
            match (&level, &checklist) {
                (Some(_), Some(_)) => {
                    a.error("checklist", "must be left out when appaLevel is given");
                }
                (None, None) if !a.has("appaLevel") && !a.has("checklist") => {
                    a.error("appaLevel", "is required (or a checklist)");
                }
                (None, Some(list)) if list.is_empty() => {
                    a.error("checklist", "must have at least one point");
                }
                _ => {}
            }
            let note = a.optional_str("note", 1..=2000);
            Some(InspectedArea {
                area_id: area_id?,
                appa_level: level.map(|l| l as u8),
                checklist: checklist.unwrap_or_default(),
                note,
            })
        });
        if let Some(list) = &areas {
            if list.is_empty() {
                f.error("areas", "must have at least one inspected area");
            }
            let mut seen = BTreeSet::new();
            if let Some(i) = list.iter().position(|a| !seen.insert(a.area_id.as_str())) {
                f.error(&format!("areas[{i}].areaId"), "is inspected twice");
            }
        }
        f.finish(|| {
            let areas = areas?;
            Some(Inspection {
                site_id: site_id?,
                date: date?,
                inspector_id: None,
                score_percent: mean_score(&areas),
                areas,
            })
        })
    }
}

fn mean_score(areas: &[InspectedArea]) -> f64 {
    let total: f64 = areas.iter().map(InspectedArea::score_percent).sum();
    round2(total / areas.len().max(1) as f64)
}

/// A site's inspections of one month, summed up.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectionSummary {
    pub site_id: String,
    pub month: String,
    pub inspections: usize,
    pub inspected_areas: usize,
    /// The mean over every inspected area of the month; absent without inspections.
    pub score_percent: Option<f64>,
}

impl InspectionSummary {
    pub fn of(site_id: &str, month: &str, inspections: &[Inspection]) -> Self {
        let areas: Vec<&InspectedArea> = inspections.iter().flat_map(|i| &i.areas).collect();
        let total: f64 = areas.iter().map(|a| a.score_percent()).sum();
        Self {
            site_id: site_id.to_owned(),
            month: month.to_owned(),
            inspections: inspections.len(),
            inspected_areas: areas.len(),
            score_percent: (!areas.is_empty()).then(|| round2(total / areas.len() as f64)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Proof of service

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl FromStr for Month {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        let bad = || "must be a month YYYY-MM".to_owned();
        if raw.len() != 7 {
            return Err(bad());
        }
        let first =
            NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d").map_err(|_| bad())?;
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(bad)?;
        Ok(Month {
            first,
            last: next.pred_opt().ok_or_else(bad)?,
        })
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// One area's planned and recorded cleanings in a month.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaService {
    pub area_id: String,
    pub area_name: String,
    pub planned: usize,
    pub done: usize,
    pub skipped: usize,
    pub not_accessible: usize,
    /// How many of the planned cleanings are one-off jobs.
    pub one_off_jobs: usize,
    /// Done as a share of planned, capped at 100; absent when nothing was planned.
    pub fulfilment_percent: Option<f64>,
    /// Cleanings sensors made due (counted in `planned`).
    #[serde(skip_serializing_if = "is_zero")]
    pub demand: usize,
    /// Scheduled cleanings of an area cleaned by demand that its use did not need: neither
    /// planned nor missed.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_needed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How an area's visits ended, counted as they are read (a month's visits are never all
/// held at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitTally {
    pub done: usize,
    pub skipped: usize,
    pub not_accessible: usize,
}

impl VisitTally {
    /// Counts `visit` (one still in progress counts for nothing yet).
    pub fn add(&mut self, visit: &Visit) {
        match visit.status {
            VisitStatus::Done => self.done += 1,
            VisitStatus::Skipped => self.skipped += 1,
            VisitStatus::NotAccessible => self.not_accessible += 1,
            VisitStatus::InProgress => {}
        }
    }
}

impl AreaService {
    /// `planned` regular cleanings and `one_off_jobs` besides, against the visits.
    pub fn new(
        area_id: &str,
        area_name: &str,
        (regular, one_off_jobs): (usize, usize),
        visits: VisitTally,
    ) -> Self {
        let done = visits.done;
        let planned = regular + one_off_jobs;
        Self {
            area_id: area_id.to_owned(),
            area_name: area_name.to_owned(),
            planned,
            done,
            skipped: visits.skipped,
            not_accessible: visits.not_accessible,
            one_off_jobs,
            fulfilment_percent: fulfilment(done, planned),
            demand: 0,
            not_needed: 0,
        }
    }

    /// For an area cleaned by demand: `demand` cleanings sensors made due, of which `extra`
    /// fell on no scheduled day (they add to what was planned), and `not_needed` scheduled
    /// days its use did not need (they leave it).
    pub fn with_demand(mut self, demand: usize, extra: usize, not_needed: usize) -> Self {
        self.planned = (self.planned + extra).saturating_sub(not_needed);
        self.demand = demand;
        self.not_needed = not_needed;
        self.fulfilment_percent = fulfilment(self.done, self.planned);
        self
    }
}

fn fulfilment(done: usize, planned: usize) -> Option<f64> {
    (planned > 0).then(|| round2((done as f64 * 100.0 / planned as f64).min(100.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    mod check_in_flags {
        use super::*;
        use crate::calendars::{Calendar, Closure};
        use crate::schedule::SiteSchedule;

        /// Site s1 cleaned on weekdays 18:00-20:00, closed on 2026-12-24.
        fn schedule() -> SiteSchedule {
            let weekdays = Calendar::parse(&json!({
                "siteId": "s1", "name": "Weekdays", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                "startDate": "2026-01-05", "window": {"earliest": "18:00", "latest": "20:00"}
            }))
            .unwrap();
            let holiday = Closure::parse(&json!({"from": "2026-12-24", "to": "2026-12-24",
                "reason": "Christmas Eve"}))
            .unwrap();
            SiteSchedule::new(
                "s1",
                chrono_tz::Europe::Berlin,
                vec![("c1".into(), weekdays)],
                [("h1".into(), holiday)],
            )
        }

        /// Maria's tour: a1 on Mondays only.
        fn mondays() -> Tour {
            Tour::parse(&json!({
                "name": "Evening", "cleanerId": "maria", "startTime": "18:00",
                "maxMinutesPerDay": 120, "days": [{"day": "mon", "areaIds": ["a1"]}]
            }))
            .unwrap()
        }

        fn codes(date: &str, time: &str, tour: Option<&Tour>) -> Vec<VisitFlagCode> {
            check_in_flags(
                &schedule(),
                "a1",
                "t1",
                date.parse().unwrap(),
                time.parse().unwrap(),
                tour,
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|f| f.code)
            .collect()
        }

        #[test]
        fn a_check_in_inside_the_window_on_a_tour_day_has_no_flag() {
            assert_eq!(codes("2026-12-07", "18:30", Some(&mondays())), []);
        }

        #[test]
        fn a_check_in_outside_the_window_is_flagged() {
            assert_eq!(
                codes("2026-12-07", "16:00", None),
                [VisitFlagCode::OutsideWindow]
            );
        }

        #[test]
        fn a_check_in_on_a_day_without_a_calendar_is_flagged() {
            assert_eq!(
                codes("2026-12-06", "18:30", None),
                [VisitFlagCode::NotScheduled]
            );
        }

        #[test]
        fn a_closed_day_is_flagged_as_closed_and_not_also_outside_its_window() {
            assert_eq!(
                codes("2026-12-24", "10:00", None),
                [VisitFlagCode::SiteClosed]
            );
        }

        #[test]
        fn a_day_the_named_tour_does_not_visit_is_flagged() {
            assert_eq!(
                codes("2026-12-08", "18:30", Some(&mondays())),
                [VisitFlagCode::NotInTour]
            );
        }

        fn job(window: Option<(&str, &str)>) -> crate::planning::OneOffJob {
            let mut body = json!({"areaId": "a1", "date": "2026-12-08", "minutes": 60});
            if let Some((earliest, latest)) = window {
                body["window"] = json!({"earliest": earliest, "latest": latest});
            }
            crate::planning::OneOffJob::parse(&body).unwrap()
        }

        fn codes_with(
            time: &str,
            tour: Option<&Tour>,
            job: &crate::planning::OneOffJob,
        ) -> Vec<VisitFlagCode> {
            check_in_flags(
                &schedule(),
                "a1",
                "t1",
                "2026-12-08".parse().unwrap(),
                time.parse().unwrap(),
                tour,
                &[("j1", job)],
            )
            .unwrap()
            .into_iter()
            .map(|f| f.code)
            .collect()
        }

        #[test]
        fn a_one_off_jobs_window_allows_a_check_in_its_calendar_does_not() {
            let deep_clean = job(Some(("10:00", "12:00")));
            assert_eq!(codes_with("11:00", None, &deep_clean), []);
            assert_eq!(
                codes_with("13:00", None, &deep_clean),
                [VisitFlagCode::OutsideWindow]
            );
            assert_eq!(codes_with("13:00", None, &job(None)), []);
        }

        #[test]
        fn a_tour_day_naming_the_one_off_job_visits_its_area() {
            let mut tour = mondays();
            tour.days[0].day = Weekday::Tue;
            tour.days[0].area_ids.clear();
            let deep_clean = job(Some(("10:00", "12:00")));
            assert_eq!(
                codes_with("11:00", Some(&tour), &deep_clean),
                [VisitFlagCode::NotInTour]
            );
            tour.days[0].one_off_job_ids = vec![OneOffJobId::parse("j1").unwrap()];
            assert_eq!(codes_with("11:00", Some(&tour), &deep_clean), []);
        }

        #[test]
        fn flag_codes_serialise_in_kebab_case() {
            assert_eq!(
                serde_json::to_value(VisitFlagCode::OutsideWindow).unwrap(),
                json!("outside-window")
            );
        }
    }

    mod tour_days {
        use super::*;

        fn stop(area: &str, job: Option<&str>) -> TimedStop {
            TimedStop {
                area_id: AreaId::parse(area).unwrap(),
                one_off_job_id: job.map(|j| OneOffJobId::parse(j).unwrap()),
                arrival: "08:00".parse().unwrap(),
                start: "08:00".parse().unwrap(),
                end: "09:00".parse().unwrap(),
                warnings: Vec::new(),
            }
        }

        fn day(areas: &[&str], jobs: &[&str], stops: Vec<TimedStop>) -> TourDay {
            TourDay {
                day: Weekday::Wed,
                area_ids: areas.iter().map(|a| AreaId::parse(a).unwrap()).collect(),
                one_off_job_ids: jobs
                    .iter()
                    .map(|j| OneOffJobId::parse(j).unwrap())
                    .collect(),
                leave: None,
                stops,
            }
        }

        #[test]
        fn planned_times_with_a_one_off_job_among_the_areas_are_kept() {
            let stops = vec![stop("a1", None), stop("a1", Some("j1")), stop("a2", None)];
            let day = day(&["a1", "a2"], &["j1"], stops);
            assert_eq!(day.timed_stops().map(<[_]>::len), Some(3));
            let refs = day.stop_refs();
            assert_eq!(refs[1].one_off_job_id.as_deref(), Some("j1"));
        }

        #[test]
        fn planned_times_missing_a_one_off_job_of_the_day_are_stale() {
            let stops = vec![stop("a1", None), stop("a2", None)];
            assert!(day(&["a1", "a2"], &["j1"], stops).timed_stops().is_none());
            let stops = vec![stop("a1", None), stop("a1", Some("j2"))];
            assert!(day(&["a1"], &["j1"], stops).timed_stops().is_none());
        }
    }

    mod timing {
        use super::*;
        use crate::planning::TravelModel;
        use crate::sites::GeoPoint;

        fn place(
            id: &str,
            lng: f64,
            minutes: i64,
            window: Result<(i64, i64), String>,
        ) -> StopPlace {
            StopPlace {
                area_id: AreaId::parse(id).unwrap(),
                one_off_job_id: None,
                location: GeoPoint { lat: 52.5, lng },
                minutes,
                window,
            }
        }

        #[test]
        fn stops_are_timed_with_travel_and_wait_for_their_window() {
            let travel = TravelModel::default();
            let home = GeoPoint {
                lat: 52.5,
                lng: 13.30,
            };
            let stops = [
                place("a1", 13.40, 30, Ok((0, 24 * 60))),
                place("a2", 13.40, 20, Ok((0, 24 * 60))),
                place("a3", 13.50, 45, Ok((18 * 60, 20 * 60))),
            ];
            let timed = time_day("16:00".parse().unwrap(), Some(home), &stops, &travel);
            let to_first = travel.minutes(home, stops[0].location);
            assert!(to_first > 0);
            assert_eq!(i64::from(timed[0].arrival.minutes()), 16 * 60 + to_first);
            assert_eq!(timed[0].start, timed[0].arrival);
            assert_eq!(timed[1].arrival, timed[0].end, "same site: no travel");
            assert_eq!(timed[2].start.to_string(), "18:00", "waits for the window");
            assert_eq!(timed[2].end.to_string(), "18:45");
            assert!(timed.iter().all(|t| t.warnings.is_empty()), "{timed:?}");
        }

        #[test]
        fn a_stop_ending_after_its_window_or_without_one_is_warned_about() {
            let stops = [
                place("a1", 13.40, 90, Ok((6 * 60, 7 * 60))),
                place(
                    "a2",
                    13.40,
                    10,
                    Err("the site cannot be entered on mon".into()),
                ),
            ];
            let timed = time_day(
                "06:00".parse().unwrap(),
                None,
                &stops,
                &TravelModel::default(),
            );
            assert_eq!(
                timed[0].warnings,
                ["ends at 07:30, after its window closes at 07:00"]
            );
            assert_eq!(timed[1].warnings, ["the site cannot be entered on mon"]);
            assert_eq!(timed[1].start.to_string(), "07:30");
        }
    }

    mod validity {
        use super::*;

        fn tour(from: Option<&str>, to: Option<&str>) -> Tour {
            Tour::parse(&json!({
                "name": "Evening", "cleanerId": "maria", "startTime": "18:00",
                "maxMinutesPerDay": 120, "days": [{"day": "mon", "areaIds": ["a1"]}],
                "validFrom": from, "validTo": to
            }))
            .unwrap()
        }

        fn date(raw: &str) -> NaiveDate {
            raw.parse().unwrap()
        }

        #[test]
        fn a_tour_runs_only_within_its_validity() {
            let week = tour(Some("2026-12-07"), Some("2026-12-13"));
            assert!(week.runs_on(date("2026-12-07")).is_some());
            assert!(
                week.runs_on(date("2026-11-30")).is_none(),
                "the week before"
            );
            assert!(week.runs_on(date("2026-12-14")).is_none(), "the week after");
            assert!(tour(None, None).runs_on(date("2030-01-07")).is_some());
        }

        #[test]
        fn a_standing_tour_is_split_around_a_planned_week() {
            let (before, after) = tour(None, None).around(date("2026-12-07"), date("2026-12-13"));
            let (before, after) = (before.unwrap(), after.unwrap());
            assert_eq!(
                (before.valid_from, before.valid_to),
                (None, Some(date("2026-12-06")))
            );
            assert_eq!(
                (after.valid_from, after.valid_to),
                (Some(date("2026-12-14")), None)
            );
        }

        #[test]
        fn a_tour_inside_the_planned_week_leaves_nothing() {
            let week = tour(Some("2026-12-07"), Some("2026-12-13"));
            assert_eq!(
                week.around(date("2026-12-07"), date("2026-12-13")),
                (None, None)
            );
        }

        #[test]
        fn a_validity_ending_before_it_starts_is_refused() {
            let err = Tour::parse(&json!({
                "name": "x", "cleanerId": "m", "startTime": "06:00", "maxMinutesPerDay": 60,
                "days": [], "validFrom": "2026-12-07", "validTo": "2026-12-06"
            }))
            .unwrap_err();
            assert_eq!(err.0[0].field, "validTo");
        }
    }

    #[test]
    fn a_tour_reports_its_minutes_per_day_against_its_cap() {
        let tour = Tour::parse(&json!({
            "name": "Early", "cleanerId": "maria", "startTime": "06:00", "maxMinutesPerDay": 60,
            "days": [{"day": "mon", "areaIds": ["a1", "a2"]}, {"day": "tue", "areaIds": ["a1"]}]
        }))
        .unwrap();
        let minutes = BTreeMap::from([("a1".to_owned(), 40.0), ("a2".to_owned(), 30.0)]);
        let loads = tour.day_loads(&minutes);
        assert_eq!(loads[0].planned_minutes, 70.0);
        assert_eq!(loads[0].over_by_minutes, 10.0);
        assert!(loads[0].overloaded());
        assert!(!loads[1].overloaded());
        assert_eq!(tour.tour_type, TourType::Regular);
    }

    #[test]
    fn bad_tours_name_their_fields() {
        let err = Tour::parse(&json!({
            "name": "x", "cleanerId": "m", "startTime": "6am", "maxMinutesPerDay": 0,
            "tourType": "party",
            "days": [{"day": "mon", "areaIds": ["a1", "a1"]}, {"day": "mon", "areaIds": ["b/c"]}]
        }))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tourType",
                "startTime",
                "maxMinutesPerDay",
                "days[0].areaIds[1]",
                "days[1].areaIds[0]",
            ],
            "{err:?}"
        );
    }

    #[test]
    fn inspections_score_appa_levels_and_checklists() {
        let inspection = Inspection::parse(&json!({
            "siteId": "s1", "date": "2026-11-02",
            "areas": [
                {"areaId": "a1", "appaLevel": 1},
                {"areaId": "a2", "appaLevel": 3},
                {"areaId": "a3", "checklist": [
                    {"item": "floor", "passed": true}, {"item": "bins", "passed": false}
                ]}
            ]
        }))
        .unwrap();
        assert_eq!(
            inspection.score_percent, 66.67,
            "(100 + 50 + 50) / 3, rounded"
        );
        let err = Inspection::parse(&json!({
            "siteId": "s1", "date": "2026-11-02",
            "areas": [{"areaId": "a1", "appaLevel": 6}, {"areaId": "a2"}]
        }))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["areas[0].appaLevel", "areas[1].appaLevel"]);
    }

    #[test]
    fn check_out_needs_a_reason_unless_done() {
        assert!(CheckOut::parse(&json!({"status": "done"})).is_ok());
        let err = CheckOut::parse(&json!({"status": "skipped"})).unwrap_err();
        assert_eq!(err.0[0].field, "reason");
    }

    #[test]
    fn months_know_their_last_day() {
        let feb: Month = "2028-02".parse().unwrap();
        assert_eq!(feb.last.to_string(), "2028-02-29");
        assert!("2028-13".parse::<Month>().is_err());
        assert!("2028-1".parse::<Month>().is_err());
    }
}
