//! Tours and the tenant's tour settings.

use axum::http::StatusCode;
use axum::response::Response;
use domain::Entity;
use domain::store::Write;
use domain::tours::{OverloadPolicy, Tour, TourSettings};
use domain::{FieldError, ValidationErrors};
use platform::TenantData;
use platform::crud::{Stored, entity_response, shown_with};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody};
use platform::resource::Resource;
use platform::{ApiError, Caller, RequestContext, Role};
use serde_json::Value;

use crate::AreaIndex;
use crate::timing::Timer;

pub struct Tours;

impl Resource for Tours {
    type Entity = Tour;
    const PATH: &'static str = "/v1/tours";
    const FILTERS: &'static [FilterParam] =
        &[FilterParam::id("cleanerId"), FilterParam::text("tourType")];

    /// A cleaner sees her own tours; customers none.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        crate::staff(caller, "read tours")?;
        Ok(match caller.role {
            Role::Cleaner => vec![("cleanerId", Value::from(caller.user.as_str()))],
            _ => Vec::new(),
        })
    }

    /// Times each day's stops (see [`crate::timing`]): a tour written by hand is timed from
    /// its start (or the day's leave time) with the tenant's travel model. The plan a tour
    /// came from stays named (only activation sets it).
    async fn prepare(
        mut tour: Tour,
        current: Option<&Tour>,
        cx: &RequestContext,
    ) -> ApiResult<Tour> {
        tour.plan_id = current.and_then(|c| c.plan_id.clone());
        let index = AreaIndex::of_tours(cx.data(), [&tour]).await?;
        let today = cx.now().date_naive();
        Timer::new()
            .time_tour(cx.data(), &mut tour, &index, today)
            .await?;
        Ok(tour)
    }

    /// The cleaner, every area and every one-off job must exist, each job on a date this
    /// day of the tour is in force; a day over the cap is refused (422) when the tenant says
    /// so.
    async fn references(tour: &Tour, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        platform::tours::known_cleaner(cx.data(), &tour.cleaner_id).await?;
        let index = AreaIndex::of_tours(cx.data(), [tour]).await?;
        let mut errors = Vec::new();
        for (d, day) in tour.days.iter().enumerate() {
            for (a, area) in day.area_ids.iter().enumerate() {
                if !index.areas.contains_key(area.as_str()) {
                    errors.push(FieldError {
                        field: format!("days[{d}].areaIds[{a}]"),
                        message: "no area has this id".into(),
                    });
                }
            }
            for (j, job_id) in day.one_off_job_ids.iter().enumerate() {
                let wrong = match index.jobs.get(job_id.as_str()) {
                    None => Some("no one-off job has this id".to_owned()),
                    Some(job) if domain::time::Weekday::of(job.entity.date) != day.day => {
                        Some(format!(
                            "is on {}, a {}, not on this day",
                            job.entity.date,
                            weekday_name(domain::time::Weekday::of(job.entity.date))
                        ))
                    }
                    Some(job) if !tour.in_force_on(job.entity.date) => Some(format!(
                        "is on {}, when this tour is not in force",
                        job.entity.date
                    )),
                    Some(_) => None,
                };
                if let Some(message) = wrong {
                    errors.push(FieldError {
                        field: format!("days[{d}].oneOffJobIds[{j}]"),
                        message,
                    });
                }
            }
        }
        if errors.is_empty() && settings(cx.data()).await?.entity.overload == OverloadPolicy::Refuse
        {
            for (d, load) in tour
                .day_loads(&index.minutes_per_cleaning())
                .iter()
                .enumerate()
            {
                if load.overloaded() {
                    errors.push(FieldError {
                        field: format!("days[{d}]"),
                        message: format!(
                            "plans {} minutes of cleaning, {} over the cap of \
                             maxMinutesPerDay {}",
                            load.planned_minutes, load.over_by_minutes, load.max_minutes
                        ),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(ApiError::Validation(ValidationErrors(errors)))
        }
    }

    fn computed(schemas: &mut platform::api::Schemas) -> Option<platform::api::SchemaRef> {
        Some(platform::api::component::<TourLoad>(schemas))
    }

    /// Adds each day's planned minutes (`load`) and warnings for overloaded days and areas
    /// that no longer exist.
    async fn present(
        items: Vec<Stored<Tour>>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<platform::crud::Shown>> {
        let index = AreaIndex::of_tours(cx.data(), items.iter().map(|t| &t.entity)).await?;
        let minutes = index.minutes_per_cleaning();
        items
            .iter()
            .map(|tour| {
                let loads = tour.entity.day_loads(&minutes);
                let mut warnings: Vec<String> = loads
                    .iter()
                    .filter(|l| l.overloaded())
                    .map(|l| {
                        format!(
                            "{}: {} minutes planned, {} over the cap",
                            weekday_name(l.day),
                            l.planned_minutes,
                            l.over_by_minutes
                        )
                    })
                    .collect();
                warnings.extend(
                    tour.entity
                        .area_ids()
                        .into_iter()
                        .filter(|a| !index.areas.contains_key(a))
                        .map(|a| format!("area {a} no longer exists")),
                );
                warnings.extend(
                    tour.entity
                        .one_off_job_ids()
                        .into_iter()
                        .filter(|j| !index.jobs.contains_key(j))
                        .map(|j| format!("one-off job {j} no longer exists")),
                );
                for day in &tour.entity.days {
                    for stop in &day.stops {
                        let name = index
                            .areas
                            .get(stop.area_id.as_str())
                            .map_or(stop.area_id.as_str(), |a| a.entity.name.as_str());
                        warnings.extend(stop.warnings.iter().map(|w| {
                            format!("{}: {name} at {}: {w}", weekday_name(day.day), stop.start)
                        }));
                    }
                }
                shown_with(
                    tour,
                    &TourLoad {
                        load: loads,
                        warnings,
                    },
                )
            })
            .collect()
    }
}

/// What a tour answers besides its own fields.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct TourLoad {
    /// Planned minutes per weekday against the cap.
    load: Vec<domain::tours::DayLoad>,
    /// Overloaded days, areas and one-off jobs that are gone, stops outside their windows.
    warnings: Vec<String>,
}

fn weekday_name(day: domain::time::Weekday) -> &'static str {
    domain::time::WEEKDAYS[day.index()]
}

/// The tenant's tour settings; the defaults (version 0) until an admin saves them.
pub(crate) async fn settings(data: &TenantData) -> ApiResult<Stored<TourSettings>> {
    Ok(data
        .repo::<TourSettings>()
        .find(TourSettings::ID)
        .await?
        .unwrap_or_else(|| Stored {
            meta: domain::Metadata {
                id: TourSettings::ID.into(),
                version: 0,
                created_at: chrono::DateTime::UNIX_EPOCH,
                updated_at: chrono::DateTime::UNIX_EPOCH,
            },
            entity: TourSettings::default(),
        }))
}

/// `GET /v1/tour-settings`.
pub async fn read_settings(cx: RequestContext) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "read tour settings")?;
    let current = settings(cx.data()).await?;
    Ok(entity_response(
        StatusCode::OK,
        &current.meta,
        &current,
        None,
    ))
}

/// `PUT /v1/tour-settings` (admins) with `If-Match` of the current version (`"0"` before the
/// first save).
pub async fn replace_settings(
    cx: RequestContext,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    cx.caller.require(&[Role::Admin], "change tour settings")?;
    let new = TourSettings::parse(&body)?;
    let repo = cx.repo::<TourSettings>();
    let saved = if version == 0 {
        match repo.create_with_id(TourSettings::ID, new, Vec::new()).await {
            Ok(saved) => saved,
            // Someone saved first: the client's version 0 is stale.
            Err(ApiError::Conflict(_)) => {
                return Err(ApiError::stale(settings(cx.data()).await?.meta.version));
            }
            Err(other) => return Err(other),
        }
    } else {
        repo.replace(TourSettings::ID, version, new, Vec::new())
            .await?
    };
    Ok(entity_response(StatusCode::OK, &saved.meta, &saved, None))
}
