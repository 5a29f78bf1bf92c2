//! The `sensors` function: the tenant's IoT sensors, their readings, and the cleanings they
//! make due.
//!
//! - `/v1/sensors`: the registry (planners). Each sensor is bound to an area; listed with
//!   `silent` when it has been quiet longer than its kind's heartbeat.
//! - `POST /v1/ingest/{format}` (`generic`, `ttn`, `dt`, `milesight`): readings, from a
//!   device API key with the `sensors:ingest` scope (or a planner's token). A Disruptive
//!   Technologies delivery must also carry a valid `X-Dt-Signature`.
//! - `GET /v1/demand-cleanings`: cleanings sensors made due, open or done.
//! - `GET /v1/area-demand`: each watched area's count since its last cleaning, its limit and
//!   the nightly suggestion (accepted by setting the area's `demand.limit`).
//! - `PUT /v1/sensor-settings`: the DT signature secret (admins).
//! - `GET /v1/savings?siteId=&month=`: the savings report.
//!
//! # Layout
//! - this file: the router and the registry, demand and settings resources;
//! - [`ingest`]: readings in: authentication of the vendor's signature, parsing, and each
//!   sensor's slot, day and area written with the version preconditions that make a
//!   redelivery count once;
//! - [`savings`]: the monthly savings report;
//! - [`settings`]: the tenant's sensor settings (the DT signature secret).

pub mod ingest;
pub mod savings;
pub mod settings;

use domain::Entity;
use domain::sensors::demand::AreaDemand;
use domain::sensors::{DemandCleaning, Sensor};
use domain::sites::{Area, Site};
use domain::store::Write;
use platform::api::{self, doc};
use platform::crud::{Shown, Stored, shown_with, still_at};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};
use serde::Serialize;
use serde_json::Value;

pub fn router() -> Routes {
    resource::routes::<Sensors>()
        .merge(resource::routes::<DemandCleanings>())
        .merge(resource::routes::<AreaDemands>())
        .merge(settings::routes())
        .route(
            "/v1/ingest/{format}",
            api::post(
                ingest::ingest,
                doc("Deliver sensor readings in a vendor's format")
                    .about(
                        "`format`: `generic` (`{readings: [{deviceId, eventId, at, count | \
                         level | occupied | button | co2, batteryPercent?}]}`, up to 500), \
                         `ttn` (a The Things Network v3 uplink webhook), `dt` (a Disruptive \
                         Technologies data connector event, signed in `X-Dt-Signature`) or \
                         `milesight` (Milesight platform webhook events). Authenticate with a \
                         device API key with the `sensors:ingest` scope. Each device must be \
                         registered in `/v1/sensors` in that format. A reading delivered again \
                         (same device and event id, or frame counter) counts once. A bad \
                         payload is a 422 naming the field, and nothing of it is stored.",
                    )
                    .body_schema(api::any_object())
                    .ok::<ingest::Ingested>()
                    .errors(&[404, 409, 429]),
            ),
        )
        .route(
            "/v1/savings",
            api::get(
                savings::report,
                doc("What sensors saved at a site in a month")
                    .about(
                        "Roles: admin, dispatcher, and the site's customer. Per area cleaned \
                         by demand: cleanings by its frequency (per five-day week, weekends \
                         and closures left out) against those done, each cleaning weighed \
                         against the working days since the one before; savings under half \
                         a cleaning are left out.",
                    )
                    .query_required("siteId", api::string(), "The site.")
                    .query_required("month", api::month(), "`YYYY-MM`.")
                    .ok::<savings::SiteSavings>()
                    .errors(&[404]),
            ),
        )
}

/// `/v1/sensors`: the registry, kept by planners.
pub struct Sensors;

/// What a listed sensor adds to its record.
#[derive(Serialize, utoipa::ToSchema)]
struct SensorHealth {
    /// Quiet for longer than its kind's heartbeat: check its battery and its gateway.
    silent: bool,
    /// The heartbeat of its kind, in minutes.
    heartbeat_minutes: i64,
}

impl Resource for Sensors {
    type Entity = Sensor;
    const PATH: &'static str = "/v1/sensors";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("siteId"), FilterParam::id("areaId")];
    /// By id only: each order costs Firestore indexes, and a site's sensors are few.
    const ORDERS: &'static [Order] = &[Order::asc("id")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read sensors")?;
        Ok(Vec::new())
    }

    /// Stored under its format and device id: a device is registered once.
    fn natural_id(sensor: &Sensor) -> Option<String> {
        Some(Sensor::id_of(sensor.format, &sensor.device_id))
    }

    /// The site is the area's; what the readings set is kept; the device stays the same.
    async fn prepare(
        mut sensor: Sensor,
        current: Option<&Sensor>,
        cx: &RequestContext,
    ) -> ApiResult<Sensor> {
        if let Some(current) = current {
            if (current.format, &current.device_id) != (sensor.format, &sensor.device_id) {
                return Err(ApiError::field(
                    "deviceId",
                    "cannot be changed (the sensor is stored under its format and device id); \
                     register the new device",
                ));
            }
            sensor.battery_percent = current.battery_percent;
            sensor.last_seen_at = current.last_seen_at;
        }
        let area = known_area(cx, &sensor).await?;
        sensor.site_id = Some(area.entity.site_id);
        Ok(sensor)
    }

    async fn references(sensor: &Sensor, cx: &RequestContext) -> ApiResult<Vec<Write>> {
        Ok(vec![still_at(&known_area(cx, sensor).await?)])
    }

    fn computed(schemas: &mut api::Schemas) -> Option<api::SchemaRef> {
        Some(api::component::<SensorHealth>(schemas))
    }

    async fn present(items: Vec<Stored<Sensor>>, cx: &RequestContext) -> ApiResult<Vec<Shown>> {
        let now = cx.now();
        items
            .iter()
            .map(|s| {
                let health = SensorHealth {
                    silent: s.entity.silent(s.meta.created_at, now),
                    heartbeat_minutes: s.entity.kind.heartbeat().num_minutes(),
                };
                shown_with(s, &health)
            })
            .collect()
    }
}

async fn known_area(cx: &RequestContext, sensor: &Sensor) -> ApiResult<Stored<Area>> {
    cx.repo::<Area>()
        .find(sensor.area_id.as_str())
        .await?
        .ok_or_else(|| ApiError::field("areaId", "no area has this id"))
}

/// `/v1/demand-cleanings`: what sensors made due, read-only.
pub struct DemandCleanings;

impl Resource for DemandCleanings {
    type Entity = DemandCleaning;
    const PATH: &'static str = "/v1/demand-cleanings";
    const FILTERS: &'static [FilterParam] =
        &[FilterParam::id("siteId"), FilterParam::text("status")];
    /// Newest first (their ids are hashes of area and cycle, in no useful order).
    const ORDERS: &'static [Order] = &[Order::desc("triggeredAt")];
    const WRITERS: &'static [Role] = &[];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read demand cleanings")?;
        Ok(Vec::new())
    }
}

/// `/v1/area-demand`: each watched area's use since its last cleaning, read-only.
pub struct AreaDemands;

/// What a listed area's demand adds: the rule it is measured by.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct DemandView {
    rule: domain::sensors::DemandRule,
    cleanings_per_week: f64,
}

impl Resource for AreaDemands {
    type Entity = AreaDemand;
    const PATH: &'static str = "/v1/area-demand";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("siteId")];
    const ORDERS: &'static [Order] = &[Order::asc("id")];
    const WRITERS: &'static [Role] = &[];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&Role::PLANNERS, "read area demand")?;
        Ok(Vec::new())
    }

    fn computed(schemas: &mut api::Schemas) -> Option<api::SchemaRef> {
        Some(api::component::<DemandView>(schemas))
    }

    /// With each area's rule (its own or its type's), read once per page.
    async fn present(items: Vec<Stored<AreaDemand>>, cx: &RequestContext) -> ApiResult<Vec<Shown>> {
        let ids: Vec<String> = items.iter().map(|d| d.meta.id.clone()).collect();
        let areas = cx.repo::<Area>().get_map(ids).await?;
        let type_ids: Vec<String> = areas
            .values()
            .map(|a| a.entity.area_type_id.to_string())
            .collect();
        let types = cx
            .repo::<domain::sites::AreaType>()
            .get_map(type_ids)
            .await?;
        items
            .iter()
            .map(|d| {
                let view = areas.get(&d.meta.id).map(|area| {
                    let rule = platform::demand::AreaRule::of(
                        &area.entity,
                        types
                            .get(area.entity.area_type_id.as_str())
                            .map(|t| &t.entity),
                    );
                    DemandView {
                        rule: rule.rule,
                        cleanings_per_week: rule.cleanings_per_week,
                    }
                });
                shown_with(d, &view)
            })
            .collect()
    }
}

/// The site `id` if the caller may see it (404 otherwise, as for a site that is not there).
pub(crate) async fn visible_site(cx: &RequestContext, id: &str) -> ApiResult<Stored<Site>> {
    let site = cx.repo::<Site>().find(id).await?;
    match site {
        Some(site) if cx.caller.sees_customer(site.entity.customer_id.as_deref()) => Ok(site),
        _ => Err(ApiError::NotFound {
            kind: Site::KIND,
            id: id.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        let mut queries = resource::list_queries::<Sensors>();
        queries.extend(resource::list_queries::<DemandCleanings>());
        queries.extend(resource::list_queries::<AreaDemands>());
        queries.extend(platform::demand::queries());
        store::indexes::assert_served(queries);
    }
}
