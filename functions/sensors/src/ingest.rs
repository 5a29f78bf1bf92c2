//! `POST /v1/ingest/{format}`: readings in.
//!
//! A request is read whole first: the vendor's signature (DT), every reading's fields, every
//! device registered in the caller's tenant in that format, every reading's value for its
//! sensor's kind. Any fault is a 4xx and nothing is written. Then each sensor's readings are
//! taken in, one 15-minute slot at a time: its slot, its day and its area are read, the
//! readings not in the slot yet are added, and the three (with the demand cleaning a trigger
//! makes, and now and then the sensor's `lastSeenAt`) are committed at the versions read. A
//! parallel delivery of the same reading loses that commit, reads again, finds its key in
//! the slot and writes nothing; a parallel reading of the same area retries the same way, so
//! a limit crossed by either makes one demand cleaning.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Path;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use domain::schedule::SiteSchedule;
use domain::sensors::demand::{
    AreaDemand, SensorDay, SensorSlot, SlotFull, Taken, Where, absorb, slot_start,
};
use domain::sensors::readings::{self, Measurement, Reading};
use domain::sensors::{LAST_SEEN_EVERY, Sensor, SensorFormat};
use domain::sites::{Area, Site};
use domain::store::Write;
use domain::{Entity, FieldError, ValidationErrors};
use platform::crud::{Stored, entity_fields, key_id};
use platform::demand::{ATTEMPTS, AreaRule, back_off, lost_race, make_due, read, write};
use platform::error::ApiResult;
use platform::http::RawJsonBody;
use platform::{ApiError, RequestContext, Role, TenantData};
use serde::Serialize;

/// The header a Disruptive Technologies data connector signs its deliveries in.
pub const DT_SIGNATURE: &str = "x-dt-signature";

/// What a delivery did.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ingested {
    /// Readings taken in for the first time.
    pub accepted: usize,
    /// Readings delivered before (counted then, not again).
    pub duplicates: usize,
    /// Demand cleanings the readings made due.
    pub demand_cleanings: Vec<String>,
}

/// `POST /v1/ingest/{format}`.
pub async fn ingest(
    cx: RequestContext,
    Path(format): Path<String>,
    headers: HeaderMap,
    body: RawJsonBody,
) -> ApiResult<Json<Ingested>> {
    cx.caller
        .require(&[Role::Admin, Role::Dispatcher], "deliver sensor readings")?;
    let format = SensorFormat::parse(&format).map_err(|_| ApiError::NotFound {
        kind: "ingest format",
        id: format.clone(),
    })?;
    if format == SensorFormat::Dt {
        let (_, settings) = crate::settings::load(&cx).await?;
        let secret = settings.dt_signature_secret.ok_or_else(|| {
            ApiError::Conflict(
                "set the DT signature secret (PUT /v1/sensor-settings) before connecting \
                 Disruptive Technologies"
                    .into(),
            )
        })?;
        let token = headers
            .get(DT_SIGNATURE)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::Unauthenticated("X-Dt-Signature is missing".into()))?;
        verify_dt_signature(token, &secret, &body.bytes)
            .map_err(|why| ApiError::Unauthenticated(format!("X-Dt-Signature {why}")))?;
    }
    let parsed = readings::parse(format, &body.value, cx.now())?;
    let ingested = deliver(cx.data(), format, parsed).await?;
    for made in &ingested.demand_cleanings {
        match platform::demand::demand_event(cx.data(), made).await {
            Ok(Some(event)) => cx.notify(&event).await,
            Ok(None) => {}
            Err(e) => tracing::error!(cleaning = %made, "the cleaner on duty was not told: {e}"),
        }
    }
    Ok(Json(ingested))
}

/// Takes a delivery's readings in (the handler's work once the request is authenticated and
/// read; the ingest benchmark calls it directly).
pub async fn deliver(
    data: &TenantData,
    format: SensorFormat,
    parsed: Vec<Reading>,
) -> ApiResult<Ingested> {
    let batches = by_sensor(data, format, parsed).await?;
    let mut ingested = Ingested::default();
    for (sensor, readings) in batches {
        take_in(data, &sensor, readings, &mut ingested).await?;
    }
    Ok(ingested)
}

/// Checks a DT signature: an HS256 JWT under the connector's secret whose `checksum` claim is
/// the SHA-1 of the body's bytes, in hex.
pub fn verify_dt_signature(token: &str, secret: &str, body: &[u8]) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Claims {
        checksum: String,
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map_err(|e| format!("is not a JWT signed with the connector's secret ({e})"))?
    .claims;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, body);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    if claims.checksum.eq_ignore_ascii_case(&hex) {
        Ok(())
    } else {
        Err("does not match the body (its checksum is another body's)".into())
    }
}

/// The readings grouped by their registered sensor, each with its kind's measurement; an
/// unknown device or a value the kind lacks refuses the whole delivery.
async fn by_sensor(
    data: &TenantData,
    format: SensorFormat,
    parsed: Vec<Reading>,
) -> ApiResult<Vec<(Stored<Sensor>, Vec<(Reading, Measurement)>)>> {
    let mut sensors: BTreeMap<String, Option<Stored<Sensor>>> = BTreeMap::new();
    let mut batches: BTreeMap<String, Vec<(Reading, Measurement)>> = BTreeMap::new();
    let mut errors = Vec::new();
    for reading in parsed {
        let id = Sensor::id_of(format, &reading.device_id);
        if !sensors.contains_key(&id) {
            let found = data.repo::<Sensor>().find(&id).await?;
            sensors.insert(id.clone(), found);
        }
        let Some(Some(sensor)) = sensors.get(&id) else {
            errors.push(FieldError {
                field: reading.device_field.clone(),
                message: format!(
                    "no sensor with device id {} is registered in format {}",
                    reading.device_id,
                    format.as_str()
                ),
            });
            continue;
        };
        match reading.measurement(sensor.entity.kind) {
            Ok(measurement) => batches.entry(id).or_default().push((reading, measurement)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(ValidationErrors(errors)));
    }
    Ok(batches
        .into_iter()
        .filter_map(|(id, readings)| Some((sensors.remove(&id)??, readings)))
        .collect())
}

/// The area a sensor reports on, as a reading needs it.
struct Target {
    area: Stored<Area>,
    site: Stored<Site>,
    rule: AreaRule,
    /// Read when a trigger needs the site's closures.
    schedule: Option<SiteSchedule>,
}

impl Target {
    async fn of(data: &TenantData, sensor: &Stored<Sensor>) -> ApiResult<Self> {
        let gone = |what: &str| {
            ApiError::Conflict(format!(
                "sensor {} is bound to {what} that is gone: bind it to an area again",
                sensor.meta.id
            ))
        };
        let area = data
            .repo::<Area>()
            .find(sensor.entity.area_id.as_str())
            .await?
            .ok_or_else(|| gone("an area"))?;
        let site = data
            .repo::<Site>()
            .find(area.entity.site_id.as_str())
            .await?
            .ok_or_else(|| gone("a site"))?;
        let rule = AreaRule::load(data, &area.entity).await?;
        Ok(Self {
            area,
            site,
            rule,
            schedule: None,
        })
    }

    async fn schedule(&mut self, data: &TenantData) -> ApiResult<&SiteSchedule> {
        if self.schedule.is_none() {
            self.schedule = Some(platform::schedule::load(data, &self.site).await?);
        }
        Ok(self.schedule.as_ref().expect("just loaded"))
    }
}

/// Takes one sensor's readings in, slot by slot.
async fn take_in(
    data: &TenantData,
    sensor: &Stored<Sensor>,
    readings: Vec<(Reading, Measurement)>,
    ingested: &mut Ingested,
) -> ApiResult<()> {
    let mut target = Target::of(data, sensor).await?;
    let place = Where {
        sensor_id: sensor.meta.id.clone(),
        area_id: target.area.meta.id.clone(),
        site_id: target.site.meta.id.clone(),
    };
    let mut slots: BTreeMap<DateTime<Utc>, Vec<Taken>> = BTreeMap::new();
    let mut battery = None;
    let mut latest = None;
    for (reading, measurement) in readings {
        battery = reading.battery_percent.or(battery);
        latest = latest.max(Some(reading.at));
        slots
            .entry(slot_start(reading.at))
            .or_default()
            .push(Taken {
                key: reading.event_key,
                at: reading.at,
                measurement,
            });
    }
    let mut status = Some((latest, battery));
    for (start, taken) in slots {
        let written = take_in_slot(
            data,
            sensor,
            &place,
            &mut target,
            start,
            &taken,
            status,
            ingested,
        )
        .await?;
        // The sensor's status rides on the first commit that writes anything.
        if written {
            status = None;
        }
    }
    Ok(())
}

/// Commits one slot's readings; whether anything was written.
#[allow(clippy::too_many_arguments)]
async fn take_in_slot(
    data: &TenantData,
    sensor: &Stored<Sensor>,
    place: &Where,
    target: &mut Target,
    start: DateTime<Utc>,
    taken: &[Taken],
    status: Option<(Option<DateTime<Utc>>, Option<f64>)>,
    ingested: &mut Ingested,
) -> ApiResult<bool> {
    let tz = target.site.entity.time_zone.0;
    let date = start.with_timezone(&tz).date_naive();
    let slot_id = key_id(&[&place.sensor_id, &start.to_rfc3339()]);
    let day_id = key_id(&[&place.sensor_id, &date.to_string()]);
    let area_id = place.area_id.as_str();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            back_off(attempt).await;
        }
        let slot_doc = read::<SensorSlot>(data, SensorSlot::COLLECTION, &slot_id).await?;
        let day_doc = read::<SensorDay>(data, SensorDay::COLLECTION, &day_id).await?;
        let area_doc = read::<AreaDemand>(data, AreaDemand::COLLECTION, area_id).await?;
        let (slot_meta, mut slot) = split(slot_doc, || SensorSlot::new(place, start, date));
        let (day_meta, mut day) = split(day_doc, || SensorDay::new(place, date));
        // An area starts to be watched with the first reading of it.
        let first = taken.iter().map(|t| t.at).min().unwrap_or(start);
        let (area_meta, mut area) =
            split(area_doc, || AreaDemand::new(area_id, &place.site_id, first));
        let rule = &target.rule;
        let absorbed = absorb(
            &place.sensor_id,
            taken,
            &rule.rule,
            &mut slot,
            &mut day,
            &mut area,
        )
        .map_err(|SlotFull| ApiError::TooManyRequests {
            detail: format!(
                "sensor {} sends more than a 15-minute slot takes: {SlotFull}",
                place.sensor_id
            ),
            retry_after: 60,
        })?;
        if absorbed.fresh == 0 {
            ingested.duplicates += taken.len();
            return Ok(false);
        }
        let mut writes = Vec::with_capacity(5);
        let mut made = None;
        if let Some(trigger) = absorbed.trigger {
            let limit = rule.rule.limit;
            let at = taken.iter().map(|t| t.at).max().unwrap_or(start);
            let site = target.site.entity.clone();
            let schedule = target.schedule(data).await?;
            if let Some(create) = make_due(
                schedule,
                &site,
                &mut area,
                trigger,
                limit,
                Some(&place.sensor_id),
                at,
            )? {
                made = area.open.clone();
                writes.push(create);
            }
        }
        let rule = &target.rule;
        area.plan_fallback(&rule.rule, rule.cleanings_per_week, tz);
        writes.push(write(
            SensorSlot::COLLECTION,
            &slot_id,
            slot_meta.as_ref(),
            &slot,
        )?);
        writes.push(write(
            SensorDay::COLLECTION,
            &day_id,
            day_meta.as_ref(),
            &day,
        )?);
        writes.push(write(
            AreaDemand::COLLECTION,
            area_id,
            area_meta.as_ref(),
            &area,
        )?);
        if let Some(update) = sensor_status(data, sensor, status).await? {
            writes.push(update);
        }
        match data.store().commit(writes, data.now()).await {
            Ok(_) => {
                ingested.accepted += absorbed.fresh;
                ingested.duplicates += taken.len() - absorbed.fresh;
                ingested.demand_cleanings.extend(made);
                return Ok(true);
            }
            Err(e) if lost_race(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(format!(
        "sensor {}'s area is written by too many deliveries at once; deliver again",
        place.sensor_id
    )))
}

fn split<T>(
    found: Option<(domain::Metadata, T)>,
    new: impl FnOnce() -> T,
) -> (Option<domain::Metadata>, T) {
    match found {
        Some((meta, value)) => (Some(meta), value),
        None => (None, new()),
    }
}

/// The sensor's `lastSeenAt` and battery, when they are worth a write: seen after more than
/// [`LAST_SEEN_EVERY`], or the battery changed by a whole percent. Read afresh, so an
/// edit of the sensor meanwhile is kept (the commit's version check guards the rest).
async fn sensor_status(
    data: &TenantData,
    sensor: &Stored<Sensor>,
    status: Option<(Option<DateTime<Utc>>, Option<f64>)>,
) -> ApiResult<Option<Write>> {
    let Some((Some(seen), battery)) = status else {
        return Ok(None);
    };
    let known = &sensor.entity;
    let stale = known
        .last_seen_at
        .is_none_or(|at| seen - at >= LAST_SEEN_EVERY);
    let battery_moved = match (battery, known.battery_percent) {
        (Some(now), Some(before)) => (now - before).abs() >= 1.0,
        (Some(_), None) => true,
        _ => false,
    };
    if !stale && !battery_moved {
        return Ok(None);
    }
    let Some(current) = data.repo::<Sensor>().find(&sensor.meta.id).await? else {
        return Ok(None);
    };
    let mut updated = current.entity.clone();
    updated.last_seen_at = Some(updated.last_seen_at.map_or(seen, |at| at.max(seen)));
    updated.battery_percent = battery.or(updated.battery_percent);
    Ok(Some(Write::Update {
        collection: Sensor::COLLECTION,
        id: current.meta.id.clone(),
        expected_version: current.meta.version,
        fields: entity_fields(&updated)?,
    }))
}
