//! Simulations of a week's tours: what is asked (`POST /v1/simulations`), what the model
//! assumes from the tenant's history, how a plan's tours become the engine's week, and the
//! result as the API shows it, with the what-if comparison. The replays themselves are the
//! `simulation` crate's; this module has no I/O.
//!
//! The model (stated in the README):
//! - a room's minutes against its planned minutes: lognormal, fitted per room from its last
//!   [`HISTORY_WEEKS`] weeks of visits when it has [`MIN_VISITS`] of them, else per area type
//!   over its rooms' visits, else [`engine::Duration::DEFAULT`];
//! - travel: the travel model's minutes times a lognormal of median 1 and spread
//!   [`TRAVEL_SPREAD`];
//! - a cleaner's chance to be off sick on a working day: her sick days over her working days
//!   of the last [`ABSENCE_HISTORY_DAYS`] days, drawn towards [`PRIOR_ABSENCE`] as if
//!   [`PRIOR_DAYS`] more days had been seen; an absent cleaner's stops are missed;
//! - a room cleaned by demand: the extra cleanings a day beyond its planned one, the mean of
//!   its demands on the same weekday over the sensor history.
//!
//! Layout: the request ([`SimulationRequest`], [`Changes`]); the stored document
//! ([`Simulation`]); the fits ([`DurationFits`], [`absence_probability`]); the week
//! ([`WeekInputs::engine_week`]); the result ([`SimulationResult`], [`PlanRisk`]) and the
//! comparison ([`Difference`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use simulation as engine;

use crate::entity::Entity;
use crate::id::UserId;
use crate::planning::{DayProblem, PlannedTour, Week};
use crate::sites::SiteId;
use crate::time::LocalTime;
use crate::validation::{Fields, ValidationErrors};

/// Replications when a request names none.
pub const DEFAULT_REPLICATIONS: u64 = 10_000;
/// The quick simulation of each new plan.
pub const QUICK_REPLICATIONS: u64 = 1_000;
pub const MAX_REPLICATIONS: u64 = 100_000;
/// The weeks of visits durations are fitted from.
pub const HISTORY_WEEKS: i64 = 8;
/// A room's own fit needs this many visits; fewer, and its area type's speaks for it.
pub const MIN_VISITS: usize = 8;
/// The days of absences a cleaner's chance to be off is read from.
pub const ABSENCE_HISTORY_DAYS: i64 = 182;
/// Without history, the chance a cleaner is off sick on a working day (about the sector's
/// sickness rate).
pub const PRIOR_ABSENCE: f64 = 0.04;
/// How many days of history the prior weighs as.
pub const PRIOR_DAYS: f64 = 20.0;
/// Travel's spread around the travel model (lognormal sigma).
pub const TRAVEL_SPREAD: f64 = 0.2;
/// A week simulated has at most this many visits (a result is one document).
pub const MAX_VISITS: usize = 1_200;
/// Ratios beyond these are a forgotten check-out or a check-in by mistake, not a duration.
const RATIO_RANGE: std::ops::RangeInclusive<f64> = 0.1..=10.0;

/// The body of `POST /v1/simulations`.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationRequest {
    pub subject: Subject,
    pub replications: u64,
    pub seed: u64,
    /// What-if changes: the variant is the subject (or `compare_plan_id`) with these.
    pub changes: Option<Changes>,
    /// A second plan of the same week, compared with the first.
    pub compare_plan_id: Option<String>,
}

/// What is simulated.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Plan(String),
    /// The tours in force in the week of this Monday.
    InForce(NaiveDate),
}

/// What-if changes to the model or the week.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// Cleaners off: on these dates, or the whole week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleaners_off: Vec<CleanerOff>,
    /// Every room takes this many times as long (1.1: durations +10 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_factor: Option<f64>,
    /// Every trip takes this many times as long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_factor: Option<f64>,
    /// Everybody's chance to be off on a working day, instead of her history's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence_probability: Option<f64>,
    /// A site whose rooms the plan does not have yet: its cleanings of the week go to the
    /// cleaner of that day with the least planned work, at the end of her day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_site_id: Option<SiteId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CleanerOff {
    pub cleaner_id: UserId,
    /// None: the whole week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<NaiveDate>>,
}

impl Changes {
    fn read(f: &mut Fields<'_>) -> Option<Changes> {
        let cleaners_off = f.optional_list("cleanersOff", 50, |c| {
            let cleaner_id = c.required_parsed("cleanerId", UserId::parse);
            let dates = c.optional_parsed_list("dates", 7, crate::calendars::parse_date);
            Some(CleanerOff {
                cleaner_id: cleaner_id?,
                dates,
            })
        });
        let duration_factor = f.optional_f64("durationFactor", 0.5..=3.0);
        let travel_factor = f.optional_f64("travelFactor", 0.5..=3.0);
        let absence_probability = f.optional_f64("absenceProbability", 0.0..=1.0);
        let add_site_id = f.optional_parsed("addSiteId", SiteId::parse);
        Some(Changes {
            cleaners_off: cleaners_off.unwrap_or_default(),
            duration_factor,
            travel_factor,
            absence_probability,
            add_site_id,
        })
    }
}

impl SimulationRequest {
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let plan_id = f.optional_str("planId", 1..=100);
        let week_start = crate::planning::read_week_start(&mut f);
        if plan_id.is_some() && week_start.is_some() {
            f.error("weekStart", "give planId or weekStart, not both");
        }
        if plan_id.is_none() && week_start.is_none() && !f.has("weekStart") {
            f.error(
                "planId",
                "is required (or weekStart: the tours in force that week)",
            );
        }
        let replications = f.optional_i64("replications", 100..=MAX_REPLICATIONS as i64);
        let seed = f.optional_i64("seed", 0..=i64::MAX);
        let changes = f.optional_object("changes", Changes::read);
        if body
            .get("changes")
            .and_then(Value::as_object)
            .is_some_and(serde_json::Map::is_empty)
        {
            f.error("changes", "must change something (or be left out)");
        }
        let compare_plan_id = f.optional_str("comparePlanId", 1..=100);
        f.finish(|| {
            let subject = match (plan_id, week_start) {
                (Some(id), None) => Subject::Plan(id),
                (None, Some(monday)) => Subject::InForce(monday),
                _ => return None,
            };
            Some(SimulationRequest {
                subject,
                replications: replications.map_or(DEFAULT_REPLICATIONS, |n| n as u64),
                seed: seed.map_or(1, |s| s as u64),
                changes,
                compare_plan_id,
            })
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SimulationStatus {
    Queued,
    Running,
    Done,
    Failed,
}

/// A simulation: asked for, then run by the simulation worker with its progress, then its
/// result (and, for a what-if, the variant's and the difference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
    /// The plan simulated; none: the tours in force in `weekStart`'s week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    pub week_start: NaiveDate,
    pub replications: u64,
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_plan_id: Option<String>,
    pub status: SimulationStatus,
    /// 0 to 1 while running.
    pub progress: f64,
    /// While queued: the time by which a worker starts it; while running: the time by which
    /// it writes again. Past it, it was abandoned and reads as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// What the model assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumptions: Option<Assumptions>,
    /// The plan (or the tours in force) as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<SimulationResult>,
    /// A what-if's other side: `comparePlanId`, or the same with `changes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<SimulationResult>,
    /// Variant minus result, figure by figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<Difference>,
}

impl Simulation {
    pub fn queued(
        request: &SimulationRequest,
        week_start: NaiveDate,
        lease_until: DateTime<Utc>,
    ) -> Self {
        Simulation {
            plan_id: match &request.subject {
                Subject::Plan(id) => Some(id.clone()),
                Subject::InForce(_) => None,
            },
            week_start,
            replications: request.replications,
            seed: request.seed,
            changes: request.changes.clone(),
            compare_plan_id: request.compare_plan_id.clone(),
            status: SimulationStatus::Queued,
            progress: 0.0,
            lease_until: Some(lease_until),
            failure: None,
            assumptions: None,
            result: None,
            variant: None,
            difference: None,
        }
    }

    pub fn is_pending(&self) -> bool {
        matches!(
            self.status,
            SimulationStatus::Queued | SimulationStatus::Running
        )
    }

    pub fn is_abandoned(&self, now: DateTime<Utc>) -> bool {
        self.is_pending() && self.lease_until.is_none_or(|lease| lease < now)
    }
}

impl Entity for Simulation {
    const COLLECTION: &'static str = "simulations";
    const KIND: &'static str = "simulation";

    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "simulations are made by POST /v1/simulations",
        ))
    }
}

/// A lognormal fit of actual/planned minutes: `ln(ratio) ~ N(mu, sigma²)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogNormalFit {
    pub mu: f64,
    pub sigma: f64,
    /// The visits it was fitted from (0: the default).
    pub visits: usize,
}

impl LogNormalFit {
    /// Without history: the engine's default spread around the plan.
    pub const DEFAULT: LogNormalFit = LogNormalFit {
        mu: 0.0,
        sigma: engine::Duration::DEFAULT_SIGMA,
        visits: 0,
    };

    /// The maximum-likelihood fit of `ratios` (mean and standard deviation of their logs,
    /// the latter unbiased), or none with fewer than [`MIN_VISITS`]. Ratios outside
    /// 0.1 to 10 are left out; the spread is held between 0.02 and 1.5.
    pub fn of(ratios: &[f64]) -> Option<Self> {
        let logs: Vec<f64> = ratios
            .iter()
            .filter(|r| RATIO_RANGE.contains(r))
            .map(|r| r.ln())
            .collect();
        if logs.len() < MIN_VISITS {
            return None;
        }
        let n = logs.len() as f64;
        let mu = logs.iter().sum::<f64>() / n;
        let variance = logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / (n - 1.0);
        Some(LogNormalFit {
            mu,
            sigma: variance.sqrt().clamp(0.02, 1.5),
            visits: logs.len(),
        })
    }

    fn duration(self) -> engine::Duration {
        engine::Duration::LogNormal {
            mu: self.mu,
            sigma: self.sigma,
        }
    }
}

/// Where a room's duration model comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum FitSource {
    Area,
    AreaType,
    Default,
}

/// One visit's minutes against its room's planned minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationSample {
    pub area_id: String,
    pub ratio: f64,
}

/// The duration fits of the rooms and area types with enough history.
#[derive(Debug, Clone, Default)]
pub struct DurationFits {
    areas: BTreeMap<String, LogNormalFit>,
    types: BTreeMap<String, LogNormalFit>,
    type_of: BTreeMap<String, String>,
}

impl DurationFits {
    /// Fits `samples`, per room and per area type (`type_of`: each room's type).
    pub fn fit(samples: &[DurationSample], type_of: BTreeMap<String, String>) -> Self {
        let mut by_area: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut by_type: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for sample in samples {
            by_area
                .entry(&sample.area_id)
                .or_default()
                .push(sample.ratio);
            if let Some(t) = type_of.get(&sample.area_id) {
                by_type.entry(t).or_default().push(sample.ratio);
            }
        }
        let fit_all = |groups: BTreeMap<&str, Vec<f64>>| {
            groups
                .into_iter()
                .filter_map(|(k, ratios)| Some((k.to_owned(), LogNormalFit::of(&ratios)?)))
                .collect()
        };
        DurationFits {
            areas: fit_all(by_area),
            types: fit_all(by_type),
            type_of,
        }
    }

    /// The room's fit, its type's, or the default.
    pub fn of(&self, area_id: &str) -> (LogNormalFit, FitSource) {
        if let Some(fit) = self.areas.get(area_id) {
            return (*fit, FitSource::Area);
        }
        self.type_of
            .get(area_id)
            .and_then(|t| self.types.get(t))
            .map_or((LogNormalFit::DEFAULT, FitSource::Default), |fit| {
                (*fit, FitSource::AreaType)
            })
    }
}

/// A cleaner's chance to be off sick on a working day: `sick` of her `working` days, drawn
/// towards [`PRIOR_ABSENCE`] with the weight of [`PRIOR_DAYS`] days.
pub fn absence_probability(sick: u32, working: u32) -> f64 {
    (f64::from(sick) + PRIOR_ABSENCE * PRIOR_DAYS) / (f64::from(working) + PRIOR_DAYS)
}

/// A cleaner's absence history, as the model read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AbsenceAssumption {
    pub cleaner_id: String,
    pub name: String,
    pub sick_days: u32,
    pub working_days: u32,
    pub probability: f64,
}

/// A room's duration model, as the result shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DurationAssumption {
    pub area_id: String,
    pub area_name: String,
    pub source: FitSource,
    /// The ratio actual/planned's median (`exp(mu)`).
    pub median_ratio: f64,
    pub sigma: f64,
    pub visits: usize,
}

/// A demand room's extra cleanings a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DemandAssumption {
    pub area_id: String,
    pub date: NaiveDate,
    pub extra_per_day: f64,
}

/// What the replays assumed, shown with the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assumptions {
    pub history_weeks: i64,
    pub min_visits_per_area: usize,
    pub default_duration: LogNormalFit,
    /// Per room simulated.
    pub durations: Vec<DurationAssumption>,
    pub travel_spread: f64,
    pub absence_history_days: i64,
    pub prior_absence: f64,
    pub absences: Vec<AbsenceAssumption>,
    pub demand: Vec<DemandAssumption>,
    /// What an absent cleaner's stops become: missed (no reserve takes them).
    pub absent_stops: String,
    /// Cleanings a new site (`changes.addSiteId`) brought to the variant.
    pub added_visits: usize,
}

/// What the model knows beyond the tours: the week (its day problems, computed once, give
/// each cleaning's window), the fits, each cleaner's chance to be off.
pub struct WeekInputs<'a> {
    week: &'a Week,
    problems: Vec<DayProblem>,
    fits: &'a DurationFits,
    absence: BTreeMap<&'a str, f64>,
}

/// Where each engine stop came from, to show it again.
#[derive(Debug, Clone, PartialEq)]
pub struct StopSource {
    pub area_id: String,
    pub area_name: String,
    pub site_id: String,
    pub site_name: String,
    pub one_off_job_id: Option<String>,
    pub cleaner_id: String,
    pub date: NaiveDate,
    pub planned_start: LocalTime,
    pub latest_start: Option<LocalTime>,
}

/// The engine's week with where each stop and day came from.
pub struct EngineWeek {
    pub week: engine::Week,
    pub stops: Vec<StopSource>,
    /// Per engine day: cleaner, date, planned paid minutes (`None`: the uncovered cleanings
    /// of a new site, no cleaner's day).
    pub days: Vec<Option<(String, NaiveDate, f64)>>,
    pub added_visits: usize,
}

fn minutes(t: LocalTime) -> f64 {
    f64::from(t.minutes())
}

impl<'a> WeekInputs<'a> {
    pub fn new(week: &'a Week, fits: &'a DurationFits, absences: &'a [AbsenceAssumption]) -> Self {
        WeekInputs {
            problems: week.problems(),
            week,
            fits,
            absence: absences
                .iter()
                .map(|a| (a.cleaner_id.as_str(), a.probability))
                .collect(),
        }
    }

    /// Each area's (and one-off job's) start window per date: when it may start.
    fn windows(&self) -> BTreeMap<(NaiveDate, String, Option<String>), (f64, f64)> {
        let mut windows = BTreeMap::new();
        for day in &self.problems {
            for (job, area) in day.problem.jobs.iter().zip(&day.job_areas) {
                let area = &self.week.areas[*area];
                windows.insert(
                    (day.date, area.area_id.clone(), area.one_off_job_id.clone()),
                    (job.ready as f64, job.due as f64),
                );
            }
        }
        windows
    }

    /// `tours` as the engine's week, with `changes` applied.
    pub fn engine_week(&self, tours: &[PlannedTour], changes: Option<&Changes>) -> EngineWeek {
        let windows = self.windows();
        let factor = changes.and_then(|c| c.duration_factor).unwrap_or(1.0);
        let area_names: BTreeMap<&str, &str> = self
            .week
            .areas
            .iter()
            .map(|a| (a.area_id.as_str(), a.name.as_str()))
            .collect();
        let duration_of = |area_id: &str| {
            let (fit, _) = self.fits.of(area_id);
            fit.duration().scaled(factor)
        };
        let off = |cleaner: &str, date: NaiveDate| {
            changes.is_some_and(|c| {
                c.cleaners_off.iter().any(|o| {
                    o.cleaner_id.as_str() == cleaner
                        && o.dates.as_ref().is_none_or(|d| d.contains(&date))
                })
            })
        };
        let mut out = EngineWeek {
            week: engine::Week::default(),
            stops: Vec::new(),
            days: Vec::new(),
            added_visits: 0,
        };
        let mut tours: Vec<&PlannedTour> = tours.iter().collect();
        tours.sort_by(|a, b| (a.date, &a.cleaner_id).cmp(&(b.date, &b.cleaner_id)));
        for tour in tours {
            let mut previous_end = minutes(tour.leave);
            let mut stops = Vec::new();
            for stop in &tour.stops {
                let window = windows
                    .get(&(tour.date, stop.area_id.clone(), stop.one_off_job_id.clone()))
                    .copied();
                let index = out.stops.len() + stops.len();
                stops.push(engine::Stop {
                    id: index.to_string(),
                    site: stop.site_id.clone(),
                    travel_minutes: (minutes(stop.arrival) - previous_end).max(0.0),
                    planned_minutes: (minutes(stop.end) - minutes(stop.start)).max(0.0),
                    window,
                    duration: duration_of(&stop.area_id),
                    extra_per_day: self
                        .week
                        .extra_demand
                        .get(&(stop.area_id.clone(), tour.date))
                        .copied()
                        .unwrap_or(0.0),
                });
                previous_end = minutes(stop.end);
                out.stops.push(StopSource {
                    area_id: stop.area_id.clone(),
                    area_name: area_names
                        .get(stop.area_id.as_str())
                        .map_or(stop.area_name.clone(), |n| (*n).to_owned()),
                    site_id: stop.site_id.clone(),
                    site_name: stop.site_name.clone(),
                    one_off_job_id: stop.one_off_job_id.clone(),
                    cleaner_id: tour.cleaner_id.clone(),
                    date: tour.date,
                    planned_start: stop.start,
                    latest_start: window.map(|(_, latest)| LocalTime::from_minutes(latest as i64)),
                });
            }
            let max = self
                .week
                .cleaners
                .iter()
                .find(|(id, _)| *id == tour.cleaner_id)
                .map_or(24.0 * 60.0, |(_, c)| f64::from(c.max_minutes_per_day));
            let absence = match changes.and_then(|c| c.absence_probability) {
                _ if off(&tour.cleaner_id, tour.date) => 1.0,
                Some(p) => p,
                None => self
                    .absence
                    .get(tour.cleaner_id.as_str())
                    .copied()
                    .unwrap_or(PRIOR_ABSENCE),
            };
            let paid = (tour.cleaning_minutes + tour.travel_minutes + tour.waiting_minutes) as f64;
            out.days
                .push(Some((tour.cleaner_id.clone(), tour.date, paid)));
            out.week.days.push(engine::CleanerDay {
                cleaner: tour.cleaner_id.clone(),
                day: tour.date.weekday().num_days_from_monday() as u8,
                start: minutes(tour.leave),
                max_minutes: max,
                absence_probability: absence,
                return_minutes: (minutes(tour.back) - previous_end).max(0.0),
                stops,
            });
        }
        if let Some(site) = changes.and_then(|c| c.add_site_id.as_ref()) {
            let planned = tours_planned(&out);
            self.add_site(&mut out, site.as_str(), planned, &duration_of);
        }
        out
    }

    /// The new site's cleanings of the week not in the tours, each at the end of the day of
    /// the cleaner with the least planned work that date; with nobody working that date, they
    /// are a day nobody covers.
    fn add_site(
        &self,
        out: &mut EngineWeek,
        site_id: &str,
        planned: std::collections::BTreeSet<(NaiveDate, String, Option<String>)>,
        duration_of: &dyn Fn(&str) -> engine::Duration,
    ) {
        let Some(site_index) = self.week.sites.iter().position(|s| s.site_id == site_id) else {
            return;
        };
        let site = &self.week.sites[site_index];
        let home = |cleaner: &str| {
            self.week
                .cleaners
                .iter()
                .find(|(id, _)| id == cleaner)
                .map(|(_, c)| c.home)
        };
        for day in &self.problems {
            for (job, a) in day.problem.jobs.iter().zip(&day.job_areas) {
                let area = &self.week.areas[*a];
                let key = (day.date, area.area_id.clone(), area.one_off_job_id.clone());
                if area.site != site_index || planned.contains(&key) {
                    continue;
                }
                // The working day with the least planned paid minutes.
                let target = out
                    .days
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| d.as_ref().filter(|d| d.1 == day.date).map(|d| (i, d.2)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(i, _)| i);
                let index = out.stops.len();
                let mut stop = engine::Stop {
                    id: index.to_string(),
                    site: site_id.to_owned(),
                    travel_minutes: 0.0,
                    planned_minutes: job.service as f64,
                    window: Some((job.ready as f64, job.due as f64)),
                    duration: duration_of(&area.area_id),
                    extra_per_day: 0.0,
                };
                let cleaner = match target {
                    Some(i) => {
                        let (cleaner, _, paid) = out.days[i].clone().expect("a cleaner's day");
                        let engine_day = &mut out.week.days[i];
                        let from = engine_day
                            .stops
                            .last()
                            .and_then(|s| self.week.sites.iter().find(|x| x.site_id == s.site))
                            .map(|s| s.location);
                        let home = home(&cleaner);
                        let travel =
                            |a: Option<crate::sites::GeoPoint>,
                             b: Option<crate::sites::GeoPoint>| {
                                match (a, b) {
                                    (Some(a), Some(b)) => self.week.travel.minutes(a, b) as f64,
                                    _ => 0.0,
                                }
                            };
                        stop.travel_minutes = travel(from.or(home), Some(site.location));
                        engine_day.return_minutes = travel(Some(site.location), home);
                        engine_day.stops.push(stop);
                        out.days[i] = Some((cleaner.clone(), day.date, paid + job.service as f64));
                        cleaner
                    }
                    None => {
                        out.days.push(None);
                        out.week.days.push(engine::CleanerDay {
                            cleaner: String::new(),
                            day: day.date.weekday().num_days_from_monday() as u8,
                            start: job.ready as f64,
                            max_minutes: 24.0 * 60.0,
                            absence_probability: 1.0,
                            return_minutes: 0.0,
                            stops: vec![stop],
                        });
                        String::new()
                    }
                };
                out.stops.push(StopSource {
                    area_id: area.area_id.clone(),
                    area_name: area.name.clone(),
                    site_id: site_id.to_owned(),
                    site_name: site.name.clone(),
                    one_off_job_id: area.one_off_job_id.clone(),
                    cleaner_id: cleaner,
                    date: day.date,
                    planned_start: LocalTime::from_minutes(job.ready),
                    latest_start: Some(LocalTime::from_minutes(job.due)),
                });
                out.added_visits += 1;
            }
        }
        // The engine numbers stops in day order; the sources follow the same order.
        reorder_sources(out);
    }

    /// What the model assumed for these engine weeks' rooms, with the cleaners' `absences`.
    pub fn assumptions(
        &self,
        weeks: &[&EngineWeek],
        absences: Vec<AbsenceAssumption>,
    ) -> Assumptions {
        let mut areas: BTreeMap<&str, &str> = BTreeMap::new();
        let mut demand = Vec::new();
        for week in weeks {
            for stop in &week.stops {
                areas.insert(&stop.area_id, &stop.area_name);
                if let Some(extra) = self
                    .week
                    .extra_demand
                    .get(&(stop.area_id.clone(), stop.date))
                    && *extra > 0.0
                {
                    demand.push(DemandAssumption {
                        area_id: stop.area_id.clone(),
                        date: stop.date,
                        extra_per_day: *extra,
                    });
                }
            }
        }
        demand.sort_by(|a, b| (&a.area_id, a.date).cmp(&(&b.area_id, b.date)));
        demand.dedup();
        Assumptions {
            history_weeks: HISTORY_WEEKS,
            min_visits_per_area: MIN_VISITS,
            default_duration: LogNormalFit::DEFAULT,
            durations: areas
                .into_iter()
                .map(|(id, name)| {
                    let (fit, source) = self.fits.of(id);
                    DurationAssumption {
                        area_id: id.to_owned(),
                        area_name: name.to_owned(),
                        source,
                        median_ratio: fit.mu.exp(),
                        sigma: fit.sigma,
                        visits: fit.visits,
                    }
                })
                .collect(),
            travel_spread: TRAVEL_SPREAD,
            absence_history_days: ABSENCE_HISTORY_DAYS,
            prior_absence: PRIOR_ABSENCE,
            absences,
            demand,
            absent_stops: "missed".into(),
            added_visits: weeks.iter().map(|w| w.added_visits).sum(),
        }
    }
}

/// The cleanings in an engine week, by date, area and one-off job.
fn tours_planned(
    week: &EngineWeek,
) -> std::collections::BTreeSet<(NaiveDate, String, Option<String>)> {
    week.stops
        .iter()
        .map(|s| (s.date, s.area_id.clone(), s.one_off_job_id.clone()))
        .collect()
}

/// Stops were appended to days out of order: renumber them in day order, the sources with
/// them.
fn reorder_sources(out: &mut EngineWeek) {
    let mut sources = Vec::with_capacity(out.stops.len());
    let mut next = 0;
    for day in &mut out.week.days {
        for stop in &mut day.stops {
            let old: usize = stop.id.parse().expect("a stop's index");
            sources.push(out.stops[old].clone());
            stop.id = next.to_string();
            next += 1;
        }
    }
    out.stops = sources;
}

/// The engine's model under `changes`.
pub fn model(changes: Option<&Changes>) -> engine::Model {
    engine::Model {
        travel_sigma: TRAVEL_SPREAD,
        travel_factor: changes.and_then(|c| c.travel_factor).unwrap_or(1.0),
        absent_stops_missed: true,
    }
}

/// An estimate with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl From<engine::stats::Estimate> for Estimate {
    fn from(e: engine::stats::Estimate) -> Self {
        Estimate {
            value: e.value,
            low: e.low,
            high: e.high,
        }
        .rounded()
    }
}

impl Estimate {
    /// To four decimals: a hundredth of a percentage point, far inside any interval here,
    /// and a result of thousands of them stays one document.
    fn rounded(self) -> Self {
        let round = |x: f64| (x * 1e4).round() / 1e4;
        Estimate {
            value: round(self.value),
            low: round(self.low),
            high: round(self.high),
        }
    }

    /// `self - base`, its interval from both half-widths as if independent (with common
    /// random numbers the true interval is narrower: this one errs wide).
    pub fn minus(self, base: Estimate) -> Estimate {
        let half = |e: Estimate| (e.high - e.low) / 2.0;
        let width = (half(self).powi(2) + half(base).powi(2)).sqrt();
        let value = self.value - base.value;
        Estimate {
            value,
            low: value - width,
            high: value + width,
        }
        .rounded()
    }
}

/// Why a visit is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum RiskReason {
    LongRoom,
    TightWindow,
    LongTravel,
    LateInDay,
    Absence,
}

impl From<engine::Reason> for RiskReason {
    fn from(r: engine::Reason) -> Self {
        match r {
            engine::Reason::LongRoom => RiskReason::LongRoom,
            engine::Reason::TightWindow => RiskReason::TightWindow,
            engine::Reason::LongTravel => RiskReason::LongTravel,
            engine::Reason::LateInDay => RiskReason::LateInDay,
            engine::Reason::Absence => RiskReason::Absence,
        }
    }
}

/// A visit's chance to start within its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VisitRisk {
    pub area_id: String,
    /// In the riskiest lists; the full list's rooms are named in `areaNames` (a result of
    /// thousands of visits stays one document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_name: Option<String>,
    pub site_id: String,
    /// In the riskiest lists; the sites are named in `sites`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
    /// Empty: nobody's (a new site's cleaning on a day nobody works).
    pub cleaner_id: String,
    pub date: NaiveDate,
    pub planned_start: LocalTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_start: Option<LocalTime>,
    pub on_time: Estimate,
    pub reasons: Vec<RiskReason>,
}

/// A cleaner-day's chance of overtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayRisk {
    pub cleaner_id: String,
    pub cleaner_name: String,
    pub date: NaiveDate,
    pub max_minutes: f64,
    pub planned_minutes: f64,
    pub absence_probability: f64,
    /// The chance her paid day exceeds `maxMinutes`.
    pub overtime: Estimate,
    pub expected_overtime_minutes: Estimate,
    /// Her visits whose chance to start in time is under 80 %.
    pub visits_at_risk: usize,
    /// Why it may run over.
    pub reasons: Vec<DayRiskReason>,
}

/// Why a cleaner-day may run over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum DayRiskReason {
    /// Less than a tenth of her maximum is left once the planned day is done.
    LittleSlack,
    /// Her rooms' minutes vary by 20 minutes or more over the day.
    VariableRooms,
    /// An hour or more of it is travel.
    LongTravel,
    /// Sensors are expected to bring extra cleanings.
    Demand,
    /// She may be absent (5 % or more).
    Absence,
}

impl From<engine::DayReason> for DayRiskReason {
    fn from(r: engine::DayReason) -> Self {
        match r {
            engine::DayReason::LittleSlack => DayRiskReason::LittleSlack,
            engine::DayReason::VariableRooms => DayRiskReason::VariableRooms,
            engine::DayReason::LongTravel => DayRiskReason::LongTravel,
            engine::DayReason::Demand => DayRiskReason::Demand,
            engine::DayReason::Absence => DayRiskReason::Absence,
        }
    }
}

/// A site's share of planned cleanings done within their windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteRisk {
    pub site_id: String,
    pub site_name: String,
    pub planned_cleanings: usize,
    pub service_level: Estimate,
}

/// How many of the riskiest visits and days a result names.
const RISKIEST: usize = 25;

/// A visit is at risk under this chance to start in time; a day, over this chance of
/// overtime.
pub const VISIT_AT_RISK: f64 = 0.8;
pub const DAY_AT_RISK: f64 = 0.2;

/// What the replays found, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SimulationResult {
    pub replications: u64,
    pub seed: u64,
    /// The week's share of planned cleanings done within their windows.
    pub service_level: Estimate,
    pub visits_at_risk: usize,
    pub days_at_risk: usize,
    /// Every visit; empty in a what-if's variant, whose visits are in `difference.visits`.
    pub visits: Vec<VisitRisk>,
    pub days: Vec<DayRisk>,
    pub sites: Vec<SiteRisk>,
    /// The visits most likely to miss their window, named (at most 25, under 95 % only).
    pub riskiest_visits: Vec<VisitRisk>,
    /// The days most likely to run over (at most 25, over 5 % only).
    pub riskiest_days: Vec<DayRisk>,
    /// Each room's name, by id.
    pub area_names: BTreeMap<String, String>,
}

impl SimulationResult {
    /// The engine's outcome over `week`, with the cleaners' names.
    pub fn of(
        outcome: &engine::Outcome,
        week: &EngineWeek,
        names: &BTreeMap<String, String>,
    ) -> Self {
        let visits: Vec<VisitRisk> = outcome
            .stops
            .iter()
            .zip(&week.stops)
            .map(|(o, s)| VisitRisk {
                area_id: s.area_id.clone(),
                area_name: None,
                site_id: s.site_id.clone(),
                site_name: None,
                one_off_job_id: s.one_off_job_id.clone(),
                cleaner_id: s.cleaner_id.clone(),
                date: s.date,
                planned_start: s.planned_start,
                latest_start: s.latest_start,
                on_time: o.on_time.into(),
                reasons: o.reasons.iter().copied().map(RiskReason::from).collect(),
            })
            .collect();
        let mut late: BTreeMap<(&str, NaiveDate), usize> = BTreeMap::new();
        for visit in visits.iter().filter(|v| v.on_time.value < VISIT_AT_RISK) {
            *late.entry((&visit.cleaner_id, visit.date)).or_default() += 1;
        }
        let mut days = Vec::new();
        for ((o, source), engine_day) in outcome.days.iter().zip(&week.days).zip(&week.week.days) {
            let Some((cleaner, date, planned)) = source else {
                continue;
            };
            days.push(DayRisk {
                cleaner_id: cleaner.clone(),
                cleaner_name: names
                    .get(cleaner)
                    .cloned()
                    .unwrap_or_else(|| cleaner.clone()),
                date: *date,
                max_minutes: engine_day.max_minutes,
                planned_minutes: *planned,
                absence_probability: engine_day.absence_probability,
                overtime: o.overtime.into(),
                expected_overtime_minutes: o.expected_overtime_minutes.into(),
                visits_at_risk: late.get(&(cleaner.as_str(), *date)).copied().unwrap_or(0),
                reasons: o.reasons.iter().copied().map(DayRiskReason::from).collect(),
            });
        }
        let sites = outcome
            .sites
            .iter()
            .map(|o| SiteRisk {
                site_id: o.site.clone(),
                site_name: week
                    .stops
                    .iter()
                    .find(|s| s.site_id == o.site)
                    .map(|s| s.site_name.clone())
                    .unwrap_or_default(),
                planned_cleanings: week.stops.iter().filter(|s| s.site_id == o.site).count(),
                service_level: o.service_level.into(),
            })
            .collect();
        let mut riskiest: Vec<(&VisitRisk, &StopSource)> = visits
            .iter()
            .zip(&week.stops)
            .filter(|(v, _)| v.on_time.value < 0.95)
            .collect();
        riskiest.sort_by(|a, b| a.0.on_time.value.total_cmp(&b.0.on_time.value));
        let riskiest_visits = riskiest
            .into_iter()
            .take(RISKIEST)
            .map(|(v, s)| VisitRisk {
                area_name: Some(s.area_name.clone()),
                site_name: Some(s.site_name.clone()),
                ..v.clone()
            })
            .collect();
        let mut riskiest_days: Vec<DayRisk> = days
            .iter()
            .filter(|d| d.overtime.value > 0.05)
            .cloned()
            .collect();
        riskiest_days.sort_by(|a, b| b.overtime.value.total_cmp(&a.overtime.value));
        riskiest_days.truncate(RISKIEST);
        SimulationResult {
            replications: outcome.replications,
            seed: outcome.seed,
            service_level: outcome.service_level.into(),
            visits_at_risk: late.values().sum(),
            days_at_risk: days
                .iter()
                .filter(|d| d.overtime.value > DAY_AT_RISK)
                .count(),
            area_names: week
                .stops
                .iter()
                .map(|s| (s.area_id.clone(), s.area_name.clone()))
                .collect(),
            visits,
            days,
            sites,
            riskiest_visits,
            riskiest_days,
        }
    }

    /// The figures a plan shows beside its KPIs: the totals and the five riskiest of each.
    pub fn summary(&self) -> PlanRisk {
        PlanRisk {
            replications: self.replications,
            seed: self.seed,
            service_level: self.service_level,
            visits_at_risk: self.visits_at_risk,
            days_at_risk: self.days_at_risk,
            riskiest_visits: self.riskiest_visits.iter().take(5).cloned().collect(),
            riskiest_days: self.riskiest_days.iter().take(5).cloned().collect(),
        }
    }
}

/// A plan's quick simulation ([`QUICK_REPLICATIONS`]), shown next to its KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanRisk {
    pub replications: u64,
    pub seed: u64,
    pub service_level: Estimate,
    pub visits_at_risk: usize,
    pub days_at_risk: usize,
    pub riskiest_visits: Vec<VisitRisk>,
    pub riskiest_days: Vec<DayRisk>,
}

/// How a visit's chance to start in time changed in a what-if; a visit on one side only says
/// which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VisitDifference {
    pub area_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
    pub date: NaiveDate,
    /// Its chance to start in time in the variant (whose `visits` are left out: this list
    /// has them, and a what-if of a big week stays one document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_on_time: Option<Estimate>,
    /// Variant minus result, when both have it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Estimate>,
    /// The side it is on, when only one has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<Side>,
}

/// A what-if's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    Result,
    Variant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayDifference {
    pub cleaner_id: String,
    pub date: NaiveDate,
    /// The chance of overtime, variant minus result, when both have the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Estimate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_overtime_change: Option<Estimate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteDifference {
    pub site_id: String,
    pub site_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<Estimate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_service_level: Option<Estimate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Estimate>,
}

/// A what-if's variant minus its result, figure by figure: visits matched by date, room and
/// one-off job; days by cleaner and date; sites by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub service_level: Estimate,
    pub visits_at_risk: i64,
    pub days_at_risk: i64,
    pub visits: Vec<VisitDifference>,
    pub days: Vec<DayDifference>,
    pub sites: Vec<SiteDifference>,
}

/// Pairs `a`'s and `b`'s items by `key`, in key order.
fn paired<'t, T, K: Ord>(
    a: &'t [T],
    b: &'t [T],
    key: impl Fn(&T) -> K,
) -> Vec<(Option<&'t T>, Option<&'t T>)> {
    let mut pairs: BTreeMap<K, (Option<&T>, Option<&T>)> = BTreeMap::new();
    for item in a {
        pairs.entry(key(item)).or_default().0 = Some(item);
    }
    for item in b {
        pairs.entry(key(item)).or_default().1 = Some(item);
    }
    pairs.into_values().collect()
}

fn change(a: Option<Estimate>, b: Option<Estimate>) -> Option<Estimate> {
    Some(b?.minus(a?))
}

impl Difference {
    pub fn between(result: &SimulationResult, variant: &SimulationResult) -> Self {
        let visits = paired(&result.visits, &variant.visits, |v| {
            (v.date, v.area_id.clone(), v.one_off_job_id.clone())
        })
        .into_iter()
        .map(|(a, b)| {
            let any = a.or(b).expect("one side at least");
            let (x, y) = (a.map(|v| v.on_time), b.map(|v| v.on_time));
            VisitDifference {
                area_id: any.area_id.clone(),
                one_off_job_id: any.one_off_job_id.clone(),
                date: any.date,
                variant_on_time: y,
                change: change(x, y),
                only: match (a, b) {
                    (Some(_), None) => Some(Side::Result),
                    (None, Some(_)) => Some(Side::Variant),
                    _ => None,
                },
            }
        })
        .collect();
        let days = paired(&result.days, &variant.days, |d| {
            (d.date, d.cleaner_id.clone())
        })
        .into_iter()
        .map(|(a, b)| {
            let any = a.or(b).expect("one side at least");
            DayDifference {
                cleaner_id: any.cleaner_id.clone(),
                date: any.date,
                change: change(a.map(|d| d.overtime), b.map(|d| d.overtime)),
                expected_overtime_change: change(
                    a.map(|d| d.expected_overtime_minutes),
                    b.map(|d| d.expected_overtime_minutes),
                ),
            }
        })
        .collect();
        let sites = paired(&result.sites, &variant.sites, |s| s.site_id.clone())
            .into_iter()
            .map(|(a, b)| {
                let any = a.or(b).expect("one side at least");
                let (x, y) = (a.map(|s| s.service_level), b.map(|s| s.service_level));
                SiteDifference {
                    site_id: any.site_id.clone(),
                    site_name: any.site_name.clone(),
                    service_level: x,
                    variant_service_level: y,
                    change: change(x, y),
                }
            })
            .collect();
        Difference {
            service_level: variant.service_level.minus(result.service_level),
            visits_at_risk: variant.visits_at_risk as i64 - result.visits_at_risk as i64,
            days_at_risk: variant.days_at_risk as i64 - result.days_at_risk as i64,
            visits,
            days,
            sites,
        }
    }
}

#[cfg(test)]
mod tests;
