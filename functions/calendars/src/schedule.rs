//! A site's schedule read from the store: its calendars and the closures that apply to it,
//! answering when each area is cleaned. The tours function reads the same schedule for tour
//! sheets, check-in windows, proof of service and calendar feeds.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::calendars::{Calendar, Closure, TimeWindow};
use domain::sites::Site;
use domain::store::Filter;
use platform::ApiError;
use platform::crud::Stored;
use platform::crud::TenantData;
use platform::error::ApiResult;

/// Everything that decides when a site's areas are cleaned.
pub struct SiteSchedule {
    pub site_id: String,
    pub tz: Tz,
    pub calendars: Vec<Stored<Calendar>>,
    /// The site's own closures and the tenant-wide ones, with their ids.
    pub closures: Vec<(String, Closure)>,
    /// Each calendar's days within `covered`, worked out once: a rule is expanded from its
    /// start, so a lookup per day would repeat that walk for every day asked.
    covered: Option<(NaiveDate, NaiveDate)>,
    days: Vec<Vec<NaiveDate>>,
}

fn rule_error(calendar: &Stored<Calendar>, e: String) -> ApiError {
    ApiError::internal(format!("calendar {} cannot expand: {e}", calendar.meta.id))
}

/// Closures of a site and the tenant-wide ones.
pub async fn closures_of(data: TenantData<'_>, site_id: &str) -> ApiResult<Vec<(String, Closure)>> {
    // Closures are few (holidays, shutdowns), so all are read and matched here.
    Ok(data
        .repo::<Closure>()
        .all_where(Vec::new())
        .await?
        .into_iter()
        .filter(|c| {
            c.entity
                .site_id
                .as_ref()
                .is_none_or(|s| s.as_str() == site_id)
        })
        .map(|c| (c.meta.id, c.entity))
        .collect())
}

impl SiteSchedule {
    pub async fn load(data: TenantData<'_>, site: &Stored<Site>) -> ApiResult<Self> {
        let site_id = site.meta.id.clone();
        let calendars = data
            .repo::<Calendar>()
            .all_where(vec![Filter::eq("siteId", site_id.as_str())])
            .await?;
        Ok(Self {
            closures: closures_of(data, &site_id).await?,
            tz: site.entity.time_zone.0,
            site_id,
            calendars,
            covered: None,
            days: Vec::new(),
        })
    }

    /// Expands every calendar over `from..=to` once, so lookups within it are cheap.
    pub fn covering(mut self, from: NaiveDate, to: NaiveDate) -> ApiResult<Self> {
        self.days = self
            .calendars
            .iter()
            .map(|c| {
                c.entity
                    .dates(self.tz, from, to)
                    .map_err(|e| rule_error(c, e))
            })
            .collect::<ApiResult<_>>()?;
        self.covered = Some((from, to));
        Ok(self)
    }

    /// The days calendar `index` falls on within `from..=to`.
    fn dates_of(&self, index: usize, from: NaiveDate, to: NaiveDate) -> ApiResult<Vec<NaiveDate>> {
        match self.covered {
            Some((start, end)) if start <= from && to <= end => Ok(self.days[index]
                .iter()
                .copied()
                .filter(|d| from <= *d && *d <= to)
                .collect()),
            _ => {
                let calendar = &self.calendars[index];
                calendar
                    .entity
                    .dates(self.tz, from, to)
                    .map_err(|e| rule_error(calendar, e))
            }
        }
    }

    /// The calendars that schedule this area.
    pub fn for_area<'a>(
        &'a self,
        area_id: &'a str,
        area_type_id: &'a str,
    ) -> impl Iterator<Item = &'a Stored<Calendar>> + 'a {
        self.indexes_for(area_id, area_type_id)
            .map(|i| &self.calendars[i])
    }

    fn indexes_for<'a>(
        &'a self,
        area_id: &'a str,
        area_type_id: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        (0..self.calendars.len()).filter(move |&i| {
            self.calendars[i]
                .entity
                .applies_to(&self.site_id, area_id, area_type_id)
        })
    }

    /// The closure that closes the site on `date`, if any.
    pub fn closure_on(&self, date: NaiveDate) -> Option<&Closure> {
        self.closures
            .iter()
            .map(|(_, c)| c)
            .find(|c| c.covers(&self.site_id, date))
    }

    /// The cleaning windows of the area on `date`: none if no calendar falls on it or the site
    /// is closed.
    pub fn windows(
        &self,
        area_id: &str,
        area_type_id: &str,
        date: NaiveDate,
    ) -> ApiResult<Vec<TimeWindow>> {
        if self.closure_on(date).is_some() {
            return Ok(Vec::new());
        }
        let mut windows = Vec::new();
        for i in self.indexes_for(area_id, area_type_id) {
            if !self.dates_of(i, date, date)?.is_empty() {
                windows.push(self.calendars[i].entity.window);
            }
        }
        windows.sort_by_key(|w| (w.earliest, w.latest));
        windows.dedup();
        Ok(windows)
    }

    /// The days within `from..=to` the area is to be cleaned (several calendars falling on one
    /// day plan one cleaning), closed days left out.
    pub fn planned_dates(
        &self,
        area_id: &str,
        area_type_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ApiResult<BTreeSet<NaiveDate>> {
        let mut planned = BTreeSet::new();
        for i in self.indexes_for(area_id, area_type_id) {
            planned.extend(self.dates_of(i, from, to)?);
        }
        planned.retain(|d| self.closure_on(*d).is_none());
        Ok(planned)
    }
}
