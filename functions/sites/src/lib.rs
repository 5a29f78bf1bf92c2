//! The `sites` function: sites, area types and areas, and their work-loading.
//!
//! Routes: `/v1/sites`, `/v1/area-types`, `/v1/areas` (create, get, list, replace, patch,
//! delete), `POST /v1/areas/import` (a site's rooms from a spreadsheet's CSV, all or nothing)
//! and `GET /v1/sites/{id}/workload`. Admins and dispatchers write; every role reads.

mod import;

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::{Json, response::IntoResponse};
use domain::Entity;
use domain::sites::{Area, AreaType, AreaWorkload, Site, SiteWorkload, WorkloadReport};
use domain::store::{Filter, Query, Write};
use platform::api::{self, doc};
use platform::crud::{Shown, Stored, shown_with, still_at};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext};
use serde_json::Value;

/// The function's routes; the runtime adds auth, `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    Routes::new()
        .merge(resource::routes::<Sites>())
        .merge(resource::routes::<AreaTypes>())
        .merge(resource::routes::<Areas>())
        .route(
            "/v1/areas/import",
            api::post(
                import::import_areas,
                doc("Import a site's rooms from a spreadsheet")
                    .about(
                        "Roles: admin, dispatcher. All rooms or none: every bad field is named \
                         as rows[i].field with its line. dryRun answers the preview only.",
                    )
                    .body::<import::AreaImportRequest>()
                    .answers::<import::AreaImport>(201, "The rooms written, with their ids")
                    .answers::<import::AreaImport>(200, "The preview (dryRun), nothing written")
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/sites/{id}/workload",
            api::get(
                site_workload,
                doc("A site's weekly workload, by area type").ok::<SiteWorkload>(),
            ),
        )
        .route(
            "/v1/workload-reports",
            api::get(
                list_reports,
                doc("List the daily workload reports, newest first")
                    .about("Roles: admin, dispatcher.")
                    .page::<Stored<WorkloadReport>>(),
            ),
        )
        .route(
            "/v1/workload-reports/{date}",
            api::get(
                read_report,
                doc("Read the workload report of a date (YYYY-MM-DD)")
                    .about("Roles: admin, dispatcher.")
                    .ok::<Stored<WorkloadReport>>(),
            ),
        )
}

/// Where the `workload-report` worker keeps its dated reports.
const REPORTS: &str = "workloadReports";
/// Reports are listed newest first.
const REPORT_ORDER: Order = Order::desc("id");

/// Reports are for those who plan.
fn require_planner(caller: &Caller, what: &str) -> ApiResult<()> {
    caller.require(&platform::Role::PLANNERS, &format!("read {what}"))
}

type QueryParams = axum::extract::Query<Vec<(String, String)>>;

/// `GET /v1/workload-reports`: the newest first, `limit` and `pageToken` as in every listing.
async fn list_reports(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<axum::response::Response> {
    require_planner(&cx.caller, "workload reports")?;
    platform::crud::document_listing(cx.store(), REPORTS, &query, &[], REPORT_ORDER).await
}

/// `GET /v1/workload-reports/{date}` (`YYYY-MM-DD`).
async fn read_report(
    cx: RequestContext,
    Path(date): Path<String>,
) -> ApiResult<axum::response::Response> {
    require_planner(&cx.caller, "workload reports")?;
    let not_found = || ApiError::NotFound {
        kind: "workload report",
        id: date.clone(),
    };
    if domain::id::parse_id(&date).is_err() {
        return Err(not_found());
    }
    let doc = cx
        .store()
        .get(REPORTS, &date)
        .await?
        .ok_or_else(not_found)?;
    let meta = doc.meta.clone();
    Ok(platform::crud::entity_response(
        axum::http::StatusCode::OK,
        &meta,
        &platform::crud::document_json(doc),
        None,
    ))
}

struct Sites;
struct AreaTypes;
struct Areas;

/// The area types the areas refer to, by id, read in one batch.
async fn area_types_of<'a>(
    areas: impl Iterator<Item = &'a Area>,
    cx: &RequestContext,
) -> ApiResult<BTreeMap<String, AreaType>> {
    let types = cx
        .repo::<AreaType>()
        .get_map(areas.map(|a| a.area_type_id.to_string()))
        .await?;
    Ok(types.into_iter().map(|(id, t)| (id, t.entity)).collect())
}

/// True if at least one area matches `filter` (used to refuse orphaning deletes).
async fn any_area(cx: &RequestContext, filter: Filter) -> ApiResult<bool> {
    let query = Query::new(Area::COLLECTION).filter(filter).limit(1);
    Ok(!cx.store().query(&query).await?.documents.is_empty())
}

impl Resource for Sites {
    type Entity = Site;
    const PATH: &'static str = "/v1/sites";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("customerId")];

    /// A customer sees its own sites only.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        Ok(caller.customer_scope())
    }

    /// Its customer, if it names one, exists (and stays while the site is written).
    async fn references(site: &Site, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let Some(customer_id) = &site.customer_id else {
            return Ok(Vec::new());
        };
        match cx
            .repo::<domain::billing::Customer>()
            .find(customer_id)
            .await?
        {
            Some(customer) => Ok(vec![still_at(&customer)]),
            None => Err(ApiError::field(
                "customerId",
                "no customer has this id (create it at /v1/customers first)",
            )),
        }
    }

    /// Calendar days its access hours shut out, windows outside them: in the coming week.
    async fn contradictions(
        site: &Stored<Site>,
        cx: &RequestContext,
    ) -> ApiResult<Vec<domain::preflight::Contradiction>> {
        use domain::preflight::ContradictionCode::*;
        let today = cx.now().date_naive();
        let codes = [SiteClosedOnCalendarDay, WindowOutsideAccessHours];
        platform::planning::written_contradictions(cx.data(), &site.meta.id, today, &codes).await
    }

    async fn before_delete(id: &str, cx: &RequestContext) -> ApiResult<()> {
        if any_area(cx, Filter::eq("siteId", id)).await? {
            return Err(ApiError::Conflict(format!(
                "site {id} still has areas; delete or move them first"
            )));
        }
        Ok(())
    }
}

impl Resource for AreaTypes {
    type Entity = AreaType;
    const PATH: &'static str = "/v1/area-types";
    const FILTERS: &'static [FilterParam] = &[FilterParam::text("priority")];

    /// Performance rates are how the company prices its work: staff only, as areas are.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&platform::Role::STAFF, "read area types")?;
        Ok(Vec::new())
    }

    async fn before_delete(id: &str, cx: &RequestContext) -> ApiResult<()> {
        if any_area(cx, Filter::eq("areaTypeId", id)).await? {
            return Err(ApiError::Conflict(format!(
                "area type {id} is used by areas; change them first"
            )));
        }
        Ok(())
    }
}

impl Resource for Areas {
    type Entity = Area;
    const PATH: &'static str = "/v1/areas";
    const FILTERS: &'static [FilterParam] = &[
        FilterParam::id("siteId"),
        FilterParam::id("areaTypeId"),
        FilterParam::integer("floor"),
    ];

    /// Areas carry no customer, so customers read them through their sites' reports (proof of
    /// service), not here.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&platform::Role::STAFF, "read areas")?;
        Ok(Vec::new())
    }

    /// The site and area type must exist (in the caller's tenant) and stay while we write.
    async fn references(area: &Area, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let site = cx.repo::<Site>().find(area.site_id.as_str()).await?;
        let area_type = cx
            .repo::<AreaType>()
            .find(area.area_type_id.as_str())
            .await?;
        let mut errors = Vec::new();
        if site.is_none() {
            errors.push(domain::FieldError {
                field: "siteId".into(),
                message: "no site has this id".into(),
            });
        }
        if area_type.is_none() {
            errors.push(domain::FieldError {
                field: "areaTypeId".into(),
                message: "no area type has this id".into(),
            });
        }
        let pinned = match area.pin.as_ref().and_then(|p| p.cleaner_id.as_ref()) {
            Some(cleaner) => {
                let found = cx
                    .repo::<domain::planning::Cleaner>()
                    .find(cleaner.as_str())
                    .await?;
                if found.is_none() {
                    errors.push(domain::FieldError {
                        field: "pin.cleanerId".into(),
                        message: format!("no cleaner has the user id {}", cleaner.as_str()),
                    });
                }
                found
            }
            None => None,
        };
        match (site, area_type) {
            (Some(site), Some(area_type)) if errors.is_empty() => {
                let mut guards = vec![still_at(&site), still_at(&area_type)];
                guards.extend(pinned.as_ref().map(still_at));
                Ok(guards)
            }
            _ => Err(ApiError::Validation(domain::ValidationErrors(errors))),
        }
    }

    fn computed(schemas: &mut platform::api::Schemas) -> Option<platform::api::SchemaRef> {
        Some(platform::api::component::<AreaWorkload>(schemas))
    }

    /// Adds the computed work-loading to each area.
    async fn present(items: Vec<Stored<Area>>, cx: &RequestContext) -> ApiResult<Vec<Shown>> {
        let types = area_types_of(items.iter().map(|a| &a.entity), cx).await?;
        items
            .iter()
            .map(|area| {
                let load = types
                    .get(area.entity.area_type_id.as_str())
                    .map(|area_type| AreaWorkload::of(&area.entity, area_type).rounded());
                shown_with(area, &load)
            })
            .collect()
    }
}

/// `GET /v1/sites/{id}/workload`: the site's weekly minutes, by area type and in total.
async fn site_workload(cx: RequestContext, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    let site = cx.repo::<Site>().get(&id).await?;
    if !cx.caller.sees_customer(site.entity.customer_id.as_deref()) {
        return Err(ApiError::NotFound {
            kind: "site",
            id: id.clone(),
        });
    }
    let areas: Vec<Area> = cx
        .repo::<Area>()
        .all_where(vec![Filter::eq("siteId", site.meta.id.as_str())])
        .await?
        .into_iter()
        .map(|a| a.entity)
        .collect();
    let types = area_types_of(areas.iter(), &cx).await?;
    let workload =
        SiteWorkload::compute(&site.meta.id, &areas, &types).map_err(ApiError::internal)?;
    Ok(Json(workload))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing the routes accept, each filter subset and order, first pages and later
    /// ones; the function's other queries are checked as the HTTP tests run them.
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        let mut queries = resource::list_queries::<Sites>();
        queries.extend(resource::list_queries::<AreaTypes>());
        queries.extend(resource::list_queries::<Areas>());
        queries.extend(platform::crud::listing_queries(
            REPORTS,
            &[],
            &[REPORT_ORDER],
        ));
        store::indexes::assert_served(queries);
    }
}
