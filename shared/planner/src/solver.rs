//! Slack Induction by String Removals (SISR): ruin strings of nearby jobs, recreate by
//! cheapest insertion with blinks, accept by simulated annealing.

use std::time::Duration;

use crate::{Problem, Rng, Route, Solution};

/// What the search minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// Total travel.
    #[default]
    Distance,
    /// Fewest vehicles first, then total travel.
    Fleet,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub objective: Objective,
    /// Stops after this much time (as measured by the caller's clock)...
    pub time_budget: Duration,
    /// ...or after this many iterations, whichever comes first. The temperature follows
    /// the iterations when this bounds the search, so a run is repeatable exactly.
    pub max_iterations: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: 1,
            objective: Objective::Distance,
            time_budget: Duration::from_secs(1),
            max_iterations: None,
        }
    }
}

/// Where the search stands, reported to the caller now and then.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub iterations: u64,
    pub elapsed: Duration,
    /// How far along the budget, 0 to 1.
    pub fraction: f64,
    pub best_vehicles: usize,
    pub best_travel: i64,
    pub best_unassigned: usize,
}

// SISR's parameters (Christiaens & Vanden Berghe 2020).
/// Mean number of jobs removed per ruin.
const MEAN_REMOVED: f64 = 10.0;
/// Longest string removed from one route.
const MAX_STRING: f64 = 10.0;
/// Chance of a split string (keeping a middle part) over a plain one.
const SPLIT_RATE: f64 = 0.5;
/// Chance that a split keeps one more job.
const SPLIT_DEPTH: f64 = 0.5;
/// Chance that an insertion position is skipped.
const BLINK_RATE: f64 = 0.01;
/// Start and end temperatures, in travel units (scaled by the mean travel of an edge).
const START_TEMPERATURE: f64 = 1.0;
const END_TEMPERATURE: f64 = 0.01;
/// Share of the budget spent squeezing the fleet under the fleet objective.
const FLEET_SHARE: f64 = 0.5;
/// How often (in iterations) the clock is read and progress reported.
const REPORT_EVERY: u64 = 256;

const NONE: u32 = u32::MAX;

/// One route as the search keeps it: the jobs and, per position (0 the start, `len + 1` the
/// end), the earliest start of service and the latest that keeps the rest on time.
#[derive(Debug)]
struct Tour {
    vehicle: usize,
    jobs: Vec<usize>,
    load: i64,
    travel: i64,
    earliest: Vec<i64>,
    latest: Vec<i64>,
}

impl Clone for Tour {
    fn clone(&self) -> Self {
        Self {
            vehicle: self.vehicle,
            jobs: self.jobs.clone(),
            load: self.load,
            travel: self.travel,
            earliest: self.earliest.clone(),
            latest: self.latest.clone(),
        }
    }

    /// Reuses the buffers: the search copies its state every iteration.
    fn clone_from(&mut self, source: &Self) {
        self.vehicle = source.vehicle;
        self.jobs.clone_from(&source.jobs);
        self.load = source.load;
        self.travel = source.travel;
        self.earliest.clone_from(&source.earliest);
        self.latest.clone_from(&source.latest);
    }
}

#[derive(Debug)]
struct State {
    tours: Vec<Tour>,
    /// The tour of each job, `NONE` if unassigned.
    tour_of: Vec<u32>,
    unassigned: Vec<usize>,
}

impl Clone for State {
    fn clone(&self) -> Self {
        Self {
            tours: self.tours.clone(),
            tour_of: self.tour_of.clone(),
            unassigned: self.unassigned.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.tours.clone_from(&source.tours);
        self.tour_of.clone_from(&source.tour_of);
        self.unassigned.clone_from(&source.unassigned);
    }
}

struct Search<'a> {
    p: &'a Problem,
    /// Every job's other jobs, nearest first.
    neighbours: Vec<Vec<u32>>,
    /// Jobs no vehicle can serve: left out of the search.
    servable: Vec<bool>,
    /// Vehicles with equal start, end, shift and capacity share a class: one empty route of
    /// a class is as good as another.
    class: Vec<usize>,
    unassigned_penalty: i64,
    vehicle_cost: i64,
    /// Whether recreate may start an empty route (not while squeezing the fleet).
    allow_new_routes: bool,
    rng: Rng,
}

impl<'a> Search<'a> {
    fn new(p: &'a Problem, options: &Options) -> Self {
        let n = p.jobs.len();
        let neighbours = (0..n)
            .map(|a| {
                let mut others: Vec<u32> = (0..n as u32).filter(|&b| b as usize != a).collect();
                others.sort_by_key(|&b| p.travel(p.jobs[a].location, p.jobs[b as usize].location));
                others
            })
            .collect();
        let mut classes: Vec<(usize, usize, i64, i64, i64, u64)> = Vec::new();
        let class = p
            .vehicles
            .iter()
            .map(|v| {
                let key = (
                    v.start,
                    v.end,
                    v.shift_start,
                    v.shift_end,
                    v.capacity,
                    v.skills,
                );
                classes.iter().position(|c| *c == key).unwrap_or_else(|| {
                    classes.push(key);
                    classes.len() - 1
                })
            })
            .collect();
        let longest = p.travel.iter().copied().max().unwrap_or(0).max(1);
        // An unplanned job must cost more than any route could save or add.
        let vehicle_cost = match options.objective {
            Objective::Distance => 0,
            Objective::Fleet => longest * (n as i64 + 2) * 2,
        };
        Self {
            p,
            neighbours,
            servable: (0..n).map(|j| p.unservable(j).is_none()).collect(),
            class,
            unassigned_penalty: (longest * (n as i64 + 2) * 2).max(vehicle_cost * 4),
            vehicle_cost,
            allow_new_routes: true,
            rng: Rng::new(options.seed),
        }
    }

    /// Location, ready, due and service of position `pos` of `tour`.
    #[inline]
    fn node(&self, tour: &Tour, pos: usize) -> (usize, i64, i64, i64) {
        let v = &self.p.vehicles[tour.vehicle];
        if pos == 0 {
            (v.start, v.shift_start, v.shift_end, 0)
        } else if pos == tour.jobs.len() + 1 {
            (v.end, v.shift_start, v.shift_end, 0)
        } else {
            let j = &self.p.jobs[tour.jobs[pos - 1]];
            (j.location, j.ready, j.due, j.service)
        }
    }

    fn refresh(&self, tour: &mut Tour) {
        let m = tour.jobs.len();
        tour.earliest.resize(m + 2, 0);
        tour.latest.resize(m + 2, 0);
        let (mut load, mut travel) = (0, 0);
        let (start, ready0, _, _) = self.node(tour, 0);
        tour.earliest[0] = ready0;
        let (mut prev_loc, mut prev_service) = (start, 0);
        for pos in 1..=m + 1 {
            let (loc, ready, _, service) = self.node(tour, pos);
            let t = self.p.travel(prev_loc, loc);
            travel += t;
            tour.earliest[pos] = (tour.earliest[pos - 1] + prev_service + t).max(ready);
            prev_loc = loc;
            prev_service = service;
        }
        for &job in &tour.jobs {
            load += self.p.jobs[job].demand;
        }
        let (end, _, end_due, _) = self.node(tour, m + 1);
        tour.latest[m + 1] = end_due;
        let mut next_loc = end;
        for pos in (0..=m).rev() {
            let (loc, _, due, service) = self.node(tour, pos);
            tour.latest[pos] =
                due.min(tour.latest[pos + 1] - self.p.travel(loc, next_loc) - service);
            next_loc = loc;
        }
        tour.load = load;
        tour.travel = travel;
    }

    fn cost(&self, state: &State) -> i64 {
        let used = state.tours.iter().filter(|t| !t.jobs.is_empty()).count() as i64;
        state.tours.iter().map(|t| t.travel).sum::<i64>()
            + used * self.vehicle_cost
            + state.unassigned.len() as i64 * self.unassigned_penalty
    }

    fn empty_state(&self) -> State {
        let tours = (0..self.p.vehicles.len())
            .map(|vehicle| {
                let mut tour = Tour {
                    vehicle,
                    jobs: Vec::new(),
                    load: 0,
                    travel: 0,
                    earliest: Vec::new(),
                    latest: Vec::new(),
                };
                self.refresh(&mut tour);
                tour
            })
            .collect();
        State {
            tours,
            tour_of: vec![NONE; self.p.jobs.len()],
            unassigned: (0..self.p.jobs.len()).collect(),
        }
    }

    /// Removes the jobs of tour `t` whose position `keep` refuses.
    fn remove(&self, state: &mut State, t: usize, keep: impl Fn(usize) -> bool) {
        let tour = &mut state.tours[t];
        let mut i = 0;
        let mut removed = Vec::new();
        tour.jobs.retain(|&job| {
            let kept = keep(i);
            i += 1;
            if !kept {
                removed.push(job);
            }
            kept
        });
        for job in removed {
            state.tour_of[job] = NONE;
            state.unassigned.push(job);
        }
        self.refresh(&mut state.tours[t]);
    }

    fn ruin(&mut self, state: &mut State) {
        let assigned = state.tour_of.iter().filter(|&&t| t != NONE).count();
        let used = state.tours.iter().filter(|t| !t.jobs.is_empty()).count();
        if assigned == 0 || used == 0 {
            return;
        }
        let mean_length = assigned as f64 / used as f64;
        let max_string = MAX_STRING.min(mean_length);
        let max_strings = 4.0 * MEAN_REMOVED / (1.0 + max_string) - 1.0;
        let strings = (1.0 + self.rng.unit() * max_strings).floor().max(1.0) as usize;
        let seed = loop {
            let job = self.rng.below(self.p.jobs.len());
            if state.tour_of[job] != NONE {
                break job;
            }
        };
        let mut ruined: Vec<u32> = Vec::with_capacity(strings);
        let neighbours = std::mem::take(&mut self.neighbours);
        for &c in std::iter::once(&(seed as u32)).chain(neighbours[seed].iter()) {
            if ruined.len() >= strings {
                break;
            }
            let t = state.tour_of[c as usize];
            if t == NONE || ruined.contains(&t) {
                continue;
            }
            ruined.push(t);
            let tour = &state.tours[t as usize];
            let m = tour.jobs.len();
            let pos = tour
                .jobs
                .iter()
                .position(|&j| j == c as usize)
                .expect("in its tour");
            let max_len = (max_string.min(m as f64)).max(1.0);
            let len = ((1.0 + self.rng.unit() * max_len).floor() as usize).clamp(1, m);
            if len == m || self.rng.unit() >= SPLIT_RATE {
                let lowest = (pos + 1).saturating_sub(len);
                let highest = pos.min(m - len);
                let first = lowest + self.rng.below(highest - lowest + 1);
                self.remove(state, t as usize, |i| i < first || i >= first + len);
            } else {
                // A split string: a window of len + kept jobs around `pos`, keeping `kept`
                // consecutive ones inside it.
                let mut kept = 1;
                while len + kept < m && self.rng.unit() < SPLIT_DEPTH {
                    kept += 1;
                }
                let window = len + kept;
                let lowest = (pos + 1).saturating_sub(window);
                let highest = pos.min(m - window);
                let first = lowest + self.rng.below(highest - lowest + 1);
                let keep_from = first + self.rng.below(window - kept + 1);
                self.remove(state, t as usize, |i| {
                    i < first || i >= first + window || (keep_from..keep_from + kept).contains(&i)
                });
            }
        }
        self.neighbours = neighbours;
    }

    /// The cheapest feasible insertion of `job`: (added cost, tour, position).
    fn best_insertion(&mut self, state: &State, job: usize) -> Option<(i64, usize, usize)> {
        let j = &self.p.jobs[job];
        let mut best: Option<(i64, usize, usize)> = None;
        let mut empty_classes_tried: u64 = 0;
        for (t, tour) in state.tours.iter().enumerate() {
            let v = &self.p.vehicles[tour.vehicle];
            if tour.load + j.demand > v.capacity || !v.can_do(j) {
                continue;
            }
            let m = tour.jobs.len();
            if m == 0 && !self.allow_new_routes {
                continue;
            }
            let extra = if m == 0 {
                let class = self.class[tour.vehicle];
                if class < 64 {
                    if empty_classes_tried & (1 << class) != 0 {
                        continue;
                    }
                    empty_classes_tried |= 1 << class;
                }
                self.vehicle_cost
            } else {
                0
            };
            let mut prev_loc = v.start;
            let mut prev_service = 0;
            for pos in 0..=m {
                let (next_loc, next_ready) = if pos == m {
                    (v.end, v.shift_start)
                } else {
                    let n = &self.p.jobs[tour.jobs[pos]];
                    (n.location, n.ready)
                };
                if pos > 0 {
                    let pj = &self.p.jobs[tour.jobs[pos - 1]];
                    prev_loc = pj.location;
                    prev_service = pj.service;
                }
                if self.rng.unit() < BLINK_RATE {
                    continue;
                }
                let to = self.p.travel(prev_loc, j.location);
                let from = self.p.travel(j.location, next_loc);
                let delta = to + from - self.p.travel(prev_loc, next_loc) + extra;
                if best.is_some_and(|(b, _, _)| delta >= b) {
                    continue;
                }
                let start = (tour.earliest[pos] + prev_service + to).max(j.ready);
                if start > j.due {
                    continue;
                }
                let next_start = (start + j.service + from).max(next_ready);
                if next_start > tour.latest[pos + 1] {
                    continue;
                }
                best = Some((delta, t, pos));
            }
        }
        best
    }

    /// Puts the unassigned jobs back; `absences` (how often each job was left out) makes the
    /// often-left-out go first half of the time.
    fn recreate(&mut self, state: &mut State, absences: Option<&[u64]>) {
        let mut pending = std::mem::take(&mut state.unassigned);
        pending.retain(|&j| self.servable[j]);
        let depot = self.p.vehicles.first().map_or(0, |v| v.start);
        if let Some(absences) = absences
            && self.rng.unit() < 0.5
        {
            self.rng.shuffle(&mut pending);
            pending.sort_by_key(|&j| std::cmp::Reverse(absences[j]));
        } else {
            match self.rng.below(11) {
                0..=3 => self.rng.shuffle(&mut pending),
                4..=7 => pending.sort_by_key(|&j| std::cmp::Reverse(self.p.jobs[j].demand)),
                8..=9 => pending.sort_by_key(|&j| {
                    std::cmp::Reverse(self.p.travel(depot, self.p.jobs[j].location))
                }),
                _ => pending.sort_by_key(|&j| self.p.travel(depot, self.p.jobs[j].location)),
            }
        }
        for job in pending {
            match self.best_insertion(state, job) {
                Some((_, t, pos)) => {
                    state.tours[t].jobs.insert(pos, job);
                    self.refresh(&mut state.tours[t]);
                    state.tour_of[job] = t as u32;
                }
                None => state.unassigned.push(job),
            }
        }
        for job in 0..self.p.jobs.len() {
            if !self.servable[job] {
                state.unassigned.push(job);
            }
        }
        state.unassigned.sort_unstable();
        state.unassigned.dedup();
    }

    /// Empties one of the shortest routes (its jobs become unassigned), to try the fleet
    /// without it.
    fn ruin_route(&mut self, state: &mut State) {
        let shortest = state
            .tours
            .iter()
            .filter(|t| !t.jobs.is_empty())
            .map(|t| t.jobs.len())
            .min();
        let Some(shortest) = shortest else { return };
        let candidates: Vec<usize> = (0..state.tours.len())
            .filter(|&t| state.tours[t].jobs.len() == shortest)
            .collect();
        let t = candidates[self.rng.below(candidates.len())];
        self.remove(state, t, |_| false);
    }

    fn missing(&self, state: &State) -> usize {
        state
            .unassigned
            .iter()
            .filter(|&&j| self.servable[j])
            .count()
    }

    /// One step of fleet squeezing (SISR's fleet minimisation): with every job placed, the
    /// solution is kept if it is the best so far and a shortest route is emptied; then
    /// ruin and recreate without new routes, kept if fewer jobs, or jobs left out less
    /// often, stay unplaced.
    fn squeeze_fleet(
        &mut self,
        current: &mut State,
        candidate: &mut State,
        best: &mut State,
        best_cost: &mut i64,
        absences: &mut [u64],
    ) {
        if self.missing(current) == 0 {
            let cost = self.cost(current);
            if cost < *best_cost {
                best.clone_from(current);
                *best_cost = cost;
            }
            self.ruin_route(current);
        }
        candidate.clone_from(current);
        self.allow_new_routes = false;
        self.ruin(candidate);
        self.recreate(candidate, Some(absences));
        self.allow_new_routes = true;
        for &job in &candidate.unassigned {
            absences[job] += 1;
        }
        let weight = |s: &State| s.unassigned.iter().map(|&j| absences[j]).sum::<u64>();
        if self.missing(candidate) < self.missing(current) || weight(candidate) < weight(current) {
            std::mem::swap(current, candidate);
        }
    }
}

fn solution_of(state: &State) -> Solution {
    Solution {
        routes: state
            .tours
            .iter()
            .filter(|t| !t.jobs.is_empty())
            .map(|t| Route {
                vehicle: t.vehicle,
                jobs: t.jobs.clone(),
            })
            .collect(),
        unassigned: state.unassigned.clone(),
    }
}

/// Plans `problem`. `elapsed` is the caller's clock (time since the start); `progress` hears
/// how it goes now and then, with the best solution so far, and stops the search by
/// returning false.
pub fn solve(
    problem: &Problem,
    options: &Options,
    elapsed: &dyn Fn() -> Duration,
    progress: &mut dyn FnMut(&Progress, &Solution) -> bool,
) -> Solution {
    let mut search = Search::new(problem, options);
    let mut current = search.empty_state();
    search.recreate(&mut current, None);
    let mut current_cost = search.cost(&current);
    let mut best = current.clone();
    let mut best_cost = current_cost;
    let mut candidate = current.clone();
    if problem.jobs.is_empty() {
        return solution_of(&best);
    }
    let edges = problem.jobs.len() + best.tours.iter().filter(|t| !t.jobs.is_empty()).count();
    let mean_edge = best.tours.iter().map(|t| t.travel).sum::<i64>() as f64 / edges.max(1) as f64;
    let (t0, t1) = (
        START_TEMPERATURE * mean_edge.max(1.0),
        END_TEMPERATURE * mean_edge.max(1.0),
    );
    let budget = options.time_budget.as_secs_f64().max(1e-9);
    let mut fraction = 0.0;
    let mut iterations: u64 = 0;
    // With the fleet objective, the first part of the budget squeezes the fleet.
    let squeeze_until = match options.objective {
        Objective::Fleet => FLEET_SHARE,
        Objective::Distance => 0.0,
    };
    let mut squeezed = squeeze_until == 0.0;
    let mut absences = vec![0u64; problem.jobs.len()];
    loop {
        if iterations.is_multiple_of(REPORT_EVERY) {
            let spent = elapsed();
            fraction = match options.max_iterations {
                Some(max) => iterations as f64 / max.max(1) as f64,
                None => spent.as_secs_f64() / budget,
            };
            let report = Progress {
                iterations,
                elapsed: spent,
                fraction: fraction.min(1.0),
                best_vehicles: best.tours.iter().filter(|t| !t.jobs.is_empty()).count(),
                best_travel: best.tours.iter().map(|t| t.travel).sum(),
                best_unassigned: best.unassigned.len(),
            };
            let out_of_time = spent >= options.time_budget;
            let out_of_iterations = options.max_iterations.is_some_and(|max| iterations >= max);
            if out_of_time || out_of_iterations || !progress(&report, &solution_of(&best)) {
                break;
            }
        }
        iterations += 1;
        if fraction < squeeze_until {
            search.squeeze_fleet(
                &mut current,
                &mut candidate,
                &mut best,
                &mut best_cost,
                &mut absences,
            );
            continue;
        }
        if !squeezed {
            // Travel is minimised from the smallest fleet found.
            squeezed = true;
            current.clone_from(&best);
            current_cost = best_cost;
        }
        let temperature = t0 * (t1 / t0).powf(fraction.min(1.0));
        candidate.clone_from(&current);
        search.ruin(&mut candidate);
        search.recreate(&mut candidate, None);
        let cost = search.cost(&candidate);
        let threshold = current_cost as f64 - temperature * search.rng.unit().max(1e-300).ln();
        if (cost as f64) < threshold {
            std::mem::swap(&mut current, &mut candidate);
            current_cost = cost;
            if cost < best_cost {
                best.clone_from(&current);
                best_cost = cost;
            }
        }
    }
    solution_of(&best)
}
