//! The savings report: per site and month, each sensor-driven area's cleanings by its
//! frequency against those done, and the cleanings (and minutes) sensors saved or added.
//!
//! It counts as soobr's "savings from sensors" does. Frequencies are per five-day week: an
//! area cleaned `n` times a week is due every `5 / n` working days, where working days leave
//! out weekends and the site's closures (holidays). Each cleaning is weighed on its own: the
//! working days since the one before, divided by that interval, are the cleanings its
//! frequency would have made meanwhile; one was made, so the rest were saved (or, when it came
//! early, the shortfall was added). A saving under half a cleaning either way is left out.

use std::collections::BTreeSet;

use chrono::{Datelike as _, NaiveDate, Weekday};
use serde::Serialize;

use super::DemandTrigger;
use crate::number::round2;

/// A saving (or addition) smaller than this, in cleanings, is not counted.
pub const IGNORED_BELOW: f64 = 0.5;

/// Whether `date` is a working day: a weekday on which the site is not closed.
pub fn is_working_day(date: NaiveDate, closed: &BTreeSet<NaiveDate>) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !closed.contains(&date)
}

/// Working days after `from` up to and including `to`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, closed: &BTreeSet<NaiveDate>) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_working_day(*d, closed))
        .count() as u32
}

/// One cleaning done, and what it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleaning {
    pub date: NaiveDate,
    /// The demand trigger it answered, or none for a scheduled cleaning.
    pub trigger: Option<DemandTrigger>,
}

/// The input for one area.
#[derive(Debug, Clone)]
pub struct AreaInput {
    pub area_id: String,
    pub area_name: String,
    pub cleanings_per_week: f64,
    pub minutes_per_cleaning: f64,
    /// The last cleaning before the month, if any.
    pub previous: Option<NaiveDate>,
    /// The month's cleanings, in date order.
    pub cleanings: Vec<Cleaning>,
}

/// How many cleanings each trigger made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerCounts {
    pub limit: u32,
    pub fallback: u32,
    pub level: u32,
    pub button: u32,
    /// Cleanings by the calendar, without a demand.
    pub scheduled: u32,
}

impl TriggerCounts {
    fn add(&mut self, trigger: Option<DemandTrigger>) {
        match trigger {
            Some(DemandTrigger::Limit) => self.limit += 1,
            Some(DemandTrigger::Fallback) => self.fallback += 1,
            Some(DemandTrigger::Level) => self.level += 1,
            Some(DemandTrigger::Button) => self.button += 1,
            None => self.scheduled += 1,
        }
    }
}

/// One cleaning weighed against the frequency.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CleaningSaving {
    pub date: NaiveDate,
    /// The cleaning before it (none for the area's first: nothing to weigh it against).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<NaiveDate>,
    /// Working days since the previous cleaning.
    pub working_days: u32,
    /// Cleanings the frequency would have made in those days.
    pub by_frequency: f64,
    /// Cleanings saved (negative: added), 0 when under half a cleaning either way.
    pub saved: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<DemandTrigger>,
}

/// One area's month.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaSavings {
    pub area_id: String,
    pub area_name: String,
    pub cleanings_per_week: f64,
    pub minutes_per_cleaning: f64,
    /// Cleanings the frequency gives the month's working days.
    pub by_frequency: f64,
    pub done: u32,
    /// Cleanings saved (negative: added by sensors).
    pub saved_cleanings: f64,
    /// Minutes saved (negative: added).
    pub minutes_saved: f64,
    pub triggers: TriggerCounts,
    pub cleanings: Vec<CleaningSaving>,
}

/// The site's month: its working days and each area.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavingsTotals {
    pub by_frequency: f64,
    pub done: u32,
    pub saved_cleanings: f64,
    pub minutes_saved: f64,
    pub triggers: TriggerCounts,
}

/// Weighs one area's month.
pub fn area_savings(
    input: &AreaInput,
    working_days: u32,
    closed: &BTreeSet<NaiveDate>,
) -> AreaSavings {
    let interval = if input.cleanings_per_week > 0.0 {
        5.0 / input.cleanings_per_week
    } else {
        f64::INFINITY
    };
    let mut previous = input.previous;
    let mut triggers = TriggerCounts::default();
    let mut cleanings = Vec::with_capacity(input.cleanings.len());
    for cleaning in &input.cleanings {
        triggers.add(cleaning.trigger);
        let (days, by_frequency, saved) = match previous {
            Some(before) => {
                let days = working_days_between(before, cleaning.date, closed);
                let by_frequency = f64::from(days) / interval;
                let saved = by_frequency - 1.0;
                let saved = if saved.abs() < IGNORED_BELOW {
                    0.0
                } else {
                    saved
                };
                (days, by_frequency, saved)
            }
            None => (0, 0.0, 0.0),
        };
        cleanings.push(CleaningSaving {
            date: cleaning.date,
            previous,
            working_days: days,
            by_frequency: round2(by_frequency),
            saved: round2(saved),
            trigger: cleaning.trigger,
        });
        previous = Some(cleaning.date);
    }
    let saved: f64 = cleanings.iter().map(|c| c.saved).sum();
    AreaSavings {
        area_id: input.area_id.clone(),
        area_name: input.area_name.clone(),
        cleanings_per_week: input.cleanings_per_week,
        minutes_per_cleaning: round2(input.minutes_per_cleaning),
        by_frequency: round2(f64::from(working_days) / interval),
        done: input.cleanings.len() as u32,
        saved_cleanings: round2(saved),
        minutes_saved: round2(saved * input.minutes_per_cleaning),
        triggers,
        cleanings,
    }
}

/// The sum over the areas.
pub fn totals(areas: &[AreaSavings]) -> SavingsTotals {
    let mut t = SavingsTotals {
        by_frequency: 0.0,
        done: 0,
        saved_cleanings: 0.0,
        minutes_saved: 0.0,
        triggers: TriggerCounts::default(),
    };
    for a in areas {
        t.by_frequency += a.by_frequency;
        t.done += a.done;
        t.saved_cleanings += a.saved_cleanings;
        t.minutes_saved += a.minutes_saved;
        t.triggers.limit += a.triggers.limit;
        t.triggers.fallback += a.triggers.fallback;
        t.triggers.level += a.triggers.level;
        t.triggers.button += a.triggers.button;
        t.triggers.scheduled += a.triggers.scheduled;
    }
    t.by_frequency = round2(t.by_frequency);
    t.saved_cleanings = round2(t.saved_cleanings);
    t.minutes_saved = round2(t.minutes_saved);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    #[test]
    fn working_days_leave_out_weekends_and_closures() {
        let closed = BTreeSet::from([date("2026-12-09")]);
        // Fri 4 → Mon 7: Mon only. Mon 7 → Mon 14: Tue, Thu, Fri, Mon (Wed closed).
        assert_eq!(
            working_days_between(date("2026-12-04"), date("2026-12-07"), &closed),
            1
        );
        assert_eq!(
            working_days_between(date("2026-12-07"), date("2026-12-14"), &closed),
            4
        );
    }

    /// Worked by hand: a meeting room cleaned twice a week (every 2.5 working days), 30
    /// minutes a cleaning, in December 2026 with the 24th to 31st closed. Working days: 1–4,
    /// 7–11, 14–18, 21–23 = 4 + 5 + 5 + 3 = 17, so the frequency gives 17 / 2.5 = 6.8.
    /// Cleaned (last before: Fri 27 Nov):
    /// - Wed 2 (limit): 3 working days (Mon 30, Tue 1, Wed 2): 1.2 − 1 = 0.2, under 0.5: 0;
    /// - Tue 8 (limit): 4 days (Thu 3, Fri 4, Mon 7, Tue 8): 1.6 − 1 = 0.6 saved;
    /// - Wed 9 (button): 1 day: 0.4 − 1 = −0.6, one added;
    /// - Fri 18 (fallback): 7 days (10, 11, 14–18): 2.8 − 1 = 1.8 saved;
    /// - Wed 23 (scheduled): 3 days (21–23): 0.2, left out.
    ///
    /// Saved: 0.6 − 0.6 + 1.8 = 1.8 cleanings, 54 minutes; done 5 against 6.8.
    #[test]
    fn a_month_worked_by_hand() {
        let closed: BTreeSet<NaiveDate> = date("2026-12-24").iter_days().take(8).collect();
        let month_days = date("2026-12-01")
            .iter_days()
            .take(31)
            .filter(|d| is_working_day(*d, &closed))
            .count() as u32;
        assert_eq!(month_days, 17);
        let cleaning = |d: &str, trigger| Cleaning {
            date: date(d),
            trigger,
        };
        let input = AreaInput {
            area_id: "a1".into(),
            area_name: "Meeting room".into(),
            cleanings_per_week: 2.0,
            minutes_per_cleaning: 30.0,
            previous: Some(date("2026-11-27")),
            cleanings: vec![
                cleaning("2026-12-02", Some(DemandTrigger::Limit)),
                cleaning("2026-12-08", Some(DemandTrigger::Limit)),
                cleaning("2026-12-09", Some(DemandTrigger::Button)),
                cleaning("2026-12-18", Some(DemandTrigger::Fallback)),
                cleaning("2026-12-23", None),
            ],
        };
        let s = area_savings(&input, month_days, &closed);
        let saved: Vec<f64> = s.cleanings.iter().map(|c| c.saved).collect();
        assert_eq!(saved, [0.0, 0.6, -0.6, 1.8, 0.0]);
        assert_eq!(s.by_frequency, 6.8);
        assert_eq!(s.done, 5);
        assert_eq!(s.saved_cleanings, 1.8);
        assert_eq!(s.minutes_saved, 54.0);
        assert_eq!(
            s.triggers,
            TriggerCounts {
                limit: 2,
                fallback: 1,
                level: 0,
                button: 1,
                scheduled: 1
            }
        );
    }
}
