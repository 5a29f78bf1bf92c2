//! The `planning` function: the planner's view of cleaners, and plan versions.
//!
//! Routes: `/v1/cleaners` (CRUD: home, shifts, maximum minutes a day), `/v1/absences` (CRUD:
//! a cleaner away from one date to another), `/v1/one-off-jobs` (CRUD: an area's extra
//! cleaning on one date, planned with its week), `POST /v1/plans` (queues a draft for a week, or
//! a re-plan of some days of it keeping the rest, for the planning worker; `GET
//! /v1/plans/{id}` shows its `status` and `progress` meanwhile), `GET /v1/plans[/{id}]`, and
//! `POST /v1/plans/{id}/activate` (with `If-Match`: the draft's tours take its week, the
//! tours in force around it stay), and `/v1/simulations` (queued for the simulation worker:
//! how likely a plan is to hold, and what-if comparisons).

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use domain::Entity;
use domain::planning::{Absence, Cleaner, OneOffJob, Plan, PlanRequest, PlanStatus};
use domain::sites::Area;
use domain::store::Write;
use domain::tours::{TimedStop, Tour, TourDay, TourType};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_fields, entity_response};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role, plan_runs};
use serde_json::Value;

mod simulations;

pub fn router() -> Routes {
    Routes::new()
        .merge(resource::routes::<Cleaners>())
        .merge(simulations::routes())
        .merge(resource::routes::<Absences>())
        .merge(resource::routes::<OneOffJobs>())
        .route(
            "/v1/plans",
            api::get(resource::list::<Plans>, resource::list_doc::<Plans>()).post(
                create_plan,
                doc("Plan a week (queued for the planning worker)")
                    .about(
                        "Roles: admin, dispatcher. Answers 202 with the queued plan; GET \
                         /v1/plans/{id} shows its status (queued, running, then draft) and \
                         progress. keep: unaffected re-plans only the days absences meet \
                         (or days), keeping the tours in force elsewhere. While another plan \
                         of the week is pending: 409 with its runningId.",
                    )
                    .body::<PlanRequestBody>()
                    .answers::<Stored<Plan>>(202, "The queued plan, with its ETag")
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/plans/{id}",
            api::get(resource::read::<Plans>, resource::read_doc::<Plans>()).delete(
                resource::delete::<Plans>,
                doc("Delete a plan")
                    .about("Roles: admin.")
                    .if_match()
                    .no_content("Deleted")
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/plans/preflight",
            api::get(
                preflight,
                doc("Every contradiction of a week's data, before planning it")
                    .about("Roles: admin, dispatcher. By default the coming week.")
                    .query("weekStart", api::date(), "The week's Monday.")
                    .ok::<Preflight>(),
            ),
        )
        .route(
            "/v1/plans/{id}/activate",
            api::post(
                activate,
                doc("Activate a draft: its tours take its week")
                    .about(
                        "Roles: admin, dispatcher. The tours in force around the week stay; the \
                         week's previous plan is superseded. A lost race is a 412.",
                    )
                    .if_match()
                    .answers::<Stored<Plan>>(200, "The active plan, with its ETag")
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/plans/{id}/diff",
            api::get(
                plan_diff,
                doc("What a plan changes against the tours in force, per cleaner and day")
                    .about("Roles: admin, dispatcher. 409 while the plan is being computed.")
                    .ok::<PlanDiff>()
                    .errors(&[409]),
            ),
        )
}

/// The body of `POST /v1/plans` (parsed by [`PlanRequest::parse`]).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct PlanRequestBody {
    /// The week's Monday (default: the coming week).
    week_start: Option<chrono::NaiveDate>,
    /// How long to search, 0.1 to 60 (default 5).
    seconds: Option<f64>,
    /// fleet (default: fewest cleaners, then travel) or distance.
    objective: Option<domain::planning::PlanObjective>,
    /// Default: the tour settings' travel.
    travel: Option<domain::planning::TravelModel>,
    /// unaffected: re-plan only some days, keep the tours in force on the others.
    #[schema(value_type = Option<String>, pattern = "^(unaffected|nothing)$")]
    keep: Option<String>,
    /// With keep: unaffected, the days to re-plan (default: those absences meet).
    days: Option<Vec<chrono::NaiveDate>>,
}

/// A week's contradictions.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct Preflight {
    week_start: chrono::NaiveDate,
    contradictions: Vec<domain::preflight::Contradiction>,
}

/// What a plan changes, in sum and per cleaner and day.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct PlanDiff {
    plan_id: String,
    week_start: chrono::NaiveDate,
    summary: DiffSummary,
    days: Vec<domain::planning::DayDiff>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct DiffSummary {
    days_changed: usize,
    added: usize,
    removed: usize,
    moved: usize,
    minutes_changed: i64,
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

    /// A cleaner is stored under her user id: one user is one cleaner, enforced by the
    /// store's commit.
    fn natural_id(cleaner: &Cleaner) -> Option<String> {
        Some(cleaner.user_id.to_string())
    }

    async fn prepare(
        cleaner: Cleaner,
        current: Option<&Cleaner>,
        _cx: &RequestContext,
    ) -> ApiResult<Cleaner> {
        if let Some(current) = current
            && current.user_id != cleaner.user_id
        {
            return Err(ApiError::field(
                "userId",
                "cannot be changed (the cleaner is stored under it); create a new cleaner",
            ));
        }
        Ok(cleaner)
    }
}

/// `/v1/absences`: holidays, sick days and training. Planners record them; a cleaner reads
/// her own.
pub struct Absences;

impl Resource for Absences {
    type Entity = Absence;
    const PATH: &'static str = "/v1/absences";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("cleanerId")];
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id"), Order::asc("from")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::STAFF, "read absences")?;
        Ok(match caller.role {
            Role::Cleaner => vec![("cleanerId", Value::from(caller.user.as_str()))],
            _ => Vec::new(),
        })
    }

    /// Her record must exist, and still be there when the absence is written.
    async fn references(absence: &Absence, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let cleaner = platform::tours::known_cleaner(cx.data(), &absence.cleaner_id).await?;
        Ok(vec![Write::Verify {
            collection: Cleaner::COLLECTION,
            id: cleaner.meta.id,
            expected_version: cleaner.meta.version,
        }])
    }
}

/// `/v1/one-off-jobs`: an area's extra cleaning on one date (a deep clean, the windows),
/// with its own minutes, window, skills and note. Planners write and read them; the plan
/// of its week plans it, and the cleaner's sheet shows it with its note.
pub struct OneOffJobs;

impl Resource for OneOffJobs {
    type Entity = OneOffJob;
    const PATH: &'static str = "/v1/one-off-jobs";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("areaId"), FilterParam::id("siteId")];
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id"), Order::asc("date")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read one-off jobs")?;
        Ok(Vec::new())
    }

    /// Its site is its area's: the area must exist (422 naming `areaId`).
    async fn prepare(
        mut job: OneOffJob,
        _current: Option<&OneOffJob>,
        cx: &RequestContext,
    ) -> ApiResult<OneOffJob> {
        let area = known_area(cx, &job).await?;
        job.site_id = Some(area.entity.site_id);
        Ok(job)
    }

    /// Its area must still be there, unchanged, when the job is written.
    async fn references(job: &OneOffJob, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let area = known_area(cx, job).await?;
        Ok(vec![Write::Verify {
            collection: Area::COLLECTION,
            id: area.meta.id,
            expected_version: area.meta.version,
        }])
    }

    /// The planner meets what the job contradicts in its week (a closed site, a window
    /// outside the access hours, a job longer than any shift, a skill nobody has).
    async fn contradictions(
        stored: &Stored<OneOffJob>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<domain::preflight::Contradiction>> {
        let Some(site) = &stored.entity.site_id else {
            return Ok(Vec::new());
        };
        let week_start = stored.entity.date
            - Duration::days(i64::from(
                chrono::Datelike::weekday(&stored.entity.date).num_days_from_monday(),
            ));
        let mut found =
            platform::planning::site_contradictions(cx.data(), site.as_str(), week_start).await?;
        found.retain(|c| c.one_off_job_id.as_deref() == Some(stored.meta.id.as_str()));
        Ok(found)
    }
}

async fn known_area(cx: &RequestContext, job: &OneOffJob) -> ApiResult<Stored<Area>> {
    cx.repo::<Area>()
        .find(job.area_id.as_str())
        .await?
        .ok_or_else(|| ApiError::field("areaId", "no area has this id"))
}

pub struct Plans;

impl Resource for Plans {
    type Entity = Plan;
    const PATH: &'static str = "/v1/plans";
    const ORDERS: &'static [Order] = &[
        Order::asc("id"),
        Order::desc("id"),
        Order::desc("weekStart"),
    ];
    const FILTERS: &'static [FilterParam] = &[FilterParam::text("status")];
    /// Plans are computed and activated, never written whole; admins may delete drafts.
    const WRITERS: &'static [Role] = &[Role::Admin];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read plans")?;
        Ok(Vec::new())
    }

    /// A pending plan whose lease has passed is marked failed as it is read.
    async fn present(
        items: Vec<Stored<Plan>>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<platform::crud::Shown>> {
        platform::progress::present(items, cx).await
    }
}

/// `GET /v1/plans/preflight?weekStart=` (planners; by default the coming week): every
/// contradiction the planner will meet in the week's data, per site and area, and the
/// cleaners who are away.
async fn preflight(
    cx: RequestContext,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> ApiResult<axum::Json<Preflight>> {
    cx.caller
        .require(&Role::PLANNERS, "check a week before planning")?;
    let query = platform::http::query_object(&query)?;
    let mut f = domain::Fields::new(&query, &[])?;
    let week_start = domain::planning::read_week_start(&mut f);
    let week_start = f.finish(|| Some(week_start))?.unwrap_or_else(|| {
        domain::planning::next_monday(cx.now().date_naive() + Duration::days(1))
    });
    let travel = platform::tours::travel_model(cx.data()).await?;
    let week = platform::planning::tenant_week(cx.data(), week_start, travel).await?;
    let found = domain::preflight::preflight(&week);
    Ok(axum::Json(Preflight {
        week_start,
        contradictions: found,
    }))
}

/// `GET /v1/plans/{id}/diff` (planners): per cleaner and day, what the plan changes against
/// the tours in force for its week: stops added (from whom), removed (to whom), moved, and
/// the cleaning minutes. An active plan's tours are those in force: nothing changes.
async fn plan_diff(cx: RequestContext, Path(id): Path<String>) -> ApiResult<axum::Json<PlanDiff>> {
    cx.caller.require(&Role::PLANNERS, "compare plans")?;
    let plan = cx.repo::<Plan>().get(&id).await?;
    if plan.entity.is_pending() {
        return Err(ApiError::Conflict(format!(
            "plan {id} is still being computed; its diff is there once it is a draft"
        )));
    }
    let travel = platform::tours::travel_model(cx.data()).await?;
    let inputs = platform::planning::load_inputs(cx.data(), plan.entity.week_start, travel).await?;
    let days = domain::planning::diff(&plan.entity.tours, &inputs.in_force);
    let count = |f: fn(&domain::planning::DayDiff) -> usize| days.iter().map(f).sum::<usize>();
    let summary = DiffSummary {
        days_changed: days.len(),
        added: count(|d| d.added.len()),
        removed: count(|d| d.removed.len()),
        moved: count(|d| d.moved.len()),
        minutes_changed: days.iter().map(|d| d.minutes_changed).sum::<i64>(),
    };
    Ok(axum::Json(PlanDiff {
        plan_id: plan.meta.id,
        week_start: plan.entity.week_start,
        summary,
        days,
    }))
}

/// `POST /v1/plans` `{weekStart?, seconds?, objective?, travel?, keep?, days?}`: queues a
/// draft for the week (by default the coming one) and hands it to the planning worker, which
/// computes it within `seconds` (default 5, at most 60). The answer is 202 with the queued
/// plan; `GET /v1/plans/{id}` shows its `status` (queued, running, then draft) and
/// `progress`. While another plan of the week is pending: 409 naming it (`runningId`).
async fn create_plan(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "plan tours")?;
    let request = PlanRequest::parse(&body)?;
    let week_start = request.week_start.unwrap_or_else(|| {
        domain::planning::next_monday(cx.now().date_naive() + Duration::days(1))
    });
    let plan = Plan::queued(
        week_start,
        &request,
        cx.now() + platform::progress::QUEUE_LEASE,
    );
    let queued = plan_runs::queue(cx.data(), plan, None, None).await?;
    let id = queued.meta.id.clone();
    let job = plan_runs::PlanningJob {
        plan_id: Some(id.clone()),
        week_start: None,
    };
    if let Err(e) = cx.enqueue(&job, &id).await {
        // Nothing will compute it: it fails now rather than hold its week until its lease ends.
        let _ = platform::progress::fail(
            cx.data(),
            &queued,
            "it could not be handed to a planning worker",
        )
        .await;
        return Err(e);
    }
    Ok(entity_response(
        StatusCode::ACCEPTED,
        &queued.meta,
        &queued,
        Some(format!("/v1/plans/{id}")),
    ))
}

/// The tours a plan activates: one per cleaner, in force for the plan's week only, her stops
/// of each weekday in order with the plan's times.
fn tours_of_plan(
    plan_id: &str,
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
    let area_id = |raw: &str| domain::sites::AreaId::parse(raw).map_err(ApiError::internal);
    by_cleaner
        .into_iter()
        .map(|(cleaner, days)| {
            let start = days.iter().map(|d| d.leave).min().expect("a day at least");
            let mut tour_days = Vec::new();
            for day in &days {
                let stops = day
                    .stops
                    .iter()
                    .map(|s| {
                        Ok(TimedStop {
                            area_id: area_id(&s.area_id)?,
                            one_off_job_id: s
                                .one_off_job_id
                                .as_deref()
                                .map(domain::planning::OneOffJobId::parse)
                                .transpose()
                                .map_err(ApiError::internal)?,
                            arrival: s.arrival,
                            start: s.start,
                            end: s.end,
                            warnings: Vec::new(),
                        })
                    })
                    .collect::<ApiResult<Vec<_>>>()?;
                tour_days.push(TourDay {
                    day: domain::time::Weekday::of(day.date),
                    area_ids: stops
                        .iter()
                        .filter(|s| s.one_off_job_id.is_none())
                        .map(|s| s.area_id.clone())
                        .collect(),
                    one_off_job_ids: stops
                        .iter()
                        .filter_map(|s| s.one_off_job_id.clone())
                        .collect(),
                    leave: Some(day.leave),
                    stops,
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
                valid_from: Some(plan.week_start),
                valid_to: Some(plan.week_start + Duration::days(6)),
                in_force_until: plan.week_start + Duration::days(6),
                plan_id: Some(plan_id.to_owned()),
            })
        })
        .collect()
}

/// Which plan is in force for a week: one document per week (its Monday), written in every
/// activation's commit, so two activations of the same week meet there and one loses.
const WEEK_ACTIVATIONS: &str = "weekActivations";

/// `POST /v1/plans/{id}/activate` with `If-Match`: the draft's tours take the plan's week,
/// in one commit. Tours in force that week end the day before it (and resume the day after,
/// as the standing plan); the plan becomes active and the week's previous plan superseded.
async fn activate(
    cx: RequestContext,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "activate plans")?;
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
    let (first, last) = (
        plan.entity.week_start,
        plan.entity.week_start + Duration::days(6),
    );
    let cleaners = cx.repo::<Cleaner>().all_where(Vec::new()).await?;
    let names = cleaners
        .iter()
        .map(|c| (c.entity.user_id.to_string(), c.entity.name.clone()))
        .collect();
    let max = cleaners
        .iter()
        .map(|c| (c.entity.user_id.to_string(), c.entity.max_minutes_per_day))
        .collect();
    let new_tours = tours_of_plan(&id, &plan.entity, &names, &max)?;
    // The week's marker is read before its tours: an activation that commits after this
    // read changes the marker and fails ours; one committed before it left tours we read.
    let week_id = first.to_string();
    let previous = cx.store().get(WEEK_ACTIVATIONS, &week_id).await?;
    let in_force = platform::tours::in_force(cx.data(), first, last, None).await?;
    let mut writes: Vec<Write> = Vec::new();
    // The marker is the commit's first write: Firestore commits whole in any order, and the
    // emulator, which applies writes one by one, then stops a lost race before any tour.
    let marker = serde_json::Map::from_iter([
        ("weekStart".to_owned(), Value::from(week_id.clone())),
        ("planId".to_owned(), Value::from(id.clone())),
    ]);
    match previous {
        None => writes.push(Write::Create {
            collection: WEEK_ACTIVATIONS,
            id: week_id.clone(),
            fields: marker,
        }),
        Some(previous) => {
            writes.push(Write::Update {
                collection: WEEK_ACTIVATIONS,
                id: week_id.clone(),
                expected_version: previous.meta.version,
                fields: marker,
            });
            // The week's previous plan is no longer the one in force.
            let previous_plan = previous.fields.get("planId").and_then(Value::as_str);
            if let Some(old) = previous_plan.filter(|old| *old != id)
                && let Some(old) = cx.repo::<Plan>().find(old).await?
                && old.entity.status == PlanStatus::Active
            {
                let mut superseded = old.entity.clone();
                superseded.status = PlanStatus::Superseded;
                writes.push(Write::Update {
                    collection: Plan::COLLECTION,
                    id: old.meta.id.clone(),
                    expected_version: old.meta.version,
                    fields: entity_fields(&superseded)?,
                });
            }
        }
    }
    for tour in &in_force {
        let (before, after) = tour.entity.around(first, last);
        let mut rest = before.into_iter().chain(after).peekable();
        match rest.next() {
            None => writes.push(Write::Delete {
                collection: Tour::COLLECTION,
                id: tour.meta.id.clone(),
                expected_version: Some(tour.meta.version),
            }),
            Some(kept) => writes.push(Write::Update {
                collection: Tour::COLLECTION,
                id: tour.meta.id.clone(),
                expected_version: tour.meta.version,
                fields: entity_fields(&kept)?,
            }),
        }
        for resumed in rest {
            writes.push(create(Tour::COLLECTION, entity_fields(&resumed)?));
        }
    }
    for tour in &new_tours {
        writes.push(create(Tour::COLLECTION, entity_fields(tour)?));
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
            "activating changes {} tours in force and creates {}: more than one commit holds \
             ({})",
            in_force.len(),
            new_tours.len(),
            domain::store::MAX_WRITES
        )));
    }
    cx.store()
        .commit(writes, cx.now())
        .await
        .map_err(|e| match e {
            domain::store::StoreError::VersionMismatch { .. }
            | domain::store::StoreError::NotFound { .. }
            | domain::store::StoreError::AlreadyExists { .. } => ApiError::LostRace(format!(
                "the tours of the week of {first}, or this plan, changed while it was being \
                 activated (another activation won); reload and retry"
            )),
            other => other.into(),
        })?;
    tell_cleaners(&cx, &headers, &id, first, &new_tours).await;
    let saved = cx.repo::<Plan>().get(&id).await?;
    Ok(entity_response(StatusCode::OK, &saved.meta, &saved, None))
}

/// Each cleaner of the activated plan gets her new week, with a link to it.
async fn tell_cleaners(
    cx: &RequestContext,
    headers: &axum::http::HeaderMap,
    plan: &str,
    week_start: chrono::NaiveDate,
    tours: &[Tour],
) {
    let mut stops: std::collections::BTreeMap<&domain::UserId, u32> = Default::default();
    for tour in tours {
        let count: usize = tour.days.iter().map(|d| d.area_ids.len()).sum();
        *stops.entry(&tour.cleaner_id).or_default() += count as u32;
    }
    let link = format!("{}/today", platform::http::origin(headers));
    for (cleaner, stops) in stops {
        cx.notify(&domain::notifications::NotificationEvent {
            id: format!("plan:{plan}:{cleaner}"),
            to: vec![domain::notifications::Audience::User {
                user_id: cleaner.clone(),
            }],
            message: domain::notifications::Message::PlanActivated { week_start, stops },
            time_zone: None,
            link: Some(link.clone()),
            attachment: None,
            site_id: None,
            not_to: None,
        })
        .await;
    }
}

fn create(collection: &'static str, fields: serde_json::Map<String, Value>) -> Write {
    Write::Create {
        collection,
        id: platform::crud::new_id(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing the routes accept; the other queries are checked as the HTTP tests run.
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        let mut queries = resource::list_queries::<Cleaners>();
        queries.extend(resource::list_queries::<Absences>());
        queries.extend(resource::list_queries::<OneOffJobs>());
        queries.extend(resource::list_queries::<Plans>());
        queries.extend(resource::list_queries::<simulations::Simulations>());
        queries.extend(platform::simulation_runs::queries());
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 9).expect("a date");
        for site in [None, Some("s1")] {
            queries.push(platform::tours::one_off_jobs_query(day, day, site));
        }
        store::indexes::assert_served(queries);
    }
}
