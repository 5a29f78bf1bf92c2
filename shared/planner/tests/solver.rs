//! The planner on generated instances, every solution checked by the feasibility checker.

use std::time::{Duration, Instant};

use planner::{
    Job, Objective, Options, Problem, Rng, Route, Solution, Unservable, Vehicle, check, solve,
};

/// A random instance: `n` customers on a 100 x 100 grid around a central depot, time windows
/// of random width inside an 8-hour day, `vehicles` vehicles of capacity 100.
fn generated(n: usize, vehicles: usize, seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let mut points = vec![(50.0, 50.0)];
    for _ in 0..n {
        points.push((rng.unit() * 100.0, rng.unit() * 100.0));
    }
    let locations = points.len();
    let mut travel = vec![0; locations * locations];
    for (a, pa) in points.iter().enumerate() {
        for (b, pb) in points.iter().enumerate() {
            let d = ((pa.0 - pb.0).powi(2) + (pa.1 - pb.1).powi(2)).sqrt();
            travel[a * locations + b] = (d * 10.0) as i64;
        }
    }
    let day = 4800;
    let jobs = (1..locations)
        .map(|location| {
            let width = 300 + rng.below(2000) as i64;
            let ready = rng.below((day - width - 1500) as usize) as i64 + 700;
            Job {
                location,
                demand: 1 + rng.below(20) as i64,
                ready,
                due: ready + width,
                service: 100,
                skills: 0,
            }
        })
        .collect();
    let vehicle = Vehicle {
        start: 0,
        end: 0,
        shift_start: 0,
        shift_end: day,
        capacity: 100,
        skills: 0,
    };
    Problem {
        locations,
        travel,
        jobs,
        vehicles: vec![vehicle; vehicles],
    }
}

fn run(problem: &Problem, options: &Options) -> Solution {
    let started = Instant::now();
    solve(problem, options, &|| started.elapsed(), &mut |_, _| true)
}

fn iterations(seed: u64, n: u64) -> Options {
    Options {
        seed,
        max_iterations: Some(n),
        time_budget: Duration::from_secs(60),
        ..Options::default()
    }
}

#[test]
fn every_solution_on_generated_instances_is_feasible_and_complete() {
    for seed in 1..=8 {
        let problem = generated(60, 20, seed);
        problem.validate().unwrap();
        for objective in [Objective::Distance, Objective::Fleet] {
            let options = Options {
                objective,
                ..iterations(seed, 3000)
            };
            let solution = run(&problem, &options);
            let summary = check(&problem, &solution).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert_eq!(
                summary.unassigned, 0,
                "seed {seed}: every customer is servable"
            );
        }
    }
}

/// Past 80 jobs the search inserts near granular neighbours and runs local search
/// (relocate, 2-opt*): here with one-way travel, two vehicle classes (2-opt* only within
/// one) and skills.
#[test]
fn large_instances_with_one_way_travel_mixed_vehicles_and_skills_stay_feasible() {
    for seed in 1..=3 {
        let mut problem = generated(150, 40, seed);
        let n = problem.locations;
        for a in 0..n {
            for b in 0..n {
                // Uphill is slower: the matrix is not symmetric.
                if a < b {
                    problem.travel[a * n + b] += 7;
                }
            }
        }
        for (i, job) in problem.jobs.iter_mut().enumerate() {
            job.skills = u64::from(i % 5 == 0);
        }
        for (i, vehicle) in problem.vehicles.iter_mut().enumerate() {
            if i % 2 == 0 {
                vehicle.skills = 1;
                vehicle.capacity = 70;
                vehicle.shift_end -= 400;
            }
        }
        problem.validate().unwrap();
        for objective in [Objective::Distance, Objective::Fleet] {
            let options = Options {
                objective,
                ..iterations(seed, 4000)
            };
            let solution = run(&problem, &options);
            let summary = check(&problem, &solution).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let unservable = (0..problem.jobs.len())
                .filter(|&j| problem.unservable(j).is_some())
                .count();
            assert_eq!(summary.unassigned, unservable, "seed {seed}");
            assert_eq!(solution, run(&problem, &options), "seed {seed}: repeatable");
        }
    }
}

#[test]
fn the_search_improves_on_its_start_and_fleet_mode_uses_fewer_vehicles() {
    let problem = generated(80, 25, 42);
    let start = check(&problem, &run(&problem, &iterations(1, 1))).unwrap();
    let searched = check(&problem, &run(&problem, &iterations(1, 20_000))).unwrap();
    assert!(
        searched.travel < start.travel * 95 / 100,
        "{} not well below {}",
        searched.travel,
        start.travel
    );
    let fleet = Options {
        objective: Objective::Fleet,
        ..iterations(1, 20_000)
    };
    let fewest = check(&problem, &run(&problem, &fleet)).unwrap();
    assert!(
        fewest.vehicles <= searched.vehicles,
        "{fewest:?} vs {searched:?}"
    );
}

#[test]
fn a_seed_and_an_iteration_count_give_the_same_solution() {
    let problem = generated(50, 15, 7);
    let a = run(&problem, &iterations(3, 2000));
    let b = run(&problem, &iterations(3, 2000));
    assert_eq!(a, b);
}

#[test]
fn progress_is_reported_and_a_false_answer_stops_the_search() {
    let problem = generated(50, 15, 9);
    let started = Instant::now();
    let mut reports = 0;
    let options = Options {
        time_budget: Duration::from_secs(60),
        ..Options::default()
    };
    let solution = solve(&problem, &options, &|| started.elapsed(), &mut |p, best| {
        reports += 1;
        assert!(check(&problem, best).is_ok());
        assert!(p.fraction < 1.0);
        reports < 3
    });
    assert_eq!(reports, 3);
    assert!(started.elapsed() < Duration::from_secs(30));
    check(&problem, &solution).unwrap();
}

#[test]
fn jobs_no_vehicle_can_serve_are_left_unassigned_with_the_reason() {
    let mut problem = generated(20, 5, 11);
    problem.jobs[0].due = problem.jobs[0].ready - 1;
    problem.jobs[1].demand = 500;
    problem.jobs[2].service = 10_000;
    problem.jobs[3].ready = 0;
    problem.jobs[3].due = 1;
    problem.jobs[4].skills = 0b10;
    assert_eq!(problem.unservable(0), Some(Unservable::EmptyWindow));
    assert_eq!(problem.unservable(1), Some(Unservable::Capacity));
    assert_eq!(problem.unservable(2), Some(Unservable::ShiftTooShort));
    assert_eq!(problem.unservable(3), Some(Unservable::TooLate));
    assert_eq!(problem.unservable(4), Some(Unservable::Skills));
    let solution = run(&problem, &iterations(1, 500));
    let summary = check(&problem, &solution).unwrap();
    assert_eq!(solution.unassigned, [0, 1, 2, 3, 4]);
    assert_eq!(summary.unassigned, 5);
    // A vehicle with the skill takes the job.
    problem.vehicles[2].skills = 0b11;
    let solution = run(&problem, &iterations(1, 500));
    check(&problem, &solution).unwrap();
    let route = solution
        .routes
        .iter()
        .find(|r| r.jobs.contains(&4))
        .unwrap();
    assert_eq!(route.vehicle, 2);
}

#[test]
fn the_checker_finds_every_kind_of_violation() {
    let problem = generated(6, 3, 5);
    let good = run(&problem, &iterations(1, 200));
    check(&problem, &good).unwrap();
    let route = |vehicle, jobs: &[usize]| Route {
        vehicle,
        jobs: jobs.to_vec(),
    };
    let mut twice = good.clone();
    twice.unassigned.push(good.routes[0].jobs[0]);
    assert!(check(&problem, &twice).unwrap_err().contains("twice"));
    let mut missing = good.clone();
    missing.routes[0].jobs.remove(0);
    missing.routes.retain(|r| !r.jobs.is_empty());
    assert!(check(&problem, &missing).unwrap_err().contains("neither"));
    let mut late = problem.clone();
    late.jobs[0].ready = 0;
    late.jobs[0].due = 0;
    let all: Vec<usize> = (0..6).collect();
    let one_route = Solution {
        routes: vec![route(0, &all)],
        unassigned: vec![],
    };
    assert!(check(&late, &one_route).is_err());
    let mut heavy = problem.clone();
    heavy.jobs.iter_mut().for_each(|j| j.demand = 30);
    let mut relaxed = heavy.clone();
    relaxed.jobs.iter_mut().for_each(|j| {
        j.ready = 0;
        j.due = 100_000;
    });
    relaxed.vehicles[0].shift_end = 100_000;
    assert!(
        check(&relaxed, &one_route)
            .unwrap_err()
            .contains("capacity")
    );
    let reused = Solution {
        routes: vec![route(1, &all[..3]), route(1, &all[3..])],
        unassigned: vec![],
    };
    assert!(check(&relaxed, &reused).unwrap_err().contains("two routes"));
}

#[test]
fn solomon_files_follow_the_dimacs_convention() {
    let text = "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  2         50\n\nCUSTOMER\n\
        CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n\
            0      0          0          0          0       100          0\n\
            1      3          4         10          5        50         10\n\
            2      1          1         10          0        60          5\n";
    let instance = planner::solomon::parse(text).unwrap();
    let p = &instance.problem;
    assert_eq!(instance.name, "TINY");
    assert_eq!(p.vehicles.len(), 2);
    assert_eq!(p.vehicles[0].capacity, 50);
    assert_eq!(p.vehicles[0].shift_end, 1000);
    assert_eq!(p.travel(0, 1), 50);
    assert_eq!(p.travel(0, 2), 14, "floor(10 x 1.414)");
    assert_eq!(
        (p.jobs[0].ready, p.jobs[0].due, p.jobs[0].service),
        (50, 500, 100)
    );
    let solution = run(p, &iterations(1, 100));
    assert_eq!(check(p, &solution).unwrap().unassigned, 0);
    assert!(planner::solomon::parse("X\n").is_err());
}
