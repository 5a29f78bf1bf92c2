//! The `calendars` function: when areas are cleaned.
//!
//! Routes: `/v1/calendars` and `/v1/closures` (create, get, list, replace, patch, delete),
//! `GET /v1/calendars/{id}/occurrences?from=&to=` (one calendar's concrete slots) and
//! `GET /v1/calendars/occurrences?siteId=&from=&to=[&areaId=]` (a site's whole schedule).
//! Planners write; planners and cleaners read; customers see proof of service instead.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::calendars::{
    Calendar, Closure, FrequencyCheck, MAX_EXPANSION_DAYS, Occurrence, parse_date,
};
use domain::preflight::{Contradiction, ContradictionCode};
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::store::{Filter, Write};
use domain::{FieldError, Fields, ValidationErrors};
use platform::api::{self, Doc, doc};
use platform::crud::{Stored, still_at};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order, query_object};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};
use serde::Serialize;
use serde_json::Value;

/// The function's routes; the runtime adds auth, `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    Routes::new()
        .merge(resource::routes::<Calendars>())
        .merge(resource::routes::<Closures>())
        .route(
            "/v1/calendars/occurrences",
            api::get(
                site_occurrences,
                range_doc("A site's schedule: every slot of its calendars, in time order")
                    .about(
                        "Roles: admin, dispatcher, cleaner. With areaId, only the calendars \
                         that schedule that area. Closed days are listed apart, with why.",
                    )
                    .query_required("siteId", api::string(), "The site.")
                    .query("areaId", api::string(), "Only the slots of this area.")
                    .ok::<SiteOccurrences>()
                    .errors(&[404]),
            ),
        )
        .route(
            "/v1/calendars/{id}/occurrences",
            api::get(
                calendar_occurrences,
                range_doc("One calendar's slots").ok::<CalendarOccurrences>(),
            ),
        )
}

/// An expansion's documentation: its date range.
fn range_doc(summary: &str) -> Doc {
    doc(summary)
        .query_required("from", api::date(), "The first day, YYYY-MM-DD.")
        .query_required(
            "to",
            api::date(),
            "The last day, YYYY-MM-DD (less than 366 days after from).",
        )
}

/// Schedules are the staff's business; customers are shown what was done, not the plan.
pub fn staff_only(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
    caller.require(&Role::STAFF, "read schedules")?;
    Ok(Vec::new())
}

struct Calendars;
struct Closures;

impl Resource for Calendars {
    type Entity = Calendar;
    const PATH: &'static str = "/v1/calendars";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("siteId"), FilterParam::id("areaId")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        staff_only(caller)
    }

    /// The site must exist; the area (or area type) too, and the area must be at that site.
    /// Days its site cannot be entered, windows outside the access hours, a frequency other
    /// than agreed, calendars overlapping: in the calendar's first full week to come.
    async fn contradictions(
        calendar: &Stored<Calendar>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<Contradiction>> {
        use ContradictionCode::*;
        let c = &calendar.entity;
        platform::planning::written_contradictions(
            cx.data(),
            c.site_id.as_str(),
            c.start_date,
            &[
                SiteClosedOnCalendarDay,
                WindowOutsideAccessHours,
                FrequencyMismatch,
                CalendarsOverlap,
            ],
        )
        .await
    }

    async fn references(calendar: &Calendar, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let mut errors = Vec::new();
        let mut guards = Vec::new();
        match cx.repo::<Site>().find(calendar.site_id.as_str()).await? {
            Some(site) => guards.push(still_at(&site)),
            None => errors.push(field_error("siteId", "no site has this id")),
        }
        if let Some(area_id) = &calendar.area_id {
            match cx.repo::<Area>().find(area_id.as_str()).await? {
                Some(area) if area.entity.site_id != calendar.site_id => {
                    errors.push(field_error("areaId", "belongs to another site"));
                }
                Some(area) => guards.push(still_at(&area)),
                None => errors.push(field_error("areaId", "no area has this id")),
            }
        }
        if let Some(type_id) = &calendar.area_type_id {
            match cx.repo::<AreaType>().find(type_id.as_str()).await? {
                Some(area_type) => guards.push(still_at(&area_type)),
                None => errors.push(field_error("areaTypeId", "no area type has this id")),
            }
        }
        if errors.is_empty() {
            Ok(guards)
        } else {
            Err(ApiError::Validation(ValidationErrors(errors)))
        }
    }

    fn computed(schemas: &mut platform::api::Schemas) -> Option<platform::api::SchemaRef> {
        Some(platform::api::component::<Checked>(schemas))
    }

    /// Adds how the rule's frequency compares with the agreed one, and a warning if it
    /// contradicts it.
    async fn present(
        items: Vec<Stored<Calendar>>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<platform::crud::Shown>> {
        let checks = frequency_checks(&items, cx).await?;
        items
            .iter()
            .zip(checks)
            .map(|(calendar, check)| {
                let warnings: Vec<String> = check
                    .as_ref()
                    .and_then(|c| c.warning())
                    .into_iter()
                    .collect();
                let checked = Checked {
                    frequency: check,
                    warnings,
                };
                platform::crud::shown_with(calendar, &checked)
            })
            .collect()
    }
}

/// What a calendar answers besides its own fields.
#[derive(Serialize, utoipa::ToSchema)]
struct Checked {
    /// How often the rule cleans against what its areas agree (none if its site is gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    frequency: Option<FrequencyCheck>,
    /// Where the two contradict.
    warnings: Vec<String>,
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Each calendar's frequency check (none if its site is gone), reading every site, area and
/// area type involved once.
async fn frequency_checks(
    items: &[Stored<Calendar>],
    cx: &RequestContext,
) -> ApiResult<Vec<Option<FrequencyCheck>>> {
    let site_ids: BTreeSet<String> = items.iter().map(|c| c.entity.site_id.to_string()).collect();
    let sites = cx.repo::<Site>().get_map(site_ids.iter().cloned()).await?;
    let mut areas: Vec<Stored<Area>> = Vec::new();
    for site in &site_ids {
        areas.extend(
            cx.repo::<Area>()
                .all_where(vec![Filter::eq("siteId", site.as_str())])
                .await?,
        );
    }
    let type_ids = areas
        .iter()
        .map(|a| a.entity.area_type_id.to_string())
        .chain(
            items
                .iter()
                .filter_map(|c| c.entity.area_type_id.as_ref().map(ToString::to_string)),
        );
    let types = cx.repo::<AreaType>().get_map(type_ids).await?;
    items
        .iter()
        .map(|calendar| {
            let calendar = &calendar.entity;
            let Some(site) = sites.get(calendar.site_id.as_str()) else {
                return Ok(None);
            };
            let mut agreed: Vec<f64> = areas
                .iter()
                .filter(|a| {
                    calendar.applies_to(
                        a.entity.site_id.as_str(),
                        &a.meta.id,
                        a.entity.area_type_id.as_str(),
                    )
                })
                .filter_map(|a| {
                    let area_type = types.get(a.entity.area_type_id.as_str())?;
                    Some(
                        AreaWorkload::of(&a.entity, &area_type.entity).effective_cleanings_per_week,
                    )
                })
                .collect();
            if agreed.is_empty()
                && let Some(area_type) = calendar
                    .area_type_id
                    .as_ref()
                    .and_then(|t| types.get(t.as_str()))
            {
                agreed.push(area_type.entity.cleanings_per_week);
            }
            let scheduled = calendar
                .cleanings_per_week(site.entity.time_zone.0)
                .map_err(ApiError::internal)?;
            Ok(Some(FrequencyCheck::new(scheduled, agreed)))
        })
        .collect()
}

impl Resource for Closures {
    type Entity = Closure;
    const PATH: &'static str = "/v1/closures";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("siteId")];
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id"), Order::asc("from")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        staff_only(caller)
    }

    async fn references(closure: &Closure, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let Some(site_id) = &closure.site_id else {
            return Ok(Vec::new());
        };
        match cx.repo::<Site>().find(site_id.as_str()).await? {
            Some(site) => Ok(vec![still_at(&site)]),
            None => Err(ApiError::field("siteId", "no site has this id")),
        }
    }
}

/// A date range from the query (`from`, `to`, inclusive), at most [`MAX_EXPANSION_DAYS`].
pub fn read_range(f: &mut Fields<'_>) -> Option<(NaiveDate, NaiveDate)> {
    let from = f.required_parsed("from", parse_date);
    let to = f.required_parsed("to", parse_date);
    let (from, to) = (from?, to?);
    if to < from {
        f.error("to", "must not be before from");
        return None;
    }
    if (to - from).num_days() >= MAX_EXPANSION_DAYS {
        f.error(
            "to",
            format!("must be less than {MAX_EXPANSION_DAYS} days after from"),
        );
        return None;
    }
    Some((from, to))
}

type QueryParams = axum::extract::Query<Vec<(String, String)>>;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct CalendarOccurrences {
    calendar_id: String,
    site_id: String,
    time_zone: &'static str,
    from: NaiveDate,
    to: NaiveDate,
    #[serde(flatten)]
    expansion: domain::calendars::Expansion,
}

/// `GET /v1/calendars/{id}/occurrences?from=YYYY-MM-DD&to=YYYY-MM-DD`.
async fn calendar_occurrences(
    cx: RequestContext,
    Path(id): Path<String>,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Response> {
    staff_only(&cx.caller)?;
    let query = query_object(&query)?;
    let mut f = Fields::new(&query, &[])?;
    let range = read_range(&mut f);
    let (from, to) = f.finish(|| range)?;
    let calendar = cx.repo::<Calendar>().get(&id).await?;
    let site = cx
        .repo::<Site>()
        .get(calendar.entity.site_id.as_str())
        .await?;
    let tz = site.entity.time_zone.0;
    let closures = platform::schedule::closures(cx.data()).await?;
    let expansion = calendar
        .entity
        .expand(tz, &closures, from, to)
        .map_err(ApiError::internal)?;
    Ok(Json(CalendarOccurrences {
        calendar_id: calendar.meta.id,
        site_id: site.meta.id,
        time_zone: tz.name(),
        from,
        to,
        expansion,
    })
    .into_response())
}

/// A site's schedule, as `GET /v1/calendars/occurrences` writes it (streamed: this describes
/// it for the API document).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct SiteOccurrences<'a> {
    site_id: String,
    time_zone: String,
    from: NaiveDate,
    to: NaiveDate,
    occurrences: Vec<ScheduledSlot<'a>>,
    /// Days closures took out, with their reason.
    closed: Vec<domain::calendars::ClosedOccurrence>,
}

/// One slot of a site's schedule, as the answer lists it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct ScheduledSlot<'a> {
    calendar_id: &'a str,
    calendar_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    area_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    area_type_id: Option<&'a str>,
    #[serde(flatten)]
    occurrence: &'a Occurrence,
}

/// `GET /v1/calendars/occurrences?siteId=&from=&to=[&areaId=]`: every slot of the site's
/// calendars (or of those that schedule one area), in time order. A year of a site with a
/// calendar per room is tens of thousands of slots: they are kept as expanded (about 32
/// bytes each) and written to the answer as it is sent.
async fn site_occurrences(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Response> {
    staff_only(&cx.caller)?;
    let query = query_object(&query)?;
    let mut f = Fields::new(&query, &[])?;
    let site_id = f.required_parsed("siteId", |raw| domain::id::parse_id(raw).map(str::to_owned));
    let area_id = f.optional_parsed("areaId", |raw| domain::id::parse_id(raw).map(str::to_owned));
    let range = read_range(&mut f);
    let (site_id, area_id, (from, to)) = f.finish(|| Some((site_id?, area_id, range?)))?;
    let site = cx.repo::<Site>().get(&site_id).await?;
    let schedule = platform::schedule::load(cx.data(), &site).await?;
    let area = match &area_id {
        Some(area_id) => {
            let area = cx.repo::<Area>().get(area_id).await?;
            if area.entity.site_id.as_str() != site_id {
                return Err(ApiError::field("areaId", "belongs to another site"));
            }
            Some(area)
        }
        None => None,
    };
    let calendars: Vec<(String, Calendar)> = match &area {
        Some(area) => schedule
            .for_area(&area.meta.id, area.entity.area_type_id.as_str())
            .cloned()
            .collect(),
        None => schedule.calendars.clone(),
    };
    let mut expanded = Vec::with_capacity(calendars.len());
    let mut closed = Vec::new();
    for (calendar_id, calendar) in calendars {
        let expansion = calendar
            .expand(schedule.tz, &schedule.closures, from, to)
            .map_err(ApiError::internal)?;
        closed.extend(expansion.closed);
        expanded.push((calendar_id, calendar, expansion.occurrences));
    }
    // The slots in time order, as (calendar, occurrence) positions into `expanded`.
    let mut order: Vec<(u32, u32)> = expanded
        .iter()
        .enumerate()
        .flat_map(|(c, (_, _, occurrences))| {
            (0..occurrences.len()).map(move |o| (c as u32, o as u32))
        })
        .collect();
    let at = |(c, o): (u32, u32)| {
        let (id, _, occurrences) = &expanded[c as usize];
        (occurrences[o as usize].start, id)
    };
    order.sort_by(|a, b| at(*a).cmp(&at(*b)));
    closed.sort_by_key(|c| c.date);
    let head = serde_json::json!({
        "siteId": site_id, "timeZone": schedule.tz.name(), "from": from, "to": to,
    })
    .to_string();
    let head = format!("{},\"occurrences\":[", head.trim_end_matches('}'));
    let tail = format!(
        "],\"closed\":{}}}",
        serde_json::to_string(&closed).map_err(ApiError::internal)?
    );
    let count = order.len();
    let write_slot = move |k: usize, out: &mut Vec<u8>| {
        let (c, o) = order[k];
        let (calendar_id, calendar, occurrences) = &expanded[c as usize];
        let slot = ScheduledSlot {
            calendar_id,
            calendar_name: &calendar.name,
            area_id: calendar.area_id.as_ref().map(|a| a.as_str()),
            area_type_id: calendar.area_type_id.as_ref().map(|a| a.as_str()),
            occurrence: &occurrences[o as usize],
        };
        serde_json::to_writer(out, &slot)
    };
    Ok(platform::http::streamed_json(head, count, write_slot, tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing the routes accept; the other queries are checked as the HTTP tests run.
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        let mut queries = resource::list_queries::<Calendars>();
        queries.extend(resource::list_queries::<Closures>());
        store::indexes::assert_served(queries);
    }
}
