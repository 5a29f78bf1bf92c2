//! The late-cleaner check: the `late-check` job, every 15 minutes per tenant through the
//! fan-out. A stop of today's tours whose cleaning window has ended with no check-in is
//! missed; each tour's missed stops of one window raise one `cleanerLate` event (its id is
//! the tour's, the day's and the window's end, so each window is told once however often
//! the check runs). A closed day's stops, stops nobody needs (demand), and the stops of an
//! absent cleaner (uncovered: re-planned or the dispatcher's to hand on) are never late.
//!
//! Its cost is bounded: at most [`MAX_TOURS`] tours a run, and windows that ended within
//! [`LOOKBACK_HOURS`] (a missed window is told on the next run, or one after an outage).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use domain::identity::TenantSettings;
use domain::notifications::{Audience, Message, NotificationEvent};
use domain::planning::Cleaner;
use domain::store::Write;
use platform::push::PushJob;
use platform::schedule::Schedules;
use platform::{BackgroundJob, JobError};
use serde::{Deserialize, Serialize};

use crate::AreaIndex;
use crate::sheet::{DemandOfDay, tour_of_day, visits_of_day};
use crate::timing::Timer;

/// The most tours one run looks at.
pub const MAX_TOURS: usize = 2000;
/// How long after its end a missed window is still told.
pub const LOOKBACK_HOURS: i64 = 3;

/// The job; the fan-out's payload carries nothing it needs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LateCheck {}

impl BackgroundJob for LateCheck {
    const NAME: &'static str = "late-check";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        let told = check(run).await?;
        if told > 0 {
            tracing::info!(told, "late cleaners told");
        }
        Ok(Vec::new())
    }
}

/// One missed window of one tour.
#[derive(Debug, Clone, PartialEq)]
pub struct MissedWindow {
    pub tour_id: String,
    pub cleaner_id: String,
    pub site_id: String,
    pub site_name: String,
    pub site_zone: domain::time::TimeZone,
    pub window_end: DateTime<Utc>,
    pub stops: u32,
}

/// The missed windows of today's tours at `now`.
pub async fn missed(run: &PushJob, now: DateTime<Utc>) -> Result<Vec<MissedWindow>, JobError> {
    let data = run.data();
    let Some(settings) = data
        .repo::<TenantSettings>()
        .find(TenantSettings::ID)
        .await?
    else {
        return Ok(Vec::new());
    };
    let today = now.with_timezone(&settings.entity.time_zone.0).date_naive();
    let mut tours = platform::tours::in_force(data, today, today, None).await?;
    if tours.len() > MAX_TOURS {
        tracing::warn!(
            tours = tours.len(),
            "more tours than one check reads; the rest wait"
        );
        tours.truncate(MAX_TOURS);
    }
    let absences = platform::tours::absences(data, today, today, None).await?;
    let index = AreaIndex::of_tours(data, tours.iter().map(|t| &t.entity)).await?;
    let demand = DemandOfDay::load(data, &index, today).await?;
    let mut schedules = Schedules::covering(today, today);
    let mut timer = Timer::new();
    let mut windows = Vec::new();
    for tour in &tours {
        let cleaner = tour.entity.cleaner_id.as_str();
        // An absent cleaner's stops are uncovered, not late: someone else has them.
        if absences
            .iter()
            .any(|a| a.entity.cleaner_id.as_str() == cleaner)
        {
            continue;
        }
        let visits = visits_of_day(data, cleaner, today).await?;
        let by_area: BTreeMap<String, _> = visits
            .iter()
            .map(|v| (v.entity.area_id.to_string(), v))
            .collect();
        let Some(day) = tour_of_day(
            data,
            tour,
            today,
            None,
            &index,
            &by_area,
            &demand,
            &mut schedules,
            &mut timer,
        )
        .await?
        else {
            continue;
        };
        let tz: chrono_tz::Tz = day.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let mut ends: BTreeMap<DateTime<Utc>, (u32, String, String)> = BTreeMap::new();
        for stop in &day.stops {
            if stop.closed.is_some()
                || stop.not_needed.is_some()
                || stop.uncovered.is_some()
                || stop.visit_id.is_some()
                || (stop.windows.is_empty() && stop.demand.is_some())
            {
                continue;
            }
            let end = match stop.windows.iter().map(|w| w.latest).max() {
                Some(latest) => {
                    domain::calendars::local_instant(tz, today, latest).with_timezone(&Utc)
                }
                None => stop.planned_end.with_timezone(&Utc),
            };
            if end <= now && now - end <= Duration::hours(LOOKBACK_HOURS) {
                let entry =
                    ends.entry(end)
                        .or_insert((0, stop.site_id.clone(), stop.site_name.clone()));
                entry.0 += 1;
            }
        }
        for (end, (stops, site_id, site_name)) in ends {
            let zone = index
                .sites
                .get(&site_id)
                .map(|s| s.entity.time_zone)
                .unwrap_or_else(|| settings.entity.time_zone);
            windows.push(MissedWindow {
                tour_id: tour.meta.id.clone(),
                cleaner_id: cleaner.to_owned(),
                site_id,
                site_name,
                site_zone: zone,
                window_end: end,
                stops,
            });
        }
    }
    Ok(windows)
}

async fn check(run: &PushJob) -> Result<usize, JobError> {
    let data = run.data();
    let windows = missed(run, data.now()).await?;
    let names = data
        .repo::<Cleaner>()
        .get_map(
            windows
                .iter()
                .map(|w| w.cleaner_id.clone())
                .collect::<Vec<_>>(),
        )
        .await?;
    for window in &windows {
        let cleaner_name = names
            .get(&window.cleaner_id)
            .map_or_else(|| window.cleaner_id.clone(), |c| c.entity.name.clone());
        let event = NotificationEvent {
            id: format!(
                "late:{}:{}",
                window.tour_id,
                domain::meta::format_timestamp(&window.window_end)
            ),
            to: vec![Audience::Dispatchers],
            message: Message::CleanerLate {
                cleaner_name,
                site_name: window.site_name.clone(),
                window_end: window.window_end,
                stops: window.stops,
            },
            time_zone: Some(window.site_zone),
            link: None,
            attachment: None,
            site_id: Some(window.site_id.clone()),
            not_to: None,
        };
        run.notify(&event).await;
    }
    Ok(windows.len())
}
