//! Planned times of a tour's stops. A plan's tour carries the plan's times; a tour made or
//! changed by hand is timed here the way the planner times its routes: from her home at the
//! day's leave time, with the tenant's travel model, waiting where a window opens later.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use domain::UserId;
use domain::planning::{Cleaner, PlanSite, TravelModel, day_window};
use domain::sites::GeoPoint;
use domain::sites::Site;
use domain::time::{WEEKDAYS, Weekday};
use domain::tours::{StopPlace, TimedStop, Tour, TourDay, time_day};
use platform::TenantData;
use platform::crud::Stored;
use platform::error::ApiResult;
use platform::schedule::Schedules;

use crate::AreaIndex;

/// Times days of tours, reading each cleaner's home and the travel model once.
pub struct Timer {
    travel: Option<TravelModel>,
    homes: BTreeMap<UserId, Option<GeoPoint>>,
}

impl Timer {
    pub fn new() -> Self {
        Self {
            travel: None,
            homes: BTreeMap::new(),
        }
    }

    /// The stops of `day` timed on `date` (its windows and access hours), leaving at the
    /// day's leave time or the tour's start time. Areas that no longer exist are left out,
    /// and so are one-off jobs gone or of another date. A one-off job comes right after its
    /// area's regular cleaning, else after the last stop at its site, else last.
    pub async fn time(
        &mut self,
        data: &TenantData,
        tour: &Tour,
        day: &TourDay,
        date: NaiveDate,
        index: &AreaIndex,
        schedules: &mut Schedules,
    ) -> ApiResult<Vec<TimedStop>> {
        let travel = match self.travel {
            Some(travel) => travel,
            None => *self
                .travel
                .insert(crate::tour::settings(data).await?.entity.travel),
        };
        let home = match self.homes.get(&tour.cleaner_id) {
            Some(home) => *home,
            None => {
                let cleaner = data
                    .repo::<Cleaner>()
                    .find(tour.cleaner_id.as_str())
                    .await?;
                let home = cleaner.map(|c| c.entity.home);
                self.homes.insert(tour.cleaner_id.clone(), home);
                home
            }
        };
        let weekday = Weekday::of(date).index();
        let plan_site = |site: &Stored<Site>| PlanSite {
            site_id: site.meta.id.clone(),
            name: site.entity.name.clone(),
            location: site.entity.location,
            access_hours: site.entity.access_hours.clone(),
        };
        let mut places = Vec::with_capacity(day.area_ids.len());
        for area_id in &day.area_ids {
            let (Some(area), Some(site), Some(load)) = (
                index.areas.get(area_id.as_str()),
                index.site_of(area_id.as_str()),
                index.workload(area_id.as_str()),
            ) else {
                continue;
            };
            let schedule = schedules.of(data, site).await?;
            let type_id = area.entity.area_type_id.as_str();
            let windows = schedule.windows(area_id.as_str(), type_id, date)?;
            let window = if windows.is_empty()
                && schedule
                    .for_area(area_id.as_str(), type_id)
                    .next()
                    .is_some()
            {
                Err(format!("no calendar schedules it on {}", WEEKDAYS[weekday]))
            } else {
                day_window(&plan_site(site), weekday, &windows)
            };
            places.push(StopPlace {
                area_id: area_id.clone(),
                one_off_job_id: None,
                location: site.entity.location,
                minutes: load.minutes_per_cleaning.ceil() as i64,
                window,
            });
        }
        for job_id in &day.one_off_job_ids {
            let Some(job) = index
                .jobs
                .get(job_id.as_str())
                .filter(|j| j.entity.date == date)
            else {
                continue;
            };
            let area_id = &job.entity.area_id;
            let Some(site) = index.site_of(area_id.as_str()) else {
                continue;
            };
            let windows: Vec<_> = job.entity.window.into_iter().collect();
            let place = StopPlace {
                area_id: area_id.clone(),
                one_off_job_id: Some(job_id.clone()),
                location: site.entity.location,
                minutes: i64::from(job.entity.minutes),
                window: day_window(&plan_site(site), weekday, &windows),
            };
            let after_area = places
                .iter()
                .position(|p| p.one_off_job_id.is_none() && p.area_id == *area_id);
            let after_site = places.iter().rposition(|p| {
                index.site_of(p.area_id.as_str()).map(|s| &s.meta.id) == Some(&site.meta.id)
            });
            let at = after_area.or(after_site).map_or(places.len(), |i| i + 1);
            places.insert(at, place);
        }
        let leave = day.leave.unwrap_or(tour.start_time);
        Ok(time_day(leave, home, &places, &travel))
    }

    /// Times every day of a tour made or changed by hand, on the first date that day is in
    /// force from `today` (or from its first day, if that is later).
    pub async fn time_tour(
        &mut self,
        data: &TenantData,
        tour: &mut Tour,
        index: &AreaIndex,
        today: NaiveDate,
    ) -> ApiResult<()> {
        let from = tour.valid_from.map_or(today, |f| f.max(today));
        let mut schedules = Schedules::covering(from, from + Duration::days(6));
        let days = std::mem::take(&mut tour.days);
        let mut timed = Vec::with_capacity(days.len());
        for mut day in days {
            let date = next_date_of(day.day, from);
            day.stops = self
                .time(data, tour, &day, date, index, &mut schedules)
                .await?;
            timed.push(day);
        }
        tour.days = timed;
        Ok(())
    }
}

/// The first date on or after `from` that falls on `weekday`.
fn next_date_of(weekday: Weekday, from: NaiveDate) -> NaiveDate {
    let ahead = (weekday.index() + 7 - Weekday::of(from).index()) % 7;
    from + Duration::days(ahead as i64)
}
