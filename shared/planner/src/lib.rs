//! The tour planner: vehicle routing with time windows, pure compute (no I/O, no clock but
//! the one the caller hands in).
//!
//! Vehicles are cleaners (a shift, start and end locations, a capacity in minutes or load),
//! jobs are visits (a location, a time window for the start of service, a service duration,
//! a demand). Travel times come as a matrix that is also the travel cost. The search is
//! Slack Induction by String Removals (Christiaens & Vanden Berghe, 2020): ruin strings of
//! nearby jobs across a few routes, recreate by cheapest insertion with blinks, accept by
//! simulated annealing. Past 80 jobs, insertion tries the positions next to each job's
//! granular neighbours (nearest in space and time) first, and a local search (relocate,
//! 2-opt*) improves each candidate around the jobs just placed. It is deterministic for a seed and an iteration count, stops at a
//! time budget or when asked, and reports progress with the best solution so far.

mod rng;
pub mod solomon;
mod solver;

pub use rng::Rng;
pub use solver::{Objective, Options, Progress, solve};

/// A place: its row and column in the travel matrix.
pub type Location = usize;

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub location: Location,
    pub demand: i64,
    /// Service may start from `ready` to `due` (waiting before `ready` is allowed).
    pub ready: i64,
    pub due: i64,
    pub service: i64,
    /// Skills the job needs, one bit each; a vehicle must have them all.
    pub skills: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vehicle {
    pub start: Location,
    pub end: Location,
    /// Leaves `start` at `shift_start` at the earliest; is back at `end` by `shift_end`.
    pub shift_start: i64,
    pub shift_end: i64,
    pub capacity: i64,
    /// Skills the vehicle (the cleaner) has, one bit each.
    pub skills: u64,
}

impl Vehicle {
    pub fn can_do(&self, job: &Job) -> bool {
        job.skills & !self.skills == 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub locations: usize,
    /// `travel[a * locations + b]`: travel time from `a` to `b`, also its cost.
    pub travel: Vec<i64>,
    pub jobs: Vec<Job>,
    pub vehicles: Vec<Vehicle>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemError {
    #[error(
        "the travel matrix has {found} entries, not {expected} ({locations} locations squared)"
    )]
    Matrix {
        found: usize,
        expected: usize,
        locations: usize,
    },
    #[error("{what} names location {location}, beyond the {locations} locations")]
    Location {
        what: String,
        location: usize,
        locations: usize,
    },
    #[error("{0}")]
    Invalid(String),
}

impl Problem {
    #[inline]
    pub fn travel(&self, from: Location, to: Location) -> i64 {
        self.travel[from * self.locations + to]
    }

    pub fn validate(&self) -> Result<(), ProblemError> {
        let expected = self.locations * self.locations;
        if self.travel.len() != expected {
            return Err(ProblemError::Matrix {
                found: self.travel.len(),
                expected,
                locations: self.locations,
            });
        }
        if self.travel.iter().any(|&t| t < 0) {
            return Err(ProblemError::Invalid(
                "travel times must not be negative".into(),
            ));
        }
        let check = |what: String, location: usize| {
            if location < self.locations {
                Ok(())
            } else {
                Err(ProblemError::Location {
                    what,
                    location,
                    locations: self.locations,
                })
            }
        };
        for (i, job) in self.jobs.iter().enumerate() {
            check(format!("job {i}"), job.location)?;
            if job.service < 0 || job.demand < 0 {
                return Err(ProblemError::Invalid(format!(
                    "job {i}: service and demand must not be negative"
                )));
            }
        }
        for (i, vehicle) in self.vehicles.iter().enumerate() {
            check(format!("vehicle {i} start"), vehicle.start)?;
            check(format!("vehicle {i} end"), vehicle.end)?;
        }
        Ok(())
    }

    /// Why a job fits no vehicle even alone, if it does not: such jobs can never be planned.
    pub fn unservable(&self, job: usize) -> Option<Unservable> {
        let j = &self.jobs[job];
        if j.due < j.ready {
            return Some(Unservable::EmptyWindow);
        }
        let mut reason = Unservable::NoVehicle;
        for v in &self.vehicles {
            if !v.can_do(j) {
                reason = reason.max(Unservable::Skills);
                continue;
            }
            if j.demand > v.capacity {
                reason = reason.max(Unservable::Capacity);
                continue;
            }
            let arrival = (v.shift_start + self.travel(v.start, j.location)).max(j.ready);
            if arrival > j.due {
                reason = reason.max(Unservable::TooLate);
                continue;
            }
            if arrival + j.service + self.travel(j.location, v.end) > v.shift_end {
                reason = reason.max(Unservable::ShiftTooShort);
                continue;
            }
            return None;
        }
        Some(reason)
    }
}

/// Why a job cannot be planned at all (the most telling reason over all vehicles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unservable {
    NoVehicle,
    /// No vehicle has the skills it needs.
    Skills,
    /// Its window cannot be reached from any start.
    TooLate,
    /// No shift is long enough for travel there, the service and travel back.
    ShiftTooShort,
    /// It needs more than any vehicle holds.
    Capacity,
    /// Its window ends before it starts.
    EmptyWindow,
}

/// One vehicle's route: the jobs in order (the start and end are the vehicle's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// Non-empty routes only.
    pub routes: Vec<Route>,
    pub unassigned: Vec<usize>,
}

/// What a feasible solution amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub vehicles: usize,
    pub travel: i64,
    pub unassigned: usize,
}

/// The travel of one route of existing jobs, or why its vehicle cannot drive it: a service
/// started after its window, back after the shift end, over capacity, or missing a skill.
pub fn route_travel(problem: &Problem, route: &Route) -> Result<i64, String> {
    let vehicle = &problem.vehicles[route.vehicle];
    let (mut at, mut time, mut load, mut travel) = (vehicle.start, vehicle.shift_start, 0, 0);
    for &job in &route.jobs {
        let j = &problem.jobs[job];
        if !vehicle.can_do(j) {
            return Err(format!(
                "vehicle {} lacks the skills of job {job}",
                route.vehicle
            ));
        }
        travel += problem.travel(at, j.location);
        time = (time + problem.travel(at, j.location)).max(j.ready);
        if time > j.due {
            return Err(format!(
                "job {job} starts at {time}, after its due time {}",
                j.due
            ));
        }
        time += j.service;
        load += j.demand;
        at = j.location;
    }
    travel += problem.travel(at, vehicle.end);
    time += problem.travel(at, vehicle.end);
    if time > vehicle.shift_end {
        return Err(format!(
            "back at {time}, after the shift end {}",
            vehicle.shift_end
        ));
    }
    if load > vehicle.capacity {
        return Err(format!(
            "load {load} over the capacity {}",
            vehicle.capacity
        ));
    }
    Ok(travel)
}

/// Checks a solution independently of the solver: every job exactly once (routed or listed
/// unassigned), each vehicle used at most once, loads within capacity, every service started
/// within its window, every route back by its shift end.
pub fn check(problem: &Problem, solution: &Solution) -> Result<Summary, String> {
    let mut seen = vec![false; problem.jobs.len()];
    let mut mark = |job: usize| -> Result<(), String> {
        match seen.get_mut(job) {
            None => Err(format!("job {job} does not exist")),
            Some(true) => Err(format!("job {job} appears twice")),
            Some(slot) => {
                *slot = true;
                Ok(())
            }
        }
    };
    let mut used = vec![false; problem.vehicles.len()];
    let mut travel = 0;
    for (r, route) in solution.routes.iter().enumerate() {
        if problem.vehicles.get(route.vehicle).is_none() {
            return Err(format!(
                "route {r}: vehicle {} does not exist",
                route.vehicle
            ));
        }
        if std::mem::replace(&mut used[route.vehicle], true) {
            return Err(format!("vehicle {} drives two routes", route.vehicle));
        }
        if route.jobs.is_empty() {
            return Err(format!("route {r} is empty"));
        }
        for &job in &route.jobs {
            mark(job)?;
        }
        travel += route_travel(problem, route).map_err(|e| format!("route {r}: {e}"))?;
    }
    for &job in &solution.unassigned {
        mark(job)?;
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!("job {missing} is neither routed nor unassigned"));
    }
    Ok(Summary {
        vehicles: solution.routes.len(),
        travel,
        unassigned: solution.unassigned.len(),
    })
}
