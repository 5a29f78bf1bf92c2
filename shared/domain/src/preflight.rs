//! What the planner will meet before it runs: every contradiction in a week's data, per site
//! and area (or cleaner), each with a code, the dates it affects and a sentence saying what
//! to change.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::planning::{PlanArea, Week, day_window};
use crate::time::WEEKDAY_NAMES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum ContradictionCode {
    /// A calendar schedules the area on a day its site cannot be entered.
    SiteClosedOnCalendarDay,
    /// The area's window that day lies outside the site's access hours.
    WindowOutsideAccessHours,
    /// The calendars schedule it more or less often than agreed.
    FrequencyMismatch,
    /// Calendars of different specificity fall on one day: the most specific wins.
    CalendarsOverlap,
    /// One cleaning takes longer than any cleaner's working day.
    LongerThanAnyShift,
    /// It needs a skill no cleaner has.
    SkillNobodyHas,
    /// A cleaner is away on some days of the week.
    CleanerAbsent,
}

/// Calendars falling on one day of an area, and those that win there (the most specific).
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarOverlap {
    pub date: NaiveDate,
    /// Names of every calendar falling on the day.
    pub calendars: Vec<String>,
    /// Names of those whose windows count.
    pub wins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contradiction {
    pub code: ContradictionCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_name: Option<String>,
    /// When it is about a one-off job at the area, which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_off_job_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleaner_id: Option<String>,
    /// The week's days it affects (none: the whole week).
    pub dates: Vec<NaiveDate>,
    /// For overlapping calendars: the ones that win.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wins: Vec<String>,
    pub message: String,
}

fn about(week: &Week, area: &PlanArea, code: ContradictionCode, message: String) -> Contradiction {
    let site = &week.sites[area.site];
    Contradiction {
        code,
        site_id: Some(site.site_id.clone()),
        site_name: Some(site.name.clone()),
        area_id: Some(area.area_id.clone()),
        area_name: Some(area.name.clone()),
        one_off_job_id: area.one_off_job_id.clone(),
        cleaner_id: None,
        dates: Vec::new(),
        wins: Vec::new(),
        message,
    }
}

fn days_of(dates: &[NaiveDate]) -> String {
    let names: Vec<String> = dates
        .iter()
        .map(|d| {
            format!(
                "{} {d}",
                WEEKDAY_NAMES[crate::time::Weekday::of(*d).index()]
            )
        })
        .collect();
    names.join(", ")
}

/// Every contradiction in the week, sites and areas in the week's order, then cleaners.
pub fn preflight(week: &Week) -> Vec<Contradiction> {
    let mut found = Vec::new();
    let longest_day = week
        .cleaners
        .iter()
        .flat_map(|(_, c)| {
            c.shifts.iter().map(|s| {
                i64::from(s.to.minutes() - s.from.minutes()).min(i64::from(c.max_minutes_per_day))
            })
        })
        .max();
    let skills: BTreeSet<&str> = week
        .cleaners
        .iter()
        .flat_map(|(_, c)| c.skills.iter().map(String::as_str))
        .collect();
    for area in &week.areas {
        let site = &week.sites[area.site];
        let mut closed = Vec::new();
        let mut outside = Vec::new();
        for (date, windows) in area.scheduled.iter().flatten() {
            let day = (*date - week.start).num_days() as usize;
            if day_window(site, day, windows).is_err() {
                let entered = site.access_hours.iter().any(|w| w.day.index() == day);
                if entered { &mut outside } else { &mut closed }.push(*date);
            }
        }
        if !closed.is_empty() {
            let message = match &area.one_off_job_id {
                None => format!(
                    "a calendar schedules it on {}, when {} cannot be entered: change the \
                     calendar's days or the site's access hours",
                    days_of(&closed),
                    site.name
                ),
                Some(job) => format!(
                    "its one-off job {job} falls on {}, when {} cannot be entered: move the \
                     job's date or change the site's access hours",
                    days_of(&closed),
                    site.name
                ),
            };
            let mut c = about(
                week,
                area,
                ContradictionCode::SiteClosedOnCalendarDay,
                message,
            );
            c.dates = closed;
            found.push(c);
        }
        if !outside.is_empty() {
            let mut c = about(
                week,
                area,
                ContradictionCode::WindowOutsideAccessHours,
                format!(
                    "its cleaning window on {} lies outside the access hours of {}: move the \
                     window or widen the access hours",
                    days_of(&outside),
                    site.name
                ),
            );
            c.dates = outside;
            found.push(c);
        }
        // A one-off job has its one date, whatever the agreement says.
        if area.scheduled.is_some() && area.one_off_job_id.is_none() {
            let scheduled = area.calendar_days as f64;
            if (scheduled - area.cleanings_per_week).abs() >= 1.0 {
                found.push(about(
                    week,
                    area,
                    ContradictionCode::FrequencyMismatch,
                    format!(
                        "agreed {} cleanings a week, its calendars schedule {}: the calendars \
                         decide the days, so the agreement or the calendars need changing",
                        crate::number::round2(area.cleanings_per_week),
                        area.calendar_days
                    ),
                ));
            }
        }
        for overlap in &area.overlaps {
            let mut c = about(
                week,
                area,
                ContradictionCode::CalendarsOverlap,
                format!(
                    "on {} the calendars {} all fall; the most specific ({}) decides the \
                     window, the others do not count that day",
                    days_of(&[overlap.date]),
                    overlap.calendars.join(", "),
                    overlap.wins.join(", ")
                ),
            );
            c.dates = vec![overlap.date];
            c.wins = overlap.wins.clone();
            found.push(c);
        }
        let need = area.minutes_per_cleaning.ceil() as i64;
        if longest_day.is_none_or(|longest| need > longest) {
            found.push(about(
                week,
                area,
                ContradictionCode::LongerThanAnyShift,
                match longest_day {
                    Some(longest) => format!(
                        "one cleaning takes {need} minutes; the longest working day of any \
                         cleaner is {longest} minutes: split the area or lengthen a shift"
                    ),
                    None => format!("one cleaning takes {need} minutes and no cleaner has a shift"),
                },
            ));
        }
        let missing: Vec<&str> = area
            .skills
            .iter()
            .map(String::as_str)
            .filter(|s| !skills.contains(s))
            .collect();
        if !missing.is_empty() {
            found.push(about(
                week,
                area,
                ContradictionCode::SkillNobodyHas,
                format!(
                    "it needs {}, which no cleaner has: give a cleaner the skill",
                    missing.join(" and ")
                ),
            ));
        }
    }
    let mut away: BTreeMap<&str, Vec<NaiveDate>> = BTreeMap::new();
    for (cleaner, date) in &week.absent {
        if (0..7).contains(&(*date - week.start).num_days()) {
            away.entry(cleaner.as_str()).or_default().push(*date);
        }
    }
    for (cleaner, dates) in away {
        let name = week
            .cleaners
            .iter()
            .find(|(id, _)| id == cleaner)
            .map_or(cleaner, |(_, c)| c.name.as_str());
        found.push(Contradiction {
            code: ContradictionCode::CleanerAbsent,
            site_id: None,
            site_name: None,
            area_id: None,
            area_name: None,
            one_off_job_id: None,
            cleaner_id: Some(cleaner.to_owned()),
            message: format!(
                "{name} is away on {}: the plan gives her no work then",
                days_of(&dates)
            ),
            dates,
            wins: Vec::new(),
        });
    }
    found
}
