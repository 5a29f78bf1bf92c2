//! The cleaning context's core: sites, area types and areas, and their work-loading.
//!
//! Work-loading is computed, never stored from a client: an area needs
//! `sizeSqm / performanceSqmPerHour * 60 * correctionFactor` minutes per cleaning, times its
//! cleanings per week (its own, or its area type's).

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entity::Entity;
use crate::id::Id;
use crate::number::round2;
use crate::time::{LocalTime, TimeZone, Weekday};
use crate::validation::{Fields, ValidationErrors, parse_enum};

pub enum SiteKind {}
pub enum AreaTypeKind {}
pub enum AreaKind {}
pub type SiteId = Id<SiteKind>;
pub type AreaTypeId = Id<AreaTypeKind>;
pub type AreaId = Id<AreaKind>;

/// The most cleanings per week we accept: five a day, every day.
pub const MAX_CLEANINGS_PER_WEEK: f64 = 35.0;

// ---------------------------------------------------------------------------------------------
// Value types

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lng: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub street: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub city: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

impl Address {
    /// Reads an address object's fields (a site's, a customer's billing address).
    pub fn read(a: &mut Fields<'_>) -> Option<Address> {
        let street = a.required_str("street", 1..=200);
        let postal_code = a.optional_str("postalCode", 1..=20);
        let city = a.required_str("city", 1..=100);
        let country = a.required_parsed("country", |raw| {
            if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(raw.to_ascii_uppercase())
            } else {
                Err("must be an ISO 3166-1 alpha-2 country code, such as DE".into())
            }
        });
        Some(Address {
            street: street?,
            postal_code,
            city: city?,
            country: country?,
        })
    }
}

/// A window on one weekday when the site may be entered, in the site's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccessWindow {
    pub day: Weekday,
    pub from: LocalTime,
    pub to: LocalTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["low", "normal", "high"])
    }
}

// ---------------------------------------------------------------------------------------------
// Entities

/// A customer's building or premises that is cleaned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub name: String,
    /// The customer this site belongs to (a customer user sees only its own sites).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub address: Address,
    pub location: GeoPoint,
    pub time_zone: TimeZone,
    /// When the site may be entered. Default: empty, meaning no restriction (open 24/7).
    #[serde(default)]
    pub access_hours: Vec<AccessWindow>,
    /// How to get in (keys, alarm, entrance): printed on the cleaners' tour sheets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_notes: Option<String>,
}

impl Entity for Site {
    const COLLECTION: &'static str = "sites";
    const KIND: &'static str = "site";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_str("name", 1..=200);
        let customer_id = f.optional_parsed("customerId", |raw| {
            crate::id::parse_id(raw).map(str::to_owned)
        });
        let address = f.required_object("address", Address::read);
        let location = f.required_object("location", |l| {
            let lat = l.required_f64("lat", -90.0..=90.0);
            let lng = l.required_f64("lng", -180.0..=180.0);
            Some(GeoPoint {
                lat: lat?,
                lng: lng?,
            })
        });
        let time_zone = f.required_parsed("timeZone", str::parse::<TimeZone>);
        let access_hours = f.optional_list("accessHours", 7 * 8, |w| {
            let day = w.required_parsed("day", str::parse::<Weekday>);
            let from = w.required_parsed("from", str::parse::<LocalTime>);
            let to = w.required_parsed("to", str::parse::<LocalTime>);
            if let (Some(from), Some(to)) = (from, to)
                && from >= to
            {
                w.error(
                    "to",
                    "must be later than from (split a window across midnight in two)",
                );
                return None;
            }
            Some(AccessWindow {
                day: day?,
                from: from?,
                to: to?,
            })
        });
        let access_notes = f.optional_str("accessNotes", 1..=500);
        if let Some(windows) = &access_hours
            && let Some(i) = first_overlap(windows)
        {
            f.error(
                &format!("accessHours[{i}]"),
                "overlaps another window on the same day",
            );
        }
        f.finish(|| {
            Some(Site {
                name: name?,
                customer_id,
                address: address?,
                location: location?,
                time_zone: time_zone?,
                access_hours: access_hours.unwrap_or_default(),
                access_notes,
            })
        })
    }
}

/// A skill name: 1 to 40 lower-case letters, digits and `-`.
pub fn parse_skill(raw: &str) -> Result<String, String> {
    if (1..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(raw.to_owned())
    } else {
        Err("must be a skill name: 1 to 40 lower-case letters, digits and -".into())
    }
}

/// The index of the first window that overlaps an earlier one on the same day.
fn first_overlap(windows: &[AccessWindow]) -> Option<usize> {
    windows.iter().enumerate().find_map(|(i, w)| {
        windows[..i]
            .iter()
            .any(|o| o.day == w.day && o.from < w.to && w.from < o.to)
            .then_some(i)
    })
}

/// A kind of room with its cleaning performance rate and default frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaType {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Square metres one cleaner cleans per hour.
    pub performance_sqm_per_hour: f64,
    /// How often an area of this type is cleaned per week (fractions: 0.5 = fortnightly).
    pub cleanings_per_week: f64,
    /// Multiplies the time per cleaning (furniture density, soiling). Default 1.
    #[schema(required = false)]
    pub correction_factor: f64,
    /// Default `normal`.
    #[schema(required = false)]
    pub priority: Priority,
    /// What a cleaner must be able to do for this kind of room (e.g. `windows`, `clean-room`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// How sensors decide its cleanings (default: by its calendars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<crate::sensors::DemandRule>,
}

impl Entity for AreaType {
    const COLLECTION: &'static str = "areaTypes";
    const KIND: &'static str = "area type";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_str("name", 1..=100);
        let description = f.optional_str("description", 0..=2000);
        let performance = f.required_f64("performanceSqmPerHour", 1.0..=10_000.0);
        let per_week = f.required_f64("cleaningsPerWeek", 0.0..=MAX_CLEANINGS_PER_WEEK);
        let correction = f.optional_f64("correctionFactor", 0.1..=10.0);
        let priority = f.optional_parsed("priority", str::parse::<Priority>);
        let skills = f.optional_parsed_list("skills", 20, parse_skill);
        let demand = f.optional_object("demand", crate::sensors::DemandRule::read);
        f.finish(|| {
            Some(AreaType {
                demand,
                name: name?,
                description: description.filter(|d| !d.is_empty()),
                performance_sqm_per_hour: performance?,
                cleanings_per_week: per_week?,
                correction_factor: correction.unwrap_or(1.0),
                priority: priority.unwrap_or_default(),
                skills: skills.unwrap_or_default(),
            })
        })
    }
}

/// A room or zone of a site that is cleaned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Area {
    pub site_id: SiteId,
    pub name: String,
    /// Storey: 0 is the ground floor, negative below ground. Default 0.
    #[schema(required = false)]
    pub floor: i64,
    pub size_sqm: f64,
    pub area_type_id: AreaTypeId,
    /// Overrides the area type's frequency for this area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanings_per_week: Option<f64>,
    /// Who cleans it, or on which weekday: the planner keeps to it or says why it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    /// Overrides the area type's demand rule for this area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<crate::sensors::DemandRule>,
}

/// A lock on an area: a cleaner (her user id), a weekday, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaner_id: Option<crate::UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<Weekday>,
}

impl Entity for Area {
    const COLLECTION: &'static str = "areas";
    const KIND: &'static str = "area";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "minutesPerCleaning",
        "minutesPerWeek",
        "effectiveCleaningsPerWeek",
    ];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let site_id = f.required_parsed("siteId", SiteId::parse);
        let name = f.required_str("name", 1..=200);
        let floor = f.optional_i64("floor", -20..=300);
        let size_sqm = f.required_f64("sizeSqm", 0.01..=1_000_000.0);
        let area_type_id = f.required_parsed("areaTypeId", AreaTypeId::parse);
        let cleanings_per_week = f.optional_f64("cleaningsPerWeek", 0.0..=MAX_CLEANINGS_PER_WEEK);
        let pin = f.optional_object("pin", |p| {
            let cleaner_id = p.optional_parsed("cleanerId", crate::UserId::parse);
            let weekday = p.optional_parsed("weekday", str::parse::<Weekday>);
            if cleaner_id.is_none() && weekday.is_none() && !p.has("cleanerId") && !p.has("weekday")
            {
                p.error("cleanerId", "a pin names a cleaner, a weekday or both");
                return None;
            }
            Some(Pin {
                cleaner_id,
                weekday,
            })
        });
        let demand = f.optional_object("demand", crate::sensors::DemandRule::read);
        f.finish(|| {
            Some(Area {
                demand,
                pin,
                site_id: site_id?,
                name: name?,
                floor: floor.unwrap_or(0),
                size_sqm: size_sqm?,
                area_type_id: area_type_id?,
                cleanings_per_week,
            })
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Work-loading

/// The computed workload of one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaWorkload {
    pub minutes_per_cleaning: f64,
    pub effective_cleanings_per_week: f64,
    pub minutes_per_week: f64,
}

impl AreaWorkload {
    pub fn of(area: &Area, area_type: &AreaType) -> Self {
        let minutes_per_cleaning =
            area.size_sqm / area_type.performance_sqm_per_hour * 60.0 * area_type.correction_factor;
        let per_week = area
            .cleanings_per_week
            .unwrap_or(area_type.cleanings_per_week);
        Self {
            minutes_per_cleaning,
            effective_cleanings_per_week: per_week,
            minutes_per_week: minutes_per_cleaning * per_week,
        }
    }

    pub fn rounded(self) -> Self {
        Self {
            minutes_per_cleaning: round2(self.minutes_per_cleaning),
            effective_cleanings_per_week: self.effective_cleanings_per_week,
            minutes_per_week: round2(self.minutes_per_week),
        }
    }
}

/// A site's workload for one area type.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaTypeWorkload {
    pub area_type_id: String,
    pub area_type_name: String,
    pub areas: usize,
    pub size_sqm: f64,
    pub minutes_per_week: f64,
    pub hours_per_week: f64,
}

/// A site's weekly workload, by area type and in total.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteWorkload {
    pub site_id: String,
    pub by_area_type: Vec<AreaTypeWorkload>,
    pub areas: usize,
    pub size_sqm: f64,
    pub minutes_per_week: f64,
    pub hours_per_week: f64,
}

impl SiteWorkload {
    /// Sums `areas` by area type. `area_types` maps ids to types; an area whose type is
    /// missing cannot be loaded and is an error naming it.
    pub fn compute(
        site_id: &str,
        areas: &[Area],
        area_types: &BTreeMap<String, AreaType>,
    ) -> Result<Self, String> {
        let mut groups: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
        for area in areas {
            let id = area.area_type_id.as_str();
            let area_type = area_types
                .get(id)
                .ok_or_else(|| format!("area type {id} of area {} is missing", area.name))?;
            let load = AreaWorkload::of(area, area_type);
            let group = groups.entry(id).or_default();
            group.0 += 1;
            group.1 += area.size_sqm;
            group.2 += load.minutes_per_week;
        }
        let by_area_type: Vec<AreaTypeWorkload> = groups
            .into_iter()
            .map(|(id, (count, size, minutes))| AreaTypeWorkload {
                area_type_id: id.to_owned(),
                area_type_name: area_types[id].name.clone(),
                areas: count,
                size_sqm: round2(size),
                minutes_per_week: round2(minutes),
                hours_per_week: round2(minutes / 60.0),
            })
            .collect();
        let size: f64 = areas.iter().map(|a| a.size_sqm).sum();
        let minutes: f64 = areas
            .iter()
            .map(|a| AreaWorkload::of(a, &area_types[a.area_type_id.as_str()]).minutes_per_week)
            .sum();
        Ok(Self {
            site_id: site_id.to_owned(),
            by_area_type,
            areas: areas.len(),
            size_sqm: round2(size),
            minutes_per_week: round2(minutes),
            hours_per_week: round2(minutes / 60.0),
        })
    }
}

/// One site's line in a workload report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteReport {
    pub site_id: String,
    pub site_name: String,
    #[serde(flatten)]
    pub workload: SiteWorkload,
}

/// A tenant's weekly workload on one day: every site's, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadReport {
    pub date: String,
    pub scheduled_for: String,
    pub sites: Vec<SiteReport>,
    /// Sites whose areas refer to a missing area type: reported, not fatal.
    pub problems: Vec<String>,
    pub total_areas: usize,
    pub total_size_sqm: f64,
    pub total_minutes_per_week: f64,
    pub total_hours_per_week: f64,
}

impl WorkloadReport {
    /// The report dated by `scheduled_for` (UTC) from a tenant's sites (with their ids), areas
    /// and area types.
    pub fn build(
        scheduled_for: &chrono::DateTime<chrono::Utc>,
        sites: &[(String, Site)],
        areas: &[Area],
        area_types: &BTreeMap<String, AreaType>,
    ) -> Self {
        let mut by_site: BTreeMap<&str, Vec<Area>> = BTreeMap::new();
        for area in areas {
            by_site
                .entry(area.site_id.as_str())
                .or_default()
                .push(area.clone());
        }
        let mut reports = Vec::new();
        let mut problems = Vec::new();
        for (site_id, site) in sites {
            let site_areas = by_site
                .get(site_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            match SiteWorkload::compute(site_id, site_areas, area_types) {
                Ok(workload) => reports.push(SiteReport {
                    site_id: site_id.clone(),
                    site_name: site.name.clone(),
                    workload,
                }),
                Err(problem) => problems.push(format!("site {site_id}: {problem}")),
            }
        }
        let minutes: f64 = reports.iter().map(|r| r.workload.minutes_per_week).sum();
        Self {
            date: scheduled_for.format("%Y-%m-%d").to_string(),
            scheduled_for: crate::meta::format_timestamp(scheduled_for),
            total_areas: reports.iter().map(|r| r.workload.areas).sum(),
            total_size_sqm: round2(reports.iter().map(|r| r.workload.size_sqm).sum()),
            total_minutes_per_week: round2(minutes),
            total_hours_per_week: round2(minutes / 60.0),
            sites: reports,
            problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn office() -> AreaType {
        AreaType::parse(&json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5, "correctionFactor": 1.2})).unwrap()
    }

    fn area(size: f64, per_week: Option<f64>) -> Area {
        let mut body =
            json!({"siteId": "s1", "name": "Room", "sizeSqm": size, "areaTypeId": "office"});
        if let Some(n) = per_week {
            body["cleaningsPerWeek"] = json!(n);
        }
        Area::parse(&body).unwrap()
    }

    #[test]
    fn area_workload_follows_the_formula() {
        let load = AreaWorkload::of(&area(50.0, None), &office());
        assert!((load.minutes_per_cleaning - 50.0 / 200.0 * 60.0 * 1.2).abs() < 1e-9);
        assert!((load.minutes_per_week - 18.0 * 5.0).abs() < 1e-9);
        let own = AreaWorkload::of(&area(50.0, Some(2.0)), &office());
        assert!((own.minutes_per_week - 36.0).abs() < 1e-9);
    }

    #[test]
    fn site_workload_sums_by_area_type() {
        let types = BTreeMap::from([("office".to_owned(), office())]);
        let load = SiteWorkload::compute("s1", &[area(50.0, None), area(100.0, Some(1.0))], &types)
            .unwrap();
        assert_eq!(load.areas, 2);
        assert_eq!(load.by_area_type[0].minutes_per_week, 90.0 + 36.0);
        assert_eq!(load.hours_per_week, 2.1);
    }

    #[test]
    fn area_type_defaults_are_filled() {
        let t = AreaType::parse(
            &json!({"name": "Hall", "performanceSqmPerHour": 300, "cleaningsPerWeek": 1}),
        )
        .unwrap();
        assert_eq!((t.correction_factor, t.priority), (1.0, Priority::Normal));
    }

    #[test]
    fn overlapping_access_windows_are_refused() {
        let body = json!({"name": "HQ", "address": {"street": "Main 1", "city": "Berlin", "country": "de"},
            "location": {"lat": 52.5, "lng": 13.4}, "timeZone": "Europe/Berlin",
            "accessHours": [{"day": "mon", "from": "06:00", "to": "12:00"}, {"day": "mon", "from": "11:00", "to": "13:00"}]});
        let err = Site::parse(&body).unwrap_err();
        assert_eq!(err.0[0].field, "accessHours[1]");
    }

    #[test]
    fn the_report_sums_every_site_and_names_the_sites_it_cannot_compute() {
        let types = BTreeMap::from([("office".to_owned(), office())]);
        let site = |name: &str| {
            Site::parse(
                &json!({"name": name, "address": {"street": "S 1", "city": "Berlin",
                "country": "DE"}, "location": {"lat": 52.5, "lng": 13.4},
                "timeZone": "Europe/Berlin"}),
            )
            .unwrap()
        };
        let mut orphan = area(10.0, None);
        orphan.site_id = SiteId::parse("s2").unwrap();
        orphan.area_type_id = AreaTypeId::parse("gone").unwrap();
        let scheduled = "2026-11-24T02:00:00Z".parse().unwrap();
        let report = WorkloadReport::build(
            &scheduled,
            &[("s1".into(), site("HQ")), ("s2".into(), site("Depot"))],
            &[area(50.0, None), area(100.0, Some(1.0)), orphan],
            &types,
        );
        assert_eq!(report.date, "2026-11-24");
        assert_eq!(report.sites.len(), 1);
        assert_eq!(report.sites[0].site_name, "HQ");
        assert_eq!(report.total_areas, 2);
        assert_eq!(report.total_minutes_per_week, 126.0);
        assert_eq!(report.total_hours_per_week, 2.1);
        assert_eq!(report.problems.len(), 1);
        assert!(
            report.problems[0].starts_with("site s2:"),
            "{:?}",
            report.problems
        );
    }
}
