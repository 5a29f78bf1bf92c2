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
use crate::crud::{Stored, entity_fields};
use crate::error::{ApiError, ApiResult};
use crate::job::{BackgroundJob, JobError};
use crate::progress::Leased as _;
use crate::push::PushJob;

/// How long a queued simulation waits for a worker before it reads as failed.
pub const QUEUE_LEASE: Duration = Duration::minutes(30);
/// How long a running simulation is held after each write of its progress.
const LEASE: Duration = Duration::seconds(30);

/// What the tenant's history says: each room's durations, each cleaner's absences.
pub struct History {
    pub fits: DurationFits,
    pub absence: BTreeMap<String, f64>,
    pub absences: Vec<AbsenceAssumption>,
}

/// The visits of one of the [`model::HISTORY_WEEKS`] weeks before the week (`weeks_back`
/// 1 to 8: one range of dates each, read side by side), and the absences that end after the
/// absence history began.
pub fn history_queries(week_start: NaiveDate, weeks_back: i64) -> (Query, Query) {
    let first = week_start - Duration::weeks(weeks_back);
    let last = first + Duration::days(6);
    let visits = Query::new(Visit::COLLECTION)
        .filter(Filter::new("localDate", FilterOp::Ge, first.to_string()))
        .filter(Filter::new("localDate", FilterOp::Le, last.to_string()))
        .order_by("localDate", Direction::Asc);
    let since = week_start - Duration::days(model::ABSENCE_HISTORY_DAYS);
    let absences = Query::new(domain::planning::Absence::COLLECTION)
        .filter(Filter::new("to", FilterOp::Ge, since.to_string()))
        .order_by("to", Direction::Asc);
    (visits, absences)
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
        let query = history_queries(week.start, back).0;
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
    let (_, absences) = history_queries(week.start, 1);
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
        .fold_pages(absences, Vec::new(), |mut sick, page| {
            for doc in page {
                let absence: Stored<domain::planning::Absence> = Stored::from_document(doc)?;
                if absence.entity.kind == AbsenceKind::Sick {
                    sick.push(absence.entity);
                }
            }
            Ok::<_, ApiError>(sick)
        })
        .await?;
    let mut absence = BTreeMap::new();
    let mut assumptions = Vec::new();
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
        let probability = model::absence_probability(sick_days, days.len() as u32);
        absence.insert(id.clone(), probability);
        assumptions.push(AbsenceAssumption {
            cleaner_id: id.clone(),
            name: cleaner.name.clone(),
            sick_days,
            working_days: days.len() as u32,
            probability,
        });
    }
    Ok(History {
        fits,
        absence,
        absences: assumptions,
    })
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
        let inputs = WeekInputs {
            week: &week,
            fits: &history.fits,
            absence: &history.absence,
        };
        let engine_week = inputs.engine_week(&tours, None);
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
        match simulation.entity.status {
            SimulationStatus::Queued => {}
            SimulationStatus::Running if simulation.entity.is_abandoned(data.now()) => {}
            SimulationStatus::Running => {
                return Err(JobError::Retry(format!(
                    "simulation {id} is being run by another delivery"
                )));
            }
            _ => return Ok(Vec::new()),
        }
        let repo = data.repo::<Simulation>();
        let mut running = simulation.entity.clone();
        running.status = SimulationStatus::Running;
        running.progress = 0.0;
        running.lease_until = Some(data.now() + LEASE);
        let claimed = repo
            .replace(&id, simulation.meta.version, running, Vec::new())
            .await?;
        let (last, result) = run_with_progress(data, claimed).await;
        let finished = match result {
            Ok(done) => done,
            Err(e) => {
                let error = JobError::from(e);
                let mut after = last.entity.clone();
                after.lease_until = Some(data.now() + QUEUE_LEASE);
                match &error {
                    JobError::Retry(_) => after.status = SimulationStatus::Queued,
                    JobError::Reject(reason) => after = after.failed(reason),
                }
                // Best effort: its lease ends it anyway.
                let _ = repo
                    .replace(&id, last.meta.version, after, Vec::new())
                    .await;
                return Err(error);
            }
        };
        Ok(vec![Write::Update {
            collection: Simulation::COLLECTION,
            id,
            expected_version: last.meta.version,
            fields: entity_fields(&finished)?,
        }])
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
    week: Week,
    base: EngineWeek,
    variant: Option<EngineWeek>,
    history: History,
}

async fn sides(data: &TenantData, simulation: &Simulation) -> ApiResult<Sides> {
    let (tours, travel) = match &simulation.plan_id {
        Some(id) => {
            let plan = computed_plan(data, id, "planId").await?;
            (plan.entity.tours, plan.entity.travel)
        }
        None => (Vec::new(), None),
    };
    let travel = match travel {
        Some(travel) => travel,
        None => crate::tours::travel_model(data).await?,
    };
    let (week, tours) = match &simulation.plan_id {
        Some(_) => (
            crate::planning::tenant_week(data, simulation.week_start, travel).await?,
            tours,
        ),
        None => {
            let inputs = crate::planning::load_inputs(data, simulation.week_start, travel).await?;
            (inputs.week, inputs.in_force)
        }
    };
    let compared = match &simulation.compare_plan_id {
        Some(id) => Some(computed_plan(data, id, "comparePlanId").await?.entity.tours),
        None => None,
    };
    let history = load_history(data, &week).await?;
    let inputs = WeekInputs {
        week: &week,
        fits: &history.fits,
        absence: &history.absence,
    };
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
    Ok(Sides {
        week,
        base,
        variant,
        history,
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
        let names = names(&sides.week);
        let base = SimulationResult::of(&replay(&sides.base, None, 0.0), &sides.base, &names);
        let variant = sides.variant.as_ref().map(|week| {
            SimulationResult::of(
                &replay(week, simulation.changes.as_ref(), 1.0),
                week,
                &names,
            )
        });
        let inputs = WeekInputs {
            week: &sides.week,
            fits: &sides.history.fits,
            absence: &sides.history.absence,
        };
        let mut assumptions = inputs.assumptions(
            &std::iter::once(&sides.base)
                .chain(&sides.variant)
                .collect::<Vec<_>>(),
        );
        assumptions.absences = sides.history.absences;
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
        done.assumptions = Some(assumptions);
        done.status = SimulationStatus::Done;
        done.progress = 1.0;
        done.lease_until = None;
        done
    });
    let (stored, finished) =
        crate::progress::write_while(data, stored, &progress, LEASE, work).await;
    let finished = finished.map_err(|e| ApiError::internal(format!("the simulation stopped: {e}")));
    (stored, finished)
}

/// Every store query this module issues (for the index check).
pub fn queries() -> Vec<Query> {
    let monday = NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date");
    let (visits, absences) = history_queries(monday, 1);
    vec![visits, absences]
}
