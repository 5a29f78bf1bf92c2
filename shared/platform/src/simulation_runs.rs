//! Simulations run on the simulation worker, never in a request: `POST /v1/simulations`
//! stores one as queued and publishes its [`SimulationJob`], which replays the week with its
//! progress written as it goes, then the result. A plan's quick simulation ([`quick`]) runs on
//! the planning worker as the plan is finished.
//!
//! Layout:
//! - [`History`], [`load_history`]: what the tenant's visits and absences say (the fits).
//! - [`SimulationJob`]: the job's payload and its run: claim, replay, write.
//! - [`quick`]: a new plan's 1,000 replications.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate};
use domain::Entity;
use domain::planning::{AbsenceKind, Plan, PlannedTour, Week};
use domain::simulation::{
    self as model, AbsenceAssumption, DurationFits, DurationSample, EngineWeek, PlanRisk,
    Simulation, SimulationResult, SimulationStatus, WeekInputs,
};
use domain::store::{Direction, Filter, FilterOp, Query, Write};
use domain::tours::{Visit, VisitStatus};
use serde::{Deserialize, Serialize};

use crate::context::TenantData;
use crate::crud::Stored;
use crate::error::{ApiError, ApiResult};
use crate::job::{BackgroundJob, JobError};
use crate::push::PushJob;

/// What the tenant's history says: each room's durations, each cleaner's absences.
pub struct History {
    pub fits: DurationFits,
    pub absences: Vec<AbsenceAssumption>,
}

impl History {
    /// The model's inputs for `week` with this history.
    pub fn inputs<'a>(&'a self, week: &'a Week) -> WeekInputs<'a> {
        WeekInputs::new(week, &self.fits, &self.absences)
    }
}

/// The visits of one of the [`model::HISTORY_WEEKS`] weeks before the week (`weeks_back`
/// 1 to 8: one range of dates each, read side by side).
pub fn visits_query(week_start: NaiveDate, weeks_back: i64) -> Query {
    let first = week_start - Duration::weeks(weeks_back);
    let last = first + Duration::days(6);
    Query::new(Visit::COLLECTION)
        .filter(Filter::new("localDate", FilterOp::Ge, first.to_string()))
        .filter(Filter::new("localDate", FilterOp::Le, last.to_string()))
        .order_by("localDate", Direction::Asc)
}

/// The absences that end after the absence history began.
pub fn absences_query(week_start: NaiveDate) -> Query {
    let since = week_start - Duration::days(model::ABSENCE_HISTORY_DAYS);
    Query::new(domain::planning::Absence::COLLECTION)
        .filter(Filter::new("to", FilterOp::Ge, since.to_string()))
        .order_by("to", Direction::Asc)
}

/// What a visit tells the duration fit: only these fields are read of it (a week of a big
/// tenant is thousands of visits).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VisitDuration {
    area_id: String,
    status: VisitStatus,
    #[serde(default)]
    duration_minutes: Option<f64>,
}

/// The duration samples of one week of visits, a page at a time.
async fn week_samples(
    data: &TenantData,
    query: Query,
    planned: &BTreeMap<String, f64>,
) -> ApiResult<Vec<DurationSample>> {
    data.store()
        .fold_pages(query, Vec::new(), |mut samples, page| {
            for doc in page {
                let visit: VisitDuration = serde_json::from_value(doc.fields.into())
                    .map_err(|e| ApiError::internal(format!("a stored visit: {e}")))?;
                let (Some(minutes), VisitStatus::Done) = (visit.duration_minutes, visit.status)
                else {
                    continue;
                };
                if let Some(planned) = planned.get(visit.area_id.as_str()) {
                    samples.push(DurationSample {
                        ratio: minutes / planned,
                        area_id: visit.area_id,
                    });
                }
            }
            Ok::<_, ApiError>(samples)
        })
        .await
}

/// Reads the history the model is fitted from: the visits done in the weeks before `week`
/// (a page at a time), and the cleaners' sick days on their working days.
pub async fn load_history(data: &TenantData, week: &Week) -> ApiResult<History> {
    let planned: Arc<BTreeMap<String, f64>> = Arc::new(
        week.areas
            .iter()
            .filter(|a| a.one_off_job_id.is_none() && a.minutes_per_cleaning > 0.0)
            .map(|a| (a.area_id.clone(), a.minutes_per_cleaning))
            .collect(),
    );
    // The weeks are read side by side: the store answers each while the others are parsed.
    let mut weeks = tokio::task::JoinSet::new();
    for back in 1..=model::HISTORY_WEEKS {
        let (data, planned) = (data.clone(), planned.clone());
        let query = visits_query(week.start, back);
        weeks.spawn(async move { (back, week_samples(&data, query, &planned).await) });
    }
    let mut by_week = Vec::new();
    while let Some(week) = weeks.join_next().await {
        let (back, samples) =
            week.map_err(|e| ApiError::internal(format!("reading the history stopped: {e}")))?;
        by_week.push((back, samples?));
    }
    // In date order, whichever week came first: the fit's sums, and so the figures, are the
    // same on every run.
    by_week.sort_by_key(|(back, _)| std::cmp::Reverse(*back));
    let samples: Vec<DurationSample> = by_week.into_iter().flat_map(|(_, s)| s).collect();
    let type_of = week
        .areas
        .iter()
        .map(|a| (a.area_id.clone(), a.area_type_id.clone()))
        .collect();
    let fits = DurationFits::fit(&samples, type_of);
    let first = week.start - Duration::days(model::ABSENCE_HISTORY_DAYS);
    let last = week.start - Duration::days(1);
    let sick: Vec<domain::planning::Absence> = data
        .store()
        .fold_pages(absences_query(week.start), Vec::new(), |mut sick, page| {
            for doc in page {
                let absence: Stored<domain::planning::Absence> = Stored::from_document(doc)?;
                if absence.entity.kind == AbsenceKind::Sick {
                    sick.push(absence.entity);
                }
            }
            Ok::<_, ApiError>(sick)
        })
        .await?;
    let mut absences = Vec::new();
    for (id, cleaner) in &week.cleaners {
        let works = |date: &NaiveDate| {
            cleaner
                .shifts
                .iter()
                .any(|s| s.day.index() == date.weekday().num_days_from_monday() as usize)
        };
        let days: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(works)
            .collect();
        let sick_days = days
            .iter()
            .filter(|d| {
                sick.iter()
                    .any(|a| a.cleaner_id.as_str() == id && a.covers(**d))
            })
            .count() as u32;
        absences.push(AbsenceAssumption {
            cleaner_id: id.clone(),
            name: cleaner.name.clone(),
            sick_days,
            working_days: days.len() as u32,
            probability: model::absence_probability(sick_days, days.len() as u32),
        });
    }
    Ok(History { fits, absences })
}

/// The threads a simulation uses: every core the instance has (Cloud Run gives one to four).
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The cleaners' names, for the result.
fn names(week: &Week) -> BTreeMap<String, String> {
    week.cleaners
        .iter()
        .map(|(id, c)| (id.clone(), c.name.clone()))
        .collect()
}

/// A new plan's quick simulation: [`model::QUICK_REPLICATIONS`] replications of its tours
/// on the planning worker, summarised beside its KPIs.
pub async fn quick(data: &TenantData, week: Week, tours: Vec<PlannedTour>) -> ApiResult<PlanRisk> {
    let history = load_history(data, &week).await?;
    tokio::task::spawn_blocking(move || {
        let engine_week = history.inputs(&week).engine_week(&tours, None);
        let outcome = simulation::simulate(
            &engine_week.week,
            &model::model(None),
            simulation::Run {
                replications: model::QUICK_REPLICATIONS,
                seed: 1,
            },
            threads(),
        );
        SimulationResult::of(&outcome, &engine_week, &names(&week)).summary()
    })
    .await
    .map_err(|e| ApiError::internal(format!("the quick simulation stopped: {e}")))
}

/// The simulation job: runs the queued simulation `simulationId`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationJob {
    pub simulation_id: String,
}

impl BackgroundJob for SimulationJob {
    const NAME: &'static str = "simulation";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        if run.was_done().await? {
            return Ok(Vec::new());
        }
        let data = run.data();
        let id = self.simulation_id;
        let simulation = data
            .repo::<Simulation>()
            .find(&id)
            .await?
            .ok_or_else(|| JobError::Reject(format!("simulation {id} does not exist")))?;
        crate::progress::claim_and_run(data, simulation, |claimed| run_with_progress(data, claimed))
            .await
    }
}

/// A plan's tours, once it is computed.
pub async fn computed_plan(data: &TenantData, id: &str, field: &str) -> ApiResult<Stored<Plan>> {
    let plan = data
        .repo::<Plan>()
        .find(id)
        .await?
        .ok_or_else(|| ApiError::field(field, "no plan has this id"))?;
    if plan.entity.is_pending() || plan.entity.status == domain::planning::PlanStatus::Failed {
        return Err(ApiError::field(
            field,
            "names a plan without tours yet (queued, running or failed)",
        ));
    }
    Ok(plan)
}

/// The two sides' engine weeks and what they assumed.
struct Sides {
    names: BTreeMap<String, String>,
    base: EngineWeek,
    variant: Option<EngineWeek>,
    assumptions: model::Assumptions,
}

async fn sides(data: &TenantData, simulation: &Simulation) -> ApiResult<Sides> {
    let (week, tours) = match &simulation.plan_id {
        Some(id) => {
            let plan = computed_plan(data, id, "planId").await?.entity;
            let travel = match plan.travel {
                Some(travel) => travel,
                None => crate::tours::travel_model(data).await?,
            };
            let week = crate::planning::tenant_week(data, simulation.week_start, travel).await?;
            (week, plan.tours)
        }
        None => {
            let travel = crate::tours::travel_model(data).await?;
            let inputs = crate::planning::load_inputs(data, simulation.week_start, travel).await?;
            (inputs.week, inputs.in_force)
        }
    };
    let compared = match &simulation.compare_plan_id {
        Some(id) => Some(computed_plan(data, id, "comparePlanId").await?.entity.tours),
        None => None,
    };
    let history = load_history(data, &week).await?;
    let inputs = history.inputs(&week);
    let base = inputs.engine_week(&tours, None);
    let changes = simulation.changes.as_ref();
    let variant = match (&compared, changes) {
        (Some(other), _) => Some(inputs.engine_week(other, changes)),
        (None, Some(_)) => Some(inputs.engine_week(&tours, changes)),
        (None, None) => None,
    };
    for side in std::iter::once(&base).chain(&variant) {
        if side.stops.len() > model::MAX_VISITS {
            return Err(ApiError::field(
                "planId",
                format!(
                    "the week has {} visits; a simulation takes at most {}",
                    side.stops.len(),
                    model::MAX_VISITS
                ),
            ));
        }
    }
    let sides: Vec<&EngineWeek> = std::iter::once(&base).chain(&variant).collect();
    let assumptions = inputs.assumptions(&sides, history.absences.clone());
    Ok(Sides {
        names: names(&week),
        base,
        variant,
        assumptions,
    })
}

/// Runs a claimed simulation, writing its progress (and renewing its lease) as it goes: the
/// simulation as last written, and the finished one.
async fn run_with_progress(
    data: &TenantData,
    stored: Stored<Simulation>,
) -> (Stored<Simulation>, ApiResult<Simulation>) {
    let sides = match sides(data, &stored.entity).await {
        Ok(sides) => sides,
        Err(e) => return (stored, Err(e)),
    };
    let simulation = stored.entity.clone();
    let progress = Arc::new(Mutex::new(0.0));
    let told = progress.clone();
    let work = tokio::task::spawn_blocking(move || {
        let run = simulation::Run {
            replications: simulation.replications,
            seed: simulation.seed,
        };
        let halves = if sides.variant.is_some() { 2.0 } else { 1.0 };
        let replay = |week: &EngineWeek, changes, half: f64| {
            simulation::simulate_with_progress(
                &week.week,
                &model::model(changes),
                run,
                threads(),
                &|p| {
                    if let Ok(mut at) = told.lock() {
                        *at = (half + p) / halves;
                    }
                },
            )
        };
        let names = &sides.names;
        let base = SimulationResult::of(&replay(&sides.base, None, 0.0), &sides.base, names);
        let variant = sides.variant.as_ref().map(|week| {
            SimulationResult::of(&replay(week, simulation.changes.as_ref(), 1.0), week, names)
        });
        let mut done = simulation;
        done.difference = variant
            .as_ref()
            .map(|v| model::Difference::between(&base, v));
        // The difference lists the variant's visits: stored once, a big week's what-if stays
        // one document.
        let variant = variant.map(|v| SimulationResult {
            visits: Vec::new(),
            ..v
        });
        done.result = Some(base);
        done.variant = variant;
        done.assumptions = Some(sides.assumptions);
        done.status = SimulationStatus::Done;
        done.progress = 1.0;
        done.lease_until = None;
        done
    });
    let (stored, finished) = crate::progress::write_while(data, stored, &progress, work).await;
    let finished = finished.map_err(|e| ApiError::internal(format!("the simulation stopped: {e}")));
    (stored, finished)
}

/// Every store query this module issues (for the index check).
pub fn queries() -> Vec<Query> {
    let monday = NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date");
    vec![visits_query(monday, 1), absences_query(monday)]
}
