//! A site's schedule: what days and windows its calendars and closures give each area.
//!
//! Pure: the caller hands in the site's calendars and the closures that apply to it (the
//! platform's loader reads them from the store).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::calendars::{Calendar, Closure, TimeWindow};

/// Why a schedule cannot be worked out: a stored rule that does not expand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar {calendar} cannot expand: {reason}")]
pub struct ScheduleError {
    pub calendar: String,
    pub reason: String,
}

/// Everything that decides when a site's areas are cleaned.
pub struct SiteSchedule {
    pub site_id: String,
    pub tz: Tz,
    /// The site's calendars, with their ids.
    pub calendars: Vec<(String, Calendar)>,
    /// The site's own closures and the tenant-wide ones, with their ids.
    pub closures: Vec<(String, Closure)>,
    /// Each calendar's days within `covered`, worked out once: a rule is expanded from its
    /// start, so a lookup per day would repeat that walk for every day asked.
    covered: Option<(NaiveDate, NaiveDate)>,
    days: Vec<Vec<NaiveDate>>,
}

impl SiteSchedule {
    /// The schedule of site `site_id` in `tz`; `closures` may hold other sites' closures,
    /// which are left out.
    pub fn new(
        site_id: impl Into<String>,
        tz: Tz,
        calendars: Vec<(String, Calendar)>,
        closures: impl IntoIterator<Item = (String, Closure)>,
    ) -> Self {
        let site_id = site_id.into();
        let closures = closures
            .into_iter()
            .filter(|(_, c)| c.site_id.as_ref().is_none_or(|s| s.as_str() == site_id))
            .collect();
        Self {
            site_id,
            tz,
            calendars,
            closures,
            covered: None,
            days: Vec::new(),
        }
    }

    fn dates_from_rule(
        &self,
        index: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NaiveDate>, ScheduleError> {
        let (id, calendar) = &self.calendars[index];
        calendar
            .dates(self.tz, from, to)
            .map_err(|reason| ScheduleError {
                calendar: id.clone(),
                reason,
            })
    }

    /// Expands every calendar over `from..=to` once, so lookups within it are cheap.
    pub fn covering(mut self, from: NaiveDate, to: NaiveDate) -> Result<Self, ScheduleError> {
        self.days = (0..self.calendars.len())
            .map(|i| self.dates_from_rule(i, from, to))
            .collect::<Result<_, _>>()?;
        self.covered = Some((from, to));
        Ok(self)
    }

    /// The days calendar `index` falls on within `from..=to`.
    fn dates_of(
        &self,
        index: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NaiveDate>, ScheduleError> {
        match self.covered {
            Some((start, end)) if start <= from && to <= end => Ok(self.days[index]
                .iter()
                .copied()
                .filter(|d| from <= *d && *d <= to)
                .collect()),
            _ => self.dates_from_rule(index, from, to),
        }
    }

    /// The calendars that schedule this area, with their ids.
    pub fn for_area<'a>(
        &'a self,
        area_id: &'a str,
        area_type_id: &'a str,
    ) -> impl Iterator<Item = &'a (String, Calendar)> + 'a {
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
                .1
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
    /// is closed. Where calendars of different specificity fall on the day, the most specific
    /// wins (the area's own over its type's over the site's, [`Calendar::specificity`]);
    /// calendars equally specific add their windows.
    pub fn windows(
        &self,
        area_id: &str,
        area_type_id: &str,
        date: NaiveDate,
    ) -> Result<Vec<TimeWindow>, ScheduleError> {
        if self.closure_on(date).is_some() {
            return Ok(Vec::new());
        }
        let falling = self.falling_on(area_id, area_type_id, date)?;
        let most = falling.iter().map(|(_, c)| c.specificity()).max();
        let mut windows: Vec<TimeWindow> = falling
            .iter()
            .filter(|(_, c)| Some(c.specificity()) == most)
            .map(|(_, c)| c.window)
            .collect();
        windows.sort_by_key(|w| (w.earliest, w.latest));
        windows.dedup();
        Ok(windows)
    }

    /// The calendars of the area that fall on `date`, closures aside, with their ids.
    pub fn falling_on(
        &self,
        area_id: &str,
        area_type_id: &str,
        date: NaiveDate,
    ) -> Result<Vec<&(String, Calendar)>, ScheduleError> {
        let mut falling = Vec::new();
        for i in self.indexes_for(area_id, area_type_id) {
            if !self.dates_of(i, date, date)?.is_empty() {
                falling.push(&self.calendars[i]);
            }
        }
        Ok(falling)
    }

    /// The days within `from..=to` the area is to be cleaned (several calendars falling on one
    /// day plan one cleaning), closed days left out.
    pub fn planned_dates(
        &self,
        area_id: &str,
        area_type_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>, ScheduleError> {
        let mut planned = BTreeSet::new();
        for i in self.indexes_for(area_id, area_type_id) {
            planned.extend(self.dates_of(i, from, to)?);
        }
        planned.retain(|d| self.closure_on(*d).is_none());
        Ok(planned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calendar(body: serde_json::Value) -> Calendar {
        use crate::Entity;
        Calendar::parse(&body).expect("a valid calendar")
    }

    fn closure(body: serde_json::Value) -> Closure {
        use crate::Entity;
        Closure::parse(&body).expect("a valid closure")
    }

    fn date(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    /// Site s1: its own calendar on weekdays 18:00-20:00, and one for area a1 on Saturdays.
    fn schedule() -> SiteSchedule {
        let weekdays = calendar(json!({
            "siteId": "s1", "name": "Weekdays", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "startDate": "2026-01-05", "window": {"earliest": "18:00", "latest": "20:00"}
        }));
        let saturdays = calendar(json!({
            "siteId": "s1", "areaId": "a1", "name": "Saturdays", "rrule": "FREQ=WEEKLY;BYDAY=SA",
            "startDate": "2026-01-03", "window": {"earliest": "08:00", "latest": "12:00"}
        }));
        let holiday = closure(
            json!({"siteId": "s1", "from": "2026-12-24", "to": "2026-12-26",
            "reason": "Christmas"}),
        );
        let elsewhere = closure(
            json!({"siteId": "s2", "from": "2026-12-01", "to": "2026-12-31",
            "reason": "Renovation"}),
        );
        SiteSchedule::new(
            "s1",
            chrono_tz::Europe::Berlin,
            vec![("c1".into(), weekdays), ("c2".into(), saturdays)],
            [("h1".into(), holiday), ("h2".into(), elsewhere)],
        )
    }

    #[test]
    fn another_sites_closures_are_left_out() {
        let schedule = schedule();
        assert_eq!(schedule.closures.len(), 1);
        assert!(schedule.closure_on(date("2026-12-02")).is_none());
        assert_eq!(
            schedule
                .closure_on(date("2026-12-24"))
                .map(|c| c.reason.as_str()),
            Some("Christmas")
        );
    }

    #[test]
    fn an_area_calendar_applies_to_its_area_only() {
        let schedule = schedule();
        assert_eq!(schedule.for_area("a1", "t").count(), 2);
        assert_eq!(schedule.for_area("a2", "t").count(), 1);
    }

    #[test]
    fn closed_days_are_not_planned_and_have_no_windows() {
        let schedule = schedule()
            .covering(date("2026-12-21"), date("2026-12-27"))
            .unwrap();
        let planned = schedule
            .planned_dates("a1", "t", date("2026-12-21"), date("2026-12-27"))
            .unwrap();
        // Monday to Wednesday; Thursday to Saturday are closed, Sunday has no calendar.
        assert_eq!(
            planned.into_iter().collect::<Vec<_>>(),
            [date("2026-12-21"), date("2026-12-22"), date("2026-12-23")]
        );
        assert!(
            schedule
                .windows("a1", "t", date("2026-12-24"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn windows_of_a_day_come_from_every_calendar_falling_on_it() {
        let schedule = schedule();
        let saturday = schedule.windows("a1", "t", date("2026-12-05")).unwrap();
        assert_eq!(saturday.len(), 1);
        assert_eq!(saturday[0].earliest.to_string(), "08:00");
        let monday = schedule.windows("a1", "t", date("2026-12-07")).unwrap();
        assert_eq!(monday[0].earliest.to_string(), "18:00");
        assert!(
            schedule
                .windows("a2", "t", date("2026-12-05"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn on_a_day_both_fall_on_the_areas_own_calendar_wins_over_the_sites() {
        let mornings = calendar(json!({
            "siteId": "s1", "areaId": "a1", "name": "Mornings", "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "startDate": "2026-01-05", "window": {"earliest": "07:00", "latest": "09:00"}
        }));
        let mut schedule = schedule();
        schedule.calendars.push(("c3".into(), mornings));
        let monday = schedule.windows("a1", "t", date("2026-12-07")).unwrap();
        assert_eq!(monday.len(), 1, "{monday:?}");
        assert_eq!(monday[0].earliest.to_string(), "07:00");
        let other = schedule.windows("a2", "t", date("2026-12-07")).unwrap();
        assert_eq!(other[0].earliest.to_string(), "18:00");
    }

    #[test]
    fn lookups_inside_and_outside_the_covered_range_agree() {
        let covered = schedule()
            .covering(date("2026-12-01"), date("2026-12-31"))
            .unwrap();
        let uncovered = schedule();
        for (from, to) in [("2026-12-07", "2026-12-13"), ("2027-01-04", "2027-01-10")] {
            assert_eq!(
                covered
                    .planned_dates("a1", "t", date(from), date(to))
                    .unwrap(),
                uncovered
                    .planned_dates("a1", "t", date(from), date(to))
                    .unwrap()
            );
        }
    }
}
