//! Demand-based cleaning where several functions meet it: the sensors function makes
//! cleanings due, the demand worker runs the fallback and the nightly suggestions, the tours
//! function closes a demand with the visit that cleaned the area and shows it on the sheet,
//! and proof of service and billing count scheduled cleanings a demand area did not need.
//!
//! The documents ([`AreaDemand`], [`DemandCleaning`]) are the domain's; this module reads and
//! writes them, with the version preconditions that make racing writers retry.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use domain::Entity;
use domain::Metadata;
use domain::calendars::local_instant;
use domain::schedule::SiteSchedule;
use domain::sensors::demand::AreaDemand;
use domain::sensors::{DemandCleaning, DemandRule, DemandStatus, DemandTrigger};
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::store::{Filter, Query, StoreError, Write};
use domain::time::Weekday;
use domain::tours::Visit;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::context::TenantData;
use crate::crud::{Stored, entity_fields, key_id};
use crate::error::{ApiError, ApiResult};

/// How often a writer re-reads and tries again after losing a race for the same documents.
pub const ATTEMPTS: u32 = 12;

/// Waits before attempt `attempt` (from 1) of a commit that lost a race: a random part of
/// a window that doubles up to 160 ms, so racing writers spread out instead of meeting again.
pub async fn back_off(attempt: u32) {
    let window = 5u64 << attempt.min(5);
    let mut byte = [0u8; 2];
    // Without randomness the wait is the whole window: slower, never wrong.
    let draw =
        aws_lc_rs::rand::fill(&mut byte).map_or(u64::MAX, |()| u64::from(u16::from_le_bytes(byte)));
    let millis = draw % window.max(1);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

/// The rule an area follows, and the frequency and minutes it is weighed by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaRule {
    pub rule: DemandRule,
    pub cleanings_per_week: f64,
    pub minutes_per_cleaning: f64,
}

impl AreaRule {
    pub fn of(area: &Area, area_type: Option<&AreaType>) -> Self {
        let rule = DemandRule::of(
            area.demand.as_ref(),
            area_type.and_then(|t| t.demand.as_ref()),
        );
        let (cleanings_per_week, minutes_per_cleaning) = match area_type {
            Some(t) => {
                let load = AreaWorkload::of(area, t);
                (load.effective_cleanings_per_week, load.minutes_per_cleaning)
            }
            None => (area.cleanings_per_week.unwrap_or(0.0), 0.0),
        };
        Self {
            rule,
            cleanings_per_week,
            minutes_per_cleaning,
        }
    }

    /// The rule of `area`, reading its type.
    pub async fn load(data: &TenantData, area: &Area) -> ApiResult<Self> {
        let area_type = data
            .repo::<AreaType>()
            .find(area.area_type_id.as_str())
            .await?;
        Ok(Self::of(area, area_type.as_ref().map(|t| &t.entity)))
    }
}

/// A document of a type that is not an [`Entity`] (slots, days, area demand), with its
/// metadata, or none.
pub async fn read<T: DeserializeOwned>(
    data: &TenantData,
    collection: &'static str,
    id: &str,
) -> ApiResult<Option<(Metadata, T)>> {
    let Some(doc) = data.store().get(collection, id).await? else {
        return Ok(None);
    };
    let value = serde_json::from_value(serde_json::Value::Object(doc.fields))
        .map_err(|e| ApiError::internal(format!("{collection}/{id} does not read: {e}")))?;
    Ok(Some((doc.meta, value)))
}

/// Writes `value` as `collection/id`, created or replaced at the version it was read at.
pub fn write<T: Serialize>(
    collection: &'static str,
    id: &str,
    current: Option<&Metadata>,
    value: &T,
) -> ApiResult<Write> {
    Ok(Write::upsert(
        collection,
        id,
        current,
        entity_fields(value)?,
    ))
}

/// Whether a commit failed because someone else wrote the same documents first.
pub fn lost_race(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::VersionMismatch { .. } | StoreError::AlreadyExists { .. }
    )
}

/// The id of the demand cleaning an area's cycle makes: one per cycle, enforced by the
/// store's commit.
pub fn demand_cleaning_id(area_id: &str, cycle: u64) -> String {
    key_id(&[DemandCleaning::COLLECTION, area_id, &cycle.to_string()])
}

/// When a cleaning made due at `at` may start: at once if the site may be entered then, else
/// when its access hours next open (within a week); the closure's reason if the site is
/// closed that day.
pub fn due_from(
    schedule: &SiteSchedule,
    site: &Site,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let tz = site.time_zone.0;
    let local = at.with_timezone(&tz);
    let today = local.date_naive();
    if let Some(closure) = schedule.closure_on(today) {
        return Err(closure.reason.clone());
    }
    if site.access_hours.is_empty() {
        return Ok(at);
    }
    let now = domain::time::LocalTime::from_minutes(i64::from(
        chrono::Timelike::hour(&local) * 60 + chrono::Timelike::minute(&local),
    ));
    for offset in 0..8 {
        let date = today + Duration::days(offset);
        if offset > 0 && schedule.closure_on(date).is_some() {
            continue;
        }
        let mut windows: Vec<_> = site
            .access_hours
            .iter()
            .filter(|w| w.day == Weekday::of(date))
            .collect();
        windows.sort_by_key(|w| w.from);
        for window in windows {
            if offset == 0 && window.from <= now && now < window.to {
                return Ok(at);
            }
            if offset > 0 || window.from > now {
                return Ok(local_instant(tz, date, window.from).with_timezone(&Utc));
            }
        }
    }
    Ok(at)
}

/// Makes the cycle's cleaning due (the write that creates it) and marks `area` as having
/// it; none if the site is closed that day (the trigger comes again with the next reading
/// or sweep on an open day).
#[allow(clippy::too_many_arguments)]
pub fn make_due(
    schedule: &SiteSchedule,
    site: &Site,
    area: &mut AreaDemand,
    trigger: DemandTrigger,
    limit: Option<u64>,
    sensor_id: Option<&str>,
    at: DateTime<Utc>,
) -> ApiResult<Option<Write>> {
    let Ok(due_from) = due_from(schedule, site, at) else {
        tracing::info!(area = %area.area_id, ?trigger, "the site is closed: no demand cleaning");
        return Ok(None);
    };
    let id = demand_cleaning_id(&area.area_id, area.cycle);
    let cleaning = DemandCleaning {
        area_id: domain::sites::AreaId::parse(&area.area_id).map_err(ApiError::internal)?,
        site_id: domain::sites::SiteId::parse(&area.site_id).map_err(ApiError::internal)?,
        trigger,
        triggered_at: at,
        local_date: at.with_timezone(&site.time_zone.0).date_naive(),
        due_from,
        events: area.events,
        limit,
        sensor_id: sensor_id.map(str::to_owned),
        status: DemandStatus::Open,
        visit_id: None,
        done_at: None,
        done_date: None,
    };
    area.open = Some(id.clone());
    area.fallback_due_at = None;
    Ok(Some(Write::Create {
        collection: DemandCleaning::COLLECTION,
        id,
        fields: entity_fields(&cleaning)?,
    }))
}

/// After a visit cleaned an area (checked out as done): the area's count starts again, its
/// open demand cleaning is done, and its fallback is timed from now. Areas no sensor watches
/// have no demand document and cost one read.
pub async fn cleaned(data: &TenantData, visit_id: &str, visit: &Visit) -> ApiResult<()> {
    let area_id = visit.area_id.as_str();
    let at = visit.checked_out_at.unwrap_or(visit.checked_in_at);
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            back_off(attempt).await;
        }
        let Some((meta, mut area)) =
            read::<AreaDemand>(data, AreaDemand::COLLECTION, area_id).await?
        else {
            return Ok(());
        };
        let open = area.open.clone();
        if !area.cleaned(at) {
            return Ok(());
        }
        let mut writes = Vec::new();
        if let Some(stored_area) = data.repo::<Area>().find(area_id).await?
            && let Some(site) = data
                .repo::<Site>()
                .find(stored_area.entity.site_id.as_str())
                .await?
        {
            let rule = AreaRule::load(data, &stored_area.entity).await?;
            area.plan_fallback(&rule.rule, rule.cleanings_per_week, site.entity.time_zone.0);
            if let Some(open) = &open
                && let Some(cleaning) = data.repo::<DemandCleaning>().find(open).await?
            {
                let mut done = cleaning.entity.clone();
                done.status = DemandStatus::Done;
                done.visit_id =
                    Some(domain::tours::VisitId::parse(visit_id).map_err(ApiError::internal)?);
                done.done_at = Some(at);
                done.done_date = Some(at.with_timezone(&site.entity.time_zone.0).date_naive());
                writes.push(Write::Update {
                    collection: DemandCleaning::COLLECTION,
                    id: open.clone(),
                    expected_version: cleaning.meta.version,
                    fields: entity_fields(&done)?,
                });
            }
        }
        writes.push(write(AreaDemand::COLLECTION, area_id, Some(&meta), &area)?);
        match data.store().commit(writes, data.now()).await {
            Ok(_) => return Ok(()),
            Err(e) if lost_race(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(format!(
        "area {area_id}'s demand kept changing: its cleaning is not counted yet"
    )))
}

/// A site's demand cleanings due on `date`: those still open, and those cleaned that day.
pub async fn due_at_site(
    data: &TenantData,
    site_id: &str,
    date: NaiveDate,
) -> ApiResult<Vec<Stored<DemandCleaning>>> {
    let open = Query::new(DemandCleaning::COLLECTION)
        .filter(Filter::eq("siteId", site_id))
        .filter(Filter::eq("status", "open"));
    let done = Query::new(DemandCleaning::COLLECTION)
        .filter(Filter::eq("siteId", site_id))
        .filter(Filter::eq("doneDate", date.to_string()));
    let mut found = Vec::new();
    for query in [open, done] {
        for doc in data.store().query_all(query).await? {
            let cleaning = Stored::<DemandCleaning>::from_document(doc)?;
            if cleaning.entity.due_on(date) {
                found.push(cleaning);
            }
        }
    }
    Ok(found)
}

/// How many past weeks the week builder reads a room's demand from.
pub const HISTORY_WEEKS: i64 = 4;
/// The share of past same weekdays with a demand under which a scheduled cleaning of a room
/// cleaned by demand is left out of the week (one of the last four).
pub const RARELY_NEEDED: f64 = 0.25;

/// What the last [`HISTORY_WEEKS`] weeks say of each room cleaned by demand: on which of
/// each weekday's past dates a cleaning was due. Only rooms sensors have watched for the
/// whole span are judged; the rest are planned by their calendars.
#[derive(Default)]
pub struct ExpectedDemand {
    /// Per judged area, the past dates a demand was due on.
    due: BTreeMap<String, BTreeSet<NaiveDate>>,
    /// Per judged area, how many demands arose on each past date.
    arisen: BTreeMap<String, BTreeMap<NaiveDate, u32>>,
    first: Option<NaiveDate>,
}

impl ExpectedDemand {
    pub async fn load(
        data: &TenantData,
        sites: &[Stored<Site>],
        areas: &[Stored<Area>],
        types: &BTreeMap<String, AreaType>,
        week_start: NaiveDate,
    ) -> ApiResult<Self> {
        let first = week_start - Duration::weeks(HISTORY_WEEKS);
        let by_demand: Vec<String> = areas
            .iter()
            .filter(|a| {
                AreaRule::of(&a.entity, types.get(a.entity.area_type_id.as_str()))
                    .rule
                    .mode
                    .by_demand()
            })
            .map(|a| a.meta.id.clone())
            .collect();
        if by_demand.is_empty() {
            return Ok(Self::default());
        }
        // Watched since before the span began (a room watched for a week says too little).
        let watched = data.repo::<AreaDemand>().get_map(by_demand).await?;
        let mut due: BTreeMap<String, BTreeSet<NaiveDate>> = watched
            .iter()
            .filter(|(_, d)| d.entity.since.date_naive() < first)
            .map(|(id, _)| (id.clone(), BTreeSet::new()))
            .collect();
        if due.is_empty() {
            return Ok(Self::default());
        }
        let last = week_start - Duration::days(1);
        let span = domain::tours::Month { first, last };
        let mut arisen: BTreeMap<String, BTreeMap<NaiveDate, u32>> = BTreeMap::new();
        let sites_of: BTreeSet<&str> = watched
            .values()
            .map(|d| d.entity.site_id.as_str())
            .collect();
        for site in sites
            .iter()
            .filter(|s| sites_of.contains(s.meta.id.as_str()))
        {
            let cleanings = crate::proof::fold_site_month::<DemandCleaning, _>(
                data,
                "localDate",
                &site.meta.id,
                &span,
                Vec::new(),
                |all, c| all.push(c.entity),
            )
            .await?;
            for cleaning in cleanings {
                if due.contains_key(cleaning.area_id.as_str()) {
                    *arisen
                        .entry(cleaning.area_id.to_string())
                        .or_default()
                        .entry(cleaning.local_date)
                        .or_default() += 1;
                }
                if let Some(dates) = due.get_mut(cleaning.area_id.as_str()) {
                    dates.extend(
                        first
                            .iter_days()
                            .take_while(|d| *d <= last)
                            .filter(|d| cleaning.due_on(*d)),
                    );
                }
            }
        }
        Ok(Self {
            due,
            arisen,
            first: Some(first),
        })
    }

    /// The share of the last weeks' same weekdays on which the area's demand was due; none
    /// for an area not judged.
    pub fn share(&self, area_id: &str, date: NaiveDate) -> Option<f64> {
        let dates = self.due.get(area_id)?;
        let past = self.same_weekdays_before(date)?;
        let hits = past.iter().filter(|d| dates.contains(d)).count();
        Some(hits as f64 / past.len() as f64)
    }

    /// The cleanings beyond one that the area's demand is expected to ask for on `date`:
    /// the mean of its demands on the last weeks' same weekdays, less the planned one.
    pub fn extra(&self, area_id: &str, date: NaiveDate) -> Option<f64> {
        self.due.get(area_id)?;
        let counts = self.arisen.get(area_id);
        let past = self.same_weekdays_before(date)?;
        let total: u32 = past
            .iter()
            .map(|d| counts.and_then(|c| c.get(d)).copied().unwrap_or(0))
            .sum();
        Some((f64::from(total) / past.len() as f64 - 1.0).max(0.0))
    }

    /// `date`'s weekday in each of the history's weeks; none without history.
    fn same_weekdays_before(&self, date: NaiveDate) -> Option<Vec<NaiveDate>> {
        let first = self.first?;
        let past: Vec<NaiveDate> = (1..=HISTORY_WEEKS)
            .map(|w| date - Duration::weeks(w))
            .filter(|d| *d >= first)
            .collect();
        (!past.is_empty()).then_some(past)
    }

    /// Whether the area's scheduled cleaning on `date` stays in the week.
    pub fn needed(&self, area_id: &str, date: NaiveDate) -> bool {
        self.share(area_id, date)
            .is_none_or(|share| share >= RARELY_NEEDED)
    }
}

/// Every store query this module issues (for the index check).
pub fn queries() -> Vec<Query> {
    vec![
        Query::new(DemandCleaning::COLLECTION)
            .filter(Filter::eq("siteId", "s"))
            .filter(Filter::eq("status", "open")),
        Query::new(DemandCleaning::COLLECTION)
            .filter(Filter::eq("siteId", "s"))
            .filter(Filter::eq("doneDate", "2026-12-07")),
        // A site's month of demand cleanings (proof of service, the savings report).
        crate::proof::site_month_query::<DemandCleaning>(
            "localDate",
            "s",
            &"2026-12".parse().expect("a month"),
        ),
    ]
}

/// The event telling the cleaners on duty that demand cleaning `id` is due: those whose
/// tours in force that day visit the area; the dispatchers when nobody's do. `None` if the
/// cleaning, its area or its site is gone.
pub async fn demand_event(
    data: &TenantData,
    id: &str,
) -> ApiResult<Option<domain::notifications::NotificationEvent>> {
    use domain::notifications::{Audience, Message, NotificationEvent};
    let Some(cleaning) = data.repo::<DemandCleaning>().find(id).await? else {
        return Ok(None);
    };
    let c = &cleaning.entity;
    let (Some(area), Some(site)) = (
        data.repo::<Area>().find(c.area_id.as_str()).await?,
        data.repo::<Site>().find(c.site_id.as_str()).await?,
    ) else {
        return Ok(None);
    };
    let date = c.local_date;
    let tours = crate::tours::in_force(data, date, date, None).await?;
    let mut to: Vec<Audience> = Vec::new();
    for tour in tours.iter().filter(|t| {
        t.entity.runs_on(date).is_some_and(|day| {
            day.area_ids
                .iter()
                .any(|a| a.as_str() == c.area_id.as_str())
        })
    }) {
        let audience = Audience::User {
            user_id: tour.entity.cleaner_id.clone(),
        };
        if !to.contains(&audience) {
            to.push(audience);
        }
    }
    if to.is_empty() {
        to.push(Audience::Dispatchers);
    }
    let due_by = c.due_from + Duration::hours(DUE_WITHIN_HOURS);
    Ok(Some(NotificationEvent {
        id: format!("demand:{}", cleaning.meta.id),
        to,
        message: Message::DemandCleaning {
            site_name: site.entity.name.clone(),
            area_name: area.entity.name.clone(),
            due_by,
        },
        time_zone: Some(site.entity.time_zone),
        link: None,
        attachment: None,
        site_id: Some(site.meta.id.clone()),
        not_to: None,
    }))
}

/// What a demand cleaning's SMS asks: done within this many hours of becoming due.
pub const DUE_WITHIN_HOURS: i64 = 2;
