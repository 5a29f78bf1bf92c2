//! A new plan's quick simulation on the reference tenant, fixed workload: what it adds to the
//! planning worker's run of `POST /v1/plans`. The reference tenant (200 rooms, 20 cleaners,
//! a quarter of history with 60,000 visits, `platform::testing::reference`) is planned for
//! the week after its history (5 s of search), then the plan's quick simulation (reading the
//! eight weeks of visits and the absences, fitting, 1,000 replications) runs five times.
//! Prints the plan's visits, and the median and slowest quick simulation with its history read
//! on its own.
//!
//!     cargo bench -p planning-worker --bench quick_simulation

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use platform::Role;
use platform::testing::{reference, spawn_app};

const RUNS: usize = 5;

fn median(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1])
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let app = spawn_app(planning_worker::router(), Default::default()).await;
        let admin = app.token("reference", Role::Admin);
        let data = app.data_of(&admin);
        let monday = NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date");
        let started = Instant::now();
        reference::build(
            data.store(),
            reference::Scale::FULL,
            monday - Duration::days(1),
            &mut |_| {},
        )
        .await;
        eprintln!(
            "reference tenant stored in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let travel = platform::tours::travel_model(&data).await.expect("travel");
        let inputs = platform::planning::load_inputs(&data, monday, travel)
            .await
            .expect("inputs");
        let week = inputs.week.clone();
        let request = domain::planning::PlanRequest {
            week_start: Some(monday),
            seconds: 5.0,
            objective: Default::default(),
            travel: None,
            replan: None,
        };
        let started = Instant::now();
        let plan = platform::planning::compute(inputs, &request, Arc::new(Mutex::new(0.0)))
            .await
            .expect("a plan");
        let planning = started.elapsed().as_secs_f64();
        let visits: usize = plan.tours.iter().map(|t| t.stops.len()).sum();
        let (mut quick, mut history) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let started = Instant::now();
            platform::simulation_runs::load_history(&data, &week)
                .await
                .expect("history");
            history.push(started.elapsed().as_secs_f64());
            let started = Instant::now();
            let risk = platform::simulation_runs::quick(&data, week.clone(), plan.tours.clone())
                .await
                .expect("a quick simulation");
            quick.push(started.elapsed().as_secs_f64());
            assert_eq!(risk.replications, domain::simulation::QUICK_REPLICATIONS);
        }
        let (quick_median, quick_max) = median(quick);
        let (history_median, _) = median(history);
        println!(
            "plan of {visits} visits on {} cleaner-days computed in {planning:.1} s; its quick \
             simulation: median {quick_median:.3} s, slowest {quick_max:.3} s over {RUNS} runs \
             (reading and fitting the history: median {history_median:.3} s), on {} threads",
            plan.tours.len(),
            std::thread::available_parallelism().map_or(1, usize::from),
        );
    });
}
