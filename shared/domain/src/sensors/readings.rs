//! Vendor payloads read into [`Reading`]s. Each format names its bad fields by their path in
//! the vendor's JSON (`uplink_message.f_cnt`, `readings[3].count`), and a payload is read
//! whole before anything of it is stored.
//!
//! - `generic`: cleanops' own batch, `{"readings": [{deviceId, eventId, at, count | level |
//!   occupied | button | co2, batteryPercent?}]}` (up to [`MAX_BATCH`]).
//! - `ttn`: The Things Network v3 uplink webhook: `end_device_ids.device_id`,
//!   `uplink_message.f_cnt` (the frame counter; TTN leaves out a zero),
//!   `uplink_message.decoded_payload` (what the application's payload formatter made of the
//!   bytes) and `received_at`.
//! - `dt`: a Disruptive Technologies data connector's event: `event.eventId`,
//!   `event.eventType`, `event.data`, `event.timestamp`, `metadata.deviceId` (else the last
//!   part of `event.targetName`). Its signature is checked by the function, over the bytes.
//! - `milesight`: Milesight's platform webhook, one event or an array of them:
//!   `eventId`, `eventCreatedTime` (seconds), `data.deviceProfile.devEUI`, `data.ts`
//!   (milliseconds) and `data.payload` with a people counter's `period_in` (or each line's
//!   `line_N_period_in`) and `battery`.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde_json::{Map, Value};

use super::{SensorFormat, SensorKind, parse_device_id};
use crate::validation::{FieldError, ValidationErrors};

/// The most readings one request may carry.
pub const MAX_BATCH: usize = 500;
/// How far ahead of our clock a reading's time may lie.
pub const MAX_AHEAD: Duration = Duration::minutes(5);
/// How old a reading may be when it arrives (a gateway's backlog after an outage).
pub const MAX_AGE: Duration = Duration::days(7);
/// The most a single reading may count.
pub const MAX_COUNT: u64 = 100_000;

/// What someone pressed on a feedback button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feedback {
    NeedsCleaning,
    Happy,
    Unhappy,
}

impl Feedback {
    fn parse(raw: &str) -> Result<Self, String> {
        crate::validation::parse_enum(raw, &["needs-cleaning", "happy", "unhappy"])
    }
}

/// The values a payload carried; which one counts depends on the sensor's kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// Events since the previous reading.
    pub count: Option<u64>,
    /// A running total (the device's counter since it started): the difference counts.
    pub total: Option<u64>,
    pub occupied: Option<bool>,
    pub level: Option<f64>,
    pub feedback: Option<Feedback>,
    pub co2: Option<f64>,
}

/// One reading of one device.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The vendor's device id, in lower case.
    pub device_id: String,
    /// What makes two deliveries the same reading: the vendor's event id, or the frame
    /// counter.
    pub event_key: String,
    pub at: DateTime<Utc>,
    pub battery_percent: Option<f64>,
    pub values: Values,
    /// Where the values were read, to name a missing one.
    pub path: String,
    /// Where the device id was read, to name an unknown device.
    pub device_field: String,
}

/// What a reading means for a sensor of a given kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measurement {
    Count(u64),
    Total(u64),
    Occupied(bool),
    Level(f64),
    Feedback(Feedback),
    Co2(f64),
    /// Only a sign of life (a status frame, the battery).
    Heartbeat,
}

impl Reading {
    /// The reading as a `kind` sensor's: its kind's value, or a heartbeat when the payload
    /// holds no value at all; a payload holding another kind's value only is refused,
    /// naming the field the kind needs.
    pub fn measurement(&self, kind: SensorKind) -> Result<Measurement, FieldError> {
        let v = &self.values;
        let (field, found) = match kind {
            SensorKind::PeopleCounter | SensorKind::DoorCounter => (
                "count",
                v.count
                    .map(Measurement::Count)
                    .or(v.total.map(Measurement::Total)),
            ),
            SensorKind::Presence | SensorKind::DeskOccupancy => {
                ("occupied", v.occupied.map(Measurement::Occupied))
            }
            SensorKind::FillLevel => ("level", v.level.map(Measurement::Level)),
            SensorKind::FeedbackButton => ("button", v.feedback.map(Measurement::Feedback)),
            SensorKind::AirQuality => ("co2", v.co2.map(Measurement::Co2)),
        };
        match found {
            Some(m) => Ok(m),
            None if *v == Values::default() => Ok(Measurement::Heartbeat),
            None => Err(FieldError {
                field: join(&self.path, field),
                message: format!(
                    "is required: device {} is registered as a {} sensor",
                    self.device_id,
                    serde_json::to_value(kind)
                        .ok()
                        .and_then(|k| k.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
            }),
        }
    }
}

/// Reads `body` as `format`'s payload, checking times against `now`.
pub fn parse(
    format: SensorFormat,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<Vec<Reading>, ValidationErrors> {
    let mut r = Reader {
        errors: Vec::new(),
        now,
    };
    let readings = match format {
        SensorFormat::Generic => r.generic(body),
        SensorFormat::Ttn => r.ttn(body).into_iter().collect(),
        SensorFormat::Dt => r.dt(body).into_iter().collect(),
        SensorFormat::Milesight => r.milesight(body),
    };
    if r.errors.is_empty() && readings.is_empty() {
        r.error("", "holds no reading");
    }
    if r.errors.is_empty() {
        Ok(readings)
    } else {
        Err(ValidationErrors(r.errors))
    }
}

fn join(path: &str, name: &str) -> String {
    match (path.is_empty(), name.is_empty()) {
        (true, _) => name.to_owned(),
        (_, true) => path.to_owned(),
        _ => format!("{path}.{name}"),
    }
}

/// Reads JSON by path, collecting every error.
struct Reader {
    errors: Vec<FieldError>,
    now: DateTime<Utc>,
}

impl Reader {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// The object at `path` (`value` itself), or an error.
    fn object<'v>(
        &mut self,
        value: Option<&'v Value>,
        path: &str,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                self.error(path, "must be an object");
                None
            }
            None => {
                self.error(path, "is required");
                None
            }
        }
    }

    fn string<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v str> {
        match map.get(key) {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 200 => Some(s),
            Some(Value::String(_)) => {
                self.error(&join(path, key), "must be 1 to 200 characters long");
                None
            }
            Some(Value::Null) | None => {
                self.error(&join(path, key), "is required");
                None
            }
            Some(_) => {
                self.error(&join(path, key), "must be a string");
                None
            }
        }
    }

    fn device(&mut self, raw: Option<&str>, field: &str) -> Option<String> {
        let raw = raw?;
        match parse_device_id(raw) {
            Ok(id) => Some(id),
            Err(message) => {
                self.error(field, message);
                None
            }
        }
    }

    /// A time that is neither ahead of our clock nor older than [`MAX_AGE`].
    fn time(&mut self, at: Option<DateTime<Utc>>, field: &str) -> Option<DateTime<Utc>> {
        let at = at?;
        if at > self.now + MAX_AHEAD {
            self.error(field, "lies in the future: check the gateway's clock");
            None
        } else if at < self.now - MAX_AGE {
            self.error(field, "is more than 7 days old");
            None
        } else {
            Some(at)
        }
    }

    fn rfc3339(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<DateTime<Utc>> {
        let raw = self.string(map, path, key)?;
        let field = join(path, key);
        match DateTime::parse_from_rfc3339(raw) {
            Ok(at) => self.time(Some(at.with_timezone(&Utc)), &field),
            Err(_) => {
                self.error(&field, "must be an RFC 3339 time");
                None
            }
        }
    }

    fn unsigned(&mut self, value: Option<&Value>, field: &str, max: u64) -> Option<u64> {
        match value {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(n) if n <= max => Some(n),
                _ => {
                    self.error(field, format!("must be a whole number from 0 to {max}"));
                    None
                }
            },
        }
    }

    fn number(&mut self, value: Option<&Value>, field: &str, max: f64) -> Option<f64> {
        match value {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_f64() {
                Some(n) if (0.0..=max).contains(&n) => Some(n),
                _ => {
                    self.error(field, format!("must be a number from 0 to {max}"));
                    None
                }
            },
        }
    }

    fn occupied(&mut self, value: Option<&Value>, field: &str) -> Option<bool> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(v) if v.as_u64() == Some(0) => Some(false),
            Some(v) if v.as_u64() == Some(1) => Some(true),
            Some(_) => {
                self.error(field, "must be true or false (or 1 or 0)");
                None
            }
        }
    }

    fn feedback(&mut self, value: Option<&Value>, field: &str) -> Option<Feedback> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::String(raw)) => match Feedback::parse(raw) {
                Ok(f) => Some(f),
                Err(message) => {
                    self.error(field, message);
                    None
                }
            },
            Some(_) => {
                self.error(field, "must be one of: needs-cleaning, happy, unhappy");
                None
            }
        }
    }

    /// The values of a flat object of measurements (generic readings, TTN's decoded
    /// payloads), under the names each format documents; the first name present counts.
    fn values(&mut self, map: &Map<String, Value>, path: &str) -> (Values, Option<f64>) {
        let first = |names: &[&'static str]| names.iter().find(|n| map.contains_key(**n)).copied();
        let mut values = Values::default();
        if let Some(name) = first(&["count", "people_count", "people_in", "period_in"]) {
            values.count = self.unsigned(map.get(name), &join(path, name), MAX_COUNT);
        }
        if let Some(name) = first(&["occupied", "occupancy"]) {
            values.occupied = self.occupied(map.get(name), &join(path, name));
        }
        if let Some(name) = first(&["level", "fill_level"]) {
            values.level = self.number(map.get(name), &join(path, name), 100.0);
        }
        if let Some(name) = first(&["button", "feedback"]) {
            values.feedback = self.feedback(map.get(name), &join(path, name));
        }
        if let Some(name) = first(&["co2"]) {
            values.co2 = self.number(map.get(name), &join(path, name), 100_000.0);
        }
        let battery = first(&["batteryPercent", "battery"])
            .and_then(|name| self.number(map.get(name), &join(path, name), 100.0));
        (values, battery)
    }

    fn generic(&mut self, body: &Value) -> Vec<Reading> {
        let Some(root) = self.object(Some(body), "") else {
            return Vec::new();
        };
        if let Some(unknown) = root.keys().find(|k| *k != "readings") {
            self.error(unknown, "is not a known field");
        }
        let items = match root.get("readings") {
            Some(Value::Array(items)) if items.len() <= MAX_BATCH => items,
            Some(Value::Array(_)) => {
                self.error("readings", format!("must have at most {MAX_BATCH} entries"));
                return Vec::new();
            }
            Some(_) => {
                self.error("readings", "must be an array");
                return Vec::new();
            }
            None => {
                self.error("readings", "is required");
                return Vec::new();
            }
        };
        const KNOWN: [&str; 9] = [
            "deviceId",
            "eventId",
            "at",
            "count",
            "level",
            "occupied",
            "button",
            "co2",
            "batteryPercent",
        ];
        let mut readings = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("readings[{i}]");
            let Some(map) = self.object(Some(item), &path) else {
                continue;
            };
            for key in map.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
                self.error(&join(&path, key), "is not a known field");
            }
            let device = self.string(map, &path, "deviceId");
            let device = self.device(device, &join(&path, "deviceId"));
            let event = self.string(map, &path, "eventId").map(str::to_owned);
            let at = self.rfc3339(map, &path, "at");
            let (values, battery) = self.values(map, &path);
            let set = [
                values.count.is_some(),
                values.level.is_some(),
                values.occupied.is_some(),
                values.feedback.is_some(),
                values.co2.is_some(),
            ];
            if set.iter().filter(|s| **s).count() > 1 {
                self.error(
                    &path,
                    "holds one value: count, level, occupied, button or co2",
                );
            }
            if let (Some(device_id), Some(event_key), Some(at)) = (device, event, at) {
                readings.push(Reading {
                    device_id,
                    event_key,
                    at,
                    battery_percent: battery,
                    device_field: join(&path, "deviceId"),
                    values,
                    path,
                });
            }
        }
        readings
    }

    fn ttn(&mut self, body: &Value) -> Option<Reading> {
        let root = self.object(Some(body), "")?;
        let ids = self.object(root.get("end_device_ids"), "end_device_ids");
        let device = ids.and_then(|ids| self.string(ids, "end_device_ids", "device_id"));
        let device = self.device(device, "end_device_ids.device_id");
        let received = self.rfc3339(root, "", "received_at");
        let uplink = self.object(root.get("uplink_message"), "uplink_message")?;
        // TTN leaves zero values out of its JSON: the first frame has no `f_cnt`.
        let frame = self
            .unsigned(
                uplink.get("f_cnt"),
                "uplink_message.f_cnt",
                u64::from(u32::MAX),
            )
            .unwrap_or(0);
        let path = "uplink_message.decoded_payload";
        let decoded = match uplink.get("decoded_payload") {
            None | Some(Value::Null) => {
                self.error(
                    path,
                    "is required: give the application a payload formatter that decodes the \
                     device's bytes",
                );
                None
            }
            other => self.object(other, path),
        }?;
        let (values, battery) = self.values(decoded, path);
        Some(Reading {
            device_id: device?,
            event_key: format!("f{frame}"),
            at: received?,
            battery_percent: battery,
            values,
            path: path.to_owned(),
            device_field: "end_device_ids.device_id".into(),
        })
    }

    fn dt(&mut self, body: &Value) -> Option<Reading> {
        let root = self.object(Some(body), "")?;
        let event = self.object(root.get("event"), "event")?;
        let event_id = self.string(event, "event", "eventId").map(str::to_owned);
        let kind = self.string(event, "event", "eventType");
        let at = self.rfc3339(event, "event", "timestamp");
        // The device is named in the metadata, and as the last part of the target's name.
        let device = root
            .get("metadata")
            .and_then(|m| m.get("deviceId"))
            .and_then(Value::as_str)
            .map(|d| (d, "metadata.deviceId"))
            .or_else(|| {
                event
                    .get("targetName")
                    .and_then(Value::as_str)
                    .and_then(|t| t.rsplit('/').next())
                    .map(|d| (d, "event.targetName"))
            });
        let device_field = device.map_or("metadata.deviceId", |(_, field)| field);
        let device = match device {
            Some((raw, field)) => self.device(Some(raw), field),
            None => {
                self.error("metadata.deviceId", "is required");
                None
            }
        };
        let data = self.object(event.get("data"), "event.data")?;
        let kind = kind?;
        let path = format!("event.data.{kind}");
        let inner = data.get(kind);
        let mut values = Values::default();
        let mut battery = None;
        let state = inner.and_then(|d| d.get("state")).and_then(Value::as_str);
        match kind {
            "touch" => values.feedback = Some(Feedback::NeedsCleaning),
            "objectPresentCount" => {
                values.total = self.unsigned(
                    inner.and_then(|d| d.get("total")),
                    &join(&path, "total"),
                    u64::from(u32::MAX),
                );
                if values.total.is_none() {
                    self.error(&join(&path, "total"), "is required");
                }
            }
            "objectPresent" | "deskOccupancy" | "motion" => {
                values.occupied = match (kind, state) {
                    ("objectPresent", Some("PRESENT"))
                    | ("deskOccupancy", Some("OCCUPIED"))
                    | ("motion", Some("MOTION_DETECTED")) => Some(true),
                    ("objectPresent", Some("NOT_PRESENT"))
                    | ("deskOccupancy", Some("NOT_OCCUPIED"))
                    | ("motion", Some("NO_MOTION_DETECTED")) => Some(false),
                    _ => {
                        self.error(&join(&path, "state"), "is not a state of this event type");
                        None
                    }
                };
            }
            "co2" => {
                values.co2 = self.number(
                    inner.and_then(|d| d.get("ppm")),
                    &join(&path, "ppm"),
                    100_000.0,
                );
            }
            "batteryStatus" => {
                battery = self.number(
                    inner.and_then(|d| d.get("percentage")),
                    &join(&path, "percentage"),
                    100.0,
                );
            }
            // Temperature, network status and the rest: the sensor is alive, nothing more.
            _ => {}
        }
        Some(Reading {
            device_id: device?,
            event_key: event_id?,
            at: at?,
            battery_percent: battery,
            values,
            path,
            device_field: device_field.to_owned(),
        })
    }

    fn milesight(&mut self, body: &Value) -> Vec<Reading> {
        let events: Vec<(String, &Value)> = match body {
            Value::Array(items) if items.len() <= MAX_BATCH => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("[{i}]"), v))
                .collect(),
            Value::Array(_) => {
                self.error("", format!("must hold at most {MAX_BATCH} events"));
                return Vec::new();
            }
            single => vec![(String::new(), single)],
        };
        let mut readings = Vec::new();
        for (prefix, event) in events {
            let Some(event) = self.object(Some(event), &prefix) else {
                continue;
            };
            let event_id = self.string(event, &prefix, "eventId").map(str::to_owned);
            let data_path = join(&prefix, "data");
            let Some(data) = self.object(event.get("data"), &data_path) else {
                continue;
            };
            let profile_path = join(&data_path, "deviceProfile");
            let eui = self
                .object(data.get("deviceProfile"), &profile_path)
                .and_then(|p| self.string(p, &profile_path, "devEUI"));
            let device = self.device(eui, &join(&profile_path, "devEUI"));
            let ts_field = join(&data_path, "ts");
            let at = self
                .unsigned(data.get("ts"), &ts_field, i64::MAX as u64)
                .and_then(|ms| Utc.timestamp_millis_opt(ms as i64).single());
            if data.get("ts").is_none() {
                self.error(&ts_field, "is required");
            }
            let at = self.time(at, &ts_field);
            let payload_path = join(&data_path, "payload");
            let Some(payload) = self.object(data.get("payload"), &payload_path) else {
                continue;
            };
            // A people counter counts in per line (`line_1_period_in`...) or in total.
            let mut count = None;
            for (key, value) in payload {
                if key == "period_in" || key.starts_with("line_") && key.ends_with("_period_in") {
                    let n = self.unsigned(Some(value), &join(&payload_path, key), MAX_COUNT);
                    count = Some(count.unwrap_or(0) + n.unwrap_or(0));
                }
            }
            let battery = self.number(
                payload.get("battery"),
                &join(&payload_path, "battery"),
                100.0,
            );
            if let (Some(device_id), Some(event_key), Some(at)) = (device, event_id, at) {
                readings.push(Reading {
                    device_id,
                    event_key,
                    at,
                    battery_percent: battery,
                    values: Values {
                        count,
                        ..Values::default()
                    },
                    path: payload_path,
                    device_field: join(&profile_path, "devEUI"),
                });
            }
        }
        readings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-12-07T09:00:00Z".parse().unwrap()
    }

    fn fields(err: ValidationErrors) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_generic_batch_reads_each_reading() {
        let readings = parse(
            SensorFormat::Generic,
            &json!({"readings": [
                {"deviceId": "Lobby-1", "eventId": "e1", "at": "2026-12-07T08:00:00Z", "count": 4,
                 "batteryPercent": 81},
                {"deviceId": "soap-2", "eventId": "e2", "at": "2026-12-07T08:01:00+01:00",
                 "level": 12.5}
            ]}),
            now(),
        )
        .unwrap();
        assert_eq!(readings[0].device_id, "lobby-1");
        assert_eq!(readings[0].values.count, Some(4));
        assert_eq!(readings[0].battery_percent, Some(81.0));
        assert_eq!(readings[1].at.to_rfc3339(), "2026-12-07T07:01:00+00:00");
        assert_eq!(
            readings[1].measurement(SensorKind::FillLevel),
            Ok(Measurement::Level(12.5))
        );
    }

    #[test]
    fn a_bad_generic_reading_names_its_fields() {
        let err = parse(
            SensorFormat::Generic,
            &json!({"readings": [
                {"deviceId": "d1", "eventId": "e1", "at": "2026-12-07T08:00:00Z", "count": -1},
                {"deviceId": "d 2", "at": "2026-12-08T08:00:00Z", "level": 120, "colour": "red"}
            ]}),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            fields(err),
            [
                "readings[0].count",
                "readings[1].colour",
                "readings[1].deviceId",
                "readings[1].eventId",
                "readings[1].at",
                "readings[1].level"
            ]
        );
    }

    #[test]
    fn a_reading_without_its_kinds_value_names_the_value() {
        let readings = parse(
            SensorFormat::Generic,
            &json!({"readings": [
                {"deviceId": "d1", "eventId": "e1", "at": "2026-12-07T08:00:00Z", "level": 50}
            ]}),
            now(),
        )
        .unwrap();
        let err = readings[0]
            .measurement(SensorKind::PeopleCounter)
            .unwrap_err();
        assert_eq!(err.field, "readings[0].count");
        let alive = parse(
            SensorFormat::Generic,
            &json!({"readings": [{"deviceId": "d1", "eventId": "e2",
                "at": "2026-12-07T08:00:00Z", "batteryPercent": 50}]}),
            now(),
        )
        .unwrap();
        assert_eq!(
            alive[0].measurement(SensorKind::PeopleCounter),
            Ok(Measurement::Heartbeat)
        );
    }

    #[test]
    fn a_ttn_uplink_without_a_decoded_payload_is_refused() {
        let err = parse(
            SensorFormat::Ttn,
            &json!({"end_device_ids": {"device_id": "eui-1"}, "received_at": "2026-12-07T08:00:00Z",
                    "uplink_message": {"f_cnt": 3, "frm_payload": "AQI="}}),
            now(),
        )
        .unwrap_err();
        assert_eq!(fields(err), ["uplink_message.decoded_payload"]);
    }

    #[test]
    fn a_dt_touch_is_a_needs_cleaning_press() {
        let readings = parse(
            SensorFormat::Dt,
            &json!({"event": {"eventId": "c1", "targetName": "projects/p1/devices/bchonod7",
                "eventType": "touch", "data": {"touch": {"updateTime": "2026-12-07T08:00:00Z"}},
                "timestamp": "2026-12-07T08:00:00Z"}, "labels": {}}),
            now(),
        )
        .unwrap();
        assert_eq!(readings[0].device_id, "bchonod7");
        assert_eq!(
            readings[0].measurement(SensorKind::FeedbackButton),
            Ok(Measurement::Feedback(Feedback::NeedsCleaning))
        );
    }

    #[test]
    fn a_milesight_counter_adds_its_lines() {
        let readings = parse(
            SensorFormat::Milesight,
            &json!([{"eventId": "m1", "eventCreatedTime": 1796630400_u64, "eventType": "DEVICE_DATA",
                "data": {"deviceProfile": {"devEUI": "24E124535B312345"}, "type": "PROPERTY",
                "ts": 1796630400000_u64, "payload": {"line_1_period_in": 3, "line_2_period_in": 2,
                "line_1_period_out": 4, "battery": 90}}}]),
            "2026-12-07T09:00:00Z".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(readings[0].device_id, "24e124535b312345");
        assert_eq!(readings[0].values.count, Some(5));
        assert_eq!(readings[0].battery_percent, Some(90.0));
    }

    #[test]
    fn readings_from_the_future_or_last_month_are_refused() {
        for at in ["2026-12-07T09:10:00Z", "2026-11-20T09:00:00Z"] {
            let err = parse(
                SensorFormat::Generic,
                &json!({"readings": [{"deviceId": "d1", "eventId": "e1", "at": at, "count": 1}]}),
                now(),
            )
            .unwrap_err();
            assert_eq!(fields(err), ["readings[0].at"], "{at}");
        }
    }
}
