//! `cargo run --release -p planner-bench -- <solomon file or directory>... --seconds S
//!  [--objective distance|fleet] [--seed N] [--iterations N] [--routes-dir DIR] [--bks FILE]`
//!
//! Solves each instance on one thread and prints `instance,vehicles,distance,seconds` (distance
//! under the DIMACS convention: the sum of floor(10 x Euclidean) over 10). Every solution is
//! checked by the planner's own feasibility checker first; an infeasible one fails the run.
//! With `--routes-dir`, writes `<instance>.sol` (`Route k: c1 c2 ...`); with `--bks` (the
//! `bks.csv` of the instances), prints the mean gap per class to stderr at the end.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use planner::{Objective, Options};

struct Args {
    inputs: Vec<PathBuf>,
    options: Options,
    routes_dir: Option<PathBuf>,
    bks: Option<PathBuf>,
}

const USAGE: &str = "usage: planner-bench <file or directory>... --seconds S \
[--objective distance|fleet] [--seed N] [--iterations N] [--routes-dir DIR] [--bks FILE]";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut inputs = Vec::new();
    let mut options = Options::default();
    let mut seconds = None;
    let (mut routes_dir, mut bks) = (None, None);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                let raw = value("--seconds")?;
                let s: f64 = raw
                    .parse()
                    .map_err(|_| format!("--seconds: not a number: {raw}"))?;
                if !(s > 0.0 && s.is_finite()) {
                    return Err("--seconds must be positive".into());
                }
                seconds = Some(Duration::from_secs_f64(s));
            }
            "--objective" => {
                options.objective = match value("--objective")?.as_str() {
                    "distance" => Objective::Distance,
                    "fleet" => Objective::Fleet,
                    other => return Err(format!("--objective: distance or fleet, not {other}")),
                }
            }
            "--seed" => {
                options.seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed: a whole number")?
            }
            "--iterations" => {
                options.max_iterations = Some(
                    value("--iterations")?
                        .parse()
                        .map_err(|_| "--iterations: a whole number")?,
                )
            }
            "--routes-dir" => routes_dir = Some(PathBuf::from(value("--routes-dir")?)),
            "--bks" => bks = Some(PathBuf::from(value("--bks")?)),
            "-h" | "--help" => return Err(USAGE.into()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            path => inputs.push(PathBuf::from(path)),
        }
    }
    if inputs.is_empty() {
        return Err(USAGE.into());
    }
    options.time_budget = match (seconds, options.max_iterations) {
        (Some(s), _) => s,
        (None, Some(_)) => Duration::from_secs(24 * 3600),
        (None, None) => return Err(format!("--seconds is required\n{USAGE}")),
    };
    Ok(Args {
        inputs,
        options,
        routes_dir,
        bks,
    })
}

/// Instance files: the files given, and the `.txt` files of the directories given, by name.
fn instance_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| format!("{}: {e}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt")))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// `instance -> distance` of the `dist_trunc1` rows.
fn read_bks(path: &Path) -> Result<BTreeMap<String, f64>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            (cols.last() == Some(&"dist_trunc1"))
                .then(|| Some((cols[0].to_owned(), cols.get(2)?.parse().ok()?)))
                .flatten()
        })
        .collect())
}

fn class_of(name: &str) -> String {
    let prefix: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let digit = name[prefix.len()..].chars().next().unwrap_or('?');
    format!("{prefix}{digit}")
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let files = instance_files(&args.inputs)?;
    if let Some(dir) = &args.routes_dir {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let bks = args.bks.as_deref().map(read_bks).transpose()?;
    let live = std::io::stderr().is_terminal();
    let mut all_feasible = true;
    let mut gaps: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    println!("instance,vehicles,distance,seconds");
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let instance = planner::solomon::parse(&text)?;
        let started = Instant::now();
        let elapsed = || started.elapsed();
        let label = format!("[{}/{}] {}", i + 1, files.len(), instance.name);
        let mut iterations = 0;
        let mut report = |p: &planner::Progress, _: &planner::Solution| {
            iterations = p.iterations;
            if live {
                eprint!(
                    "\r{label}: {:>3.0} %  {} vehicles  {:.1}   ",
                    p.fraction * 100.0,
                    p.best_vehicles,
                    p.best_travel as f64 / planner::solomon::SCALE as f64
                );
            }
            true
        };
        let solution = planner::solve(&instance.problem, &args.options, &elapsed, &mut report);
        let seconds = started.elapsed().as_secs_f64();
        if live {
            eprint!("\r{:80}\r", "");
        }
        let summary = match planner::check(&instance.problem, &solution) {
            Ok(summary) if summary.unassigned == 0 => summary,
            Ok(summary) => {
                all_feasible = false;
                eprintln!(
                    "{}: {} customers left unrouted",
                    instance.name, summary.unassigned
                );
                continue;
            }
            Err(violation) => {
                all_feasible = false;
                eprintln!("{}: infeasible solution: {violation}", instance.name);
                continue;
            }
        };
        let distance = summary.travel as f64 / planner::solomon::SCALE as f64;
        println!(
            "{},{},{distance:.1},{seconds:.2}",
            instance.name, summary.vehicles
        );
        let _ = std::io::stdout().flush();
        if let Some(reference) = bks.as_ref().and_then(|b| b.get(&instance.name)) {
            let gap = (distance - reference) / reference * 100.0;
            gaps.entry(class_of(&instance.name)).or_default().push(gap);
            eprintln!(
                "{label}: {distance:.1} ({gap:+.2} % to {reference}), {iterations} iterations"
            );
        } else {
            eprintln!("{label}: {distance:.1}, {iterations} iterations");
        }
        if let Some(dir) = &args.routes_dir {
            let mut sol = String::new();
            for (k, route) in solution.routes.iter().enumerate() {
                let customers: Vec<String> =
                    route.jobs.iter().map(|j| (j + 1).to_string()).collect();
                sol.push_str(&format!("Route {}: {}\n", k + 1, customers.join(" ")));
            }
            let path = dir.join(format!("{}.sol", instance.name));
            std::fs::write(&path, sol).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    if !gaps.is_empty() {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let all: Vec<f64> = gaps.values().flatten().copied().collect();
        eprintln!("\nclass    instances  mean gap  worst gap");
        for (class, v) in &gaps {
            let worst = v.iter().copied().fold(f64::MIN, f64::max);
            eprintln!(
                "{class:<8} {:>9}  {:>7.2} %  {:>7.2} %",
                v.len(),
                mean(v),
                worst
            );
        }
        let worst = all.iter().copied().fold(f64::MIN, f64::max);
        eprintln!(
            "{:<8} {:>9}  {:>7.2} %  {:>7.2} %",
            "all",
            all.len(),
            mean(&all),
            worst
        );
    }
    Ok(all_feasible)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("planner-bench: some solutions were infeasible or incomplete");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("planner-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
