//! A site's month of service: each area's planned cleanings (its calendars' and its one-off
//! jobs) against the visits recorded. Read the same way by the tours function (proof of
//! service for dispatchers and customers) and by the monthly billing run (what a contract's
//! per-visit lines and deductions count).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use domain::sensors::DemandCleaning;
use domain::sensors::demand::AreaDemand;

use domain::Entity;
use domain::sites::{Area, AreaType, Site};
use domain::store::{Direction, Filter, FilterOp, Query};
use domain::tours::{AreaService, Month, Visit, VisitTally};

use crate::context::TenantData;
use crate::crud::Stored;
use crate::demand::AreaRule;
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
    let demand = DemandMonth::load(data, site, &areas, month).await?;
    let today = data.now().with_timezone(&schedule.tz).date_naive();
    let mut rows = Vec::with_capacity(areas.len());
    for area in areas {
        let scheduled = schedule.planned_dates(
            &area.meta.id,
            area.entity.area_type_id.as_str(),
            month.first,
            month.last,
        )?;
        let visits = by_area
            .get(area.meta.id.as_str())
            .copied()
            .unwrap_or_default();
        let mut service = AreaService::new(
            &area.meta.id,
            &area.entity.name,
            (
                scheduled.len(),
                one_off.get(&area.meta.id).copied().unwrap_or(0),
            ),
            visits,
        );
        if let Some((demand, extra, not_needed)) = demand.of(&area.meta.id, &scheduled, today) {
            service = service.with_demand(demand, extra, not_needed);
        }
        rows.push(AreaMonth { area, service });
    }
    Ok(SiteMonth {
        time_zone: schedule.tz.name(),
        areas: rows,
    })
}

/// A site's month of demand: its areas cleaned by demand that sensors watch, and the
/// cleanings sensors made due there.
struct DemandMonth {
    watched: BTreeSet<String>,
    cleanings: BTreeMap<String, Vec<DemandCleaning>>,
}

impl DemandMonth {
    async fn load(
        data: &TenantData,
        site: &Stored<Site>,
        areas: &[Stored<Area>],
        month: &Month,
    ) -> ApiResult<Self> {
        let types = data
            .repo::<AreaType>()
            .get_map(areas.iter().map(|a| a.entity.area_type_id.to_string()))
            .await?;
        let by_demand = areas.iter().filter(|a| {
            let area_type = types.get(a.entity.area_type_id.as_str());
            AreaRule::of(&a.entity, area_type.map(|t| &t.entity))
                .rule
                .mode
                .by_demand()
        });
        // An area no sensor reported on yet is cleaned as scheduled.
        let watched = data
            .repo::<AreaDemand>()
            .get_map(by_demand.map(|a| a.meta.id.clone()))
            .await?
            .into_keys()
            .collect();
        let cleanings = fold_site_month::<DemandCleaning, _>(
            data,
            "localDate",
            &site.meta.id,
            month,
            BTreeMap::<String, Vec<DemandCleaning>>::new(),
            |by_area, cleaning| {
                by_area
                    .entry(cleaning.entity.area_id.to_string())
                    .or_default()
                    .push(cleaning.entity)
            },
        )
        .await?;
        Ok(Self { watched, cleanings })
    }

    /// For a watched area: its demand cleanings, those on no scheduled day, and the
    /// scheduled days up to `today` that no demand was due on.
    fn of(
        &self,
        area_id: &str,
        scheduled: &BTreeSet<NaiveDate>,
        today: NaiveDate,
    ) -> Option<(usize, usize, usize)> {
        if !self.watched.contains(area_id) {
            return None;
        }
        let cleanings = self.cleanings.get(area_id).map_or(&[][..], Vec::as_slice);
        let extra = cleanings
            .iter()
            .filter(|c| !scheduled.iter().any(|d| c.due_on(*d)))
            .count();
        let not_needed = scheduled
            .iter()
            .filter(|d| **d <= today && !cleanings.iter().any(|c| c.due_on(**d)))
            .count();
        Some((cleanings.len(), extra, not_needed))
    }
}
