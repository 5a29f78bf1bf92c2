//! Sets the query shapes a test run issued (the query log, `CLEANOPS_QUERY_LOG`) against the
//! declared composite indexes: each shape must be served, and each declared index must serve
//! some shape, so the declaration holds what the code needs and nothing more.
//!
//!     cargo run -p store --example index_usage -- LOG [--write]
//!
//! Prints the counts; exits 1 naming the unused indexes (or the unserved shapes). `--write`
//! rewrites `shared/store/firestore.indexes.json` to the indexes the shapes use, adding what
//! an unserved shape needs.

use std::collections::BTreeSet;
use std::process::ExitCode;

use store::indexes::{self, CompositeIndex, IndexFile, QueryShape};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(log) = args.first() else {
        eprintln!("usage: index_usage LOG [--write]");
        return ExitCode::FAILURE;
    };
    let write = args.iter().any(|a| a == "--write");
    let text = match std::fs::read_to_string(log) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("index_usage: cannot read {log}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shapes: BTreeSet<String> = text.lines().map(str::to_owned).collect();
    let declared = indexes::declared();
    let mut used: Vec<CompositeIndex> = Vec::new();
    let mut unserved = Vec::new();
    for line in &shapes {
        let Some(shape) = serde_json::from_str(line)
            .ok()
            .and_then(|v| QueryShape::from_json(&v))
        else {
            eprintln!("index_usage: not a query shape: {line}");
            return ExitCode::FAILURE;
        };
        match indexes::serving(&shape, declared) {
            Ok(serving) => used.extend(serving.into_iter().cloned()),
            Err(e) => {
                unserved.push(e);
                used.extend(indexes::suggested(&shape));
            }
        }
    }
    let mut kept: Vec<CompositeIndex> = Vec::new();
    for index in declared.iter().chain(&used) {
        if used.contains(index) && !kept.contains(index) {
            kept.push(index.clone());
        }
    }
    let unused: Vec<&CompositeIndex> = declared.iter().filter(|i| !used.contains(i)).collect();
    println!(
        "query shapes issued: {}; composite indexes declared: {}, used: {}, budget: {}",
        shapes.len(),
        declared.len(),
        kept.len(),
        indexes::INDEX_BUDGET
    );
    if write {
        let file = IndexFile {
            indexes: kept,
            field_overrides: Vec::new(),
        };
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/firestore.indexes.json");
        let json = serde_json::to_string_pretty(&file).expect("serialisable") + "\n";
        if let Err(e) = std::fs::write(path, json) {
            eprintln!("index_usage: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("wrote {path}");
        return ExitCode::SUCCESS;
    }
    for e in &unserved {
        eprintln!("unserved: {e}");
    }
    for index in &unused {
        eprintln!(
            "unused: {}",
            serde_json::to_string(index).unwrap_or_default()
        );
    }
    if unserved.is_empty() && unused.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "index_usage: {} unused indexes, {} unserved shapes; rerun with --write after a full test run to fix the declaration",
            unused.len(),
            unserved.len()
        );
        ExitCode::FAILURE
    }
}
