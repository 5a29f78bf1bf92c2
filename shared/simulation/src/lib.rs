//! How likely a week's tours are to hold: the week is replayed many times (10,000 by
//! default) with a seeded generator, each room taking longer or shorter than planned, travel
//! varying, cleaners falling ill and sensors bringing extra cleanings; what happened in the
//! replays is reported with 95 % confidence intervals. Pure compute, beside the planner: no
//! I/O, no clock. The same week, model and seed give the same numbers on any machine and
//! with any number of threads (replications run in fixed chunks, each seeded by its index).
//!
//! # Layout
//! - [`stats`]: the normal distribution, lognormal and Poisson draws, Wilson and normal
//!   confidence intervals.
//! - This file: the week ([`Week`], [`CleanerDay`], [`Stop`]), the model ([`Model`],
//!   [`Duration`]), the replay ([`simulate`]) and its result ([`Outcome`]).

pub mod stats;

use planner::Rng;
use stats::{Estimate, lognormal, poisson, standard_normal};

/// One stop of a cleaner's day, in minutes of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    pub id: String,
    pub site: String,
    /// Travel from the previous stop (or from home), as planned.
    pub travel_minutes: f64,
    pub planned_minutes: f64,
    /// When cleaning may start: earliest and latest start, minutes from midnight.
    pub window: Option<(f64, f64)>,
    /// How long it takes against the plan.
    pub duration: Duration,
    /// Extra cleanings a day sensors are expected to bring (demand areas): each one as long
    /// as this stop, done at the end of the day.
    pub extra_per_day: f64,
}

/// One cleaner's day of the week.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanerDay {
    pub cleaner: String,
    /// The day of the week, 0 Monday.
    pub day: u8,
    /// When she sets off, minutes from midnight.
    pub start: f64,
    pub max_minutes: f64,
    /// The chance she is absent that day.
    pub absence_probability: f64,
    pub stops: Vec<Stop>,
    /// Travel home from the last stop, as planned: her paid day runs from leaving home to
    /// coming back (waiting for a window included), as the planner counts it.
    pub return_minutes: f64,
}

/// The week as planned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Week {
    pub days: Vec<CleanerDay>,
}

/// How long a stop takes: its planned minutes times a random ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Duration {
    /// The ratio actual/planned is lognormal: `ln(ratio) ~ N(mu, sigma²)`.
    LogNormal { mu: f64, sigma: f64 },
    /// Normal minutes around the plan with this standard deviation (never below zero).
    Normal { sd_minutes: f64 },
}

impl Duration {
    /// Without history: a median ratio of 1 and a spread of ±25 % for about two thirds of the
    /// cleanings.
    pub const DEFAULT: Duration = Duration::LogNormal {
        mu: 0.0,
        sigma: Duration::DEFAULT_SIGMA,
    };
    pub const DEFAULT_SIGMA: f64 = 0.25;

    /// The same spread, every duration `factor` times as long (a what-if: "durations +10 %").
    pub fn scaled(self, factor: f64) -> Duration {
        match self {
            Duration::LogNormal { mu, sigma } => Duration::LogNormal {
                mu: mu + factor.ln(),
                sigma,
            },
            Duration::Normal { sd_minutes } => Duration::Normal {
                sd_minutes: sd_minutes * factor,
            },
        }
    }

    /// The standard deviation of a stop's minutes.
    pub fn sd_minutes(&self, planned: f64) -> f64 {
        match *self {
            Duration::LogNormal { mu, sigma } => {
                planned
                    * mu.exp()
                    * ((sigma * sigma).exp() - 1.0).sqrt()
                    * (sigma * sigma / 2.0).exp()
            }
            Duration::Normal { sd_minutes } => sd_minutes,
        }
    }

    /// The ratio actual/planned's median.
    pub fn median_ratio(&self) -> f64 {
        match *self {
            Duration::LogNormal { mu, .. } => mu.exp(),
            Duration::Normal { .. } => 1.0,
        }
    }

    fn draw(&self, planned: f64, rng: &mut Rng) -> f64 {
        match *self {
            Duration::LogNormal { mu, sigma } => planned * lognormal(rng, mu, sigma),
            Duration::Normal { sd_minutes } => {
                (planned + sd_minutes * standard_normal(rng)).max(0.0)
            }
        }
    }
}

/// What a replay assumes beyond each stop's own duration, shown with the result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    /// Travel's ratio actual/planned is lognormal with median 1 and this sigma.
    pub travel_sigma: f64,
    /// Travel takes this many times the planned minutes at the median (a what-if).
    pub travel_factor: f64,
    /// Whether an absent cleaner's stops count as missed (no reserve takes them).
    pub absent_stops_missed: bool,
}

impl Model {
    /// Planned travel minutes as one replay finds them.
    fn travel(&self, planned: f64, rng: &mut Rng) -> f64 {
        if self.travel_sigma > 0.0 && planned > 0.0 {
            planned * self.travel_factor * lognormal(rng, 0.0, self.travel_sigma)
        } else {
            planned * self.travel_factor
        }
    }
}

impl Default for Model {
    fn default() -> Self {
        Self {
            travel_sigma: 0.2,
            travel_factor: 1.0,
            absent_stops_missed: true,
        }
    }
}

/// How many replications run, and from which seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub replications: u64,
    pub seed: u64,
}

impl Default for Run {
    fn default() -> Self {
        Self {
            replications: 10_000,
            seed: 1,
        }
    }
}

/// Replications run in chunks of this many, each from its own seed: the result does not
/// depend on how many threads ran them.
const CHUNK: u64 = 500;

/// A stop's fate over the replications.
#[derive(Debug, Clone, PartialEq)]
pub struct StopOutcome {
    pub id: String,
    pub site: String,
    pub cleaner: String,
    pub day: u8,
    /// The chance it starts within its window (done, not missed, when it has none).
    pub on_time: Estimate,
    /// Why it is at risk, in words a dispatcher reads.
    pub reasons: Vec<Reason>,
}

/// A cleaner-day's fate.
#[derive(Debug, Clone, PartialEq)]
pub struct DayOutcome {
    pub cleaner: String,
    pub day: u8,
    /// The chance her work exceeds `max_minutes`.
    pub overtime: Estimate,
    /// Expected minutes over `max_minutes` (0 when within).
    pub expected_overtime_minutes: Estimate,
    /// Why it may run over, in words a dispatcher reads.
    pub reasons: Vec<DayReason>,
}

/// Why a cleaner-day may run over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayReason {
    /// Less than a tenth of her maximum is left once the planned day is done.
    LittleSlack,
    /// Her rooms' minutes vary by 20 minutes or more over the day (one standard deviation).
    VariableRooms,
    /// An hour or more of it is travel.
    LongTravel,
    /// Sensors are expected to bring extra cleanings.
    Demand,
    /// She may be absent.
    Absence,
}

impl CleanerDay {
    /// Her planned paid day: from setting off to coming back, waiting for windows included.
    fn planned_minutes(&self) -> f64 {
        let mut clock = self.start;
        for stop in &self.stops {
            clock += stop.travel_minutes;
            if let Some((earliest, _)) = stop.window {
                clock = clock.max(earliest);
            }
            clock += stop.planned_minutes;
        }
        clock + self.return_minutes - self.start
    }

    fn reasons(&self) -> Vec<DayReason> {
        let mut reasons = Vec::new();
        if self.max_minutes - self.planned_minutes() < 0.1 * self.max_minutes {
            reasons.push(DayReason::LittleSlack);
        }
        let variance: f64 = self
            .stops
            .iter()
            .map(|s| s.duration.sd_minutes(s.planned_minutes).powi(2))
            .sum();
        if variance.sqrt() >= 20.0 {
            reasons.push(DayReason::VariableRooms);
        }
        let travel: f64 =
            self.stops.iter().map(|s| s.travel_minutes).sum::<f64>() + self.return_minutes;
        if travel >= 60.0 {
            reasons.push(DayReason::LongTravel);
        }
        if self.stops.iter().any(|s| s.extra_per_day > 0.0) {
            reasons.push(DayReason::Demand);
        }
        if self.absence_probability >= 0.05 {
            reasons.push(DayReason::Absence);
        }
        reasons
    }
}

/// A site's service level: the share of its planned cleanings done within their windows.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteOutcome {
    pub site: String,
    pub service_level: Estimate,
}

/// Why a stop is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The room takes long: its duration's spread alone can push what follows late.
    LongRoom,
    /// Its window leaves less slack than an hour after the planned arrival.
    TightWindow,
    /// The travel to it is long (30 minutes or more).
    LongTravel,
    /// Late in a long day: the delays of every earlier stop add up.
    LateInDay,
    /// The cleaner may be absent.
    Absence,
}

/// What the replays found.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub replications: u64,
    pub seed: u64,
    pub model: Model,
    pub stops: Vec<StopOutcome>,
    pub days: Vec<DayOutcome>,
    pub sites: Vec<SiteOutcome>,
    /// The share of the week's planned cleanings done within their windows.
    pub service_level: Estimate,
}

/// Counts over some replications; chunks add up.
#[derive(Debug, Clone, Default)]
struct Tally {
    on_time: Vec<u64>,
    over: Vec<u64>,
    overtime_sum: Vec<f64>,
    overtime_squares: Vec<f64>,
    /// Per site, the sums of each replication's share done in time (and of its square).
    level_sum: Vec<f64>,
    level_squares: Vec<f64>,
    /// The same over the whole week.
    week_level_sum: f64,
    week_level_squares: f64,
    replications: u64,
}

impl Tally {
    fn new(stops: usize, days: usize, sites: usize) -> Self {
        Self {
            on_time: vec![0; stops],
            over: vec![0; days],
            overtime_sum: vec![0.0; days],
            overtime_squares: vec![0.0; days],
            level_sum: vec![0.0; sites],
            level_squares: vec![0.0; sites],
            week_level_sum: 0.0,
            week_level_squares: 0.0,
            replications: 0,
        }
    }

    fn add(&mut self, other: &Tally) {
        let add_u = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        let add_f = |a: &mut Vec<f64>, b: &Vec<f64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add_u(&mut self.on_time, &other.on_time);
        add_u(&mut self.over, &other.over);
        add_f(&mut self.overtime_sum, &other.overtime_sum);
        add_f(&mut self.overtime_squares, &other.overtime_squares);
        add_f(&mut self.level_sum, &other.level_sum);
        add_f(&mut self.level_squares, &other.level_squares);
        self.week_level_sum += other.week_level_sum;
        self.week_level_squares += other.week_level_squares;
        self.replications += other.replications;
    }
}

/// The week's sites, in order of first appearance, and each stop's site index.
fn sites_of(week: &Week) -> (Vec<String>, Vec<usize>) {
    let mut sites: Vec<String> = Vec::new();
    let mut of_stop = Vec::new();
    for day in &week.days {
        for stop in &day.stops {
            let index = match sites.iter().position(|s| *s == stop.site) {
                Some(i) => i,
                None => {
                    sites.push(stop.site.clone());
                    sites.len() - 1
                }
            };
            of_stop.push(index);
        }
    }
    (sites, of_stop)
}

/// Replays one chunk of replications from its own seed.
fn replay(week: &Week, model: &Model, site_of: &[usize], sites: usize, seed: u64, n: u64) -> Tally {
    let stops: usize = week.days.iter().map(|d| d.stops.len()).sum();
    let mut tally = Tally::new(stops, week.days.len(), sites);
    let mut rng = Rng::new(seed);
    let mut planned_at = vec![0u32; sites];
    for site in site_of {
        planned_at[*site] += 1;
    }
    let mut done_at = vec![0u32; sites];
    for _ in 0..n {
        done_at.iter_mut().for_each(|d| *d = 0);
        let mut stop_index = 0;
        for (d, day) in week.days.iter().enumerate() {
            let absent = day.absence_probability > 0.0 && rng.unit() < day.absence_probability;
            if absent {
                if !model.absent_stops_missed {
                    for _ in &day.stops {
                        tally.on_time[stop_index] += 1;
                        done_at[site_of[stop_index]] += 1;
                        stop_index += 1;
                    }
                } else {
                    stop_index += day.stops.len();
                }
                continue;
            }
            let mut clock = day.start;
            for stop in &day.stops {
                clock += model.travel(stop.travel_minutes, &mut rng);
                let begins = match stop.window {
                    Some((earliest, _)) => clock.max(earliest),
                    None => clock,
                };
                let in_time = stop.window.is_none_or(|(_, latest)| begins <= latest);
                if in_time {
                    tally.on_time[stop_index] += 1;
                    done_at[site_of[stop_index]] += 1;
                }
                clock = begins + stop.duration.draw(stop.planned_minutes, &mut rng);
                stop_index += 1;
            }
            let mut worked = clock + model.travel(day.return_minutes, &mut rng) - day.start;
            // Demand's extra cleanings come at the end of the day.
            for stop in &day.stops {
                if stop.extra_per_day > 0.0 {
                    for _ in 0..poisson(&mut rng, stop.extra_per_day) {
                        worked += stop.duration.draw(stop.planned_minutes, &mut rng);
                    }
                }
            }
            let over = worked - day.max_minutes;
            if over > 0.0 {
                tally.over[d] += 1;
                tally.overtime_sum[d] += over;
                tally.overtime_squares[d] += over * over;
            }
        }
        if stops > 0 {
            let done: u32 = done_at.iter().sum();
            let level = f64::from(done) / stops as f64;
            tally.week_level_sum += level;
            tally.week_level_squares += level * level;
        }
        for (s, planned) in planned_at.iter().enumerate() {
            if *planned > 0 {
                let level = f64::from(done_at[s]) / f64::from(*planned);
                tally.level_sum[s] += level;
                tally.level_squares[s] += level * level;
            }
        }
        tally.replications += 1;
    }
    tally
}

/// The seed of chunk `index` of a run seeded `seed` (SplitMix64's finaliser over both).
fn chunk_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Replays `week` `run.replications` times under `model`, on up to `threads` threads.
pub fn simulate(week: &Week, model: &Model, run: Run, threads: usize) -> Outcome {
    simulate_with_progress(week, model, run, threads, &|_| {})
}

/// [`simulate`], telling `progress` the share of replications done (0 to 1) after each chunk.
pub fn simulate_with_progress(
    week: &Week,
    model: &Model,
    run: Run,
    threads: usize,
    progress: &(dyn Fn(f64) + Sync),
) -> Outcome {
    let (sites, site_of) = sites_of(week);
    let chunks: Vec<(u64, u64)> = (0..run.replications.div_ceil(CHUNK))
        .map(|i| (i, CHUNK.min(run.replications - i * CHUNK)))
        .collect();
    let threads = threads.clamp(1, chunks.len().max(1));
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total_chunks = chunks.len().max(1) as f64;
    let mut tallies: Vec<(u64, Tally)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (chunks, site_of, sites, done) = (&chunks, &site_of, sites.len(), &done);
                scope.spawn(move || {
                    chunks
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, n)| {
                            let tally =
                                replay(week, model, site_of, sites, chunk_seed(run.seed, *i), *n);
                            let finished =
                                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                            progress(finished as f64 / total_chunks);
                            (*i, tally)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a replay thread"))
            .collect()
    });
    // Chunks add up in their order, so the sums are the same however they ran.
    tallies.sort_by_key(|(i, _)| *i);
    let stops: usize = week.days.iter().map(|d| d.stops.len()).sum();
    let mut total = Tally::new(stops, week.days.len(), sites.len());
    for (_, tally) in &tallies {
        total.add(tally);
    }
    outcome(week, model, run, &sites, total)
}

fn outcome(week: &Week, model: &Model, run: Run, sites: &[String], total: Tally) -> Outcome {
    let n = total.replications;
    let mut stops = Vec::new();
    let mut index = 0;
    for day in &week.days {
        let mut planned_clock = day.start;
        for (position, stop) in day.stops.iter().enumerate() {
            planned_clock += stop.travel_minutes;
            let mut reasons = Vec::new();
            if let Duration::LogNormal { sigma, .. } = stop.duration
                && stop.planned_minutes * sigma >= 15.0
            {
                reasons.push(Reason::LongRoom);
            }
            if let Some((earliest, latest)) = stop.window
                && latest - planned_clock.max(earliest) < 60.0
            {
                reasons.push(Reason::TightWindow);
            }
            if stop.travel_minutes >= 30.0 {
                reasons.push(Reason::LongTravel);
            }
            if position >= 4 && planned_clock - day.start >= 240.0 {
                reasons.push(Reason::LateInDay);
            }
            if day.absence_probability >= 0.05 {
                reasons.push(Reason::Absence);
            }
            if let Some((earliest, _)) = stop.window {
                planned_clock = planned_clock.max(earliest);
            }
            planned_clock += stop.planned_minutes;
            stops.push(StopOutcome {
                id: stop.id.clone(),
                site: stop.site.clone(),
                cleaner: day.cleaner.clone(),
                day: day.day,
                on_time: Estimate::proportion(total.on_time[index], n),
                reasons,
            });
            index += 1;
        }
    }
    let days = week
        .days
        .iter()
        .enumerate()
        .map(|(d, day)| DayOutcome {
            cleaner: day.cleaner.clone(),
            day: day.day,
            overtime: Estimate::proportion(total.over[d], n),
            expected_overtime_minutes: Estimate::mean(
                total.overtime_sum[d],
                total.overtime_squares[d],
                n,
            ),
            reasons: day.reasons(),
        })
        .collect();
    let sites = sites
        .iter()
        .enumerate()
        .map(|(s, site)| SiteOutcome {
            site: site.clone(),
            service_level: Estimate::mean(total.level_sum[s], total.level_squares[s], n),
        })
        .collect();
    Outcome {
        replications: n,
        seed: run.seed,
        model: *model,
        stops,
        days,
        sites,
        service_level: Estimate::mean(total.week_level_sum, total.week_level_squares, n),
    }
}

#[cfg(test)]
mod tests;
