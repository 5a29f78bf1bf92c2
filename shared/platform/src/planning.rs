//! What the planner needs from the store, and running it off the async workers: shared by
//! the `planning` function (a plan on request) and the `planning-worker` (the nightly one).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use domain::planning::{
    Cleaner, CurrentTour, Plan, PlanArea, PlanRequest, PlanSite, PlanStatus, TravelModel, Week,
};
use domain::sites::{Area, AreaType, AreaWorkload, Site};

use crate::ApiError;
use crate::context::TenantData;
use crate::error::ApiResult;

/// Everything a week's plan is computed from, read from the store.
pub struct Inputs {
    pub week: Week,
    pub current: Vec<CurrentTour>,
    pub max_minutes: BTreeMap<String, u32>,
    pub cleaner_names: BTreeMap<String, String>,
}

/// Reads the tenant's sites, areas, calendars, closures, cleaners and tours for the week.
pub async fn load_inputs(
    data: &TenantData,
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
    let week_end = week_start + Duration::days(6);
    let tours = crate::tours::in_force(data, week_start, week_end, None).await?;
    let site_index: BTreeMap<String, usize> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.meta.id.clone(), i))
        .collect();
    let mut schedules = crate::schedule::Schedules::covering(week_start, week_end);
    let mut plan_areas = Vec::new();
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
    // Each tour's days of this week on which it is in force.
    let current = tours
        .iter()
        .flat_map(|t| {
            (0..7).filter_map(move |offset| {
                let date = week_start + Duration::days(offset);
                let day = t.entity.runs_on(date)?;
                Some(CurrentTour {
                    cleaner_id: t.entity.cleaner_id.to_string(),
                    start: day.leave.unwrap_or(t.entity.start_time),
                    days: vec![(
                        day.day as usize,
                        day.area_ids.iter().map(ToString::to_string).collect(),
                    )],
                })
            })
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
            lease_until: None,
            failure: None,
        }
    })
    .await
    .map_err(|e| ApiError::internal(format!("the planner stopped: {e}")))
}
