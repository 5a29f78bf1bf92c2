//! The `demand-worker`: the `demand` job, delivered every 15 minutes per tenant by the
//! fan-out, at `/push/demand`.
//!
//! - **Fallback**: an area cleaned by demand with a fallback whose `fallbackDueAt` has passed
//!   gets its demand cleaning (trigger `fallback`), unless its site is closed that day. The
//!   cleaning's id is the area's cycle's, so a redelivered or parallel run makes none twice.
//! - **Suggestions**: on the run between 02:00 and 02:15 in the tenant's zone, each watched
//!   area's limit suggested from the daily average of its sensors' events over the last 21
//!   days, times its regular interval. The dispatcher accepts it by setting the area's
//!   `demand.limit`, or keeps her own.
//!
//! A run's cost is bounded: at most [`FALLBACKS_PER_RUN`] fallbacks (the rest wait 15
//! minutes), and suggestions read one query per watched area, a page at a time.
//!
//! # Layout
//! Everything is in this file: the job, the fallback sweep and the nightly suggestions.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, Timelike as _};
use domain::Entity;
use domain::identity::TenantSettings;
use domain::schedule::SiteSchedule;
use domain::sensors::DemandTrigger;
use domain::sensors::demand::{AreaDemand, SensorDay, due_text, suggest};
use domain::sites::{Area, Site};
use domain::store::{Direction, Filter, FilterOp, Query, Write};
use platform::crud::Stored;
use platform::demand::{AreaRule, lost_race, make_due, write};
use platform::push::PushJob;
use platform::routes::Routes;
use platform::{BackgroundJob, JobError, TenantData};
use serde::{Deserialize, Serialize};

/// The most fallbacks one run makes.
pub const FALLBACKS_PER_RUN: usize = 500;
/// The days a suggestion averages over.
pub const SUGGESTION_DAYS: i64 = 21;
/// The hour (tenant's zone) whose first run suggests limits.
pub const SUGGESTION_HOUR: u32 = 2;

pub fn router() -> Routes {
    platform::job::route::<DemandSweep>()
}

/// The job; the fan-out's payload carries nothing it needs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DemandSweep {}

impl BackgroundJob for DemandSweep {
    const NAME: &'static str = "demand";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        let data = run.data();
        let made = fallbacks(data).await?;
        if !made.is_empty() {
            tracing::info!(made = made.len(), "fallback cleanings made due");
        }
        for id in &made {
            match platform::demand::demand_event(data, id).await {
                Ok(Some(event)) => run.notify(&event).await,
                Ok(None) => {}
                Err(e) => tracing::error!(cleaning = %id, "the cleaner on duty was not told: {e}"),
            }
        }
        let settings = data
            .repo::<TenantSettings>()
            .find(TenantSettings::ID)
            .await?;
        if let Some(settings) = settings {
            let local = run
                .message
                .scheduled_for
                .with_timezone(&settings.entity.time_zone.0);
            if local.hour() == SUGGESTION_HOUR && local.minute() < 15 {
                let suggested = suggestions(data, local.date_naive()).await?;
                tracing::info!(suggested, "limits suggested");
            }
        }
        Ok(Vec::new())
    }
}

/// The areas whose fallback is due, oldest due first.
pub fn due_query(now: chrono::DateTime<chrono::Utc>) -> Query {
    Query::new(AreaDemand::COLLECTION)
        .filter(Filter::new("fallbackDueAt", FilterOp::Le, due_text(now)))
        .order_by("fallbackDueAt", Direction::Asc)
        .limit(FALLBACKS_PER_RUN)
}

/// Makes the due fallbacks; the ids of the cleanings made.
pub async fn fallbacks(data: &TenantData) -> Result<Vec<String>, JobError> {
    let now = data.now();
    let page = data.store().query(&due_query(now)).await?;
    let mut schedules: BTreeMap<String, (Stored<Site>, SiteSchedule)> = BTreeMap::new();
    let mut made = Vec::new();
    for doc in page.documents {
        let meta = doc.meta.clone();
        let mut area: AreaDemand = Stored::<AreaDemand>::from_document(doc)?.entity;
        if !area.fallback_due(now) {
            continue;
        }
        let Some(stored_area) = data.repo::<Area>().find(&area.area_id).await? else {
            // The area is gone: nothing to clean, and nothing to look at again.
            area.fallback_due_at = None;
            commit_quietly(
                data,
                vec![write(AreaDemand::COLLECTION, &meta.id, Some(&meta), &area)?],
            )
            .await?;
            continue;
        };
        let rule = AreaRule::load(data, &stored_area.entity).await?;
        if !schedules.contains_key(&area.site_id) {
            let Some(site) = data.repo::<Site>().find(&area.site_id).await? else {
                continue;
            };
            let schedule = platform::schedule::load(data, &site).await?;
            schedules.insert(area.site_id.clone(), (site, schedule));
        }
        let (site, schedule) = &schedules[&area.site_id];
        let Some(create) = make_due(
            schedule,
            &site.entity,
            &mut area,
            DemandTrigger::Fallback,
            rule.rule.limit,
            None,
            now,
        )?
        else {
            continue;
        };
        let id = create.target().1.to_owned();
        let writes = vec![
            create,
            write(AreaDemand::COLLECTION, &meta.id, Some(&meta), &area)?,
        ];
        if commit_quietly(data, writes).await? {
            made.push(id);
        }
    }
    Ok(made)
}

/// Commits `writes`; a lost race (a reading or a parallel run wrote first) is left to the
/// next run.
async fn commit_quietly(data: &TenantData, writes: Vec<Write>) -> Result<bool, JobError> {
    match data.store().commit(writes, data.now()).await {
        Ok(_) => Ok(true),
        Err(e) if lost_race(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// One area's sensor days from `first` to `last`.
pub fn days_query(area_id: &str, first: NaiveDate, last: NaiveDate) -> Query {
    Query::new(SensorDay::COLLECTION)
        .filter(Filter::eq("areaId", area_id))
        .filter(Filter::new("date", FilterOp::Ge, first.to_string()))
        .filter(Filter::new("date", FilterOp::Le, last.to_string()))
        .order_by("date", Direction::Asc)
}

/// Suggests each watched area's limit from the 21 days before `today`; how many.
pub async fn suggestions(data: &TenantData, today: NaiveDate) -> Result<usize, JobError> {
    let (first, last) = (
        today - Duration::days(SUGGESTION_DAYS),
        today - Duration::days(1),
    );
    let mut query = Query::new(AreaDemand::COLLECTION).limit(200);
    let mut suggested = 0;
    loop {
        let page = data.store().query(&query).await?;
        for doc in page.documents {
            let meta = doc.meta.clone();
            let mut area = Stored::<AreaDemand>::from_document(doc)?.entity;
            if area.suggestion.is_some_and(|s| s.date == today) {
                continue;
            }
            let Some(stored_area) = data.repo::<Area>().find(&area.area_id).await? else {
                continue;
            };
            let rule = AreaRule::load(data, &stored_area.entity).await?;
            let days = data
                .store()
                .query_all(days_query(&area.area_id, first, last))
                .await?;
            let mut dates = BTreeSet::new();
            let mut events = Vec::with_capacity(days.len());
            for day in days {
                let day =
                    serde_json::from_value::<SensorDay>(serde_json::Value::Object(day.fields))
                        .map_err(|e| {
                            JobError::Reject(format!("a sensor day does not read: {e}"))
                        })?;
                dates.insert(day.date);
                events.push(day.events);
            }
            let Some(suggestion) =
                suggest(today, &events, dates.len() as u32, rule.cleanings_per_week)
            else {
                continue;
            };
            area.suggestion = Some(suggestion);
            let write = write(AreaDemand::COLLECTION, &meta.id, Some(&meta), &area)?;
            if commit_quietly(data, vec![write]).await? {
                suggested += 1;
            }
        }
        match page.next {
            Some(cursor) => query.start_after = Some(cursor),
            None => return Ok(suggested),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_firestore_indexes_serve_the_sweep() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        store::indexes::assert_served(vec![
            due_query(chrono::Utc::now()),
            days_query("a1", day, day),
            Query::new(AreaDemand::COLLECTION).limit(200),
        ]);
    }
}
