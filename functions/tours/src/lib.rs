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
mod printed;
mod proof;
mod sheet;
mod timing;
mod tour;
mod visits;

use std::collections::{BTreeMap, BTreeSet};

use axum::routing::{get, post};
use domain::Entity;
use domain::planning::OneOffJob;
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::store::{Direction, Filter, FilterOp, Query};
use domain::tours::{Month, Tour};
use platform::TenantData;
use platform::crud::Stored;
use platform::error::ApiResult;
use platform::resource;
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};

/// The function's routes; the runtime adds auth, `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    Routes::new()
        .merge(resource::routes::<tour::Tours>())
        .route(
            "/v1/tour-settings",
            get(tour::read_settings).put(tour::replace_settings),
        )
        .route("/v1/tour-sheets", get(sheet::tour_sheet))
        .route("/v1/uncovered-stops", get(sheet::uncovered_stops))
        .route("/v1/check-in-codes", get(visits::site_check_in_codes))
        .route("/v1/check-in-codes/{area_id}", get(visits::check_in_code))
        .merge(resource::routes::<visits::Visits>())
        .route("/v1/visits/check-in", post(visits::check_in))
        .route("/v1/visits/{id}/check-out", post(visits::check_out))
        .merge(resource::routes::<inspections::Inspections>())
        .route("/v1/inspections/summary", get(inspections::summary))
        .route("/v1/proof-of-service", get(proof::proof_of_service))
        .merge(resource::routes::<feeds::FeedTokens>())
        .route("/v1/feeds", get(feeds::feed_by_query))
        .route("/v1/feeds/{token}", get(feeds::feed))
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

/// One site's entities of a month, in date order: inspections by `date`, visits by
/// `localDate` (the local day they were checked in on).
fn site_month_query<E: Entity>(date_field: &str, site_id: &str, month: &Month) -> Query {
    Query::new(E::COLLECTION)
        .filter(Filter::eq("siteId", site_id))
        .filter(Filter::new(
            date_field,
            FilterOp::Ge,
            month.first.to_string(),
        ))
        .filter(Filter::new(
            date_field,
            FilterOp::Le,
            month.last.to_string(),
        ))
        .order_by(date_field, Direction::Asc)
}

async fn read_site_month<E: Entity>(
    data: &TenantData,
    date_field: &str,
    site_id: &str,
    month: &Month,
) -> ApiResult<Vec<Stored<E>>> {
    fold_site_month(data, date_field, site_id, month, Vec::new(), Vec::push).await
}

/// Folds a site's month of `E` into `acc`, a page at a time: a busy site's month is
/// thousands of documents, and only one page of them is held as JSON.
async fn fold_site_month<E: Entity, A>(
    data: &TenantData,
    date_field: &str,
    site_id: &str,
    month: &Month,
    acc: A,
    mut add: impl FnMut(&mut A, Stored<E>),
) -> ApiResult<A> {
    let query = site_month_query::<E>(date_field, site_id, month);
    data.store()
        .fold_pages(query, acc, |mut acc, page| {
            for doc in page {
                add(&mut acc, Stored::from_document(doc)?);
            }
            Ok(acc)
        })
        .await
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
        store::indexes::assert_served(queries);
    }
}
