//! Slack Induction by String Removals (SISR): ruin strings of nearby jobs, recreate by
//! cheapest insertion with blinks, accept by simulated annealing. On large problems,
//! insertion looks next to granular neighbours first and a local search (relocate, 2-opt*
//! with the same neighbours) polishes each candidate where recreate placed jobs: on long
//! routes (Gehring & Homberger's R2 and RC2) ruin and recreate alone were slow to find the
//! tail swaps that fix them.

use std::time::Duration;

use crate::{Job, Problem, Rng, Route, Solution};

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

/// One route as the search keeps it: the jobs and, per node (0 the start, `len + 1` the
/// end), its location, the travel to the next node, the time service there ends at the
/// earliest, and the latest start of service that keeps the rest on time. Insertion reads
/// these flat arrays only: trying a position costs two lookups in rows of the job's own.
#[derive(Debug)]
struct Tour {
    vehicle: usize,
    jobs: Vec<usize>,
    load: i64,
    travel: i64,
    locations: Vec<u32>,
    /// `edges[pos]`: travel from node `pos` to node `pos + 1`.
    edges: Vec<i64>,
    /// Earliest end of service (the earliest start plus the service; the shift start at 0).
    departure: Vec<i64>,
    latest: Vec<i64>,
    /// `loads[pos]`: the demand of the jobs up to and including node `pos`.
    loads: Vec<i64>,
}

impl Clone for Tour {
    fn clone(&self) -> Self {
        Self {
            vehicle: self.vehicle,
            jobs: self.jobs.clone(),
            load: self.load,
            travel: self.travel,
            locations: self.locations.clone(),
            edges: self.edges.clone(),
            departure: self.departure.clone(),
            latest: self.latest.clone(),
            loads: self.loads.clone(),
        }
    }

    /// Reuses the buffers: the search copies its state every iteration.
    fn clone_from(&mut self, source: &Self) {
        self.vehicle = source.vehicle;
        self.jobs.clone_from(&source.jobs);
        self.load = source.load;
        self.travel = source.travel;
        self.locations.clone_from(&source.locations);
        self.edges.clone_from(&source.edges);
        self.departure.clone_from(&source.departure);
        self.latest.clone_from(&source.latest);
        self.loads.clone_from(&source.loads);
    }
}

#[derive(Debug)]
struct State {
    tours: Vec<Tour>,
    /// The tour of each job, `NONE` if unassigned.
    tour_of: Vec<u32>,
    /// The node of each job in its tour (1 for the first job).
    node_of: Vec<u32>,
    unassigned: Vec<usize>,
    /// The tours changed since the last `sync`.
    touched: Vec<usize>,
}

impl Clone for State {
    fn clone(&self) -> Self {
        Self {
            tours: self.tours.clone(),
            tour_of: self.tour_of.clone(),
            node_of: self.node_of.clone(),
            unassigned: self.unassigned.clone(),
            touched: self.touched.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.tours.clone_from(&source.tours);
        self.tour_of.clone_from(&source.tour_of);
        self.node_of.clone_from(&source.node_of);
        self.unassigned.clone_from(&source.unassigned);
        self.touched.clone_from(&source.touched);
    }
}

impl State {
    /// Makes this state equal to `source` again, where it differs in the tours either has
    /// touched: copying a whole state every iteration was a tenth of the search.
    fn sync(&mut self, source: &mut State) {
        for &t in self.touched.iter().chain(&source.touched) {
            self.tours[t].clone_from(&source.tours[t]);
        }
        self.tour_of.clone_from(&source.tour_of);
        self.node_of.clone_from(&source.node_of);
        self.unassigned.clone_from(&source.unassigned);
        self.touched.clear();
        source.touched.clear();
    }
}

struct Search<'a> {
    p: &'a Problem,
    /// Every job's other jobs, nearest first.
    neighbours: Vec<Vec<u32>>,
    /// Every job's nearest jobs by a measure of space and time (granular neighbourhood):
    /// insertion tries the positions next to these first. Empty for small problems.
    granular: Vec<Vec<u32>>,
    /// Jobs no vehicle can serve: left out of the search.
    servable: Vec<bool>,
    fleet: Fleet,
    unassigned_penalty: i64,
    /// The travel matrix transposed (row `b` holds the travel from every `a` to `b`), so
    /// that insertion reads both legs from rows; empty when the matrix is symmetric.
    travel_transposed: Vec<i64>,
    /// The jobs the last recreate placed: where local search looks.
    reinserted: Vec<usize>,
    /// Insertion positions to try before the next blink (one skipped position).
    blink_in: u64,
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
        let l = p.locations;
        let symmetric = (0..l).all(|a| (0..a).all(|b| p.travel(a, b) == p.travel(b, a)));
        let travel_transposed = if symmetric {
            Vec::new()
        } else {
            (0..l * l).map(|i| p.travel(i % l, i / l)).collect()
        };
        let mut rng = Rng::new(options.seed);
        Self {
            p,
            granular: granular_neighbours(p),
            neighbours,
            travel_transposed,
            blink_in: rng.geometric(BLINK_RATE),
            reinserted: Vec::new(),
            servable: (0..n).map(|j| p.unservable(j).is_none()).collect(),
            unassigned_penalty: (longest * (n as i64 + 2) * 2).max(vehicle_cost * 4),
            fleet: Fleet {
                class,
                vehicle_cost,
                allow_new_routes: true,
            },
            rng,
        }
    }

    /// Refreshes tour `t` of `state` and the nodes of its jobs.
    fn refresh_in(&self, state: &mut State, t: usize) {
        if !state.touched.contains(&t) {
            state.touched.push(t);
        }
        self.refresh(&mut state.tours[t]);
        for (i, &job) in state.tours[t].jobs.iter().enumerate() {
            state.node_of[job] = i as u32 + 1;
        }
    }

    fn refresh(&self, tour: &mut Tour) {
        let v = &self.p.vehicles[tour.vehicle];
        let m = tour.jobs.len();
        tour.locations.clear();
        tour.locations.push(v.start as u32);
        tour.locations
            .extend(tour.jobs.iter().map(|&j| self.p.jobs[j].location as u32));
        tour.locations.push(v.end as u32);
        tour.edges.clear();
        tour.departure.clear();
        tour.departure.push(v.shift_start);
        tour.loads.clear();
        tour.loads.push(0);
        let (mut time, mut travel, mut load) = (v.shift_start, 0, 0);
        for pos in 1..=m + 1 {
            let t = self.p.travel(
                tour.locations[pos - 1] as usize,
                tour.locations[pos] as usize,
            );
            tour.edges.push(t);
            travel += t;
            time += t;
            if pos <= m {
                let j = &self.p.jobs[tour.jobs[pos - 1]];
                time = time.max(j.ready) + j.service;
                load += j.demand;
            }
            tour.departure.push(time);
            tour.loads.push(load);
        }
        tour.latest.resize(m + 2, 0);
        tour.latest[m + 1] = v.shift_end;
        for pos in (1..=m).rev() {
            let j = &self.p.jobs[tour.jobs[pos - 1]];
            tour.latest[pos] = j
                .due
                .min(tour.latest[pos + 1] - tour.edges[pos] - j.service);
        }
        tour.latest[0] = v.shift_end.min(tour.latest[1] - tour.edges[0]);
        tour.load = load;
        tour.travel = travel;
    }

    fn cost(&self, state: &State) -> i64 {
        let used = state.tours.iter().filter(|t| !t.jobs.is_empty()).count() as i64;
        state.tours.iter().map(|t| t.travel).sum::<i64>()
            + used * self.fleet.vehicle_cost
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
                    locations: Vec::new(),
                    edges: Vec::new(),
                    departure: Vec::new(),
                    latest: Vec::new(),
                    loads: Vec::new(),
                };
                self.refresh(&mut tour);
                tour
            })
            .collect();
        State {
            tours,
            tour_of: vec![NONE; self.p.jobs.len()],
            node_of: vec![0; self.p.jobs.len()],
            touched: Vec::new(),
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
        self.refresh_in(state, t);
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
    /// The cheapest feasible insertion of `job`: (added cost, tour, position). On a large
    /// problem, first among the positions next to its granular neighbours and at either end
    /// of each route; everywhere only if none of those is feasible.
    fn best_insertion(&mut self, state: &State, job: usize) -> Option<(i64, usize, usize)> {
        if self.granular.is_empty() {
            return self.best_insertion_anywhere(state, job);
        }
        self.best_insertion_near(state, job)
            .or_else(|| self.best_insertion_anywhere(state, job))
    }

    fn best_insertion_near(&mut self, state: &State, job: usize) -> Option<(i64, usize, usize)> {
        let j = &self.p.jobs[job];
        let leg = Leg::new(self.p, &self.travel_transposed, j);
        let (fleet, vehicles) = (&self.fleet, &self.p.vehicles);
        let mut best = (i64::MAX, usize::MAX, 0);
        let mut blink_in = self.blink_in;
        let rng = &mut self.rng;
        let mut empty_classes_tried: u64 = 0;
        let mut consider = |best: &mut (i64, usize, usize), tour: &Tour, t, pos, extra| {
            if blink_in == 0 {
                blink_in = rng.geometric(BLINK_RATE);
                return;
            }
            blink_in -= 1;
            if let Some(delta) = leg.delta(tour, pos, extra, best.0) {
                *best = (delta, t, pos);
            }
        };
        for (t, tour) in state.tours.iter().enumerate() {
            let Some(extra) = fleet.extra(vehicles, tour, j, &mut empty_classes_tried) else {
                continue;
            };
            consider(&mut best, tour, t, 0, extra);
            if !tour.jobs.is_empty() {
                consider(&mut best, tour, t, tour.jobs.len(), extra);
            }
        }
        for &near in &self.granular[job] {
            let t = state.tour_of[near as usize];
            if t == NONE {
                continue;
            }
            let tour = &state.tours[t as usize];
            let v = &self.p.vehicles[tour.vehicle];
            if tour.load + j.demand > v.capacity || !v.can_do(j) {
                continue;
            }
            // Just before `near`, and just after it.
            let node = state.node_of[near as usize] as usize;
            consider(&mut best, tour, t as usize, node - 1, 0);
            consider(&mut best, tour, t as usize, node, 0);
        }
        self.blink_in = blink_in;
        (best.1 != usize::MAX).then_some(best)
    }

    fn best_insertion_anywhere(
        &mut self,
        state: &State,
        job: usize,
    ) -> Option<(i64, usize, usize)> {
        let j = &self.p.jobs[job];
        let Leg {
            to,
            from,
            ready,
            due,
            service,
        } = Leg::new(self.p, &self.travel_transposed, j);
        let (fleet, vehicles) = (&self.fleet, &self.p.vehicles);
        // (added cost, tour, position); i64::MAX while nothing fits.
        let mut best = (i64::MAX, usize::MAX, 0);
        let mut empty_classes_tried: u64 = 0;
        let mut blink_in = self.blink_in;
        for (t, tour) in state.tours.iter().enumerate() {
            let Some(extra) = fleet.extra(vehicles, tour, j, &mut empty_classes_tried) else {
                continue;
            };
            // Position `pos` goes between node `pos` and node `pos + 1`.
            let nodes = tour
                .departure
                .iter()
                .zip(&tour.edges)
                .zip(tour.locations.windows(2))
                .zip(&tour.latest[1..]);
            for (pos, (((&departure, &edge), pair), &latest_next)) in nodes.enumerate() {
                // Departures only grow along a route: no later position is in time either.
                if departure > due {
                    break;
                }
                if blink_in == 0 {
                    blink_in = self.rng.geometric(BLINK_RATE);
                    continue;
                }
                blink_in -= 1;
                let (to, from) = (to[pair[0] as usize], from[pair[1] as usize]);
                let delta = to + from - edge + extra;
                if delta >= best.0 {
                    continue;
                }
                let start = (departure + to).max(ready);
                if start > due || start + service + from > latest_next {
                    continue;
                }
                best = (delta, t, pos);
            }
        }
        self.blink_in = blink_in;
        (best.1 != usize::MAX).then_some(best)
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
        self.reinserted.clear();
        for job in pending {
            match self.best_insertion(state, job) {
                Some((_, t, pos)) => {
                    state.tours[t].jobs.insert(pos, job);
                    state.tour_of[job] = t as u32;
                    self.refresh_in(state, t);
                    self.reinserted.push(job);
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

    /// Improves `state` around the jobs the last recreate placed: for each, with each of
    /// its nearest granular neighbours in another tour, moves it next to that neighbour
    /// (relocate) or joins the two tours' heads and tails there (2-opt*), as long as one
    /// of these shortens the plan. Ruin and recreate alone rarely find these on long
    /// routes: a tail swap moves whole strings of both routes at once.
    fn local_search(&mut self, state: &mut State) {
        if self.granular.is_empty() {
            return;
        }
        let mut jobs = std::mem::take(&mut self.reinserted);
        let mut moves = 0;
        let mut i = 0;
        while i < jobs.len() && moves < LOCAL_SEARCH_MOVES {
            let u = jobs[i];
            let improved = (0..LOCAL_SEARCH_NEIGHBOURS.min(self.granular[u].len())).any(|k| {
                let v = self.granular[u][k] as usize;
                let (tu, tv) = (state.tour_of[u], state.tour_of[v]);
                if tu == NONE || tv == NONE || tu == tv {
                    return false;
                }
                let (nu, nv) = (state.node_of[u] as usize, state.node_of[v] as usize);
                let (tu, tv) = (tu as usize, tv as usize);
                self.relocate(state, u, tv, nv)
                    || self.relocate(state, u, tv, nv - 1)
                    || self.swap_tails(state, tu, nu, tv, nv - 1)
                    || self.swap_tails(state, tv, nv, tu, nu - 1)
            });
            if improved {
                moves += 1;
            } else {
                i += 1;
            }
        }
        jobs.clear();
        self.reinserted = jobs;
    }

    /// Moves job `u` to position `pos` of tour `t` if that is feasible and shorter.
    fn relocate(&mut self, state: &mut State, u: usize, t: usize, pos: usize) -> bool {
        let j = &self.p.jobs[u];
        let from_t = state.tour_of[u] as usize;
        let node = state.node_of[u] as usize;
        let (a, b) = (&state.tours[from_t], &state.tours[t]);
        let vb = &self.p.vehicles[b.vehicle];
        if b.load + j.demand > vb.capacity || !vb.can_do(j) {
            return false;
        }
        let (prev, next) = (
            a.locations[node - 1] as usize,
            a.locations[node + 1] as usize,
        );
        let bridge = self.p.travel(prev, next);
        let mut gain = a.edges[node - 1] + a.edges[node] - bridge;
        if a.jobs.len() == 1 {
            gain += self.fleet.vehicle_cost;
        }
        // Without `u`, the rest of its tour must still be in time (the travel matrix need
        // not obey the triangle inequality).
        if a.departure[node - 1] + bridge > a.latest[node + 1] {
            return false;
        }
        let leg = Leg::new(self.p, &self.travel_transposed, j);
        if leg.delta(b, pos, 0, gain).is_none() {
            return false;
        }
        state.tours[from_t].jobs.remove(node - 1);
        state.tours[t].jobs.insert(pos, u);
        state.tour_of[u] = t as u32;
        self.refresh_in(state, from_t);
        self.refresh_in(state, t);
        true
    }

    /// 2-opt*: tour `ta` keeps its nodes up to `i` and continues with tour `tb`'s after
    /// `j`; `tb` keeps its up to `j` and continues with `ta`'s after `i`. Only between
    /// vehicles of one class (the tails end where they began), if feasible and shorter.
    fn swap_tails(&mut self, state: &mut State, ta: usize, i: usize, tb: usize, j: usize) -> bool {
        let (a, b) = (&state.tours[ta], &state.tours[tb]);
        if self.fleet.class[a.vehicle] != self.fleet.class[b.vehicle] {
            return false;
        }
        let (ma, mb) = (a.jobs.len(), b.jobs.len());
        // Nothing would change: both keep everything, or both swap everything.
        if (i == ma && j == mb) || (i == 0 && j == 0) {
            return false;
        }
        let ab = self
            .p
            .travel(a.locations[i] as usize, b.locations[j + 1] as usize);
        let ba = self
            .p
            .travel(b.locations[j] as usize, a.locations[i + 1] as usize);
        let mut delta = ab + ba - a.edges[i] - b.edges[j];
        let routes_before = 2;
        let routes_after = usize::from(i + (mb - j) > 0) + usize::from(j + (ma - i) > 0);
        delta -= (routes_before - routes_after as i64) * self.fleet.vehicle_cost;
        if delta >= 0 {
            return false;
        }
        let capacity = self.p.vehicles[a.vehicle].capacity;
        let load_a = a.loads[i] + (b.load - b.loads[j]);
        let load_b = b.loads[j] + (a.load - a.loads[i]);
        if load_a > capacity || load_b > capacity {
            return false;
        }
        if a.departure[i] + ab > b.latest[j + 1] || b.departure[j] + ba > a.latest[i + 1] {
            return false;
        }
        let tail_a = state.tours[ta].jobs.split_off(i);
        let tail_b = state.tours[tb].jobs.split_off(j);
        for &job in &tail_b {
            state.tour_of[job] = ta as u32;
        }
        for &job in &tail_a {
            state.tour_of[job] = tb as u32;
        }
        state.tours[ta].jobs.extend(tail_b);
        state.tours[tb].jobs.extend(tail_a);
        self.refresh_in(state, ta);
        self.refresh_in(state, tb);
        true
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
        self.fleet.allow_new_routes = false;
        self.ruin(candidate);
        self.recreate(candidate, Some(absences));
        self.fleet.allow_new_routes = true;
        for &job in &candidate.unassigned {
            absences[job] += 1;
        }
        let weight = |s: &State| s.unassigned.iter().map(|&j| absences[j]).sum::<u64>();
        if self.missing(candidate) < self.missing(current) || weight(candidate) < weight(current) {
            std::mem::swap(current, candidate);
        }
    }
}

/// How many of a placed job's granular neighbours local search pairs it with.
const LOCAL_SEARCH_NEIGHBOURS: usize = 20;
/// Most improving moves local search makes after one recreate.
const LOCAL_SEARCH_MOVES: usize = 50;
/// How many granular neighbours each job has.
const GRANULAR: usize = 40;

/// Each job's `GRANULAR` nearest jobs by Vidal's correlation of space and time: the travel
/// between them, plus a fifth of the wait one would have for the other's window, plus
/// the lateness it would cause, the better direction of the two. Empty when every position
/// is cheap to try anyway.
fn granular_neighbours(p: &Problem) -> Vec<Vec<u32>> {
    let n = p.jobs.len();
    if n <= 2 * GRANULAR {
        return Vec::new();
    }
    let arc = |a: &Job, b: &Job| {
        let t = p.travel(a.location, b.location);
        let wait = (b.ready - a.due - a.service - t).max(0);
        let late = (a.ready + a.service + t - b.due).max(0);
        t + wait / 5 + late
    };
    (0..n)
        .map(|a| {
            let ja = &p.jobs[a];
            let mut others: Vec<(i64, u32)> = (0..n)
                .filter(|&b| b != a)
                .map(|b| {
                    let jb = &p.jobs[b];
                    (arc(ja, jb).min(arc(jb, ja)), b as u32)
                })
                .collect();
            others.select_nth_unstable(GRANULAR - 1);
            others.truncate(GRANULAR);
            others.sort_unstable();
            others.into_iter().map(|(_, b)| b).collect()
        })
        .collect()
}

/// How the search treats the vehicles (kept apart from the random source, which insertion
/// draws from while it reads these).
struct Fleet {
    /// Vehicles with equal start, end, shift, capacity and skills share a class: one empty
    /// route of a class is as good as another, and tails swap only within one.
    class: Vec<usize>,
    /// What using a vehicle costs (0 when only travel counts).
    vehicle_cost: i64,
    /// Whether recreate may start an empty route (not while squeezing the fleet).
    allow_new_routes: bool,
}

impl Fleet {
    /// What a tour adds to any insertion of `job` (the vehicle cost of an empty one), or
    /// `None` if it cannot take the job (or is an empty one of a class already tried).
    #[inline]
    fn extra(
        &self,
        vehicles: &[crate::Vehicle],
        tour: &Tour,
        job: &Job,
        empty_classes_tried: &mut u64,
    ) -> Option<i64> {
        let v = &vehicles[tour.vehicle];
        if tour.load + job.demand > v.capacity || !v.can_do(job) {
            return None;
        }
        if !tour.jobs.is_empty() {
            return Some(0);
        }
        if !self.allow_new_routes {
            return None;
        }
        let class = self.class[tour.vehicle];
        if class < 64 {
            if *empty_classes_tried & (1 << class) != 0 {
                return None;
            }
            *empty_classes_tried |= 1 << class;
        }
        Some(self.vehicle_cost)
    }
}

/// The legs of inserting one job: the travel to it and from it, its window and service.
struct Leg<'a> {
    to: &'a [i64],
    from: &'a [i64],
    ready: i64,
    due: i64,
    service: i64,
}

impl<'a> Leg<'a> {
    /// `transposed`: the travel matrix transposed, or empty if it is symmetric.
    fn new(p: &'a Problem, transposed: &'a [i64], job: &Job) -> Self {
        let to_job = if transposed.is_empty() {
            &p.travel
        } else {
            transposed
        };
        Self {
            to: row(to_job, p.locations, job.location),
            from: row(&p.travel, p.locations, job.location),
            ready: job.ready,
            due: job.due,
            service: job.service,
        }
    }

    /// The added travel (plus `extra`) of the job at position `pos` of `tour`, if below
    /// `bound` and in time for the job and the rest of the tour.
    #[inline]
    fn delta(&self, tour: &Tour, pos: usize, extra: i64, bound: i64) -> Option<i64> {
        let (prev, next) = (
            tour.locations[pos] as usize,
            tour.locations[pos + 1] as usize,
        );
        let (to, from) = (self.to[prev], self.from[next]);
        let delta = to + from - tour.edges[pos] + extra;
        if delta >= bound {
            return None;
        }
        let start = (tour.departure[pos] + to).max(self.ready);
        (start <= self.due && start + self.service + from <= tour.latest[pos + 1]).then_some(delta)
    }
}

/// Row `at` of a square matrix of `n` columns.
#[inline]
fn row(matrix: &[i64], n: usize, at: usize) -> &[i64] {
    &matrix[at * n..(at + 1) * n]
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
            candidate.clone_from(&current);
            current.touched.clear();
            candidate.touched.clear();
        }
        // Here the candidate equals the current solution.
        let temperature = t0 * (t1 / t0).powf(fraction.min(1.0));
        search.ruin(&mut candidate);
        search.recreate(&mut candidate, None);
        search.local_search(&mut candidate);
        let cost = search.cost(&candidate);
        let threshold = current_cost as f64 - temperature * search.rng.unit().max(1e-300).ln();
        if (cost as f64) < threshold {
            current.sync(&mut candidate);
            current_cost = cost;
            if cost < best_cost {
                best.clone_from(&current);
                best_cost = cost;
            }
        } else {
            candidate.sync(&mut current);
        }
    }
    solution_of(&best)
}
