//! Check-in codes, check-in and check-out: the proof that an area was cleaned.
//!
//! An area's printed QR code holds `CO1.{areaId}.{signature}`, the signature an HMAC over the
//! tenant and the area, so a code cannot be guessed, and a code of one tenant checks in
//! nowhere else.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Entity;
use domain::notifications::{Audience, Message, NotificationEvent};
use domain::sites::{Area, Site};
use domain::store::{Filter, FilterOp, Query, Write};
use domain::time::LocalTime;
use domain::tours::{
    CheckIn, CheckOut, Tour, Visit, VisitId, VisitStatus, check_client_time, check_in_flags,
};
use platform::crud::{Stored, entity_response};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody, Order};
use platform::resource::Resource;
use platform::{ApiError, Caller, RequestContext, Role};
use serde::Serialize;
use serde_json::{Map, Value};

/// What an area's QR label holds.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckInLabel {
    area_id: String,
    area_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    floor: Option<i64>,
    /// The text to encode as the QR code: `CO1.{areaId}.{signature}`.
    code: String,
}

/// The labels of every area of a site.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteCheckInLabels {
    site_id: String,
    site_name: String,
    /// By floor, then name.
    items: Vec<CheckInLabel>,
}

/// The body of `POST /v1/visits/check-in` (parsed by [`CheckIn::parse`]).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CheckInRequest {
    /// The text of the area's QR label.
    code: String,
    /// When it happened, if the phone was offline (up to 7 days back); else now.
    at: Option<chrono::DateTime<chrono::Utc>>,
    /// The tour she follows: a check-in off it is flagged.
    tour_id: Option<String>,
    /// A UUID the device chose, so a resent check-in records one visit.
    visit_id: Option<String>,
}

/// The body of `POST /v1/visits/{id}/check-out` (parsed by [`CheckOut::parse`]).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CheckOutRequest {
    #[schema(value_type = String, pattern = "^(done|skipped|not-accessible)$")]
    status: VisitStatus,
    /// Why, unless done.
    reason: Option<String>,
    /// When it happened, if the phone was offline; else now.
    at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `GET /v1/check-in-codes/{areaId}`: what to print on the area's QR label.
pub async fn check_in_code(
    cx: RequestContext,
    Path(area_id): Path<String>,
) -> ApiResult<Json<CheckInLabel>> {
    cx.caller.require(&Role::PLANNERS, "print check-in codes")?;
    let area = cx.repo::<Area>().get(&area_id).await?;
    let code = platform::signing::check_in_code(cx.signer()?, &cx.caller.tenant, &area.meta.id);
    Ok(Json(CheckInLabel {
        area_id: area.meta.id,
        area_name: area.entity.name,
        site_id: Some(area.entity.site_id.into_string()),
        floor: None,
        code,
    }))
}

/// `GET /v1/check-in-codes?siteId=`: the labels of every area of a site, to print at once.
pub async fn site_check_in_codes(
    cx: RequestContext,
    axum::extract::Query(query): crate::QueryParams,
) -> ApiResult<Json<SiteCheckInLabels>> {
    cx.caller.require(&Role::PLANNERS, "print check-in codes")?;
    let query = platform::http::query_object(&query)?;
    let mut f = domain::Fields::new(&query, &[])?;
    let site_id = f.required_parsed("siteId", |raw| domain::id::parse_id(raw).map(str::to_owned));
    let site_id = f.finish(|| site_id)?;
    let site = cx.repo::<Site>().get(&site_id).await?;
    let mut areas = cx
        .repo::<Area>()
        .all_where(vec![Filter::eq("siteId", site.meta.id.as_str())])
        .await?;
    areas.sort_by(|a, b| {
        (a.entity.floor, &a.entity.name, &a.meta.id).cmp(&(
            b.entity.floor,
            &b.entity.name,
            &b.meta.id,
        ))
    });
    let signer = cx.signer()?;
    let items = areas
        .iter()
        .map(|area| CheckInLabel {
            area_id: area.meta.id.clone(),
            area_name: area.entity.name.clone(),
            site_id: None,
            floor: Some(area.entity.floor),
            code: platform::signing::check_in_code(signer, &cx.caller.tenant, &area.meta.id),
        })
        .collect();
    Ok(Json(SiteCheckInLabels {
        site_id: site.meta.id,
        site_name: site.entity.name,
        items,
    }))
}

/// The collection of open-visit keys: one document per cleaner and area while a visit is
/// open, created in the check-in's commit and deleted in the check-out's, so a second open
/// visit fails in the store's commit however many check-ins race.
const OPEN_VISITS: &str = "openVisits";

/// The key of a cleaner's open visit at an area.
fn open_visit_key(cleaner: &str, area: &str) -> String {
    platform::crud::key_id(&[cleaner, area])
}

/// The visit a cleaner has open at an area, if any.
async fn open_visit(cx: &RequestContext, area: &str) -> ApiResult<Option<Stored<Visit>>> {
    let key = open_visit_key(cx.caller.user.as_str(), area);
    let Some(doc) = cx.store().get(OPEN_VISITS, &key).await? else {
        return Ok(None);
    };
    let id = doc
        .fields
        .get("visitId")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::internal(format!("{OPEN_VISITS}/{key} names no visit")))?;
    cx.repo::<Visit>().find(id).await
}

/// A cleaner's visits of one local day.
pub fn day_query(cleaner: &str, date: &str) -> Query {
    Query::new(Visit::COLLECTION)
        .filter(Filter::eq("cleanerId", cleaner))
        .filter(Filter::new("localDate", FilterOp::Eq, date))
}

/// The dispatchers and the site's customer hear of a skipped or inaccessible room.
async fn tell_skipped(cx: &RequestContext, visit: &Stored<Visit>) {
    let v = &visit.entity;
    let site = cx
        .repo::<domain::sites::Site>()
        .find(v.site_id.as_str())
        .await;
    let area = cx
        .repo::<domain::sites::Area>()
        .find(v.area_id.as_str())
        .await;
    let cleaner = cx
        .repo::<domain::planning::Cleaner>()
        .find(v.cleaner_id.as_str())
        .await;
    let (Ok(Some(site)), Ok(Some(area))) = (site, area) else {
        tracing::warn!(visit = %visit.meta.id, "skipped visit not told: its site or area is gone");
        return;
    };
    let to = Audience::site(site.entity.customer_id.as_deref());
    cx.notify(&NotificationEvent {
        id: format!("visit:{}", visit.meta.id),
        to,
        message: Message::VisitSkipped {
            cleaner_name: cleaner
                .ok()
                .flatten()
                .map_or_else(|| v.cleaner_id.to_string(), |c| c.entity.name),
            site_name: site.entity.name.clone(),
            area_name: area.entity.name,
            status: v.status.as_str().to_owned(),
            reason: v.reason.clone(),
            at: v.checked_out_at.unwrap_or(v.checked_in_at),
        },
        time_zone: Some(site.entity.time_zone),
        link: None,
        attachment: None,
        site_id: Some(site.meta.id),
        not_to: None,
    })
    .await;
}

fn visit_response(status: StatusCode, visit: &Stored<Visit>) -> Response {
    entity_response(
        status,
        &visit.meta,
        visit,
        (status == StatusCode::CREATED).then(|| format!("/v1/visits/{}", visit.meta.id)),
    )
}

/// `POST /v1/visits/check-in` `{code, at?, tourId?, visitId?}`: records that the caller
/// arrived at the code's area. A forged or foreign code is refused (422 on `code`); a
/// check-in outside the area's window, on a closed day or off the tour is recorded with a
/// flag saying so. Retrying returns the visit already open (200), never a second one.
pub async fn check_in(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    cx.caller.require(&Role::STAFF, "check in")?;
    let request = CheckIn::parse(&body)?;
    let now = cx.now();
    let at = request.at.unwrap_or(now);
    check_client_time(at, now).map_err(|message| ApiError::field("at", message))?;
    let area_id =
        platform::signing::verify_check_in_code(cx.signer()?, &cx.caller.tenant, &request.code)
            .ok_or_else(|| {
                ApiError::field(
                    "code",
                    "is not a check-in code of this tenant (forged, damaged or another tenant's)",
                )
            })?;
    let repo = cx.repo::<Visit>();
    // A tour named must be the caller's, whatever else the request finds.
    let tour = match &request.tour_id {
        Some(tour_id) => Some(
            cx.repo::<Tour>()
                .find(tour_id.as_str())
                .await?
                .filter(|t| t.entity.cleaner_id == cx.caller.user || cx.caller.is_planner())
                .ok_or_else(|| ApiError::field("tourId", "no tour of yours has this id"))?,
        ),
        None => None,
    };
    // Retries answer before any work; the commit below is what makes them safe.
    if let Some(id) = &request.visit_id
        && let Some(existing) = repo.find(id.as_str()).await?
    {
        return same_check_in(&existing, &cx.caller, &area_id);
    }
    if let Some(open) = open_visit(&cx, &area_id).await? {
        return Ok(visit_response(StatusCode::OK, &open));
    }
    let area = cx
        .repo::<Area>()
        .find(&area_id)
        .await?
        .ok_or_else(|| ApiError::field("code", "names an area that no longer exists"))?;
    let site = cx.repo::<Site>().get(area.entity.site_id.as_str()).await?;
    let schedule = platform::schedule::load(cx.data(), &site).await?;
    let local = at.with_timezone(&schedule.tz);
    let date = local.date_naive();
    let time: LocalTime = local
        .format("%H:%M")
        .to_string()
        .parse()
        .map_err(ApiError::internal)?;
    let jobs = platform::tours::one_off_jobs(cx.data(), date, date, Some(&site.meta.id)).await?;
    let jobs: Vec<_> = jobs
        .iter()
        .map(|j| (j.meta.id.as_str(), &j.entity))
        .collect();
    let flags = check_in_flags(
        &schedule,
        &area_id,
        area.entity.area_type_id.as_str(),
        date,
        time,
        tour.as_ref().map(|t| &t.entity),
        &jobs,
    )?;
    let visit = Visit {
        area_id: domain::sites::AreaId::parse(&area.meta.id).map_err(ApiError::internal)?,
        site_id: area.entity.site_id.clone(),
        cleaner_id: cx.caller.user.clone(),
        tour_id: request.tour_id,
        checked_in_at: at,
        local_date: date,
        checked_out_at: None,
        duration_minutes: None,
        status: VisitStatus::InProgress,
        reason: None,
        flags,
    };
    let id = request
        .visit_id
        .map_or_else(platform::crud::new_id, VisitId::into_string);
    let key = Write::Create {
        collection: OPEN_VISITS,
        id: open_visit_key(cx.caller.user.as_str(), &area_id),
        fields: Map::from_iter([("visitId".to_owned(), Value::from(id.as_str()))]),
    };
    match repo.create_with_id(&id, visit, vec![key]).await {
        Ok(created) => Ok(visit_response(StatusCode::CREATED, &created)),
        // A parallel check-in won: answer with its visit, open or named by this visitId.
        Err(ApiError::Conflict(_)) => match open_visit(&cx, &area_id).await? {
            Some(open) => Ok(visit_response(StatusCode::OK, &open)),
            None => match repo.find(&id).await? {
                Some(existing) => same_check_in(&existing, &cx.caller, &area_id),
                None => Err(ApiError::Conflict(
                    "the visit was checked out while this check-in was recorded; retry".into(),
                )),
            },
        },
        Err(other) => Err(other),
    }
}

/// A check-in retried with a visit id already used: the same visit (200) if it is this
/// cleaner's at this area. Any other visit's id is refused like a malformed one (422 on
/// `visitId`), so the answer says nothing of whose visit it is.
fn same_check_in(existing: &Stored<Visit>, caller: &Caller, area_id: &str) -> ApiResult<Response> {
    if existing.entity.cleaner_id == caller.user && existing.entity.area_id.as_str() == area_id {
        Ok(visit_response(StatusCode::OK, existing))
    } else {
        Err(ApiError::field(
            "visitId",
            "must be a new id for this check-in (a UUID the device chose), or the id of this \
             check-in's own visit",
        ))
    }
}

/// `POST /v1/visits/{id}/check-out` `{status, reason?, at?}` with `If-Match`: closes the
/// visit as done, skipped or not accessible, with its duration.
pub async fn check_out(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    cx.caller.require(&Role::STAFF, "check out")?;
    let request = CheckOut::parse(&body)?;
    let repo = cx.repo::<Visit>();
    let current = repo
        .find(&id)
        .await?
        .filter(|v| v.entity.cleaner_id == cx.caller.user || cx.caller.is_planner())
        .ok_or_else(|| ApiError::NotFound {
            kind: Visit::KIND,
            id: id.clone(),
        })?;
    current.expect_version(version)?;
    if current.entity.status != VisitStatus::InProgress {
        return Err(ApiError::Conflict(format!(
            "the visit is already checked out as {}",
            current.entity.status.as_str()
        )));
    }
    let now = cx.now();
    let at = request.at.unwrap_or(now);
    check_client_time(at, now).map_err(|message| ApiError::field("at", message))?;
    if at < current.entity.checked_in_at {
        return Err(ApiError::field("at", "must not be before the check-in"));
    }
    let mut visit = current.entity;
    visit.duration_minutes = Some(domain::number::round2(
        (at - visit.checked_in_at).num_seconds() as f64 / 60.0,
    ));
    visit.checked_out_at = Some(at);
    visit.status = request.status;
    visit.reason = request.reason;
    // The area is free for the cleaner's next check-in from this commit on.
    let key = Write::Delete {
        collection: OPEN_VISITS,
        id: open_visit_key(visit.cleaner_id.as_str(), visit.area_id.as_str()),
        expected_version: None,
    };
    let saved = repo.replace(&id, version, visit, vec![key]).await?;
    if matches!(
        saved.entity.status,
        VisitStatus::Skipped | VisitStatus::NotAccessible
    ) {
        tell_skipped(&cx, &saved).await;
    }
    if saved.entity.status == VisitStatus::Done {
        // Sensors count the area's use from this cleaning on; the visit stands either way.
        if let Err(e) = platform::demand::cleaned(cx.data(), &saved.meta.id, &saved.entity).await {
            tracing::error!(visit = %saved.meta.id, "the area's demand was not reset: {e}");
        }
    }
    Ok(visit_response(StatusCode::OK, &saved))
}

/// Visits are read through the generic routes; nobody writes them whole.
pub struct Visits;

impl Resource for Visits {
    type Entity = Visit;
    const PATH: &'static str = "/v1/visits";
    const FILTERS: &'static [FilterParam] = &[
        FilterParam::id("cleanerId"),
        FilterParam::id("siteId"),
        FilterParam::text("localDate"),
    ];
    const ORDERS: &'static [Order] = &[
        Order::asc("id"),
        Order::desc("id"),
        Order::desc("checkedInAt"),
    ];
    const WRITERS: &'static [Role] = &[];

    /// A cleaner sees her own visits; customers see proof of service instead.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        crate::staff(caller, "read visits")?;
        Ok(match caller.role {
            Role::Cleaner => vec![("cleanerId", Value::from(caller.user.as_str()))],
            _ => Vec::new(),
        })
    }
}
