//! The `tours` function: the cleaning day as dispatchers, cleaners and customers see it.
//!
//! - `/v1/tours` (CRUD): a cleaner's ordered areas per weekday, with planned minutes per day
//!   against a cap; `/v1/tour-settings` says whether an overload is refused or flagged.
//! - `GET /v1/tour-sheets`: today's (or a date's) tour sheet of a cleaner; `GET
//!   /v1/uncovered-stops`: the stops of absent cleaners, per day.
//! - `GET /v1/check-in-codes/{areaId}` and `?siteId=`: the signed texts of areas' QR labels.
//! - `POST /v1/visits/check-in`, `POST /v1/visits/{id}/check-out`, `GET /v1/visits`.
//! - `/v1/inspections` (CRUD) and `GET /v1/inspections/summary`: scored quality checks.
//! - `GET /v1/proof-of-service`: planned against done cleanings per area and month.
//! - `/v1/feed-tokens`, and `GET /v1/feeds/{token}.ics` or `/v1/feeds?token=`: revocable
//!   iCalendar feeds.

mod feeds;
mod inspections;
pub mod late;
mod printed;
mod proof;
mod sheet;
mod timing;
mod tour;
mod visits;

use std::collections::{BTreeMap, BTreeSet};

use domain::Entity;
use domain::planning::OneOffJob;
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::tours::{Month, Tour, TourSettings, Visit};
use platform::TenantData;
use platform::api::{self, doc};
use platform::crud::Stored;
use platform::error::ApiResult;
use platform::resource;
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};

/// The function's routes; the runtime adds auth, `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    Routes::new()
        .merge(resource::routes::<tour::Tours>())
        .merge(platform::job::route::<late::LateCheck>())
        .route(
            "/v1/tour-settings",
            api::get(
                tour::read_settings,
                doc("Read the tour settings")
                    .about("Roles: admin, dispatcher. Version 0 until an admin saves them.")
                    .answers::<Stored<TourSettings>>(200, "The settings, with their ETag"),
            )
            .put(
                tour::replace_settings,
                doc("Replace the tour settings")
                    .about("Roles: admin. If-Match \"0\" before the first save.")
                    .body::<TourSettings>()
                    .if_match()
                    .answers::<Stored<TourSettings>>(200, "The settings, with their ETag"),
            ),
        )
        .route(
            "/v1/tour-sheets",
            api::get(
                sheet::tour_sheet,
                doc("A cleaner's tour sheet of a day")
                    .about(
                        "A cleaner reads her own; planners name the cleaner. Without a date, \
                         today where her tours are. format=pdf: the printable A4 sheet with \
                         each room's QR check-in code.",
                    )
                    .query("date", api::date(), "The day (default: today).")
                    .query(
                        "cleanerId",
                        api::string(),
                        "Whose sheet (planners: required).",
                    )
                    .query(
                        "format",
                        api::one_of(&["json", "pdf"]),
                        "json (default) or pdf.",
                    )
                    .ok::<sheet::TourSheet>()
                    .answers_media(200, "application/pdf", "The printable sheet (format=pdf)")
                    .errors(&[404]),
            ),
        )
        .route(
            "/v1/uncovered-stops",
            api::get(
                sheet::uncovered_stops,
                doc("The stops absent cleaners leave uncovered, per day")
                    .about(
                        "Roles: admin, dispatcher. At most 31 days; by default the coming 7. \
                         With the open demand cleanings of rooms no tour running today covers.",
                    )
                    .query("from", api::date(), "The first day (default: today).")
                    .query("to", api::date(), "The last day (default: from + 6 days).")
                    .ok::<sheet::UncoveredStops>(),
            ),
        )
        .route(
            "/v1/check-in-codes",
            api::get(
                visits::site_check_in_codes,
                doc("The QR label texts of every area of a site")
                    .about("Roles: admin, dispatcher.")
                    .query_required("siteId", api::string(), "The site.")
                    .ok::<visits::SiteCheckInLabels>()
                    .errors(&[404]),
            ),
        )
        .route(
            "/v1/check-in-codes/{area_id}",
            api::get(
                visits::check_in_code,
                doc("The QR label text of an area")
                    .about("Roles: admin, dispatcher.")
                    .ok::<visits::CheckInLabel>(),
            ),
        )
        .merge(resource::routes::<visits::Visits>())
        .route(
            "/v1/visits/check-in",
            api::post(
                visits::check_in,
                doc("Check in at an area by its QR code")
                    .about(
                        "Roles: admin, dispatcher, cleaner. A forged or foreign code is a 422 on \
                         code. Outside the window, on a closed day or off the tour is recorded \
                         with flags. A retry (with or without visitId) answers the open visit.",
                    )
                    .body::<visits::CheckInRequest>()
                    .answers::<Stored<Visit>>(201, "The new visit, with its ETag")
                    .answers::<Stored<Visit>>(200, "The visit already open (a retry)"),
            ),
        )
        .route(
            "/v1/visits/{id}/check-out",
            api::post(
                visits::check_out,
                doc("Check out of a visit: done, skipped or not accessible")
                    .about("A reason unless done; the visit records its duration.")
                    .body::<visits::CheckOutRequest>()
                    .if_match()
                    .answers::<Stored<Visit>>(200, "The closed visit, with its ETag")
                    .errors(&[409]),
            ),
        )
        .merge(resource::routes::<inspections::Inspections>())
        .route(
            "/v1/inspections/summary",
            api::get(
                inspections::summary,
                month_doc("A site's inspections and score of a month")
                    .ok::<domain::tours::InspectionSummary>(),
            ),
        )
        .route(
            "/v1/proof-of-service",
            api::get(
                proof::proof_of_service,
                month_doc("Proof of service: planned against done per area, for a month")
                    .ok::<proof::ProofOfService>(),
            ),
        )
        .merge(resource::routes::<feeds::FeedTokens>())
        .route(
            "/v1/feeds",
            api::get(
                feeds::feed_by_query,
                doc("A cleaner's iCalendar feed, its token in the query")
                    .public()
                    .errors(&[401, 404])
                    .query_required("token", api::string(), "The feed token.")
                    .answers_media(200, "text/calendar", "The feed"),
            ),
        )
        .route(
            "/v1/feeds/{token}",
            api::get(
                feeds::feed,
                doc("A cleaner's iCalendar feed (/v1/feeds/{token}.ics)")
                    .about("No login: the token is the secret. Revoked or forged: 404.")
                    .public()
                    .errors(&[404])
                    .answers_media(200, "text/calendar", "The feed"),
            ),
        )
}

/// A site-and-month report's documentation: planners, and a customer for its own sites.
fn month_doc(summary: &str) -> api::Doc {
    doc(summary)
        .about("Roles: admin, dispatcher, and a customer for its own sites.")
        .errors(&[404])
        .query_required("siteId", api::string(), "The site.")
        .query_required("month", api::month(), "The month, YYYY-MM.")
}

type QueryParams = axum::extract::Query<Vec<(String, String)>>;

/// Staff only: customers see proof of service and inspection summaries, nothing else here.
fn staff(caller: &Caller, action: &str) -> ApiResult<()> {
    caller.require(&Role::STAFF, action)
}

/// Tours' one-off jobs and areas by id with their area types and sites, read in batches;
/// missing ids are left out.
struct AreaIndex {
    areas: BTreeMap<String, Stored<Area>>,
    types: BTreeMap<String, Stored<AreaType>>,
    sites: BTreeMap<String, Stored<Site>>,
    jobs: BTreeMap<String, Stored<OneOffJob>>,
}

impl AreaIndex {
    /// What the days of `tours` name: their areas, and their one-off jobs with theirs.
    async fn of_tours<'a>(
        data: &TenantData,
        tours: impl IntoIterator<Item = &'a Tour>,
    ) -> ApiResult<Self> {
        let mut ids = BTreeSet::new();
        let mut job_ids = BTreeSet::new();
        for tour in tours {
            ids.extend(tour.area_ids());
            job_ids.extend(tour.one_off_job_ids());
        }
        let jobs = data.repo::<OneOffJob>().get_map(job_ids).await?;
        ids.extend(jobs.values().map(|j| j.entity.area_id.to_string()));
        let areas = data.repo::<Area>().get_map(ids).await?;
        let types = data
            .repo::<AreaType>()
            .get_map(areas.values().map(|a| a.entity.area_type_id.to_string()))
            .await?;
        let sites = data
            .repo::<Site>()
            .get_map(areas.values().map(|a| a.entity.site_id.to_string()))
            .await?;
        Ok(Self {
            areas,
            types,
            sites,
            jobs,
        })
    }

    fn workload(&self, area_id: &str) -> Option<AreaWorkload> {
        let area = self.areas.get(area_id)?;
        let area_type = self.types.get(area.entity.area_type_id.as_str())?;
        Some(AreaWorkload::of(&area.entity, &area_type.entity))
    }

    /// Minutes per cleaning of every known area.
    fn minutes_per_cleaning(&self) -> BTreeMap<String, f64> {
        self.areas
            .keys()
            .filter_map(|id| Some((id.clone(), self.workload(id)?.minutes_per_cleaning)))
            .collect()
    }

    fn site_of(&self, area_id: &str) -> Option<&Stored<Site>> {
        let area = self.areas.get(area_id)?;
        self.sites.get(area.entity.site_id.as_str())
    }
}

async fn read_site_month<E: Entity>(
    data: &TenantData,
    date_field: &str,
    site_id: &str,
    month: &Month,
) -> ApiResult<Vec<Stored<E>>> {
    platform::proof::fold_site_month(data, date_field, site_id, month, Vec::new(), Vec::push).await
}

/// The site a month report is about: planners see every site, a customer only its own (any
/// other is "not found"), cleaners none.
async fn readable_site(
    cx: &RequestContext,
    site_id: &str,
    action: &str,
) -> ApiResult<Stored<Site>> {
    cx.caller
        .require(&[Role::Admin, Role::Dispatcher, Role::Customer], action)?;
    let site = cx.repo::<Site>().get(site_id).await?;
    if !cx.caller.sees_customer(site.entity.customer_id.as_deref()) {
        return Err(ApiError::NotFound {
            kind: "site",
            id: site_id.to_owned(),
        });
    }
    Ok(site)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing the routes accept; the other queries are checked as the HTTP tests run.
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        let mut queries = resource::list_queries::<tour::Tours>();
        queries.extend(resource::list_queries::<visits::Visits>());
        queries.extend(resource::list_queries::<inspections::Inspections>());
        queries.extend(resource::list_queries::<feeds::FeedTokens>());
        queries.push(sheet::open_demand_query());
        store::indexes::assert_served(queries);
    }
}
