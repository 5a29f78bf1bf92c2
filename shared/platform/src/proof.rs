//! A site's month of service: each area's planned cleanings (its calendars' and its one-off
//! jobs) against the visits recorded. Read the same way by the tours function (proof of
//! service for dispatchers and customers) and by the monthly billing run (what a contract's
//! per-visit lines and deductions count).

use std::collections::BTreeMap;

use domain::Entity;
use domain::sites::{Area, Site};
use domain::store::{Direction, Filter, FilterOp, Query};
use domain::tours::{AreaService, Month, Visit, VisitTally};

use crate::context::TenantData;
use crate::crud::Stored;
use crate::error::ApiResult;

/// One area of a site and its month.
pub struct AreaMonth {
    pub area: Stored<Area>,
    pub service: AreaService,
}

/// A site's month: the zone its days are counted in, and each area by name.
pub struct SiteMonth {
    pub time_zone: &'static str,
    pub areas: Vec<AreaMonth>,
}

/// One site's entities of a month, in date order: inspections by `date`, visits by
/// `localDate` (the local day they were checked in on).
pub fn site_month_query<E: Entity>(date_field: &str, site_id: &str, month: &Month) -> Query {
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

/// Folds a site's month of `E` into `acc`, a page at a time: a busy site's month is
/// thousands of documents, and only one page of them is held as JSON.
pub async fn fold_site_month<E: Entity, A>(
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

/// `site`'s service over `month` (any run of days: a contract may cover part of one).
pub async fn site_month(
    data: &TenantData,
    site: &Stored<Site>,
    month: &Month,
) -> ApiResult<SiteMonth> {
    let schedule = crate::schedule::load(data, site)
        .await?
        .covering(month.first, month.last)?;
    let mut areas = data
        .repo::<Area>()
        .all_where(vec![Filter::eq("siteId", site.meta.id.as_str())])
        .await?;
    areas.sort_by(|a, b| (&a.entity.name, &a.meta.id).cmp(&(&b.entity.name, &b.meta.id)));
    let by_area = fold_site_month::<Visit, _>(
        data,
        "localDate",
        &site.meta.id,
        month,
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
        crate::tours::one_off_jobs(data, month.first, month.last, Some(&site.meta.id)).await?;
    for job in &jobs {
        *one_off.entry(job.entity.area_id.to_string()).or_default() += 1;
    }
    let mut rows = Vec::with_capacity(areas.len());
    for area in areas {
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
        let service = AreaService::new(
            &area.meta.id,
            &area.entity.name,
            (planned, one_off.get(&area.meta.id).copied().unwrap_or(0)),
            visits,
        );
        rows.push(AreaMonth { area, service });
    }
    Ok(SiteMonth {
        time_zone: schedule.tz.name(),
        areas: rows,
    })
}
