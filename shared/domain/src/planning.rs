//! Turns a tenant's cleaning week into routing problems, one per day, and the planner's
//! routes back into a plan: tours per cleaner and day, what could not be planned and why, and
//! the plan's figures against the current tours.
//!
//! Times are minutes after local midnight of the planned day, and locations are sites (travel
//! inside a site is zero) and the cleaners' homes. Travel time between two points is the
//! great-circle distance times a road factor, at a given speed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendars::TimeWindow;
use crate::entity::Entity;
use crate::id::UserId;
use crate::sites::{AccessWindow, GeoPoint};
use crate::time::{LocalTime, WEEKDAYS, Weekday};
use crate::validation::{Fields, ValidationErrors};

/// A cleaner as the planner sees her: where she starts, when she works, how much she may
/// clean a day. Stored in `cleaners`, the id being her user id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cleaner {
    /// Her user id (the `sub` of her token, the `cleanerId` of her tours).
    pub user_id: UserId,
    pub name: String,
    /// Where her working day starts and ends.
    pub home: GeoPoint,
    pub shifts: Vec<AccessWindow>,
    pub max_minutes_per_day: u32,
    /// What she can do beyond regular cleaning (see an area type's `skills`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
}

impl Entity for Cleaner {
    const COLLECTION: &'static str = "cleaners";
    const KIND: &'static str = "cleaner";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let user_id = f.required_parsed("userId", UserId::parse);
        let name = f.required_str("name", 1..=200);
        let home = f.required_object("home", |h| {
            let lat = h.required_f64("lat", -90.0..=90.0);
            let lng = h.required_f64("lng", -180.0..=180.0);
            Some(GeoPoint {
                lat: lat?,
                lng: lng?,
            })
        });
        let shifts = f.required_list("shifts", 14, |s| {
            let day = s.required_parsed("day", str::parse::<Weekday>);
            let from = s.required_parsed("from", str::parse::<LocalTime>);
            let to = s.required_parsed("to", str::parse::<LocalTime>);
            if let (Some(from), Some(to)) = (from, to)
                && to <= from
            {
                s.error("to", "must be later than from");
                return None;
            }
            Some(AccessWindow {
                day: day?,
                from: from?,
                to: to?,
            })
        });
        if let Some(shifts) = &shifts {
            let mut days = BTreeSet::new();
            if let Some(i) = shifts.iter().position(|s| !days.insert(s.day)) {
                f.error(&format!("shifts[{i}].day"), "has a shift already");
            }
        }
        let max = f.required_f64("maxMinutesPerDay", 1.0..=1440.0);
        let skills = f.optional_parsed_list("skills", 20, crate::sites::parse_skill);
        f.finish(|| {
            Some(Cleaner {
                user_id: user_id?,
                name: name?,
                home: home?,
                shifts: shifts?,
                max_minutes_per_day: max? as u32,
                skills: skills.unwrap_or_default(),
            })
        })
    }
}

/// Why a cleaner is away.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AbsenceKind {
    Holiday,
    Sick,
    Training,
}

/// Longest absence one record may span, in days: longer ones are several records.
pub const MAX_ABSENCE_DAYS: i64 = 366;

/// A cleaner away from `from` to `to`, both days included (local dates): the planner gives
/// her no work then, and her stops in force those days show as uncovered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Absence {
    pub cleaner_id: UserId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub kind: AbsenceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Absence {
    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.from..=self.to).contains(&date)
    }

    pub fn overlaps(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.from <= last && first <= self.to
    }
}

impl Entity for Absence {
    const COLLECTION: &'static str = "absences";
    const KIND: &'static str = "absence";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let cleaner_id = f.required_parsed("cleanerId", UserId::parse);
        let from = f.required_parsed("from", crate::calendars::parse_date);
        let to = f.required_parsed("to", crate::calendars::parse_date);
        let kind = f.required_parsed("kind", |raw| match raw {
            "holiday" => Ok(AbsenceKind::Holiday),
            "sick" => Ok(AbsenceKind::Sick),
            "training" => Ok(AbsenceKind::Training),
            _ => Err("must be one of: holiday, sick, training".to_owned()),
        });
        let note = f.optional_str("note", 1..=500);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                f.error("to", "must not be before from");
            } else if (to - from).num_days() >= MAX_ABSENCE_DAYS {
                f.error(
                    "to",
                    format!("must be within {MAX_ABSENCE_DAYS} days of from (record longer absences in parts)"),
                );
            }
        }
        f.finish(|| {
            Some(Absence {
                cleaner_id: cleaner_id?,
                from: from?,
                to: to?,
                kind: kind?,
                note,
            })
        })
    }
}

pub enum OneOffJobKind {}
pub type OneOffJobId = crate::id::Id<OneOffJobKind>;

/// One extra cleaning of an area on one date (a deep clean, the windows once a quarter),
/// planned with its week beside the area's regular cleanings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOffJob {
    pub area_id: crate::sites::AreaId,
    /// The area's site (set by the server from the area): read by the site's month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<crate::sites::SiteId>,
    pub date: NaiveDate,
    /// When it may be done that day; none: whenever the site may be entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<TimeWindow>,
    pub minutes: u32,
    /// What the cleaner must be able to do, beyond the area type's own skills.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// For the cleaner, on her sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The longest one-off job, in minutes: one shift.
pub const MAX_ONE_OFF_MINUTES: i64 = 12 * 60;

impl Entity for OneOffJob {
    const COLLECTION: &'static str = "oneOffJobs";
    const KIND: &'static str = "one-off job";
    const READ_ONLY: &'static [&'static str] =
        &["id", "version", "createdAt", "updatedAt", "siteId"];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let area_id = f.required_parsed("areaId", crate::sites::AreaId::parse);
        let date = f.required_parsed("date", crate::calendars::parse_date);
        let window = f.optional_object("window", TimeWindow::read);
        let minutes = f.required_i64("minutes", 1..=MAX_ONE_OFF_MINUTES);
        if let (Some(window), Some(minutes)) = (window, minutes)
            && window.minutes() < minutes
        {
            f.error(
                "window",
                format!("is shorter than the job's {minutes} minutes"),
            );
        }
        let skills = f.optional_parsed_list("skills", 20, crate::sites::parse_skill);
        let note = f.optional_str("note", 1..=500);
        f.finish(|| {
            Some(OneOffJob {
                area_id: area_id?,
                site_id: None,
                date: date?,
                window,
                minutes: u32::try_from(minutes?).ok()?,
                skills: skills.unwrap_or_default(),
                note,
            })
        })
    }
}

/// How travel time follows from coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TravelModel {
    /// Road distance over great-circle distance.
    pub road_factor: f64,
    pub speed_kmh: f64,
}

impl Default for TravelModel {
    fn default() -> Self {
        Self {
            road_factor: 1.3,
            speed_kmh: 25.0,
        }
    }
}

impl TravelModel {
    /// Reads `{roadFactor?, speedKmh?}`, the defaults for what is left out.
    pub fn read(t: &mut Fields<'_>) -> Option<Self> {
        let defaults = TravelModel::default();
        let road_factor = t.optional_f64("roadFactor", 1.0..=3.0);
        let speed = t.optional_f64("speedKmh", 3.0..=130.0);
        Some(TravelModel {
            road_factor: road_factor.unwrap_or(defaults.road_factor),
            speed_kmh: speed.unwrap_or(defaults.speed_kmh),
        })
    }

    /// Whole minutes from `a` to `b`, rounded up.
    pub fn minutes(&self, a: GeoPoint, b: GeoPoint) -> i64 {
        if a == b {
            return 0;
        }
        let km = haversine_km(a, b) * self.road_factor;
        (km / self.speed_kmh * 60.0).ceil() as i64
    }
}

pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlng = (b.lng - a.lng).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// The weekdays (0 = Monday) an area cleaned `per_week` times is cleaned in week `week`,
/// spread evenly: 3 a week is Monday, Wednesday, Friday; 0.5 is Wednesday every other week.
pub fn spread_days(per_week: f64, week: i64) -> Vec<usize> {
    if per_week <= 0.0 {
        return Vec::new();
    }
    if per_week < 1.0 {
        // Once every `period` weeks, mid-week.
        let period = (1.0 / per_week).round().max(1.0) as i64;
        return if week.rem_euclid(period) == 0 {
            vec![2]
        } else {
            Vec::new()
        };
    }
    let per_day = (per_week / 7.0).ceil() as usize;
    let count = (per_week.round() as usize).min(7 * per_day);
    let on_days = count.min(7);
    // Working days first: up to five cleanings a week fall Monday to Friday.
    let span = if on_days <= 5 { 5.0 } else { 7.0 };
    (0..on_days)
        .map(|i| ((i as f64 + 0.5) * span / on_days as f64).floor() as usize)
        .collect()
}

/// One site of the week's problem.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSite {
    pub site_id: String,
    pub name: String,
    pub location: GeoPoint,
    /// Empty: no restriction.
    pub access_hours: Vec<AccessWindow>,
}

/// One area to be cleaned in the week.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanArea {
    pub area_id: String,
    pub name: String,
    /// Its area type (what a room with little history of its own is simulated like).
    pub area_type_id: String,
    /// Index into the week's sites.
    pub site: usize,
    pub minutes_per_cleaning: f64,
    pub cleanings_per_week: f64,
    /// Skills its area type needs.
    pub skills: Vec<String>,
    /// The days its calendars schedule it, with their windows; `None` without a calendar
    /// (the week's cleanings are then spread over the days).
    pub scheduled: Option<BTreeMap<NaiveDate, Vec<TimeWindow>>>,
    /// The days of the week its calendars fall on, closures aside.
    pub calendar_days: usize,
    /// Days when calendars of different specificity fall, and which win.
    pub overlaps: Vec<crate::preflight::CalendarOverlap>,
    /// Its cleaner or weekday, if pinned.
    pub pin: Option<crate::sites::Pin>,
    /// The one-off job this is (on its one date, with its own minutes, window and skills);
    /// none for the area's regular cleaning.
    pub one_off_job_id: Option<String>,
}

/// The skill that stands for a pin to cleaner `id`: only she has it, and her pinned areas
/// need it, so the planner's skill rule keeps them to her.
fn pin_skill(id: &str) -> String {
    format!("{PIN_PREFIX}{id}")
}

const PIN_PREFIX: &str = "pinned-to:";

/// A weekday (0 = Monday) and the windows of that day.
type DayWindows = (usize, Vec<TimeWindow>);

impl PlanArea {
    /// A one-off job of `area` as the week's problem takes it: on its date only, its window
    /// (or the site's access hours), its minutes, the area type's skills and its own; a pin
    /// to a cleaner holds for it, a weekday pin does not (its date is fixed).
    pub fn one_off(area: &PlanArea, job_id: &str, job: &OneOffJob) -> PlanArea {
        let mut skills = area.skills.clone();
        skills.extend(
            job.skills
                .iter()
                .filter(|s| !area.skills.contains(s))
                .cloned(),
        );
        PlanArea {
            area_id: area.area_id.clone(),
            name: area.name.clone(),
            area_type_id: area.area_type_id.clone(),
            site: area.site,
            minutes_per_cleaning: f64::from(job.minutes),
            cleanings_per_week: 1.0,
            skills,
            scheduled: Some(BTreeMap::from([(
                job.date,
                job.window.into_iter().collect(),
            )])),
            calendar_days: 1,
            overlaps: Vec::new(),
            pin: area.pin.as_ref().and_then(|p| {
                p.cleaner_id.as_ref().map(|c| crate::sites::Pin {
                    cleaner_id: Some(c.clone()),
                    weekday: None,
                })
            }),
            one_off_job_id: Some(job_id.to_owned()),
        }
    }

    /// What it is as a stop: its area, and its one-off job if it is one.
    pub fn stop_ref(&self) -> StopRef {
        StopRef {
            area_id: self.area_id.clone(),
            one_off_job_id: self.one_off_job_id.clone(),
        }
    }

    fn unplanned(&self, date: NaiveDate, reason: String) -> Unplanned {
        Unplanned {
            area_id: self.area_id.clone(),
            one_off_job_id: self.one_off_job_id.clone(),
            date,
            reason,
        }
    }

    /// Its days of the week (0 = Monday) with their windows, and the days a weekday pin takes
    /// away (each with why).
    fn days(&self, start: NaiveDate, week_number: i64) -> (Vec<DayWindows>, Vec<(usize, String)>) {
        let days: Vec<DayWindows> = match &self.scheduled {
            Some(dates) => dates
                .iter()
                .filter_map(|(date, windows)| {
                    let offset = (*date - start).num_days();
                    (0..7)
                        .contains(&offset)
                        .then(|| (offset as usize, windows.clone()))
                })
                .collect(),
            None => spread_days(self.cleanings_per_week, week_number)
                .into_iter()
                .map(|d| (d, Vec::new()))
                .collect(),
        };
        let Some(pinned) = self.pin.as_ref().and_then(|p| p.weekday) else {
            return (days, Vec::new());
        };
        let day = pinned.index();
        let name = crate::time::WEEKDAY_NAMES[day];
        match &self.scheduled {
            // Calendars decide the days: those on other weekdays go.
            Some(_) => {
                let (kept, other): (Vec<_>, Vec<_>) =
                    days.into_iter().partition(|(d, _)| *d == day);
                let why = format!("pinned to {name}, but its calendars schedule it on this day");
                let taken = other.iter().map(|o| (o.0, why.clone())).collect();
                (kept, taken)
            }
            // Spread over the week: one cleaning, on the pinned day.
            None if days.is_empty() => (days, Vec::new()),
            None => {
                let taken = days
                    .iter()
                    .skip(1)
                    .map(|(d, _)| {
                        (
                            *d,
                            format!("pinned to {name}: cleaned once a week, on that day"),
                        )
                    })
                    .collect();
                (vec![(day, Vec::new())], taken)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    /// A Monday.
    pub start: NaiveDate,
    pub sites: Vec<PlanSite>,
    pub areas: Vec<PlanArea>,
    /// Cleaners by user id.
    pub cleaners: Vec<(String, Cleaner)>,
    pub travel: TravelModel,
    /// Who is away on which day (user id, date): she gets no work that day.
    pub absent: BTreeSet<(String, NaiveDate)>,
    /// A room cleaned by demand: the cleanings beyond its planned one its sensors' history
    /// expects on a date (what a simulation adds to the day).
    pub extra_demand: BTreeMap<(String, NaiveDate), f64>,
}

/// An area the plan leaves out on a day, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Unplanned {
    pub area_id: String,
    /// When it is a one-off job, which.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
    pub date: NaiveDate,
    pub reason: String,
}

/// Which stop a tour's entry is: an area's regular cleaning, or a one-off job at it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StopRef {
    pub area_id: String,
    pub one_off_job_id: Option<String>,
}

impl StopRef {
    pub fn regular(area_id: &str) -> Self {
        StopRef {
            area_id: area_id.to_owned(),
            one_off_job_id: None,
        }
    }
}

/// One job of a day's problem.
#[derive(Debug, Clone, PartialEq)]
struct DayJob {
    area: usize,
    window: (i64, i64),
    minutes: i64,
}

/// A day's routing problem and what it is made of.
pub struct DayProblem {
    pub date: NaiveDate,
    pub problem: planner::Problem,
    /// Area index of each job.
    pub job_areas: Vec<usize>,
    /// Cleaner index of each vehicle.
    pub vehicle_cleaners: Vec<usize>,
    pub unplanned: Vec<Unplanned>,
    /// Skill names by bit.
    pub skills: Vec<String>,
}

fn minutes(t: LocalTime) -> i64 {
    i64::from(t.minutes())
}

impl Week {
    /// The day problems of the week, Monday first.
    pub fn problems(&self) -> Vec<DayProblem> {
        let week_number = self.start.iso_week().week() as i64;
        let mut by_day: Vec<Vec<DayJob>> = vec![Vec::new(); 7];
        let mut unplanned: Vec<Vec<Unplanned>> = vec![Vec::new(); 7];
        for (a, area) in self.areas.iter().enumerate() {
            let site = &self.sites[area.site];
            let (days, taken) = area.days(self.start, week_number);
            for (day, reason) in taken {
                unplanned[day]
                    .push(area.unplanned(self.start + Duration::days(day as i64), reason));
            }
            for (day, windows) in days {
                let date = self.start + Duration::days(day as i64);
                let refuse = |reason: String| area.unplanned(date, reason);
                match day_window(site, day, &windows) {
                    Err(reason) => unplanned[day].push(refuse(reason)),
                    Ok((from, to)) => {
                        let need = area.minutes_per_cleaning.ceil() as i64;
                        if to - from < need {
                            unplanned[day].push(refuse(format!(
                                "takes {need} minutes, longer than its window of {} minutes",
                                to - from
                            )));
                        } else {
                            by_day[day].push(DayJob {
                                area: a,
                                window: (from, to - need),
                                minutes: need,
                            });
                        }
                    }
                }
            }
        }
        (0..7)
            .map(|day| self.day_problem(day, &by_day[day], std::mem::take(&mut unplanned[day])))
            .collect()
    }

    /// Skill names, one bit each (the first 64 named by areas or cleaners).
    fn skill_bits(&self) -> Vec<String> {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        names.extend(
            self.areas
                .iter()
                .flat_map(|a| a.skills.iter().map(String::as_str)),
        );
        names.extend(
            self.cleaners
                .iter()
                .flat_map(|(_, c)| c.skills.iter().map(String::as_str)),
        );
        // Pins first: a pin left without a bit would not be kept.
        let pins: BTreeSet<String> = self
            .areas
            .iter()
            .filter_map(|a| a.pin.as_ref()?.cleaner_id.as_ref())
            .map(|c| pin_skill(c.as_str()))
            .collect();
        let mut bits: Vec<String> = pins.into_iter().collect();
        bits.extend(names.into_iter().map(str::to_owned));
        bits.truncate(64);
        bits
    }

    fn day_problem(&self, day: usize, jobs: &[DayJob], unplanned: Vec<Unplanned>) -> DayProblem {
        let date = self.start + Duration::days(day as i64);
        let skills = self.skill_bits();
        let mask = |names: &[String]| -> u64 {
            names
                .iter()
                .filter_map(|n| skills.iter().position(|s| s == n))
                .fold(0, |m, bit| m | (1 << bit))
        };
        let working: Vec<usize> = (0..self.cleaners.len())
            .filter(|&c| {
                let (id, cleaner) = &self.cleaners[c];
                cleaner.shifts.iter().any(|s| s.day.index() == day)
                    && !self.absent.contains(&(id.clone(), date))
            })
            .collect();
        // Locations: the sites, then the working cleaners' homes.
        let mut points: Vec<GeoPoint> = self.sites.iter().map(|s| s.location).collect();
        points.extend(working.iter().map(|&c| self.cleaners[c].1.home));
        let n = points.len();
        let mut travel = vec![0; n * n];
        for a in 0..n {
            for b in 0..n {
                travel[a * n + b] = self.travel.minutes(points[a], points[b]);
            }
        }
        let vehicles = working
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let cleaner = &self.cleaners[c].1;
                let shift = cleaner
                    .shifts
                    .iter()
                    .find(|s| s.day.index() == day)
                    .expect("a working cleaner has a shift");
                // Paid time (leaving home to coming back) stays within her daily maximum:
                // the day ends at the shift's end or `maxMinutesPerDay` after its start.
                let max = i64::from(cleaner.max_minutes_per_day);
                planner::Vehicle {
                    start: self.sites.len() + i,
                    end: self.sites.len() + i,
                    shift_start: minutes(shift.from),
                    shift_end: minutes(shift.to).min(minutes(shift.from) + max),
                    capacity: i64::from(cleaner.max_minutes_per_day),
                    skills: mask(&cleaner.skills) | mask(&[pin_skill(&self.cleaners[c].0)]),
                }
            })
            .collect();
        let problem = planner::Problem {
            locations: n,
            travel,
            jobs: jobs
                .iter()
                .map(|j| planner::Job {
                    location: self.areas[j.area].site,
                    demand: j.minutes,
                    ready: j.window.0,
                    due: j.window.1,
                    service: j.minutes,
                    skills: {
                        let area = &self.areas[j.area];
                        let pinned = area.pin.as_ref().and_then(|p| p.cleaner_id.as_ref());
                        mask(&area.skills)
                            | mask(
                                &pinned
                                    .map(|c| pin_skill(c.as_str()))
                                    .into_iter()
                                    .collect::<Vec<_>>(),
                            )
                    },
                })
                .collect(),
            vehicles,
        };
        DayProblem {
            date,
            skills,
            problem,
            job_areas: jobs.iter().map(|j| j.area).collect(),
            vehicle_cleaners: working,
            unplanned,
        }
    }
}

/// The window an area may be cleaned in on weekday `day` (0 = Monday): its calendars'
/// windows (the widest span they cover) within the site's access hours, or why there is none.
pub fn day_window(
    site: &PlanSite,
    day: usize,
    windows: &[TimeWindow],
) -> Result<(i64, i64), String> {
    let (mut from, mut to) = (0, 24 * 60);
    if !windows.is_empty() {
        from = windows
            .iter()
            .map(|w| minutes(w.earliest))
            .min()
            .unwrap_or(0);
        to = windows
            .iter()
            .map(|w| minutes(w.latest))
            .max()
            .unwrap_or(24 * 60);
    }
    if site.access_hours.is_empty() {
        return Ok((from, to));
    }
    let access: Vec<&AccessWindow> = site
        .access_hours
        .iter()
        .filter(|w| w.day.index() == day)
        .collect();
    if access.is_empty() {
        return Err(format!(
            "the site {} cannot be entered on {}",
            site.name, WEEKDAYS[day]
        ));
    }
    // The longest overlap of the cleaning window with one access window.
    access
        .iter()
        .map(|w| (from.max(minutes(w.from)), to.min(minutes(w.to))))
        .filter(|(a, b)| a < b)
        .max_by_key(|(a, b)| b - a)
        .ok_or_else(|| {
            format!(
                "its cleaning window does not overlap the access hours of {} on {}",
                site.name, WEEKDAYS[day]
            )
        })
}

/// A planned stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStop {
    pub area_id: String,
    #[serde(default)]
    pub area_name: String,
    pub site_id: String,
    #[serde(default)]
    pub site_name: String,
    /// When she gets there; `start` is later when she waits for the window to open.
    #[serde(default)]
    pub arrival: LocalTime,
    pub start: LocalTime,
    pub end: LocalTime,
    /// When it is a one-off job rather than the area's regular cleaning, which.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
}

impl PlannedStop {
    pub fn stop_ref(&self) -> StopRef {
        StopRef {
            area_id: self.area_id.clone(),
            one_off_job_id: self.one_off_job_id.clone(),
        }
    }

    fn is(&self, other: &PlannedStop) -> bool {
        self.area_id == other.area_id && self.one_off_job_id == other.one_off_job_id
    }
}

/// One cleaner's day in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlannedTour {
    pub cleaner_id: String,
    pub date: NaiveDate,
    pub leave: LocalTime,
    pub back: LocalTime,
    pub stops: Vec<PlannedStop>,
    pub cleaning_minutes: i64,
    pub travel_minutes: i64,
    pub waiting_minutes: i64,
}

/// A plan's figures for the week.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    /// Distinct cleaners with work in the week.
    pub cleaners: usize,
    /// The most cleaners working on one day.
    pub cleaners_on_busiest_day: usize,
    /// Cleaning, travel and waiting: from leaving home to coming back.
    pub paid_minutes: i64,
    pub cleaning_minutes: i64,
    pub travel_minutes: i64,
    pub waiting_minutes: i64,
    /// Paid minutes beyond each cleaner's maximum per day.
    pub overtime_minutes: i64,
    pub unplanned: usize,
}

fn clock(minutes: i64) -> LocalTime {
    LocalTime::from_minutes(minutes)
}

/// The planner's routes of one day as tours.
pub fn tours_of(week: &Week, day: &DayProblem, solution: &planner::Solution) -> Vec<PlannedTour> {
    let p = &day.problem;
    solution
        .routes
        .iter()
        .map(|route| {
            let v = &p.vehicles[route.vehicle];
            let cleaner = day.vehicle_cleaners[route.vehicle];
            let (mut at, mut time, mut travel, mut cleaning) = (v.start, v.shift_start, 0, 0);
            let first = &p.jobs[route.jobs[0]];
            // Leave home just in time for the first stop.
            let leave = (first.ready - p.travel(v.start, first.location)).max(v.shift_start);
            time = time.max(leave);
            let mut stops = Vec::new();
            for &job in &route.jobs {
                let j = &p.jobs[job];
                let t = p.travel(at, j.location);
                travel += t;
                let arrival = time + t;
                time = arrival.max(j.ready);
                let area = &week.areas[day.job_areas[job]];
                let site = &week.sites[area.site];
                stops.push(PlannedStop {
                    area_id: area.area_id.clone(),
                    area_name: area.name.clone(),
                    site_id: site.site_id.clone(),
                    site_name: site.name.clone(),
                    arrival: clock(arrival),
                    start: clock(time),
                    end: clock(time + j.service),
                    one_off_job_id: area.one_off_job_id.clone(),
                });
                time += j.service;
                cleaning += j.service;
                at = j.location;
            }
            let t = p.travel(at, v.end);
            travel += t;
            time += t;
            let paid = time - leave;
            PlannedTour {
                cleaner_id: week.cleaners[cleaner].0.clone(),
                date: day.date,
                leave: clock(leave),
                back: clock(time),
                stops,
                cleaning_minutes: cleaning,
                travel_minutes: travel,
                waiting_minutes: paid - cleaning - travel,
            }
        })
        .collect()
}

/// The cleaner a job is pinned to, if it is.
fn pinned_cleaner(day: &DayProblem, job: usize) -> Option<&str> {
    let needs = day.problem.jobs[job].skills;
    (0..day.skills.len())
        .filter(|bit| needs & (1 << bit) != 0)
        .find_map(|bit| day.skills[bit].strip_prefix(PIN_PREFIX))
}

/// Puts each run of stops at one site into one order for every day (by room name, then id),
/// where the windows allow it: a cleaner finds the rooms as she did yesterday. Travel inside
/// a site is zero, so this costs no travel; a run whose windows forbid the order stays as the
/// planner left it. (A partial re-plan leaves the kept stops' order alone instead.)
pub fn keep_site_order(week: &Week, day: &DayProblem, solution: &mut planner::Solution) {
    let p = &day.problem;
    let key = |job: usize| {
        let area = &week.areas[day.job_areas[job]];
        (natural_order(&area.name), area.area_id.clone())
    };
    for route in &mut solution.routes {
        let mut start = 0;
        while start < route.jobs.len() {
            let site = p.jobs[route.jobs[start]].location;
            let end = (start..route.jobs.len())
                .find(|&i| p.jobs[route.jobs[i]].location != site)
                .unwrap_or(route.jobs.len());
            let mut ordered = route.clone();
            ordered.jobs[start..end].sort_by_cached_key(|&j| key(j));
            // Only where it is feasible and travels exactly as far.
            if ordered.jobs != route.jobs
                && let Ok(travel) = planner::route_travel(p, &ordered)
                && planner::route_travel(p, route) == Ok(travel)
            {
                *route = ordered;
            }
            start = end;
        }
    }
}

/// A name's sort key as people sort: "Room 2" before "Room 10", case aside.
fn natural_order(name: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut chars = name.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digits = c.is_ascii_digit();
        let mut chunk = String::new();
        while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit() == digits) {
            chunk.push(c);
            chars.next();
        }
        key.push(if digits {
            (chunk.parse().unwrap_or(u64::MAX), String::new())
        } else {
            (u64::MAX, chunk.to_lowercase())
        });
    }
    key
}

/// Why the planner could not place a job: the job's own limits, or not enough cleaners.
pub fn unplanned_reason(day: &DayProblem, job: usize) -> String {
    use planner::Unservable;
    let minutes = day.problem.jobs[job].service;
    let pinned = pinned_cleaner(day, job);
    match day.problem.unservable(job) {
        None => match pinned {
            Some(cleaner) => format!("pinned to {cleaner}, who had no time for it that day"),
            None => "no cleaner had time for it that day (add a cleaner or a shift)".into(),
        },
        Some(Unservable::NoVehicle) => "no cleaner works that day".into(),
        Some(Unservable::Skills) => {
            let needs = day.problem.jobs[job].skills;
            let names: Vec<&str> = (0..day.skills.len())
                .filter(|bit| needs & (1 << bit) != 0)
                .map(|bit| day.skills[bit].as_str())
                .collect();
            if let Some(cleaner) = names.iter().find_map(|n| n.strip_prefix(PIN_PREFIX)) {
                let pin_bit = day.skills.iter().position(|s| *s == pin_skill(cleaner));
                let working = pin_bit.is_some_and(|bit| {
                    day.problem
                        .vehicles
                        .iter()
                        .any(|v| v.skills & (1 << bit) != 0)
                });
                let others: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| !n.starts_with(PIN_PREFIX))
                    .collect();
                return if working {
                    format!("pinned to {cleaner}, who lacks {}", others.join(" and "))
                } else {
                    format!("pinned to {cleaner}, who does not work that day (no shift, or away)")
                };
            }
            format!(
                "needs {} and no cleaner working that day has it",
                names.join(" and ")
            )
        }
        Some(Unservable::Capacity) => {
            format!("takes {minutes} minutes, more than any cleaner may clean in a day")
        }
        Some(Unservable::ShiftTooShort) => {
            format!("takes {minutes} minutes, longer than any shift allows with the travel")
        }
        Some(Unservable::TooLate) => "no shift reaches the site within its window".into(),
        Some(Unservable::EmptyWindow) => "its window is empty".into(),
    }
}

/// The figures of a set of tours, with the cleaners' daily maxima for overtime.
pub fn kpis(tours: &[PlannedTour], max_minutes: &BTreeMap<String, u32>, unplanned: usize) -> Kpis {
    let mut per_day: BTreeMap<NaiveDate, BTreeSet<&str>> = BTreeMap::new();
    let mut k = Kpis {
        unplanned,
        ..Kpis::default()
    };
    let mut cleaners = BTreeSet::new();
    for tour in tours {
        cleaners.insert(tour.cleaner_id.as_str());
        per_day
            .entry(tour.date)
            .or_default()
            .insert(tour.cleaner_id.as_str());
        let paid = tour.cleaning_minutes + tour.travel_minutes + tour.waiting_minutes;
        k.paid_minutes += paid;
        k.cleaning_minutes += tour.cleaning_minutes;
        k.travel_minutes += tour.travel_minutes;
        k.waiting_minutes += tour.waiting_minutes;
        let max = max_minutes
            .get(&tour.cleaner_id)
            .copied()
            .map_or(i64::MAX, i64::from);
        k.overtime_minutes += (paid - max).max(0);
    }
    k.cleaners = cleaners.len();
    k.cleaners_on_busiest_day = per_day.values().map(BTreeSet::len).max().unwrap_or(0);
    k
}

/// The Monday on or after `date`.
pub fn next_monday(date: NaiveDate) -> NaiveDate {
    let offset = (7 - date.weekday().num_days_from_monday()) % 7;
    date + Duration::days(i64::from(offset))
}

/// What the search aims for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanObjective {
    /// Fewest cleaners first, then least travel: in cleaning, fewer people matter most.
    #[default]
    Fleet,
    /// Least travel.
    Distance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    /// Waiting for the planning worker (see [`Plan::lease_until`]).
    Queued,
    Running,
    Draft,
    Active,
    /// It was active until another plan for its week was activated.
    Superseded,
    /// Its computation stopped before it finished (see [`Plan::lease_until`]).
    Failed,
}

/// A plan version: a week's tours per cleaner and day, computed, then activated or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub week_start: NaiveDate,
    pub status: PlanStatus,
    pub objective: PlanObjective,
    pub seconds: f64,
    /// 0 to 1 while running.
    pub progress: f64,
    pub tours: Vec<PlannedTour>,
    pub unplanned: Vec<Unplanned>,
    pub kpis: Kpis,
    /// The same figures for the tours in force when the plan was made.
    pub current: Kpis,
    /// While queued: the time by which a worker starts it; while running: the time by which
    /// its computation writes again (progress or result). A plan past it was abandoned (its
    /// message or its instance was lost) and reads as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<chrono::DateTime<chrono::Utc>>,
    /// The travel model asked for; `None`: the tenant's when the plan is computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel: Option<TravelModel>,
    /// Asked for a partial re-plan (`keep: "unaffected"`): of these days, or of those an
    /// absence meets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanDays>,
    /// Why a failed plan failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// A partial re-plan's days: on every other day its tours are those in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replanned_days: Option<Vec<NaiveDate>>,
    /// How likely its tours are to hold: a quick simulation as it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::simulation::PlanRisk>,
}

/// The days a partial re-plan was asked for; none named: those an absence meets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplanDays {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<BTreeSet<NaiveDate>>,
}

impl Plan {
    /// A plan of `week_start` as `request` asks, waiting for a worker until `lease_until`.
    pub fn queued(
        week_start: NaiveDate,
        request: &PlanRequest,
        lease_until: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Plan {
            week_start,
            status: PlanStatus::Queued,
            objective: request.objective,
            seconds: request.seconds,
            progress: 0.0,
            tours: Vec::new(),
            unplanned: Vec::new(),
            kpis: Kpis::default(),
            current: Kpis::default(),
            lease_until: Some(lease_until),
            failure: None,
            replanned_days: None,
            travel: request.travel,
            replan: request.replan.clone().map(|days| ReplanDays { days }),
            risk: None,
        }
    }

    /// What the plan was asked for, to compute it.
    pub fn request(&self) -> PlanRequest {
        PlanRequest {
            week_start: Some(self.week_start),
            seconds: self.seconds,
            objective: self.objective,
            travel: self.travel,
            replan: self.replan.clone().map(|r| r.days),
        }
    }

    /// Whether it is still to be computed: queued, or running.
    pub fn is_pending(&self) -> bool {
        matches!(self.status, PlanStatus::Queued | PlanStatus::Running)
    }

    /// Whether a pending plan will not be finished: at `now` its lease has passed (its
    /// message was lost, or its computation stopped writing for good).
    pub fn is_abandoned(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.is_pending() && self.lease_until.is_none_or(|lease| lease < now)
    }
}

impl Entity for Plan {
    const COLLECTION: &'static str = "plans";
    const KIND: &'static str = "plan";

    /// Plans are computed (`POST /v1/plans`), never written by a client.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "plans are made by POST /v1/plans and activated by POST /v1/plans/{id}/activate",
        ))
    }
}

/// The body of `POST /v1/plans`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub week_start: Option<NaiveDate>,
    pub seconds: f64,
    pub objective: PlanObjective,
    /// `None`: the tenant's own (its tour settings' `travel`).
    pub travel: Option<TravelModel>,
    /// `keep: "unaffected"`: re-plan only these days (by default those an absence meets),
    /// keeping the tours in force everywhere else. `None`: plan the whole week afresh.
    pub replan: Option<Option<BTreeSet<NaiveDate>>>,
}

/// Longest search a request may ask for, in seconds.
pub const MAX_PLAN_SECONDS: f64 = 60.0;

/// The optional `weekStart` of a request: a date, which must be a Monday.
pub fn read_week_start(f: &mut Fields<'_>) -> Option<NaiveDate> {
    let week_start = f.optional_parsed("weekStart", crate::calendars::parse_date);
    if week_start.is_some_and(|d| d.weekday() != chrono::Weekday::Mon) {
        f.error("weekStart", "must be a Monday");
    }
    week_start
}

impl PlanRequest {
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let week_start = read_week_start(&mut f);
        let seconds = f.optional_f64("seconds", 0.1..=MAX_PLAN_SECONDS);
        let objective = f.optional_parsed("objective", |raw| match raw {
            "fleet" => Ok(PlanObjective::Fleet),
            "distance" => Ok(PlanObjective::Distance),
            _ => Err("must be one of: fleet, distance".into()),
        });
        let travel = f.optional_object("travel", TravelModel::read);
        let keep_unaffected = f.optional_parsed("keep", |raw| match raw {
            "unaffected" => Ok(true),
            "nothing" => Ok(false),
            _ => Err("must be one of: unaffected (re-plan some days), nothing (the week)".into()),
        });
        let days = f.optional_parsed_list("days", 7, crate::calendars::parse_date);
        if let Some(days) = &days {
            if keep_unaffected != Some(true) {
                f.error(
                    "days",
                    "needs keep: \"unaffected\" (the week is planned whole otherwise)",
                );
            } else if week_start.is_none() {
                f.error("weekStart", "is required to re-plan some days");
            } else if let Some(start) = week_start
                && let Some(i) = days
                    .iter()
                    .position(|d| !(0..7).contains(&(*d - start).num_days()))
            {
                f.error(
                    &format!("days[{i}]"),
                    format!("must be in the week of {start}"),
                );
            }
        }
        f.finish(|| {
            Some(PlanRequest {
                week_start,
                seconds: seconds.unwrap_or(5.0),
                objective: objective.unwrap_or_default(),
                travel,
                replan: (keep_unaffected == Some(true))
                    .then(|| days.map(|d| d.into_iter().collect())),
            })
        })
    }
}

/// Plans the week: each day's problem solved within its share of `seconds` (by the caller's
/// clock), `progress` told after each day.
pub fn plan_week(
    week: &Week,
    seconds: f64,
    objective: PlanObjective,
    elapsed: &dyn Fn() -> std::time::Duration,
    progress: &mut dyn FnMut(f64),
) -> (Vec<PlannedTour>, Vec<Unplanned>) {
    let days = week.problems();
    let mut tours = Vec::new();
    let mut unplanned = Vec::new();
    for (i, day) in days.iter().enumerate() {
        unplanned.extend(day.unplanned.iter().cloned());
        if !day.problem.jobs.is_empty() {
            let offset = elapsed();
            let options = planner::Options {
                seed: 1,
                objective: match objective {
                    PlanObjective::Fleet => planner::Objective::Fleet,
                    PlanObjective::Distance => planner::Objective::Distance,
                },
                time_budget: std::time::Duration::from_secs_f64(seconds / days.len() as f64),
                max_iterations: None,
            };
            let since = || elapsed().saturating_sub(offset);
            let mut solution = planner::solve(&day.problem, &options, &since, &mut |_, _| true);
            keep_site_order(week, day, &mut solution);
            tours.extend(tours_of(week, day, &solution));
            unplanned.extend(solution.unassigned.iter().map(|&job| {
                week.areas[day.job_areas[job]].unplanned(day.date, unplanned_reason(day, job))
            }));
        }
        progress((i + 1) as f64 / days.len() as f64);
    }
    unplanned.sort_by(|a, b| (a.date, &a.area_id).cmp(&(b.date, &b.area_id)));
    (tours, unplanned)
}

/// The days of the week on which an absent cleaner has stops in force: what a partial
/// re-plan re-plans unless told which days.
pub fn affected_days(week: &Week, in_force: &[PlannedTour]) -> BTreeSet<NaiveDate> {
    in_force
        .iter()
        .filter(|t| !t.stops.is_empty() && week.absent.contains(&(t.cleaner_id.clone(), t.date)))
        .map(|t| t.date)
        .collect()
}

/// A partial re-plan with the least change: the tours in force stay as they are on every
/// day but `days`. On those days every cleaner who is there keeps her stops in their order,
/// and each stop left over (an absent cleaner's, or one nobody had) goes where it adds the
/// least travel without breaking a window, a shift or a daily maximum, tightest window
/// first. What fits nowhere is unplanned, with its reason.
pub fn replan_days(
    week: &Week,
    in_force: &[PlannedTour],
    days: &BTreeSet<NaiveDate>,
) -> (Vec<PlannedTour>, Vec<Unplanned>) {
    let mut tours: Vec<PlannedTour> = in_force
        .iter()
        .filter(|t| !days.contains(&t.date))
        .cloned()
        .collect();
    let mut unplanned = Vec::new();
    for day in week.problems() {
        if !days.contains(&day.date) {
            continue;
        }
        let (routes, mut open, dropped) = kept_routes(week, &day, in_force);
        unplanned.extend(dropped);
        let p = &day.problem;
        let mut routes = routes;
        // Tightest window first, then the longest job: those have the fewest places to go.
        open.sort_by_key(|&j| (p.jobs[j].due - p.jobs[j].ready, -p.jobs[j].service, j));
        let mut unassigned = Vec::new();
        for job in open {
            if p.unservable(job).is_some() {
                unassigned.push(job);
                continue;
            }
            let mut best: Option<(i64, usize, usize)> = None;
            for (r, route) in routes.iter().enumerate() {
                let Ok(before) = planner::route_travel(p, route) else {
                    continue;
                };
                for at in 0..=route.jobs.len() {
                    let mut trial = route.clone();
                    trial.jobs.insert(at, job);
                    if let Ok(after) = planner::route_travel(p, &trial)
                        && best.is_none_or(|(cost, _, _)| after - before < cost)
                    {
                        best = Some((after - before, r, at));
                    }
                }
            }
            match best {
                Some((_, r, at)) => routes[r].jobs.insert(at, job),
                None => unassigned.push(job),
            }
        }
        routes.retain(|r| !r.jobs.is_empty());
        let solution = planner::Solution { routes, unassigned };
        tours.extend(tours_of(week, &day, &solution));
        unplanned.extend(day.unplanned.iter().cloned());
        unplanned.extend(solution.unassigned.iter().map(|&job| {
            week.areas[day.job_areas[job]].unplanned(day.date, unplanned_reason(&day, job))
        }));
    }
    tours.sort_by(|a, b| (a.date, &a.cleaner_id).cmp(&(b.date, &b.cleaner_id)));
    unplanned.sort_by(|a, b| (a.date, &a.area_id).cmp(&(b.date, &b.area_id)));
    (tours, unplanned)
}

/// One route per cleaner working on the day (her stops in force, in order, or none yet),
/// the jobs on no such route, and the stops in force the day no longer has a job for.
fn kept_routes(
    week: &Week,
    day: &DayProblem,
    in_force: &[PlannedTour],
) -> (Vec<planner::Route>, Vec<usize>, Vec<Unplanned>) {
    let job_of: BTreeMap<StopRef, usize> = day
        .job_areas
        .iter()
        .enumerate()
        .map(|(job, &area)| (week.areas[area].stop_ref(), job))
        .collect();
    let mut routes: Vec<planner::Route> = (0..day.vehicle_cleaners.len())
        .map(|vehicle| planner::Route {
            vehicle,
            jobs: Vec::new(),
        })
        .collect();
    let mut placed = vec![false; day.job_areas.len()];
    let mut dropped = Vec::new();
    for tour in in_force.iter().filter(|t| t.date == day.date) {
        let vehicle = day
            .vehicle_cleaners
            .iter()
            .position(|&c| week.cleaners[c].0 == tour.cleaner_id);
        for stop in &tour.stops {
            match job_of.get(&stop.stop_ref()) {
                // A stop of someone away (or without a shift that day) stays open.
                Some(&job) => {
                    if let Some(v) = vehicle
                        && !placed[job]
                    {
                        placed[job] = true;
                        routes[v].jobs.push(job);
                    }
                }
                None if !day.unplanned.iter().any(|u| {
                    u.area_id == stop.area_id && u.one_off_job_id == stop.one_off_job_id
                }) =>
                {
                    dropped.push(Unplanned {
                        area_id: stop.area_id.clone(),
                        one_off_job_id: stop.one_off_job_id.clone(),
                        date: day.date,
                        reason: match stop.one_off_job_id {
                            Some(_) => "in force that day, but the one-off job is no longer on \
                                        that date"
                                .into(),
                            None => "in force that day, but no calendar schedules it then any \
                                     more"
                                .into(),
                        },
                    });
                }
                None => {}
            }
        }
    }
    let open = (0..placed.len()).filter(|&j| !placed[j]).collect();
    (routes, open, dropped)
}

/// A stop one side of a plan's diff has and the other has not.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangedStop {
    pub area_id: String,
    pub area_name: String,
    pub site_name: String,
    pub start: LocalTime,
    pub end: LocalTime,
    /// Added: who had it that day before; removed: who has it in the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_cleaner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
}

/// A stop both sides have, at another place in the day or another time.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MovedStop {
    pub area_id: String,
    pub area_name: String,
    /// 1-based positions in the day, and start times: in force, then in the plan.
    pub position_before: usize,
    pub position_after: usize,
    pub start_before: LocalTime,
    pub start_after: LocalTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
}

/// What a plan changes in one cleaner's day against the tours in force.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayDiff {
    pub cleaner_id: String,
    pub date: NaiveDate,
    pub added: Vec<ChangedStop>,
    pub removed: Vec<ChangedStop>,
    pub moved: Vec<MovedStop>,
    /// Cleaning minutes in force, in the plan, and the change.
    pub minutes_before: i64,
    pub minutes_after: i64,
    pub minutes_changed: i64,
}

fn cleaning_minutes(tour: Option<&PlannedTour>) -> i64 {
    tour.map_or(0, |t| {
        t.stops
            .iter()
            .map(|s| i64::from(s.end.minutes()) - i64::from(s.start.minutes()))
            .sum()
    })
}

/// Per cleaner and day, what `plan` changes against `in_force` (days without a change are
/// left out): stops added (and from whom), removed (and to whom), moved within the day or in
/// time, and the cleaning minutes.
pub fn diff<'a>(plan: &'a [PlannedTour], in_force: &'a [PlannedTour]) -> Vec<DayDiff> {
    type Key<'a> = (NaiveDate, &'a str);
    let by_day = |tours: &'a [PlannedTour]| -> BTreeMap<Key<'a>, &'a PlannedTour> {
        tours
            .iter()
            .map(|t| ((t.date, t.cleaner_id.as_str()), t))
            .collect()
    };
    // Who has a stop on a day, on each side.
    let holders = |tours: &'a [PlannedTour]| -> BTreeMap<(NaiveDate, StopRef), &'a str> {
        tours
            .iter()
            .flat_map(|t| {
                t.stops
                    .iter()
                    .map(move |s| ((t.date, s.stop_ref()), t.cleaner_id.as_str()))
            })
            .collect()
    };
    let (after, before) = (by_day(plan), by_day(in_force));
    let (held_after, held_before) = (holders(plan), holders(in_force));
    let keys: BTreeSet<Key> = after.keys().chain(before.keys()).copied().collect();
    let mut out = Vec::new();
    for key in keys {
        let (old, new) = (before.get(&key).copied(), after.get(&key).copied());
        let stops = |t: Option<&'a PlannedTour>| t.map_or(&[][..], |t| t.stops.as_slice());
        let (old_stops, new_stops) = (stops(old), stops(new));
        let position =
            |stops: &[PlannedStop], stop: &PlannedStop| stops.iter().position(|s| s.is(stop));
        let changed = |s: &PlannedStop, other: Option<&&str>| ChangedStop {
            area_id: s.area_id.clone(),
            area_name: s.area_name.clone(),
            site_name: s.site_name.clone(),
            start: s.start,
            end: s.end,
            other_cleaner: other.filter(|c| **c != key.1).map(|c| (*c).to_owned()),
            one_off_job_id: s.one_off_job_id.clone(),
        };
        let added: Vec<ChangedStop> = new_stops
            .iter()
            .filter(|s| position(old_stops, s).is_none())
            .map(|s| changed(s, held_before.get(&(key.0, s.stop_ref()))))
            .collect();
        let removed: Vec<ChangedStop> = old_stops
            .iter()
            .filter(|s| position(new_stops, s).is_none())
            .map(|s| changed(s, held_after.get(&(key.0, s.stop_ref()))))
            .collect();
        let moved: Vec<MovedStop> = new_stops
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let j = position(old_stops, s)?;
                let was = &old_stops[j];
                // Positions among the stops both sides share: an insertion before it is no move.
                let rank = |stops: &[PlannedStop], upto: usize, other: &[PlannedStop]| {
                    stops[..upto]
                        .iter()
                        .filter(|x| position(other, x).is_some())
                        .count()
                };
                let moved_in_order = rank(new_stops, i, old_stops) != rank(old_stops, j, new_stops);
                (moved_in_order || was.start != s.start).then(|| MovedStop {
                    area_id: s.area_id.clone(),
                    area_name: s.area_name.clone(),
                    position_before: j + 1,
                    position_after: i + 1,
                    start_before: was.start,
                    start_after: s.start,
                    one_off_job_id: s.one_off_job_id.clone(),
                })
            })
            .collect();
        let (minutes_before, minutes_after) = (cleaning_minutes(old), cleaning_minutes(new));
        if added.is_empty() && removed.is_empty() && moved.is_empty() {
            continue;
        }
        out.push(DayDiff {
            cleaner_id: key.1.to_owned(),
            date: key.0,
            added,
            removed,
            moved,
            minutes_before,
            minutes_after,
            minutes_changed: minutes_after - minutes_before,
        });
    }
    out
}

/// A tour in force, as the comparison needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentTour {
    pub cleaner_id: String,
    pub start: LocalTime,
    /// Weekday (0 = Monday) and the stops in order.
    pub days: Vec<(usize, Vec<StopRef>)>,
}

/// Current tours as plan tours, for comparison: each tour's areas of each weekday in order,
/// from the cleaner's home (if she is known) at the tour's start time, without waiting.
pub fn current_tours(week: &Week, tours: &[CurrentTour]) -> Vec<PlannedTour> {
    let areas: BTreeMap<StopRef, &PlanArea> =
        week.areas.iter().map(|a| (a.stop_ref(), a)).collect();
    let homes: BTreeMap<&str, GeoPoint> = week
        .cleaners
        .iter()
        .map(|(id, c)| (id.as_str(), c.home))
        .collect();
    let mut out = Vec::new();
    for CurrentTour {
        cleaner_id: cleaner,
        start,
        days,
    } in tours
    {
        for (day, refs) in days {
            let stops: Vec<&PlanArea> = refs.iter().filter_map(|r| areas.get(r).copied()).collect();
            if stops.is_empty() {
                continue;
            }
            let home = homes.get(cleaner.as_str()).copied();
            let mut at = home.unwrap_or(week.sites[stops[0].site].location);
            let (mut travel, mut cleaning) = (0, 0);
            let mut time = minutes(*start);
            let mut planned = Vec::new();
            for area in &stops {
                let site = &week.sites[area.site];
                let t = week.travel.minutes(at, site.location);
                travel += t;
                time += t;
                let need = area.minutes_per_cleaning.ceil() as i64;
                planned.push(PlannedStop {
                    area_id: area.area_id.clone(),
                    area_name: area.name.clone(),
                    site_id: site.site_id.clone(),
                    site_name: site.name.clone(),
                    arrival: clock(time),
                    start: clock(time),
                    end: clock(time + need),
                    one_off_job_id: area.one_off_job_id.clone(),
                });
                time += need;
                cleaning += need;
                at = site.location;
            }
            if let Some(home) = home {
                let t = week.travel.minutes(at, home);
                travel += t;
                time += t;
            }
            out.push(PlannedTour {
                cleaner_id: cleaner.clone(),
                date: week.start + Duration::days(*day as i64),
                leave: *start,
                back: clock(time),
                stops: planned,
                cleaning_minutes: cleaning,
                travel_minutes: travel,
                waiting_minutes: 0,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_off_job_reads_its_area_date_window_minutes_skills_and_note() {
        let job = OneOffJob::parse(&serde_json::json!({
            "areaId": "a1", "date": "2026-12-09", "minutes": 90, "skills": ["windows"],
            "window": {"earliest": "18:00", "latest": "20:00"}, "note": "Deep clean"
        }))
        .unwrap();
        assert_eq!(job.minutes, 90);
        assert_eq!(job.window.unwrap().minutes(), 120);
        assert_eq!(job.skills, ["windows"]);
    }

    #[test]
    fn a_bad_one_off_job_names_each_field() {
        let fields = |body: Value| -> Vec<String> {
            OneOffJob::parse(&body)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(serde_json::json!({})), ["areaId", "date", "minutes"]);
        let short = serde_json::json!({"areaId": "a1", "date": "2026-12-09", "minutes": 90,
            "window": {"earliest": "18:00", "latest": "19:00"}});
        assert_eq!(fields(short), ["window"]);
        let long = serde_json::json!({"areaId": "a1", "date": "2026-12-09", "minutes": 721});
        assert_eq!(fields(long), ["minutes"]);
    }

    #[test]
    fn rooms_sort_as_people_number_them() {
        let mut names = ["Room 10", "room 2", "Lobby", "Room 1"];
        names.sort_by_key(|n| natural_order(n));
        assert_eq!(names, ["Lobby", "Room 1", "room 2", "Room 10"]);
    }

    #[test]
    fn weekly_cleanings_are_spread_over_the_week() {
        assert_eq!(spread_days(3.0, 1), [0, 2, 4], "Mon, Wed, Fri");
        assert_eq!(spread_days(2.0, 1), [1, 3], "Tue, Thu");
        assert_eq!(spread_days(1.0, 1), [2]);
        assert_eq!(spread_days(5.0, 1), [0, 1, 2, 3, 4]);
        assert_eq!(spread_days(7.0, 1), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(spread_days(6.0, 1).len(), 6);
        assert_eq!(spread_days(0.5, 2), [2]);
        assert_eq!(spread_days(0.5, 3), Vec::<usize>::new());
        assert_eq!(spread_days(0.0, 3), Vec::<usize>::new());
    }

    #[test]
    fn travel_follows_the_great_circle_with_the_road_factor() {
        let berlin = GeoPoint {
            lat: 52.52,
            lng: 13.405,
        };
        let potsdam = GeoPoint {
            lat: 52.39,
            lng: 13.065,
        };
        let km = haversine_km(berlin, potsdam);
        assert!((26.0..28.0).contains(&km), "{km}");
        let model = TravelModel::default();
        assert_eq!(model.minutes(berlin, berlin), 0);
        assert_eq!(
            model.minutes(berlin, potsdam),
            (km * 1.3 / 25.0 * 60.0).ceil() as i64
        );
    }
}
