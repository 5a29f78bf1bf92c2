//! Proof of service: per site and month, the planned cleanings of each area (its calendars'
//! and its one-off jobs) against the visits recorded.

use std::collections::BTreeMap;

use axum::Json;
use domain::sites::Area;
use domain::store::Filter;
use domain::tours::{AreaService, Visit, VisitTally};
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
    let data = cx.data();
    let site = crate::readable_site(&cx, &site_id, "read proof of service").await?;
    let schedule = platform::schedule::load(data, &site)
        .await?
        .covering(month.first, month.last)?;
    let mut areas = data
        .repo::<Area>()
        .all_where(vec![Filter::eq("siteId", site.meta.id.as_str())])
        .await?;
    areas.sort_by(|a, b| (&a.entity.name, &a.meta.id).cmp(&(&b.entity.name, &b.meta.id)));
    let by_area = crate::fold_site_month::<Visit, _>(
        data,
        "localDate",
        &site.meta.id,
        &month,
        BTreeMap::<String, VisitTally>::new(),
        |by_area, visit| {
            by_area
                .entry(visit.entity.area_id.as_str().to_owned())
                .or_default()
                .add(&visit.entity)
        },
    )
    .await?;
    let mut one_off: BTreeMap<String, usize> = BTreeMap::new();
    let jobs =
        platform::tours::one_off_jobs(data, month.first, month.last, Some(&site.meta.id)).await?;
    for job in &jobs {
        *one_off.entry(job.entity.area_id.to_string()).or_default() += 1;
    }
    let mut rows = Vec::new();
    for area in &areas {
        let planned = schedule
            .planned_dates(
                &area.meta.id,
                area.entity.area_type_id.as_str(),
                month.first,
                month.last,
            )?
            .len();
        let visits = by_area
            .get(area.meta.id.as_str())
            .copied()
            .unwrap_or_default();
        rows.push(AreaService::new(
            &area.meta.id,
            &area.entity.name,
            (planned, one_off.get(&area.meta.id).copied().unwrap_or(0)),
            visits,
        ));
    }
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
        time_zone: schedule.tz.name(),
        areas: rows,
        totals,
    }))
}
