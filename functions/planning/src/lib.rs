//! The `planning` function: the planner's view of cleaners, and plan versions.
//!
//! Routes: `/v1/cleaners` (CRUD: home, shifts, maximum minutes a day), `POST /v1/plans`
//! (computes a draft for a week within its time budget; `GET /v1/plans/{id}` shows its
//! `status` and `progress` meanwhile), `GET /v1/plans[/{id}]`, and
//! `POST /v1/plans/{id}/activate` (with `If-Match`: the draft's tours replace the tenant's).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use calendars::schedule::SiteSchedule;
use chrono::{Duration, NaiveDate};
use domain::Entity;
use domain::planning::{
    Cleaner, CurrentTour, Plan, PlanArea, PlanRequest, PlanSite, PlanStatus, TravelModel, Week,
};
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::store::{Query, Write};
use domain::tours::{Tour, TourDay, TourType};
use platform::crud::{TenantData, entity_fields, entity_response};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody};
use platform::resource::{self, Context, Resource};
use platform::{ApiError, AppState, Caller, Role};
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(resource::routes::<Cleaners>())
        .route("/v1/plans", get(resource::list::<Plans>).post(create_plan))
        .route(
            "/v1/plans/{id}",
            get(resource::read::<Plans>).delete(resource::delete::<Plans>),
        )
        .route("/v1/plans/{id}/activate", post(activate))
}

pub struct Cleaners;

impl Resource for Cleaners {
    type Entity = Cleaner;
    const PATH: &'static str = "/v1/cleaners";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("userId")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read cleaners")?;
        Ok(Vec::new())
    }
}

pub struct Plans;

impl Resource for Plans {
    type Entity = Plan;
    const PATH: &'static str = "/v1/plans";
    const ORDERABLE: &'static [&'static str] = &["id", "weekStart"];
    const FILTERS: &'static [FilterParam] = &[FilterParam::text("status")];
    /// Plans are computed and activated, never written whole; admins may delete drafts.
    const WRITERS: &'static [Role] = &[Role::Admin];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read plans")?;
        Ok(Vec::new())
    }
}

/// Everything a week's plan is computed from, read from the store.
pub struct Inputs {
    pub week: Week,
    pub current: Vec<CurrentTour>,
    pub max_minutes: BTreeMap<String, u32>,
    pub cleaner_names: BTreeMap<String, String>,
}

/// Reads the tenant's sites, areas, calendars, closures, cleaners and tours for the week.
pub async fn load_inputs(
    data: TenantData<'_>,
    week_start: NaiveDate,
    travel: TravelModel,
) -> ApiResult<Inputs> {
    let sites = data.repo::<Site>().all_where(Vec::new()).await?;
    let areas = data.repo::<Area>().all_where(Vec::new()).await?;
    let types: BTreeMap<String, AreaType> = data
        .repo::<AreaType>()
        .all_where(Vec::new())
        .await?
        .into_iter()
        .map(|t| (t.meta.id, t.entity))
        .collect();
    let cleaners = data.repo::<Cleaner>().all_where(Vec::new()).await?;
    let tours = data.repo::<Tour>().all_where(Vec::new()).await?;
    let week_end = week_start + Duration::days(6);
    let site_index: BTreeMap<String, usize> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.meta.id.clone(), i))
        .collect();
    let mut schedules = Vec::new();
    for site in &sites {
        schedules.push(
            SiteSchedule::load(data, site)
                .await?
                .covering(week_start, week_end)?,
        );
    }
    let mut plan_areas = Vec::new();
    for area in &areas {
        let (Some(&site), Some(area_type)) = (
            site_index.get(area.entity.site_id.as_str()),
            types.get(area.entity.area_type_id.as_str()),
        ) else {
            continue;
        };
        let schedule = &schedules[site];
        let type_id = area.entity.area_type_id.as_str();
        let scheduled = if schedule.for_area(&area.meta.id, type_id).next().is_some() {
            let mut days = BTreeMap::new();
            for date in schedule.planned_dates(&area.meta.id, type_id, week_start, week_end)? {
                days.insert(date, schedule.windows(&area.meta.id, type_id, date)?);
            }
            Some(days)
        } else {
            None
        };
        let load = AreaWorkload::of(&area.entity, area_type);
        plan_areas.push(PlanArea {
            area_id: area.meta.id.clone(),
            name: area.entity.name.clone(),
            site,
            minutes_per_cleaning: load.minutes_per_cleaning,
            cleanings_per_week: load.effective_cleanings_per_week,
            skills: area_type.skills.clone(),
            scheduled,
        });
    }
    let week = Week {
        start: week_start,
        sites: sites
            .iter()
            .map(|s| PlanSite {
                site_id: s.meta.id.clone(),
                name: s.entity.name.clone(),
                location: s.entity.location,
                access_hours: s.entity.access_hours.clone(),
            })
            .collect(),
        areas: plan_areas,
        cleaners: cleaners
            .iter()
            .map(|c| (c.entity.user_id.to_string(), c.entity.clone()))
            .collect(),
        travel,
    };
    let current = tours
        .iter()
        .map(|t| {
            let days = t
                .entity
                .days
                .iter()
                .map(|d| {
                    let ids = d.area_ids.iter().map(ToString::to_string).collect();
                    (d.day as usize, ids)
                })
                .collect();
            CurrentTour {
                cleaner_id: t.entity.cleaner_id.to_string(),
                start: t.entity.start_time,
                days,
            }
        })
        .collect();
    Ok(Inputs {
        max_minutes: week
            .cleaners
            .iter()
            .map(|(id, c)| (id.clone(), c.max_minutes_per_day))
            .collect(),
        cleaner_names: week
            .cleaners
            .iter()
            .map(|(id, c)| (id.clone(), c.name.clone()))
            .collect(),
        week,
        current,
    })
}

/// Computes the plan of `inputs` on a blocking thread, telling `progress` after each day.
pub async fn compute(
    inputs: Inputs,
    request: &PlanRequest,
    progress: Arc<Mutex<f64>>,
) -> ApiResult<Plan> {
    let (seconds, objective) = (request.seconds, request.objective);
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let (tours, unplanned) = domain::planning::plan_week(
            &inputs.week,
            seconds,
            objective,
            &|| started.elapsed(),
            &mut |done| {
                if let Ok(mut p) = progress.lock() {
                    *p = done;
                }
            },
        );
        let current = domain::planning::current_tours(&inputs.week, &inputs.current);
        Plan {
            week_start: inputs.week.start,
            status: PlanStatus::Draft,
            objective,
            seconds,
            progress: 1.0,
            kpis: domain::planning::kpis(&tours, &inputs.max_minutes, unplanned.len()),
            current: domain::planning::kpis(&current, &inputs.max_minutes, 0),
            tours,
            unplanned,
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("the planner stopped: {e}")))
}

/// How often a running plan's progress is written.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// `POST /v1/plans` `{weekStart?, seconds?, objective?}`: computes a draft for the week (by
/// default the coming one) within `seconds` (default 5, at most 60). While it runs, the plan
/// document shows `status: running` and its `progress`; the answer is the finished draft.
async fn create_plan(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    caller.require(&Role::PLANNERS, "plan tours")?;
    let request = PlanRequest::parse(&body)?;
    let cx = Context {
        caller: &caller,
        state: &state,
    };
    let today = state.clock.now().date_naive();
    let week_start = request
        .week_start
        .unwrap_or_else(|| domain::planning::next_monday(today + Duration::days(1)));
    let inputs = load_inputs(cx.data(), week_start, request.travel).await?;
    let repo = cx.repo::<Plan>();
    let running = Plan {
        week_start,
        status: PlanStatus::Running,
        objective: request.objective,
        seconds: request.seconds,
        progress: 0.0,
        tours: Vec::new(),
        unplanned: Vec::new(),
        kpis: Default::default(),
        current: Default::default(),
    };
    let mut stored = repo.create(running, Vec::new()).await?;
    let progress = Arc::new(Mutex::new(0.0));
    let work = compute(inputs, &request, progress.clone());
    tokio::pin!(work);
    let plan = loop {
        tokio::select! {
            plan = &mut work => break plan?,
            () = tokio::time::sleep(PROGRESS_EVERY) => {
                let done = progress.lock().map(|p| *p).unwrap_or(0.0);
                if done > stored.entity.progress {
                    let mut next = stored.entity.clone();
                    next.progress = done;
                    // Progress is best effort: a failed write does not stop the plan.
                    if let Ok(saved) = repo.replace(&stored.meta.id, stored.meta.version, next, Vec::new()).await {
                        stored = saved;
                    }
                }
            }
        }
    };
    let saved = repo
        .replace(&stored.meta.id, stored.meta.version, plan, Vec::new())
        .await?;
    Ok(entity_response(
        StatusCode::CREATED,
        &saved.meta,
        saved.to_json(),
        Some(format!("/v1/plans/{}", saved.meta.id)),
    ))
}

/// The tours a plan activates: one per cleaner, her stops of each weekday in order.
fn tours_of_plan(
    plan: &Plan,
    names: &BTreeMap<String, String>,
    max: &BTreeMap<String, u32>,
) -> ApiResult<Vec<Tour>> {
    let mut by_cleaner: BTreeMap<&str, Vec<&domain::planning::PlannedTour>> = BTreeMap::new();
    for tour in &plan.tours {
        by_cleaner
            .entry(tour.cleaner_id.as_str())
            .or_default()
            .push(tour);
    }
    by_cleaner
        .into_iter()
        .map(|(cleaner, days)| {
            let start = days.iter().map(|d| d.leave).min().expect("a day at least");
            let mut tour_days = Vec::new();
            for day in &days {
                let weekday = domain::sites::Weekday::of(day.date);
                let area_ids = day
                    .stops
                    .iter()
                    .map(|s| domain::sites::AreaId::parse(&s.area_id))
                    .collect::<Result<_, _>>()
                    .map_err(ApiError::internal)?;
                tour_days.push(TourDay {
                    day: weekday,
                    area_ids,
                });
            }
            let name = names.get(cleaner).map_or(cleaner, String::as_str);
            Ok(Tour {
                name: format!("{name}, week of {}", plan.week_start),
                cleaner_id: domain::UserId::parse(cleaner).map_err(ApiError::internal)?,
                tour_type: TourType::Regular,
                start_time: start,
                max_minutes_per_day: max.get(cleaner).copied().unwrap_or(24 * 60),
                days: tour_days,
            })
        })
        .collect()
}

/// `POST /v1/plans/{id}/activate` with `If-Match`: the draft's tours replace the tenant's
/// tours, all in one commit, and the plan becomes active.
async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    caller.require(&Role::PLANNERS, "activate plans")?;
    let cx = Context {
        caller: &caller,
        state: &state,
    };
    let plan = cx.repo::<Plan>().get(&id).await?;
    plan.expect_version(version)?;
    if plan.entity.status != PlanStatus::Draft {
        return Err(ApiError::Conflict(format!(
            "only a draft can be activated; this plan is {}",
            serde_json::to_value(plan.entity.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )));
    }
    let cleaners = cx.repo::<Cleaner>().all_where(Vec::new()).await?;
    let names = cleaners
        .iter()
        .map(|c| (c.entity.user_id.to_string(), c.entity.name.clone()))
        .collect();
    let max = cleaners
        .iter()
        .map(|c| (c.entity.user_id.to_string(), c.entity.max_minutes_per_day))
        .collect();
    let new_tours = tours_of_plan(&plan.entity, &names, &max)?;
    let old_tours = caller
        .store()
        .query_all(Query::new(Tour::COLLECTION))
        .await?;
    let mut writes: Vec<Write> = old_tours
        .iter()
        .map(|t| Write::Delete {
            collection: Tour::COLLECTION,
            id: t.meta.id.clone(),
            expected_version: Some(t.meta.version),
        })
        .collect();
    for tour in &new_tours {
        writes.push(Write::Create {
            collection: Tour::COLLECTION,
            id: platform::crud::new_id(),
            fields: entity_fields(tour)?,
        });
    }
    let mut active = plan.entity.clone();
    active.status = PlanStatus::Active;
    writes.push(Write::Update {
        collection: Plan::COLLECTION,
        id: id.clone(),
        expected_version: version,
        fields: entity_fields(&active)?,
    });
    if writes.len() > domain::store::MAX_WRITES {
        return Err(ApiError::Conflict(format!(
            "activating replaces {} tours and creates {}: more than one commit holds ({})",
            old_tours.len(),
            new_tours.len(),
            domain::store::MAX_WRITES
        )));
    }
    caller
        .store()
        .commit(writes, state.clock.now())
        .await
        .map_err(|e| match e {
            domain::store::StoreError::VersionMismatch { .. }
            | domain::store::StoreError::NotFound { .. } => {
                ApiError::Conflict("the tours or the plan changed meanwhile; retry".into())
            }
            other => other.into(),
        })?;
    let saved = cx.repo::<Plan>().get(&id).await?;
    Ok(entity_response(
        StatusCode::OK,
        &saved.meta,
        saved.to_json(),
        None,
    ))
}

/// Where the nightly re-plan is pushed (the `planning-worker` function).
pub const PUSH_PATH: &str = "/push/planning";
/// The nightly plan's search time per tenant: `NIGHTLY_PLAN_SECONDS`, default 20.
pub const NIGHTLY_SECONDS_VAR: &str = "NIGHTLY_PLAN_SECONDS";

fn nightly_seconds() -> f64 {
    std::env::var(NIGHTLY_SECONDS_VAR)
        .ok()
        .and_then(|raw| raw.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && *s <= 240.0)
        .unwrap_or(20.0)
}

/// The nightly re-plan: one message per tenant through the fan-out.
pub fn worker_router() -> Router<AppState> {
    Router::new().route(PUSH_PATH, post(nightly))
}

/// Plans the week after the scheduled run as a draft `nightly-{weekStart}` (replacing an
/// earlier nightly draft of that week), once per scheduled run however often delivered.
async fn nightly(
    State(state): State<AppState>,
    job: platform::push::PushJob,
) -> platform::push::PushOutcome {
    use platform::push::PushOutcome;
    let data = TenantData {
        store: job.store(),
        clock: &*state.clock,
    };
    let week_start =
        domain::planning::next_monday(job.scheduled_for.date_naive() + Duration::days(1));
    let inputs = match load_inputs(data, week_start, TravelModel::default()).await {
        Ok(inputs) => inputs,
        Err(e) => return PushOutcome::Retry(e.to_string()),
    };
    let request = PlanRequest {
        week_start: Some(week_start),
        seconds: nightly_seconds(),
        objective: Default::default(),
        travel: TravelModel::default(),
    };
    let plan = match compute(inputs, &request, Arc::new(Mutex::new(0.0))).await {
        Ok(plan) => plan,
        Err(e) => return PushOutcome::Retry(e.to_string()),
    };
    let id = format!("nightly-{week_start}");
    let fields = match entity_fields(&plan) {
        Ok(fields) => fields,
        Err(e) => return job.reject(&e.to_string(), state.clock.now()).await,
    };
    let write = match data.repo::<Plan>().find(&id).await {
        // An activated plan stays as it is; only a draft is replaced.
        Ok(Some(existing)) if existing.entity.status == PlanStatus::Active => {
            return job.complete(Vec::new(), state.clock.now()).await;
        }
        Ok(Some(existing)) => Write::Update {
            collection: Plan::COLLECTION,
            id,
            expected_version: existing.meta.version,
            fields,
        },
        Ok(None) => Write::Create {
            collection: Plan::COLLECTION,
            id,
            fields,
        },
        Err(e) => return PushOutcome::Retry(e.to_string()),
    };
    job.complete(vec![write], state.clock.now()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::store::{Cursor, Filter};

    #[test]
    fn declared_firestore_indexes_serve_every_query_of_the_function() {
        let mut queries = resource::list_queries::<Cleaners>();
        queries.extend(resource::list_queries::<Plans>());
        for collection in [
            "sites",
            "areas",
            "areaTypes",
            "cleaners",
            "tours",
            "closures",
        ] {
            let all = Query::new(collection);
            let next = all.clone().start_after(Some(Cursor {
                value: "v".into(),
                id: "v".into(),
            }));
            queries.extend([all, next]);
        }
        queries.push(Query::new("calendars").filter(Filter::eq("siteId", "x")));
        store::indexes::assert_served(queries);
    }
}
