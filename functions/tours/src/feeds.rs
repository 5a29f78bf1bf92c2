//! iCalendar feeds of tours that Google Calendar and Outlook subscribe to. Calendar apps send
//! no Authorization header, so the URL carries a token: the tenant and a feed token id, signed.
//! The signature proves the tenant; the stored feed token makes it revocable.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use domain::ical::{self, Event};
use domain::tours::{FeedToken, Tour};
use platform::TenantData;
use platform::crud::Stored;
use platform::error::ApiResult;
use platform::http::FilterParam;
use platform::resource::Resource;
use platform::{ApiError, AppState, Caller, RequestContext, Role};
use serde_json::Value;

use crate::AreaIndex;
use crate::sheet::tour_of_day;
use crate::timing::Timer;
use platform::schedule::Schedules;

/// Days of the past and of the future a feed shows.
const PAST_DAYS: i64 = 7;
const FUTURE_DAYS: i64 = 56;

pub struct FeedTokens;

impl Resource for FeedTokens {
    type Entity = FeedToken;
    const PATH: &'static str = "/v1/feed-tokens";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("ownerId")];
    const WRITERS: &'static [Role] = &Role::STAFF;

    /// A cleaner sees (and revokes) the feeds of her own schedule.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        crate::staff(caller, "read calendar feeds")?;
        Ok(match caller.role {
            Role::Cleaner => vec![("ownerId", Value::from(caller.user.as_str()))],
            _ => Vec::new(),
        })
    }

    /// A feed belongs to the cleaner it serves (the tour's, for a tour's feed), whoever made
    /// it: she may always see and revoke it. Its target never changes, so a token handed out
    /// keeps showing what it showed; a new target is a new token. A cleaner subscribes to her
    /// own schedule only.
    async fn prepare(
        mut feed: FeedToken,
        current: Option<&FeedToken>,
        cx: &RequestContext,
    ) -> ApiResult<FeedToken> {
        if let Some(current) = current {
            let repointed = [
                ("cleanerId", feed.cleaner_id != current.cleaner_id),
                ("tourId", feed.tour_id != current.tour_id),
            ];
            if let Some((field, _)) = repointed.iter().find(|(_, changed)| *changed) {
                return Err(ApiError::field(
                    *field,
                    "cannot be changed: a feed token keeps its target (create a new token, \
                     and revoke this one)",
                ));
            }
        }
        let owner = match (&feed.cleaner_id, &feed.tour_id) {
            (Some(cleaner), _) => cleaner.clone(),
            (None, Some(tour_id)) => {
                cx.repo::<Tour>()
                    .find(tour_id.as_str())
                    .await?
                    .ok_or_else(|| ApiError::field("tourId", "no tour has this id"))?
                    .entity
                    .cleaner_id
            }
            (None, None) => return Err(ApiError::field("cleanerId", "is required (or tourId)")),
        };
        if !cx.caller.is_planner() && owner != cx.caller.user {
            let field = if feed.cleaner_id.is_some() {
                "cleanerId"
            } else {
                "tourId"
            };
            return Err(ApiError::field(
                field,
                "a cleaner may subscribe to her own schedule only",
            ));
        }
        feed.owner_id = Some(owner);
        Ok(feed)
    }

    fn computed(schemas: &mut platform::api::Schemas) -> Option<platform::api::SchemaRef> {
        Some(platform::api::component::<FeedLink>(schemas))
    }

    /// Adds the token and the feed's URL (the signature makes both the same secret).
    async fn present(
        items: Vec<Stored<FeedToken>>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<platform::crud::Shown>> {
        let signer = cx.signer()?;
        items
            .iter()
            .map(|feed| {
                let token = platform::signing::feed_token(signer, &cx.caller.tenant, &feed.meta.id);
                let url = format!("/v1/feeds/{token}.ics");
                platform::crud::shown_with(feed, &FeedLink { url, token })
            })
            .collect()
    }
}

/// Where a feed is read: the token is its secret.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct FeedLink {
    /// The path to subscribe to, `/v1/feeds/{token}.ics`.
    url: String,
    token: String,
}

fn not_found() -> ApiError {
    ApiError::NotFound {
        kind: "feed",
        id: "(token)".into(),
    }
}

/// `GET /v1/feeds?token=`: the same feed, for clients that want the token in the query.
pub async fn feed_by_query(
    state: State<AppState>,
    axum::extract::Query(query): crate::QueryParams,
) -> ApiResult<Response> {
    let token = query
        .into_iter()
        .find(|(name, _)| name == "token")
        .map(|(_, token)| token)
        .ok_or_else(|| {
            ApiError::Unauthenticated("a feed needs its token: /v1/feeds/{token}.ics".into())
        })?;
    feed(state, Path(token)).await
}

/// `GET /v1/feeds/{token}.ics`: the feed as `text/calendar`. A forged, foreign or revoked
/// token is a 404, the same for each.
pub async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let (tenant, id) =
        platform::signing::verify_feed_token(state.signer()?, token).ok_or_else(not_found)?;
    tracing::Span::current().record("tenant", tenant.as_str());
    let data = &TenantData::of(&state, tenant);
    let feed = data
        .repo::<FeedToken>()
        .find(&id)
        .await?
        .ok_or_else(not_found)?;
    let tours = match (&feed.entity.cleaner_id, &feed.entity.tour_id) {
        (Some(cleaner), _) => {
            let today = data.now().date_naive();
            platform::tours::in_force(
                data,
                today - Duration::days(PAST_DAYS),
                today + Duration::days(FUTURE_DAYS),
                Some(cleaner.as_str()),
            )
            .await?
        }
        (None, Some(tour)) => data
            .repo::<Tour>()
            .find(tour.as_str())
            .await?
            .into_iter()
            .collect(),
        (None, None) => Vec::new(),
    };
    let now = data.now();
    let events = events(data, &tours, now).await?;
    let name = feed.entity.name.clone().unwrap_or_else(|| {
        match (&feed.entity.cleaner_id, tours.first()) {
            (Some(cleaner), _) => format!("cleanops: tours of {}", cleaner.as_str()),
            (None, Some(tour)) => format!("cleanops: {}", tour.entity.name),
            (None, None) => "cleanops".into(),
        }
    });
    let body = ical::calendar(&name, &events, now);
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(response)
}

/// One event per tour and day it runs, from a week ago to eight weeks ahead: from the start
/// time to the planned end of the last open stop, the stops in order in the description.
async fn events(
    data: &TenantData,
    tours: &[Stored<Tour>],
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Vec<Event>> {
    let index = AreaIndex::of_tours(data, tours.iter().map(|t| &t.entity)).await?;
    let no_visits = BTreeMap::new();
    let today = now.date_naive();
    let mut schedules = Schedules::covering(
        today - Duration::days(PAST_DAYS),
        today + Duration::days(FUTURE_DAYS),
    );
    let mut timer = Timer::new();
    let mut events = Vec::new();
    // A cleaner's days away are not in her calendar (a feed is usually one cleaner's: then
    // only hers are read).
    let cleaners: BTreeSet<&str> = tours.iter().map(|t| t.entity.cleaner_id.as_str()).collect();
    let only = (cleaners.len() == 1)
        .then(|| cleaners.iter().next().copied())
        .flatten();
    let away = platform::tours::absences(
        data,
        today - Duration::days(PAST_DAYS),
        today + Duration::days(FUTURE_DAYS),
        only,
    )
    .await?;
    for tour in tours {
        for offset in -PAST_DAYS..=FUTURE_DAYS {
            let date = today + Duration::days(offset);
            if away
                .iter()
                .any(|a| a.entity.cleaner_id == tour.entity.cleaner_id && a.entity.covers(date))
            {
                continue;
            }
            let day = tour_of_day(
                data,
                tour,
                date,
                None,
                &index,
                &no_visits,
                &crate::sheet::DemandOfDay::default(),
                &mut schedules,
                &mut timer,
            )
            .await?;
            let Some(day) = day else {
                continue;
            };
            let open: Vec<_> = day.stops.iter().filter(|s| s.closed.is_none()).collect();
            let (Some(first), Some(last)) = (open.first(), open.last()) else {
                continue;
            };
            let description: Vec<String> = day
                .stops
                .iter()
                .map(|s| match &s.closed {
                    Some(reason) => format!(
                        "{}. {} ({}): closed, {reason}",
                        s.position, s.area_name, s.site_name
                    ),
                    None => format!(
                        "{}. {} {} ({}, floor {}), {} min",
                        s.position,
                        s.planned_start.format("%H:%M"),
                        s.area_name,
                        s.site_name,
                        s.floor,
                        s.minutes
                    ),
                })
                .collect();
            let location = index.sites.get(&first.site_id).map(|site| {
                let a = &site.entity.address;
                format!(
                    "{}, {}, {} {}",
                    site.entity.name,
                    a.street,
                    a.postal_code.as_deref().unwrap_or(""),
                    a.city
                )
                .replace("  ", " ")
            });
            events.push(Event {
                uid: format!("{}-{date}@cleanops", tour.meta.id),
                start: first.planned_start.with_timezone(&chrono::Utc),
                end: last.planned_end.with_timezone(&chrono::Utc),
                summary: format!(
                    "{}: {} area{}",
                    tour.entity.name,
                    open.len(),
                    if open.len() == 1 { "" } else { "s" }
                ),
                description: description.join("\n"),
                location,
            });
        }
    }
    events.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    Ok(events)
}
