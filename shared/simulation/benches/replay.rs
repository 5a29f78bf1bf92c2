//! The engine, fixed workload: a week of 500 visits (25 cleaner-days of 20 rooms, each with a
//! window, travel and the default spread, a 3 % absence chance, a demand room a day) replayed
//! 10,000 times on one core; then how the time grows with visits and replications, and with
//! every core.
//!
//!     cargo bench -p simulation --bench replay

use std::time::Instant;

use simulation::{CleanerDay, Duration, Model, Run, Stop, Week, simulate};

fn week(visits: usize) -> Week {
    let per_day = 20;
    let days = (0..visits / per_day)
        .map(|d| CleanerDay {
            cleaner: format!("c{}", d % 5),
            day: (d / 5) as u8,
            start: 360.0,
            max_minutes: 480.0,
            absence_probability: 0.03,
            return_minutes: 20.0,
            stops: (0..per_day)
                .map(|i| Stop {
                    id: format!("d{d}-s{i}"),
                    site: format!("site{}", (d + i) % 12),
                    travel_minutes: if i % 5 == 0 { 15.0 } else { 2.0 },
                    planned_minutes: 12.0 + (i % 4) as f64 * 6.0,
                    window: Some((360.0, 360.0 + 60.0 + i as f64 * 25.0)),
                    duration: Duration::DEFAULT,
                    extra_per_day: if i == 0 { 0.5 } else { 0.0 },
                })
                .collect(),
        })
        .collect();
    Week { days }
}

fn time(visits: usize, replications: u64, threads: usize) -> f64 {
    let week = week(visits);
    let start = Instant::now();
    let outcome = simulate(
        &week,
        &Model::default(),
        Run {
            replications,
            seed: 1,
        },
        threads,
    );
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(outcome.stops.len(), visits);
    secs
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let base = time(500, 10_000, 1);
    println!(
        "500 visits x 10,000 replications, 1 core: {base:.2} s ({:.0} ns per visit replayed)",
        base * 1e9 / 5e6
    );
    for visits in [240, 1000] {
        let secs = time(visits, 10_000, 1);
        println!(
            "{visits} visits x 10,000 replications, 1 core: {secs:.2} s ({:.2}x)",
            secs / base
        );
    }
    let secs = time(500, 2_500, 1);
    println!(
        "500 visits x 2,500 replications, 1 core: {secs:.2} s ({:.2}x)",
        secs / base
    );
    let secs = time(500, 10_000, cores);
    println!(
        "500 visits x 10,000 replications, {cores} cores: {secs:.2} s ({:.2}x faster)",
        base / secs
    );
}
