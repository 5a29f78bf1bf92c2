//! The engine against answers known exactly, its determinism and its convergence.

use super::*;
use crate::stats::{Estimate, normal_cdf};

fn stop(id: &str, planned: f64, duration: Duration) -> Stop {
    Stop {
        id: id.into(),
        site: "s1".into(),
        travel_minutes: 0.0,
        planned_minutes: planned,
        window: None,
        duration,
        extra_per_day: 0.0,
    }
}

fn day(stops: Vec<Stop>, max_minutes: f64) -> CleanerDay {
    CleanerDay {
        cleaner: "ana".into(),
        day: 0,
        start: 360.0,
        max_minutes,
        absence_probability: 0.0,
        stops,
        return_minutes: 0.0,
    }
}

const EXACT: Model = Model {
    travel_sigma: 0.0,
    travel_factor: 1.0,
    absent_stops_missed: true,
};

/// Four rooms of normally distributed minutes: the day's work is normal, so the chance of
/// overtime is 1 - Φ((max - Σμ) / √Σσ²).
fn normal_route() -> (Week, f64) {
    let sds = [10.0, 15.0, 5.0, 20.0];
    let planned = [90.0, 120.0, 60.0, 150.0];
    let stops = planned
        .iter()
        .zip(sds)
        .enumerate()
        .map(|(i, (p, sd))| stop(&format!("r{i}"), *p, Duration::Normal { sd_minutes: sd }))
        .collect();
    let max = 440.0;
    let exact = 1.0
        - normal_cdf(
            (max - planned.iter().sum::<f64>()) / sds.iter().map(|s| s * s).sum::<f64>().sqrt(),
        );
    (
        Week {
            days: vec![day(stops, max)],
        },
        exact,
    )
}

/// How many of 20 seeds' runs of 10,000 replications give an interval holding `exact`.
fn intervals_holding(week: &Week, exact: f64, estimate: impl Fn(&Outcome) -> Estimate) -> usize {
    (1..=20)
        .filter(|seed| {
            let outcome = simulate(
                week,
                &EXACT,
                Run {
                    replications: 10_000,
                    seed: *seed,
                },
                2,
            );
            estimate(&outcome).contains(exact)
        })
        .count()
}

#[test]
fn overtime_of_a_normal_route_is_the_normal_tail_within_its_interval_across_seeds() {
    let (week, exact) = normal_route();
    assert!(exact > 0.2 && exact < 0.4, "{exact}");
    let inside = intervals_holding(&week, exact, |o| o.days[0].overtime);
    // A 95 % interval holds the exact value in 19 of 20 runs on average.
    assert!(inside >= 17, "{inside} of 20 intervals hold {exact}");
}

/// The lognormal density.
fn lognormal_pdf(x: f64, mu: f64, sigma: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let z = (x.ln() - mu) / sigma;
    (-0.5 * z * z).exp() / (x * sigma * (std::f64::consts::TAU).sqrt())
}

fn lognormal_cdf(x: f64, mu: f64, sigma: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        normal_cdf((x.ln() - mu) / sigma)
    }
}

#[test]
fn a_window_missed_after_two_lognormal_rooms_matches_numerical_integration() {
    // Two rooms of 60 and 45 planned minutes, then a room whose window closes 120 minutes
    // after the start: it is late when D1 + D2 > 120, with Di = planned · exp(N(0, 0.3²)).
    let sigma = 0.3;
    let ln = Duration::LogNormal { mu: 0.0, sigma };
    let mut last = stop("r3", 30.0, ln);
    last.window = Some((0.0, 360.0 + 120.0));
    let week = Week {
        days: vec![day(
            vec![stop("r1", 60.0, ln), stop("r2", 45.0, ln), last],
            1000.0,
        )],
    };
    // P(D1 + D2 <= 120) = ∫ f1(x) F2(120 - x) dx over (0, 120), by Simpson's rule.
    let (m1, m2) = (60f64.ln(), 45f64.ln());
    let steps = 20_000;
    let h = 120.0 / steps as f64;
    let g = |x: f64| lognormal_pdf(x, m1, sigma) * lognormal_cdf(120.0 - x, m2, sigma);
    let mut sum = g(0.0) + g(120.0);
    for i in 1..steps {
        sum += g(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    let exact = sum * h / 3.0;
    assert!(exact > 0.5 && exact < 0.95, "{exact}");
    let inside = intervals_holding(&week, exact, |o| o.stops[2].on_time);
    assert!(inside >= 17, "{inside} of 20 intervals hold {exact}");
}

#[test]
fn the_same_seed_gives_the_same_numbers_on_any_number_of_threads() {
    let (week, _) = normal_route();
    let run = Run {
        replications: 3_000,
        seed: 42,
    };
    let one = simulate(&week, &Model::default(), run, 1);
    assert_eq!(one, simulate(&week, &Model::default(), run, 4));
    assert_ne!(
        one,
        simulate(&week, &Model::default(), Run { seed: 43, ..run }, 1)
    );
}

#[test]
fn more_replications_narrow_the_intervals_as_one_over_root_n() {
    let (week, _) = normal_route();
    let width = |n| {
        simulate(
            &week,
            &EXACT,
            Run {
                replications: n,
                seed: 5,
            },
            2,
        )
        .days[0]
            .overtime
            .width()
    };
    let ratio = width(1_000) / width(16_000);
    // √16 = 4.
    assert!((ratio - 4.0).abs() < 0.4, "{ratio}");
}

#[test]
fn an_absent_cleaners_stops_are_missed_and_a_sites_service_level_follows() {
    let mut d = day(vec![stop("r1", 60.0, Duration::DEFAULT)], 480.0);
    d.absence_probability = 0.2;
    let week = Week { days: vec![d] };
    let outcome = simulate(
        &week,
        &Model::default(),
        Run {
            replications: 20_000,
            seed: 9,
        },
        2,
    );
    assert!(
        outcome.stops[0].on_time.contains(0.8),
        "{:?}",
        outcome.stops[0].on_time
    );
    assert!(
        outcome.sites[0].service_level.contains(0.8),
        "{:?}",
        outcome.sites[0].service_level
    );
    assert!(outcome.stops[0].reasons.contains(&Reason::Absence));
}

#[test]
fn demand_adds_work_at_the_end_of_the_day() {
    let mut room = stop("wc", 30.0, Duration::Normal { sd_minutes: 0.0 });
    room.extra_per_day = 2.0;
    // 30 planned and 30 per extra cleaning (2 a day on average): over 89 minutes when at
    // least 2 extra come, P(Poisson(2) >= 2) = 1 - 3e^-2.
    let week = Week {
        days: vec![day(vec![room], 89.0)],
    };
    let outcome = simulate(
        &week,
        &EXACT,
        Run {
            replications: 20_000,
            seed: 3,
        },
        2,
    );
    let exact = 1.0 - 3.0 * (-2f64).exp();
    assert!(
        outcome.days[0].overtime.contains(exact),
        "{:?} vs {exact}",
        outcome.days[0].overtime
    );
}

#[test]
fn waiting_for_a_window_and_the_way_home_count_as_paid_time() {
    let mut room = stop("r1", 60.0, Duration::Normal { sd_minutes: 0.0 });
    // She sets off at 6:00 and waits until 8:00 for the window; 60 minutes of cleaning
    // and 30 home: 210 minutes paid.
    room.window = Some((480.0, 540.0));
    let mut d = day(vec![room], 200.0);
    d.return_minutes = 30.0;
    let outcome = simulate(&Week { days: vec![d] }, &EXACT, Run::default(), 1);
    assert_eq!(outcome.days[0].overtime.value, 1.0);
    assert!((outcome.days[0].expected_overtime_minutes.value - 10.0).abs() < 1e-9);
}

#[test]
fn durations_scaled_ten_percent_move_the_normal_tail_as_the_exact_answer_does() {
    // One room of lognormal minutes: P(T > max) = 1 - Φ((ln(max/planned) - μ) / σ), and
    // scaling durations by 1.1 adds ln 1.1 to μ.
    let (planned, sigma, max) = (200.0, 0.2, 240.0);
    let scaled = Duration::LogNormal { mu: 0.0, sigma }.scaled(1.1);
    let week = Week {
        days: vec![day(vec![stop("r1", planned, scaled)], max)],
    };
    let exact = 1.0 - normal_cdf(((max / planned).ln() - 1.1f64.ln()) / sigma);
    let holding = intervals_holding(&week, exact, |o| o.days[0].overtime);
    assert!(holding >= 17, "{holding} of 20 seeds");
    assert!((scaled.median_ratio() - 1.1).abs() < 1e-12);
}

#[test]
fn the_weeks_service_level_weighs_every_planned_cleaning_alike() {
    // Two sites: one stop that is always in time, three behind an absent cleaner half the
    // time. The week's level is (1 + 3 × 0.5) / 4.
    let mut first = day(vec![stop("a", 30.0, Duration::DEFAULT)], 480.0);
    first.stops[0].site = "s1".into();
    let mut second = day(
        ["b", "c", "d"]
            .iter()
            .map(|id| stop(id, 30.0, Duration::DEFAULT))
            .collect(),
        480.0,
    );
    second.cleaner = "ben".into();
    second.absence_probability = 0.5;
    for s in &mut second.stops {
        s.site = "s2".into();
    }
    let week = Week {
        days: vec![first, second],
    };
    let outcome = simulate(
        &week,
        &Model::default(),
        Run {
            replications: 20_000,
            seed: 4,
        },
        2,
    );
    assert!(
        outcome.service_level.contains(0.625),
        "{:?}",
        outcome.service_level
    );
}

#[test]
fn progress_is_told_after_every_chunk_and_ends_at_one() {
    let (week, _) = normal_route();
    let told = std::sync::Mutex::new(Vec::new());
    simulate_with_progress(
        &week,
        &EXACT,
        Run {
            replications: 2_000,
            seed: 1,
        },
        2,
        &|p| told.lock().expect("progress").push(p),
    );
    let mut told = told.into_inner().expect("progress");
    told.sort_by(f64::total_cmp);
    assert_eq!(told, vec![0.25, 0.5, 0.75, 1.0]);
}

#[test]
fn a_day_says_why_it_may_run_over() {
    // 420 planned minutes of 450, two hour-long lognormal rooms (sd about 15 minutes each,
    // 21 together), 70 minutes of travel, a demand room, a 6 % absence chance.
    let mut rooms: Vec<Stop> = (0..2)
        .map(|i| {
            let mut room = stop(
                &format!("r{i}"),
                60.0,
                Duration::LogNormal {
                    mu: 0.0,
                    sigma: 0.25,
                },
            );
            room.travel_minutes = 35.0;
            room
        })
        .collect();
    rooms.push(stop("rest", 230.0, Duration::Normal { sd_minutes: 0.0 }));
    rooms[2].extra_per_day = 0.5;
    let mut busy = day(rooms, 450.0);
    busy.absence_probability = 0.06;
    let outcome = simulate(&Week { days: vec![busy] }, &EXACT, Run::default(), 1);
    assert_eq!(
        outcome.days[0].reasons,
        [
            DayReason::LittleSlack,
            DayReason::VariableRooms,
            DayReason::LongTravel,
            DayReason::Demand,
            DayReason::Absence
        ]
    );
    let calm = day(vec![stop("r", 60.0, Duration::DEFAULT)], 480.0);
    let outcome = simulate(&Week { days: vec![calm] }, &EXACT, Run::default(), 1);
    assert!(outcome.days[0].reasons.is_empty());
}
