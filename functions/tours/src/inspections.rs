//! Quality inspections and their monthly score per site.

use axum::Json;
use domain::notifications::{Audience, Message, NotificationEvent, NotificationSettings};
use domain::sites::{Area, Site};
use domain::store::Write;
use domain::tours::{Inspection, InspectionSummary, Month};
use domain::{FieldError, Fields, ValidationErrors};
use platform::crud::{Stored, still_at};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order, query_object};
use platform::resource::Resource;
use platform::{ApiError, Caller, RequestContext};
use serde_json::Value;

use crate::QueryParams;

pub struct Inspections;

impl Resource for Inspections {
    type Entity = Inspection;
    const PATH: &'static str = "/v1/inspections";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("siteId")];
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id"), Order::desc("date")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        crate::staff(caller, "read inspections")?;
        Ok(Vec::new())
    }

    /// The inspector is whoever recorded the inspection; a correction keeps her.
    async fn prepare(
        mut inspection: Inspection,
        current: Option<&Inspection>,
        cx: &RequestContext,
    ) -> ApiResult<Inspection> {
        inspection.inspector_id = match current {
            Some(current) => current.inspector_id.clone(),
            None => Some(cx.caller.user.clone()),
        };
        Ok(inspection)
    }

    /// Below the tenant's threshold, the dispatchers and the site's customer are told (once
    /// per inspection).
    async fn written(stored: &Stored<Inspection>, cx: &RequestContext) {
        let settings = platform::demand::read::<NotificationSettings>(
            cx.data(),
            NotificationSettings::COLLECTION,
            NotificationSettings::ID,
        )
        .await
        .ok()
        .flatten()
        .map(|(_, s)| s)
        .unwrap_or_default();
        let inspection = &stored.entity;
        if inspection.score_percent >= settings.inspection_threshold_percent {
            return;
        }
        let Ok(Some(site)) = cx.repo::<Site>().find(inspection.site_id.as_str()).await else {
            return;
        };
        let to = Audience::site(site.entity.customer_id.as_deref());
        cx.notify(&NotificationEvent {
            id: format!("inspection:{}", stored.meta.id),
            to,
            message: Message::InspectionFailed {
                site_name: site.entity.name.clone(),
                date: inspection.date,
                score_percent: inspection.score_percent,
                threshold_percent: settings.inspection_threshold_percent,
            },
            time_zone: Some(site.entity.time_zone),
            link: None,
            attachment: None,
            site_id: Some(site.meta.id),
            not_to: None,
        })
        .await;
    }

    /// The site must exist and every inspected area must be one of its areas.
    async fn references(inspection: &Inspection, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        let site = cx
            .repo::<Site>()
            .find(inspection.site_id.as_str())
            .await?
            .ok_or_else(|| ApiError::field("siteId", "no site has this id"))?;
        let areas = cx
            .repo::<Area>()
            .get_map(inspection.areas.iter().map(|a| a.area_id.to_string()))
            .await?;
        let errors: Vec<FieldError> = inspection
            .areas
            .iter()
            .enumerate()
            .filter_map(|(i, inspected)| {
                let message = match areas.get(inspected.area_id.as_str()) {
                    None => "no area has this id",
                    Some(area) if area.entity.site_id != inspection.site_id => {
                        "is an area of another site"
                    }
                    Some(_) => return None,
                };
                Some(FieldError {
                    field: format!("areas[{i}].areaId"),
                    message: message.into(),
                })
            })
            .collect();
        if errors.is_empty() {
            Ok(vec![still_at(&site)])
        } else {
            Err(ApiError::Validation(ValidationErrors(errors)))
        }
    }
}

/// Reads `siteId` and `month` from a query string.
pub fn site_and_month(query: &[(String, String)]) -> ApiResult<(String, Month)> {
    let query = query_object(query)?;
    let mut f = Fields::new(&query, &[])?;
    let site = f.required_parsed("siteId", |raw| domain::id::parse_id(raw).map(str::to_owned));
    let month = f.required_parsed("month", str::parse::<Month>);
    Ok(f.finish(|| Some((site?, month?)))?)
}

/// `GET /v1/inspections/summary?siteId=&month=YYYY-MM`: the month's inspections and score;
/// customers may read it for their own sites.
pub async fn summary(
    cx: RequestContext,
    axum::extract::Query(query): QueryParams,
) -> ApiResult<Json<InspectionSummary>> {
    let (site_id, month) = site_and_month(&query)?;
    let site = crate::readable_site(&cx, &site_id, "read inspection scores").await?;
    let inspections: Vec<Inspection> =
        crate::read_site_month::<Inspection>(cx.data(), "date", &site.meta.id, &month)
            .await?
            .into_iter()
            .map(|stored| stored.entity)
            .collect();
    Ok(Json(InspectionSummary::of(
        &site.meta.id,
        &month.to_string(),
        &inspections,
    )))
}
