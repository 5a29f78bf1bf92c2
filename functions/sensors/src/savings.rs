//! `GET /v1/savings?siteId=&month=`: what sensors saved at a site in a month, per area
//! cleaned by demand ([`domain::sensors::savings`] weighs it).

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use chrono::{Duration, NaiveDate};
use domain::Fields;
use domain::sensors::savings::{
    self, AreaInput, AreaSavings, Cleaning, SavingsTotals, is_working_day,
};
use domain::sensors::{DemandCleaning, DemandTrigger};
use domain::sites::{Area, AreaType, SiteId};
use domain::store::Filter;
use domain::tours::{Month, Visit, VisitStatus};
use platform::demand::AreaRule;
use platform::error::ApiResult;
use platform::http::query_object;
use platform::proof::fold_site_month;
use platform::{RequestContext, Role};
use serde::Serialize;

/// How far before the month the last cleaning is looked for.
const LOOK_BACK_DAYS: i64 = 31;

/// The report.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteSavings {
    site_id: String,
    site_name: String,
    month: String,
    /// Weekdays on which the site was not closed, up to today in the current month.
    working_days: u32,
    /// The last day counted: the month's last, or today while it runs.
    counted_until: NaiveDate,
    /// The closed weekdays left out (holidays, shutdowns).
    closed_days: Vec<NaiveDate>,
    areas: Vec<AreaSavings>,
    totals: SavingsTotals,
}

type QueryParams = axum::extract::Query<Vec<(String, String)>>;

/// `GET /v1/savings`.
pub async fn report(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Json<SiteSavings>> {
    cx.caller.require(
        &[Role::Admin, Role::Dispatcher, Role::Customer],
        "read the savings from sensors",
    )?;
    let query = query_object(&query)?;
    let mut f = Fields::new(&query, &[])?;
    let site_id = f.required_parsed("siteId", SiteId::parse);
    let month = f.required_parsed("month", str::parse::<Month>);
    let (site_id, month) = f.finish(|| Some((site_id?, month?)))?;
    let site = crate::visible_site(&cx, site_id.as_str()).await?;
    let data = cx.data();
    let schedule = platform::schedule::load(data, &site).await?;
    let look_back = month.first - Duration::days(LOOK_BACK_DAYS);
    let closed: BTreeSet<NaiveDate> = look_back
        .iter_days()
        .take_while(|d| *d <= month.last)
        .filter(|d| schedule.closure_on(*d).is_some())
        .collect();
    let in_month = |d: &NaiveDate| (month.first..=month.last).contains(d);
    // The month so far: its days still ahead would have no cleanings to weigh.
    let today = cx
        .now()
        .with_timezone(&site.entity.time_zone.0)
        .date_naive();
    let counted_until = month.last.min(today);
    let working_days = month
        .first
        .iter_days()
        .take_while(|d| *d <= counted_until)
        .filter(|d| is_working_day(*d, &closed))
        .count() as u32;

    let areas = data
        .repo::<Area>()
        .all_where(vec![Filter::eq("siteId", site_id.as_str())])
        .await?;
    let type_ids: Vec<String> = areas
        .iter()
        .map(|a| a.entity.area_type_id.to_string())
        .collect();
    let types = data.repo::<AreaType>().get_map(type_ids).await?;
    let by_demand: Vec<(&platform::crud::Stored<Area>, AreaRule)> = areas
        .iter()
        .map(|a| {
            let t = types.get(a.entity.area_type_id.as_str()).map(|t| &t.entity);
            (a, AreaRule::of(&a.entity, t))
        })
        .filter(|(_, rule)| rule.rule.mode.by_demand())
        .collect();

    // The month and the look-back before it, where each area's last cleaning lies.
    let span = Month {
        first: look_back,
        last: month.last,
    };
    // Which visit answered which demand.
    let triggers = fold_site_month::<DemandCleaning, _>(
        data,
        "localDate",
        site_id.as_str(),
        &span,
        BTreeMap::<String, DemandTrigger>::new(),
        |by_visit, cleaning| {
            if let Some(visit) = &cleaning.entity.visit_id {
                by_visit.insert(visit.to_string(), cleaning.entity.trigger);
            }
        },
    )
    .await?;
    // Each area's cleanings from the look-back on, in date order.
    let cleanings = fold_site_month::<Visit, _>(
        data,
        "localDate",
        site_id.as_str(),
        &span,
        BTreeMap::<String, Vec<(NaiveDate, Option<DemandTrigger>)>>::new(),
        |by_area, visit| {
            if visit.entity.status == VisitStatus::Done {
                by_area
                    .entry(visit.entity.area_id.to_string())
                    .or_default()
                    .push((
                        visit.entity.local_date,
                        triggers.get(&visit.meta.id).copied(),
                    ));
            }
        },
    )
    .await?;

    let mut rows: Vec<AreaSavings> = by_demand
        .into_iter()
        .map(|(area, rule)| {
            let mut done = cleanings.get(&area.meta.id).cloned().unwrap_or_default();
            done.sort_by_key(|(date, _)| *date);
            let previous = done
                .iter()
                .map(|(d, _)| *d)
                .filter(|d| *d < month.first)
                .max();
            let input = AreaInput {
                area_id: area.meta.id.clone(),
                area_name: area.entity.name.clone(),
                cleanings_per_week: rule.cleanings_per_week,
                minutes_per_cleaning: rule.minutes_per_cleaning,
                previous,
                cleanings: done
                    .into_iter()
                    .filter(|(d, _)| in_month(d))
                    .map(|(date, trigger)| Cleaning { date, trigger })
                    .collect(),
            };
            savings::area_savings(&input, working_days, &closed)
        })
        .collect();
    rows.sort_by(|a, b| (&a.area_name, &a.area_id).cmp(&(&b.area_name, &b.area_id)));
    Ok(Json(SiteSavings {
        site_id: site.meta.id.clone(),
        site_name: site.entity.name.clone(),
        month: month.to_string(),
        working_days,
        counted_until,
        closed_days: closed
            .iter()
            .copied()
            .filter(|d| {
                in_month(d)
                    && !matches!(
                        chrono::Datelike::weekday(d),
                        chrono::Weekday::Sat | chrono::Weekday::Sun
                    )
            })
            .collect(),
        totals: savings::totals(&rows),
        areas: rows,
    }))
}
