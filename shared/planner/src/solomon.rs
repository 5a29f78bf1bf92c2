//! Solomon's VRPTW text format, under the DIMACS convention: travel time = distance =
//! floor(10 x Euclidean distance), times multiplied by 10. Location 0 is the depot; job `i`
//! is customer number `i + 1` at location `i + 1`.

use crate::{Job, Problem, Vehicle};

pub struct Instance {
    pub name: String,
    pub problem: Problem,
}

/// The factor distances and times are scaled by.
pub const SCALE: i64 = 10;

pub fn parse(text: &str) -> Result<Instance, String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let name = lines.next().ok_or("the file is empty")?.to_owned();
    let mut fleet = None;
    let mut rows: Vec<[f64; 7]> = Vec::new();
    for line in lines {
        let numbers: Vec<f64> = match line
            .split_whitespace()
            .map(str::parse::<f64>)
            .collect::<Result<_, _>>()
        {
            Ok(numbers) => numbers,
            Err(_) => continue, // a heading
        };
        match numbers.len() {
            2 if fleet.is_none() => fleet = Some((numbers[0] as usize, numbers[1] as i64)),
            7 => rows.push(numbers.try_into().expect("seven numbers")),
            n => return Err(format!("{name}: unexpected row of {n} numbers: {line}")),
        }
    }
    let (vehicles, capacity) = fleet.ok_or_else(|| format!("{name}: no vehicle section"))?;
    if rows.len() < 2 {
        return Err(format!("{name}: no customers"));
    }
    for (i, row) in rows.iter().enumerate() {
        if row[0] as usize != i {
            return Err(format!("{name}: row {i} is customer {}", row[0]));
        }
    }
    let n = rows.len();
    let mut travel = vec![0; n * n];
    for (a, ra) in rows.iter().enumerate() {
        for (b, rb) in rows.iter().enumerate() {
            let d = ((ra[1] - rb[1]).powi(2) + (ra[2] - rb[2]).powi(2)).sqrt();
            travel[a * n + b] = (SCALE as f64 * d).floor() as i64;
        }
    }
    let scaled = |x: f64| (x * SCALE as f64).round() as i64;
    let depot = &rows[0];
    let jobs = rows[1..]
        .iter()
        .enumerate()
        .map(|(i, r)| Job {
            location: i + 1,
            demand: r[3] as i64,
            ready: scaled(r[4]),
            due: scaled(r[5]),
            service: scaled(r[6]),
            skills: 0,
        })
        .collect();
    let vehicle = Vehicle {
        start: 0,
        end: 0,
        shift_start: scaled(depot[4]),
        shift_end: scaled(depot[5]),
        capacity,
        skills: 0,
    };
    Ok(Instance {
        name,
        problem: Problem {
            locations: n,
            travel,
            jobs,
            vehicles: vec![vehicle; vehicles],
        },
    })
}
