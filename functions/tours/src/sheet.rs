//! A cleaner's tour sheet for one day: which areas, in which order, when, and what is done.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use domain::Fields;
use domain::UserId;
use domain::calendars::{TimeWindow, local_instant, parse_date};
use domain::number::round2;
use domain::planning::Cleaner;
use domain::time::LocalTime;
use domain::tours::{Tour, Visit, VisitStatus};
use platform::TenantData;
use platform::crud::Stored;
use platform::error::ApiResult;
use platform::http::query_object;
use platform::schedule::Schedules;
use platform::{ApiError, RequestContext, Role};
use serde::Serialize;

use crate::timing::Timer;
use crate::{AreaIndex, QueryParams};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stop {
    pub position: usize,
    pub area_id: String,
    pub area_name: String,
    pub site_id: String,
    pub site_name: String,
    pub floor: i64,
    pub minutes: f64,
    /// When she gets there (the plan's time, or timed from the tour's start with travel).
    pub planned_arrival: DateTime<FixedOffset>,
    /// When cleaning starts: on arrival, or when the window opens.
    pub planned_start: DateTime<FixedOffset>,
    pub planned_end: DateTime<FixedOffset>,
    /// The area's cleaning windows that day (from its calendars).
    pub windows: Vec<TimeWindow>,
    /// What is wrong with the planned times (outside the window or the access hours).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the site is closed that day, if it is: skip the stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// The latest visit of the day, if checked in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_status: Option<VisitStatus>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TourOfDay {
    pub tour_id: String,
    pub name: String,
    pub tour_type: domain::tours::TourType,
    pub date: NaiveDate,
    pub time_zone: &'static str,
    /// When she sets off that day.
    pub start_time: LocalTime,
    pub planned_minutes: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    pub stops: Vec<Stop>,
}

/// The tour's stops on `date` (in the time zone of its first site) with their planned
/// times, or none if the tour is not in force that day or does not run that weekday.
pub async fn tour_of_day(
    data: &TenantData,
    tour: &Stored<Tour>,
    date: NaiveDate,
    index: &AreaIndex,
    visits: &BTreeMap<String, &Stored<Visit>>,
    schedules: &mut Schedules,
    timer: &mut Timer,
) -> ApiResult<Option<TourOfDay>> {
    let Some(day) = tour.entity.runs_on(date) else {
        return Ok(None);
    };
    let tz: Tz = day
        .area_ids
        .iter()
        .find_map(|a| index.site_of(a.as_str()))
        .map_or(chrono_tz::UTC, |s| s.entity.time_zone.0);
    let times = match day.timed_stops() {
        Some(stops) => stops.to_vec(),
        None => {
            timer
                .time(data, &tour.entity, day, date, index, schedules)
                .await?
        }
    };
    let at = |time: LocalTime| local_instant(tz, date, time).fixed_offset();
    let mut stops = Vec::new();
    for timed in &times {
        let area_id = timed.area_id.as_str();
        let (Some(area), Some(site), Some(load)) = (
            index.areas.get(area_id),
            index.site_of(area_id),
            index.workload(area_id),
        ) else {
            continue;
        };
        let schedule = schedules.of(data, site).await?;
        let area_type = area.entity.area_type_id.as_str();
        let visit = visits.get(area_id);
        stops.push(Stop {
            position: stops.len() + 1,
            area_id: area_id.to_owned(),
            area_name: area.entity.name.clone(),
            site_id: site.meta.id.clone(),
            site_name: site.entity.name.clone(),
            floor: area.entity.floor,
            minutes: round2(load.minutes_per_cleaning),
            planned_arrival: at(timed.arrival),
            planned_start: at(timed.start),
            planned_end: at(timed.end),
            windows: schedule.windows(area_id, area_type, date)?,
            warnings: timed.warnings.clone(),
            closed: schedule.closure_on(date).map(|c| c.reason.clone()),
            visit_id: visit.map(|v| v.meta.id.clone()),
            visit_status: visit.map(|v| v.entity.status),
        });
    }
    let planned: f64 = stops
        .iter()
        .filter(|s| s.closed.is_none())
        .map(|s| s.minutes)
        .sum();
    Ok(Some(TourOfDay {
        tour_id: tour.meta.id.clone(),
        name: tour.entity.name.clone(),
        tour_type: tour.entity.tour_type,
        date,
        time_zone: tz.name(),
        start_time: day.leave.unwrap_or(tour.entity.start_time),
        planned_minutes: round2(planned),
        plan_id: tour.entity.plan_id.clone(),
        stops,
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TourSheet {
    cleaner_id: String,
    date: NaiveDate,
    tours: Vec<TourOfDay>,
}

/// `GET /v1/tour-sheets?date=YYYY-MM-DD[&cleanerId=]`: a cleaner's own sheet (planners name
/// the cleaner). Without a date, today in the time zone of the tours' sites.
pub async fn tour_sheet(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Json<serde_json::Value>> {
    let query = query_object(&query)?;
    let mut f = Fields::new(&query, &[])?;
    let date = f.optional_parsed("date", parse_date);
    let cleaner = f.optional_parsed("cleanerId", UserId::parse);
    let (date, cleaner) = f.finish(|| Some((date, cleaner)))?;
    let cleaner = match (cx.caller.role, cleaner) {
        (Role::Cleaner, Some(other)) if other != cx.caller.user => {
            return Err(ApiError::Forbidden(
                "a cleaner sees only her own tour sheet".into(),
            ));
        }
        (Role::Cleaner, _) => cx.caller.user.clone(),
        (Role::Admin | Role::Dispatcher, Some(cleaner)) => cleaner,
        (Role::Admin | Role::Dispatcher, None) => {
            return Err(ApiError::field("cleanerId", "is required for planners"));
        }
        (Role::Customer, _) => {
            return Err(ApiError::Forbidden(
                "the customer role may not read tour sheets".into(),
            ));
        }
    };
    let data = cx.data();
    // A mistyped cleaner is a 404 naming her, not an empty sheet.
    if data
        .repo::<Cleaner>()
        .find(cleaner.as_str())
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound {
            kind: "cleaner",
            id: cleaner.to_string(),
        });
    }
    // Without a date: today where her tours are (a day either side covers every zone).
    let utc_today = cx.now().date_naive();
    let tours = platform::tours::in_force(
        data,
        date.unwrap_or(utc_today - Duration::days(1)),
        date.unwrap_or(utc_today + Duration::days(1)),
        Some(cleaner.as_str()),
    )
    .await?;
    let ids: BTreeSet<String> = tours.iter().flat_map(|t| t.entity.area_ids()).collect();
    let index = AreaIndex::load(data, &ids).await?;
    let date = match date {
        Some(date) => date,
        None => {
            let tz = ids
                .iter()
                .find_map(|a| index.site_of(a))
                .map_or(chrono_tz::UTC, |s| s.entity.time_zone.0);
            cx.now().with_timezone(&tz).date_naive()
        }
    };
    let day_visits = visits_of_day(data, cleaner.as_str(), date).await?;
    let latest: BTreeMap<String, &Stored<Visit>> = day_visits
        .iter()
        .map(|v| (v.entity.area_id.to_string(), v))
        .collect();
    let mut sheet = Vec::new();
    let mut schedules = Schedules::covering(date, date);
    let mut timer = Timer::new();
    for tour in &tours {
        let day = tour_of_day(
            data,
            tour,
            date,
            &index,
            &latest,
            &mut schedules,
            &mut timer,
        )
        .await?;
        sheet.extend(day);
    }
    sheet.sort_by_key(|t| (t.start_time, t.tour_id.clone()));
    Ok(Json(
        serde_json::to_value(TourSheet {
            cleaner_id: cleaner.to_string(),
            date,
            tours: sheet,
        })
        .map_err(ApiError::internal)?,
    ))
}

/// The cleaner's visits checked in on a local date, oldest first.
async fn visits_of_day(
    data: &TenantData,
    cleaner: &str,
    date: NaiveDate,
) -> ApiResult<Vec<Stored<Visit>>> {
    let mut visits: Vec<Stored<Visit>> = data
        .store()
        .query_all(crate::visits::day_query(cleaner, &date.to_string()))
        .await?
        .into_iter()
        .map(Stored::from_document)
        .collect::<ApiResult<_>>()?;
    visits.sort_by_key(|v| v.entity.checked_in_at);
    Ok(visits)
}
