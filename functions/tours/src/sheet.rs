//! A cleaner's tour sheet for one day: which areas, in which order, when, and what is done.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use domain::Fields;
use domain::UserId;
use domain::calendars::{TimeWindow, local_instant, parse_date};
use domain::number::round2;
use domain::planning::{Absence, AbsenceKind, Cleaner};
use domain::sensors::demand::AreaDemand;
use domain::sensors::{DemandCleaning, DemandTrigger};
use domain::time::LocalTime;
use domain::tours::{Tour, Visit, VisitStatus};
use platform::TenantData;
use platform::crud::Stored;
use platform::demand::AreaRule;
use platform::error::ApiResult;
use platform::http::query_object;
use platform::schedule::Schedules;
use platform::{ApiError, RequestContext, Role};
use serde::Serialize;

use crate::timing::Timer;
use crate::{AreaIndex, QueryParams};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stop {
    pub position: usize,
    pub area_id: String,
    pub area_name: String,
    pub site_id: String,
    pub site_name: String,
    pub floor: i64,
    pub minutes: f64,
    /// When the stop is a one-off job rather than the area's regular cleaning: which, and
    /// what it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When she gets there (the plan's time, or timed from the tour's start with travel).
    pub planned_arrival: DateTime<FixedOffset>,
    /// When cleaning starts: on arrival, or when the window opens.
    pub planned_start: DateTime<FixedOffset>,
    pub planned_end: DateTime<FixedOffset>,
    /// The area's cleaning windows that day (from its calendars); for a one-off job, its own
    /// window (none: while the site may be entered).
    pub windows: Vec<TimeWindow>,
    /// What is wrong with the planned times (outside the window or the access hours).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the site is closed that day, if it is: skip the stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// Why nobody will clean it as planned (the cleaner is away): someone else must.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncovered: Option<String>,
    /// When sensors made the area's cleaning due: which demand, and why. A stop that exists
    /// only for the demand comes after the tour's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand: Option<StopDemand>,
    /// Why a scheduled cleaning of an area cleaned by demand is not needed (its use since the
    /// last cleaning is under its limit): skip it; it is not missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_needed: Option<String>,
    /// The latest visit of the day, if checked in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_status: Option<VisitStatus>,
}

/// The demand a stop answers.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StopDemand {
    pub demand_cleaning_id: String,
    pub trigger: DemandTrigger,
    /// When the site may be entered for it.
    pub due_from: DateTime<FixedOffset>,
}

/// The demand on the sites of a day's tours: the cleanings due, and the use since the last
/// cleaning of each area cleaned by demand.
#[derive(Default)]
pub struct DemandOfDay {
    due: BTreeMap<String, Stored<DemandCleaning>>,
    watched: BTreeMap<String, Stored<AreaDemand>>,
    /// Whether the day is past or today: a future day's need is not known yet.
    known: bool,
}

impl DemandOfDay {
    pub async fn load(data: &TenantData, index: &AreaIndex, date: NaiveDate) -> ApiResult<Self> {
        let mut due = BTreeMap::new();
        for site in index.sites.keys() {
            for cleaning in platform::demand::due_at_site(data, site, date).await? {
                due.insert(cleaning.entity.area_id.to_string(), cleaning);
            }
        }
        let by_demand: Vec<String> = index
            .areas
            .iter()
            .filter(|(_, area)| {
                let area_type = index.types.get(area.entity.area_type_id.as_str());
                AreaRule::of(&area.entity, area_type.map(|t| &t.entity))
                    .rule
                    .mode
                    .by_demand()
            })
            .map(|(id, _)| id.clone())
            .collect();
        let watched = data.repo::<AreaDemand>().get_map(by_demand).await?;
        let today = index
            .sites
            .values()
            .map(|s| data.now().with_timezone(&s.entity.time_zone.0).date_naive())
            .max()
            .unwrap_or_else(|| data.now().date_naive());
        Ok(Self {
            due,
            watched,
            known: date <= today,
        })
    }

    fn stop_demand(&self, area_id: &str, tz: Tz) -> Option<StopDemand> {
        self.due.get(area_id).map(|d| StopDemand {
            demand_cleaning_id: d.meta.id.clone(),
            trigger: d.entity.trigger,
            due_from: d.entity.due_from.with_timezone(&tz).fixed_offset(),
        })
    }

    /// Why the area's scheduled cleaning is not needed, if it is not.
    fn not_needed(&self, area_id: &str, index: &AreaIndex) -> Option<String> {
        if !self.known || self.due.contains_key(area_id) {
            return None;
        }
        let watched = self.watched.get(area_id)?;
        let area = index.areas.get(area_id)?;
        let area_type = index.types.get(area.entity.area_type_id.as_str());
        let rule = AreaRule::of(&area.entity, area_type.map(|t| &t.entity)).rule;
        let limit = rule.limit?;
        Some(format!(
            "used {} times of {limit} since the last cleaning: not needed today",
            watched.entity.events
        ))
    }
}

#[derive(Serialize, utoipa::ToSchema)]
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
/// times, or none if the tour is not in force that day or does not run that weekday. With
/// the cleaner's `absence` that day, every stop is uncovered.
#[allow(clippy::too_many_arguments)]
pub async fn tour_of_day(
    data: &TenantData,
    tour: &Stored<Tour>,
    date: NaiveDate,
    absence: Option<&Absence>,
    index: &AreaIndex,
    visits: &BTreeMap<String, &Stored<Visit>>,
    demand: &DemandOfDay,
    schedules: &mut Schedules,
    timer: &mut Timer,
) -> ApiResult<Option<TourOfDay>> {
    let Some(day) = tour.entity.runs_on(date) else {
        return Ok(None);
    };
    let times = match day.timed_stops() {
        Some(stops) => stops.to_vec(),
        None => {
            timer
                .time(data, &tour.entity, day, date, index, schedules)
                .await?
        }
    };
    let tz: Tz = times
        .iter()
        .find_map(|s| index.site_of(s.area_id.as_str()))
        .map_or(chrono_tz::UTC, |s| s.entity.time_zone.0);
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
        // A one-off job shows on its own date only, and only while it exists.
        let job = match &timed.one_off_job_id {
            None => None,
            Some(id) => match index
                .jobs
                .get(id.as_str())
                .filter(|j| j.entity.date == date)
            {
                Some(job) => Some(job),
                None => continue,
            },
        };
        let schedule = schedules.of(data, site).await?;
        let area_type = area.entity.area_type_id.as_str();
        let visit = visits.get(area_id);
        let windows = match job {
            Some(job) => job.entity.window.into_iter().collect(),
            None => schedule.windows(area_id, area_type, date)?,
        };
        stops.push(Stop {
            position: stops.len() + 1,
            area_id: area_id.to_owned(),
            area_name: area.entity.name.clone(),
            site_id: site.meta.id.clone(),
            site_name: site.entity.name.clone(),
            floor: area.entity.floor,
            minutes: job.map_or(round2(load.minutes_per_cleaning), |j| {
                f64::from(j.entity.minutes)
            }),
            one_off_job_id: job.map(|j| j.meta.id.clone()),
            note: job.and_then(|j| j.entity.note.clone()),
            planned_arrival: at(timed.arrival),
            planned_start: at(timed.start),
            planned_end: at(timed.end),
            windows,
            warnings: timed.warnings.clone(),
            closed: schedule.closure_on(date).map(|c| c.reason.clone()),
            uncovered: absence.map(uncovered_because),
            demand: job
                .is_none()
                .then(|| demand.stop_demand(area_id, tz))
                .flatten(),
            not_needed: job
                .is_none()
                .then(|| demand.not_needed(area_id, index))
                .flatten(),
            visit_id: visit.map(|v| v.meta.id.clone()),
            visit_status: visit.map(|v| v.entity.status),
        });
    }
    // Demand cleanings of the tour's areas that are not among the day's stops come last.
    let mut end = stops
        .last()
        .map_or(at(day.leave.unwrap_or(tour.entity.start_time)), |s| {
            s.planned_end
        });
    for area_id in tour.entity.area_ids() {
        let area_id = area_id.as_str();
        if stops.iter().any(|s| s.area_id == area_id) {
            continue;
        }
        let (Some(extra), Some(area), Some(site), Some(load)) = (
            demand.stop_demand(area_id, tz),
            index.areas.get(area_id),
            index.site_of(area_id),
            index.workload(area_id),
        ) else {
            continue;
        };
        let visit = visits.get(area_id);
        let start = end.max(extra.due_from);
        let minutes = round2(load.minutes_per_cleaning);
        let finish = start + Duration::seconds((minutes * 60.0).round() as i64);
        stops.push(Stop {
            position: stops.len() + 1,
            area_id: area_id.to_owned(),
            area_name: area.entity.name.clone(),
            site_id: site.meta.id.clone(),
            site_name: site.entity.name.clone(),
            floor: area.entity.floor,
            minutes,
            one_off_job_id: None,
            note: None,
            planned_arrival: end,
            planned_start: start,
            planned_end: finish,
            windows: Vec::new(),
            warnings: Vec::new(),
            closed: None,
            uncovered: absence.map(uncovered_because),
            demand: Some(extra),
            not_needed: None,
            visit_id: visit.map(|v| v.meta.id.clone()),
            visit_status: visit.map(|v| v.entity.status),
        });
        end = finish;
    }
    let planned: f64 = stops
        .iter()
        .filter(|s| s.closed.is_none() && s.not_needed.is_none())
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

/// What an uncovered stop says.
pub fn uncovered_because(absence: &Absence) -> String {
    let kind = match absence.kind {
        AbsenceKind::Holiday => "on holiday",
        AbsenceKind::Sick => "off sick",
        AbsenceKind::Training => "in training",
    };
    format!(
        "the cleaner is {kind} from {} to {}: re-plan the day or hand the stop to someone else",
        absence.from, absence.to
    )
}

/// An absence as stored (describes the `absence` of a sheet for the API document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct StoredAbsence {
    #[serde(flatten)]
    meta: domain::Metadata,
    #[serde(flatten)]
    absence: Absence,
}

/// A cleaner's day: her tours in force, in the order she starts them.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TourSheet {
    cleaner_id: String,
    date: NaiveDate,
    /// Her absence that day, if any: then every stop is uncovered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<StoredAbsence>)]
    absence: Option<platform::crud::Shown>,
    tours: Vec<TourOfDay>,
}

/// `GET /v1/tour-sheets?date=YYYY-MM-DD[&cleanerId=][&format=json|pdf]`: a cleaner's own
/// sheet (planners name the cleaner). Without a date, today in the time zone of the tours'
/// sites. As a PDF it is the printable sheet ([`crate::printed`]).
pub async fn tour_sheet(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Response> {
    let query = query_object(&query)?;
    let mut f = Fields::new(&query, &[])?;
    let date = f.optional_parsed("date", parse_date);
    let cleaner = f.optional_parsed("cleanerId", UserId::parse);
    let pdf = f.optional_parsed("format", |raw| match raw {
        "json" => Ok(false),
        "pdf" => Ok(true),
        _ => Err("must be one of: json, pdf".to_owned()),
    });
    let (date, cleaner, pdf) = f.finish(|| Some((date, cleaner, pdf.unwrap_or(false))))?;
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
    let Some(record) = data.repo::<Cleaner>().find(cleaner.as_str()).await? else {
        return Err(ApiError::NotFound {
            kind: "cleaner",
            id: cleaner.to_string(),
        });
    };
    // Without a date: today where her tours are (a day either side covers every zone).
    let utc_today = cx.now().date_naive();
    let tours = platform::tours::in_force(
        data,
        date.unwrap_or(utc_today - Duration::days(1)),
        date.unwrap_or(utc_today + Duration::days(1)),
        Some(cleaner.as_str()),
    )
    .await?;
    let index = AreaIndex::of_tours(data, tours.iter().map(|t| &t.entity)).await?;
    let date = match date {
        Some(date) => date,
        None => {
            let tz = index
                .areas
                .keys()
                .find_map(|a| index.site_of(a))
                .map_or(chrono_tz::UTC, |s| s.entity.time_zone.0);
            cx.now().with_timezone(&tz).date_naive()
        }
    };
    let absence = platform::tours::absences(data, date, date, Some(cleaner.as_str()))
        .await?
        .into_iter()
        .next();
    let day_visits = visits_of_day(data, cleaner.as_str(), date).await?;
    let latest: BTreeMap<String, &Stored<Visit>> = day_visits
        .iter()
        .map(|v| (v.entity.area_id.to_string(), v))
        .collect();
    let mut sheet = Vec::new();
    let mut schedules = Schedules::covering(date, date);
    let mut timer = Timer::new();
    let demand = DemandOfDay::load(data, &index, date).await?;
    for tour in &tours {
        let day = tour_of_day(
            data,
            tour,
            date,
            absence.as_ref().map(|a| &a.entity),
            &index,
            &latest,
            &demand,
            &mut schedules,
            &mut timer,
        )
        .await?;
        sheet.extend(day);
    }
    sheet.sort_by_key(|t| (t.start_time, t.tour_id.clone()));
    if pdf {
        return printed_sheet(&cx, &record.entity, date, absence.as_ref(), &sheet, &index);
    }
    Ok(Json(TourSheet {
        cleaner_id: cleaner.to_string(),
        date,
        absence: absence.map(|a| a.shown()).transpose()?,
        tours: sheet,
    })
    .into_response())
}

/// The sheet as its printable PDF, with each room's check-in code.
fn printed_sheet(
    cx: &RequestContext,
    cleaner: &Cleaner,
    date: NaiveDate,
    absence: Option<&Stored<Absence>>,
    tours: &[TourOfDay],
    index: &AreaIndex,
) -> ApiResult<Response> {
    let signer = cx.signer()?;
    let codes = tours
        .iter()
        .flat_map(|t| &t.stops)
        .map(|s| {
            let code = platform::signing::check_in_code(signer, &cx.caller.tenant, &s.area_id);
            (s.area_id.clone(), code)
        })
        .collect();
    let places = index
        .sites
        .iter()
        .map(|(id, site)| {
            let a = &site.entity.address;
            let address = match &a.postal_code {
                Some(code) => format!("{}, {code} {}", a.street, a.city),
                None => format!("{}, {}", a.street, a.city),
            };
            let notes = site.entity.access_notes.clone();
            (
                id.clone(),
                crate::printed::Place {
                    address,
                    access_notes: notes,
                },
            )
        })
        .collect();
    let bytes = crate::printed::render(&crate::printed::PrintedSheet {
        cleaner_name: &cleaner.name,
        date,
        absence: absence.map(|a| uncovered_because(&a.entity)),
        tours,
        places: &places,
        codes: &codes,
    })
    .map_err(ApiError::internal)?;
    let filename = format!("tour-sheet-{}-{date}.pdf", cleaner.user_id.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// Longest span `GET /v1/uncovered-stops` answers at once, in days.
const MAX_UNCOVERED_DAYS: i64 = 31;

/// The stops a cleaner's absence leaves uncovered on one day.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UncoveredDay {
    date: NaiveDate,
    cleaner_id: String,
    absence_id: String,
    kind: AbsenceKind,
    tour: TourOfDay,
}

/// `GET /v1/uncovered-stops?from=&to=` (planners; by default the coming seven days): per day
/// and absent cleaner, the stops of her tours in force that nobody covers, as on her sheet.
/// Re-planning those days (`POST /v1/plans` with `keep: "unaffected"`) hands them on.
pub async fn uncovered_stops(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Json<UncoveredStops>> {
    cx.caller.require(&Role::PLANNERS, "list uncovered stops")?;
    let query = query_object(&query)?;
    let mut f = Fields::new(&query, &[])?;
    let from = f.optional_parsed("from", parse_date);
    let to = f.optional_parsed("to", parse_date);
    let today = cx.now().date_naive();
    let (from, to) = (
        from.unwrap_or(today),
        to.unwrap_or(from.unwrap_or(today) + Duration::days(6)),
    );
    if to < from {
        f.error("to", "must not be before from");
    } else if (to - from).num_days() >= MAX_UNCOVERED_DAYS {
        f.error(
            "to",
            format!("must be within {MAX_UNCOVERED_DAYS} days of from"),
        );
    }
    f.finish(|| Some(()))?;
    let data = cx.data();
    let absences = platform::tours::absences(data, from, to, None).await?;
    let mut days = Vec::new();
    let mut schedules = Schedules::covering(from, to);
    let mut timer = Timer::new();
    let no_visits = BTreeMap::new();
    let no_demand = DemandOfDay::default();
    for absence in &absences {
        let a = &absence.entity;
        let (first, last) = (a.from.max(from), a.to.min(to));
        let tours =
            platform::tours::in_force(data, first, last, Some(a.cleaner_id.as_str())).await?;
        let index = AreaIndex::of_tours(data, tours.iter().map(|t| &t.entity)).await?;
        for date in first.iter_days().take_while(|d| *d <= last) {
            for tour in &tours {
                let day = tour_of_day(
                    data,
                    tour,
                    date,
                    Some(a),
                    &index,
                    &no_visits,
                    &no_demand,
                    &mut schedules,
                    &mut timer,
                )
                .await?;
                if let Some(day) = day.filter(|d| d.stops.iter().any(|s| s.closed.is_none())) {
                    days.push(UncoveredDay {
                        date,
                        cleaner_id: a.cleaner_id.to_string(),
                        absence_id: absence.meta.id.clone(),
                        kind: a.kind,
                        tour: day,
                    });
                }
            }
        }
    }
    days.sort_by(|x, y| {
        (x.date, &x.cleaner_id, x.tour.start_time).cmp(&(y.date, &y.cleaner_id, y.tour.start_time))
    });
    let demand_cleanings = uncovered_demand(data, today).await?;
    Ok(Json(UncoveredStops {
        from,
        to,
        items: days,
        demand_cleanings,
    }))
}

/// The uncovered stops of some days, by day, cleaner and start.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UncoveredStops {
    from: NaiveDate,
    to: NaiveDate,
    items: Vec<UncoveredDay>,
    /// Open demand cleanings of rooms no tour running today covers (or whose cleaner is
    /// away): someone must be sent.
    #[schema(value_type = Vec<StoredDemand>)]
    demand_cleanings: Vec<Stored<DemandCleaning>>,
}

/// A demand cleaning as stored (describes `demandCleanings` for the API document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct StoredDemand {
    #[serde(flatten)]
    meta: domain::Metadata,
    #[serde(flatten)]
    cleaning: DemandCleaning,
}

/// The most open demand cleanings the uncovered list looks at.
const MAX_OPEN_DEMAND: usize = 200;

/// Open demand cleanings of rooms that no tour running today covers with its cleaner there.
async fn uncovered_demand(
    data: &TenantData,
    today: NaiveDate,
) -> ApiResult<Vec<Stored<DemandCleaning>>> {
    let open = data
        .store()
        .query(&open_demand_query())
        .await?
        .documents
        .into_iter()
        .map(Stored::<DemandCleaning>::from_document)
        .collect::<ApiResult<Vec<_>>>()?;
    if open.is_empty() {
        return Ok(open);
    }
    let away: BTreeSet<String> = platform::tours::absences(data, today, today, None)
        .await?
        .into_iter()
        .map(|a| a.entity.cleaner_id.to_string())
        .collect();
    let covered: BTreeSet<String> = platform::tours::in_force(data, today, today, None)
        .await?
        .iter()
        .filter(|t| t.entity.runs_on(today).is_some())
        .filter(|t| !away.contains(t.entity.cleaner_id.as_str()))
        .flat_map(|t| t.entity.area_ids())
        .collect();
    Ok(open
        .into_iter()
        .filter(|d| !covered.contains(d.entity.area_id.as_str()))
        .collect())
}

/// The tenant's open demand cleanings (the oldest ids first; there are few at a time).
pub fn open_demand_query() -> domain::store::Query {
    domain::store::Query::new(<DemandCleaning as domain::Entity>::COLLECTION)
        .filter(domain::store::Filter::eq("status", "open"))
        .limit(MAX_OPEN_DEMAND)
}

/// The cleaner's visits checked in on a local date, oldest first.
pub(crate) async fn visits_of_day(
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
