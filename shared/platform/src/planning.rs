//! What the planner needs from the store, and running it off the async workers: shared by
//! the `planning` function (the preflight, the diff) and the planning job
//! ([`crate::plan_runs`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use domain::planning::{
    Cleaner, CurrentTour, OneOffJob, Plan, PlanArea, PlanRequest, PlanSite, PlanStatus,
    PlannedTour, TravelModel, Week,
};
use domain::preflight::{CalendarOverlap, Contradiction, ContradictionCode};
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::store::Filter;

use crate::ApiError;
use crate::context::TenantData;
use crate::crud::Stored;
use crate::error::ApiResult;

/// Everything a week's plan is computed from, read from the store.
pub struct Inputs {
    pub week: Week,
    pub current: Vec<CurrentTour>,
    /// The tours in force that week, per cleaner and day, with their own times.
    pub in_force: Vec<PlannedTour>,
    pub max_minutes: BTreeMap<String, u32>,
    pub cleaner_names: BTreeMap<String, String>,
}

/// The contradictions of `codes` a write leaves at a site: in the first full week from
/// tomorrow or `from`, whichever is later (a calendar's first week, or the coming one).
pub async fn written_contradictions(
    data: &TenantData,
    site_id: &str,
    from: NaiveDate,
    codes: &[ContradictionCode],
) -> ApiResult<Vec<Contradiction>> {
    let tomorrow = data.now().date_naive() + Duration::days(1);
    let week_start = domain::planning::next_monday(from.max(tomorrow));
    let mut found = site_contradictions(data, site_id, week_start).await?;
    found.retain(|c| codes.contains(&c.code));
    Ok(found)
}

/// The contradictions in one site's week starting on `week_start`; cleaners' absences are
/// left out.
pub async fn site_contradictions(
    data: &TenantData,
    site_id: &str,
    week_start: NaiveDate,
) -> ApiResult<Vec<Contradiction>> {
    let Some(site) = data.repo::<Site>().find(site_id).await? else {
        return Ok(Vec::new());
    };
    let areas = data
        .repo::<Area>()
        .all_where(vec![Filter::eq("siteId", site_id)])
        .await?;
    let travel = TravelModel::default();
    let week_end = week_start + Duration::days(6);
    let jobs = crate::tours::one_off_jobs(data, week_start, week_end, Some(site_id)).await?;
    let week = load_week(
        data,
        week_start,
        travel,
        vec![site],
        areas,
        jobs,
        BTreeSet::new(),
    )
    .await?;
    Ok(domain::preflight::preflight(&week))
}

/// The whole tenant's week: every site and area, the cleaners and who is away.
pub async fn tenant_week(
    data: &TenantData,
    week_start: NaiveDate,
    travel: TravelModel,
) -> ApiResult<Week> {
    let sites = data.repo::<Site>().all_where(Vec::new()).await?;
    let areas = data.repo::<Area>().all_where(Vec::new()).await?;
    let week_end = week_start + Duration::days(6);
    let jobs = crate::tours::one_off_jobs(data, week_start, week_end, None).await?;
    let absent = absent_days(data, week_start).await?;
    load_week(data, week_start, travel, sites, areas, jobs, absent).await
}

/// Who is away on which day of the week starting on `week_start` (user id, date).
async fn absent_days(
    data: &TenantData,
    week_start: NaiveDate,
) -> ApiResult<BTreeSet<(String, NaiveDate)>> {
    let week_end = week_start + Duration::days(6);
    let mut absent = BTreeSet::new();
    for absence in crate::tours::absences(data, week_start, week_end, None).await? {
        let a = &absence.entity;
        let (first, last) = (a.from.max(week_start), a.to.min(week_end));
        for date in first.iter_days().take_while(|d| *d <= last) {
            absent.insert((a.cleaner_id.to_string(), date));
        }
    }
    Ok(absent)
}

/// Reads the tenant's week ([`tenant_week`]) and the tours in force in it.
pub async fn load_inputs(
    data: &TenantData,
    week_start: NaiveDate,
    travel: TravelModel,
) -> ApiResult<Inputs> {
    let week = tenant_week(data, week_start, travel).await?;
    let week_end = week_start + Duration::days(6);
    let tours = crate::tours::in_force(data, week_start, week_end, None).await?;
    // Each tour's days of this week on which it is in force.
    let mut current = Vec::new();
    let mut in_force = Vec::new();
    for tour in &tours {
        for offset in 0..7 {
            let date = week_start + Duration::days(offset);
            let Some(day) = tour.entity.runs_on(date) else {
                continue;
            };
            let one = CurrentTour {
                cleaner_id: tour.entity.cleaner_id.to_string(),
                start: day.leave.unwrap_or(tour.entity.start_time),
                days: vec![(day.day as usize, day.stop_refs())],
            };
            // Its own times where it has them (a plan's, or timed when written).
            for mut planned in domain::planning::current_tours(&week, std::slice::from_ref(&one)) {
                if let Some(timed) = day.timed_stops()
                    && timed.len() == planned.stops.len()
                {
                    for (stop, time) in planned.stops.iter_mut().zip(timed) {
                        (stop.arrival, stop.start, stop.end) = (time.arrival, time.start, time.end);
                    }
                }
                in_force.push(planned);
            }
            current.push(one);
        }
    }
    Ok(Inputs {
        in_force,
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

/// The week's problem from these sites and areas (their calendars, closures and types), the
/// one-off jobs at them, the cleaners, and who is `absent`.
async fn load_week(
    data: &TenantData,
    week_start: NaiveDate,
    travel: TravelModel,
    sites: Vec<Stored<Site>>,
    areas: Vec<Stored<Area>>,
    jobs: Vec<Stored<OneOffJob>>,
    absent: BTreeSet<(String, NaiveDate)>,
) -> ApiResult<Week> {
    let types: BTreeMap<String, AreaType> = data
        .repo::<AreaType>()
        .all_where(Vec::new())
        .await?
        .into_iter()
        .map(|t| (t.meta.id, t.entity))
        .collect();
    let cleaners = data.repo::<Cleaner>().all_where(Vec::new()).await?;
    let week_end = week_start + Duration::days(6);
    let site_index: BTreeMap<String, usize> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.meta.id.clone(), i))
        .collect();
    let mut schedules = crate::schedule::Schedules::covering(week_start, week_end);
    let expected =
        crate::demand::ExpectedDemand::load(data, &sites, &areas, &types, week_start).await?;
    let mut plan_areas = Vec::new();
    let mut extra_demand = BTreeMap::new();
    for area in &areas {
        let (Some(&site), Some(area_type)) = (
            site_index.get(area.entity.site_id.as_str()),
            types.get(area.entity.area_type_id.as_str()),
        ) else {
            continue;
        };
        let schedule = schedules.of(data, &sites[site]).await?;
        let type_id = area.entity.area_type_id.as_str();
        let scheduled = if schedule.for_area(&area.meta.id, type_id).next().is_some() {
            let mut days = BTreeMap::new();
            for date in schedule.planned_dates(&area.meta.id, type_id, week_start, week_end)? {
                // A room cleaned by demand that its history says is rarely needed that
                // weekday is left to its demand (the tour covering it takes it then).
                if !expected.needed(&area.meta.id, date) {
                    continue;
                }
                days.insert(date, schedule.windows(&area.meta.id, type_id, date)?);
            }
            Some(days)
        } else {
            None
        };
        let mut calendar_days = 0;
        let mut overlaps = Vec::new();
        for date in week_start.iter_days().take(7) {
            let falling = schedule.falling_on(&area.meta.id, type_id, date)?;
            calendar_days += usize::from(!falling.is_empty());
            let most = falling.iter().map(|(_, c)| c.specificity()).max();
            if falling.iter().any(|(_, c)| Some(c.specificity()) != most) {
                let names = |wins: bool| {
                    falling
                        .iter()
                        .filter(|(_, c)| !wins || Some(c.specificity()) == most)
                        .map(|(_, c)| c.name.clone())
                        .collect()
                };
                overlaps.push(CalendarOverlap {
                    date,
                    calendars: names(false),
                    wins: names(true),
                });
            }
        }
        for date in week_start.iter_days().take(7) {
            if let Some(extra) = expected.extra(&area.meta.id, date).filter(|e| *e > 0.0) {
                extra_demand.insert((area.meta.id.clone(), date), extra);
            }
        }
        let load = AreaWorkload::of(&area.entity, area_type);
        plan_areas.push(PlanArea {
            area_id: area.meta.id.clone(),
            name: area.entity.name.clone(),
            area_type_id: type_id.to_owned(),
            site,
            minutes_per_cleaning: load.minutes_per_cleaning,
            cleanings_per_week: load.effective_cleanings_per_week,
            skills: area_type.skills.clone(),
            scheduled,
            calendar_days,
            overlaps,
            pin: area.entity.pin.clone(),
            one_off_job_id: None,
        });
    }
    // Each one-off job after the regular areas, as its area's extra stop that day.
    let regular: BTreeMap<&str, usize> = plan_areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.area_id.as_str(), i))
        .collect();
    let one_offs: Vec<PlanArea> = jobs
        .iter()
        .filter_map(|job| {
            let area = &plan_areas[*regular.get(job.entity.area_id.as_str())?];
            Some(PlanArea::one_off(area, &job.meta.id, &job.entity))
        })
        .collect();
    plan_areas.extend(one_offs);
    Ok(Week {
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
        absent,
        extra_demand,
    })
}

/// Computes the plan of `inputs` on a blocking thread, telling `progress` after each day.
pub async fn compute(
    inputs: Inputs,
    request: &PlanRequest,
    progress: Arc<Mutex<f64>>,
) -> ApiResult<Plan> {
    let (seconds, objective) = (request.seconds, request.objective);
    let replan = request.replan.clone();
    let request = request.clone();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let replanned = replan.map(|days| {
            days.unwrap_or_else(|| domain::planning::affected_days(&inputs.week, &inputs.in_force))
        });
        let (tours, unplanned) = match &replanned {
            Some(days) => domain::planning::replan_days(&inputs.week, &inputs.in_force, days),
            None => domain::planning::plan_week(
                &inputs.week,
                seconds,
                objective,
                &|| started.elapsed(),
                &mut |done| {
                    if let Ok(mut p) = progress.lock() {
                        *p = done;
                    }
                },
            ),
        };
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
            lease_until: None,
            failure: None,
            replanned_days: replanned.map(|days| days.into_iter().collect()),
            travel: request.travel,
            replan: request
                .replan
                .map(|days| domain::planning::ReplanDays { days }),
            risk: None,
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("the planner stopped: {e}")))
}
