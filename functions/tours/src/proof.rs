//! Proof of service: per site and month, the planned cleanings of each area (its calendars'
//! and its one-off jobs) against the visits recorded.

use axum::Json;
use domain::tours::AreaService;
use platform::RequestContext;
use platform::error::ApiResult;
use serde::Serialize;

/// A site's month of service: each area's planned cleanings against its visits.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProofOfService {
    site_id: String,
    site_name: String,
    /// `YYYY-MM`.
    month: String,
    time_zone: &'static str,
    /// Each area, by name.
    areas: Vec<AreaService>,
    totals: ServiceTotals,
}

/// The month's sums over the site's areas.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceTotals {
    planned: usize,
    done: usize,
    skipped: usize,
    not_accessible: usize,
    /// Done (at most as planned, per area) over planned, in percent; none when nothing was
    /// planned.
    fulfilment_percent: Option<f64>,
}

use crate::QueryParams;

/// `GET /v1/proof-of-service?siteId=&month=YYYY-MM`: for planners, and for a customer on its
/// own sites (read-only).
pub async fn proof_of_service(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Json<ProofOfService>> {
    let (site_id, month) = crate::inspections::site_and_month(&query)?;
    let site = crate::readable_site(&cx, &site_id, "read proof of service").await?;
    let served = platform::proof::site_month(cx.data(), &site, &month).await?;
    let rows: Vec<AreaService> = served.areas.into_iter().map(|a| a.service).collect();
    let total = |f: fn(&AreaService) -> usize| rows.iter().map(f).sum::<usize>();
    let (planned, done) = (total(|r| r.planned), total(|r| r.done.min(r.planned)));
    let totals = ServiceTotals {
        planned,
        done: total(|r| r.done),
        skipped: total(|r| r.skipped),
        not_accessible: total(|r| r.not_accessible),
        fulfilment_percent: (planned > 0)
            .then(|| domain::number::round2(done as f64 * 100.0 / planned as f64)),
    };
    Ok(Json(ProofOfService {
        site_id: site.meta.id,
        site_name: site.entity.name,
        month: month.to_string(),
        time_zone: served.time_zone,
        areas: rows,
        totals,
    }))
}
