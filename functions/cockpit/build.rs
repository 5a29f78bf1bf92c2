//! Builds the web app (`web/`: `npm ci`, `vite build`) for the binary to embed, once per state
//! of its sources: the result is kept under the target directory by a hash of those sources,
//! so the dev, test and release builds of one checkout share it and a rebuild of Rust code
//! alone never runs npm. `COCKPIT_DIST=dir` embeds a build made elsewhere instead (Cloud
//! Build's Node.js step).

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the app's build reads: a change to any of these builds it again.
const SOURCES: [&str; 8] = [
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "scripts",
];

/// The oldest Node.js that Vite 8 runs on.
const NODE_MIN: (u32, u32) = (20, 19);

fn main() {
    println!("cargo:rerun-if-env-changed=COCKPIT_DIST");
    if let Ok(dist) = std::env::var("COCKPIT_DIST") {
        let dist = PathBuf::from(dist);
        if !dist.join("index.html").is_file() {
            fail(&format!(
                "COCKPIT_DIST={} has no index.html: build the app there first (npm run build \
                 -- --outDir DIR, in functions/cockpit/web)",
                dist.display()
            ));
        }
        println!("cargo:rustc-env=COCKPIT_DIST={}", dist.display());
        return;
    }
    let web =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("web");
    for source in SOURCES {
        println!("cargo:rerun-if-changed=web/{source}");
    }
    let hash = hash_sources(&web);
    let dist = target_dir()
        .join("cockpit-web")
        .join(format!("{hash:016x}"));
    if !dist.join("index.html").is_file() {
        build(&web, &dist);
        prune(&dist);
    }
    // Should another checkout's build prune it, this build script runs again (a path that
    // is gone counts as changed).
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    println!("cargo:rustc-env=COCKPIT_DIST={}", dist.display());
}

fn fail(message: &str) -> ! {
    eprintln!("\ncockpit: {message}\n");
    panic!("cockpit: {message}");
}

/// The build's shared target directory: `OUT_DIR` is `<target>/<profile>/build/<crate>/out`.
fn target_dir() -> PathBuf {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    out.ancestors().nth(4).map(Path::to_path_buf).unwrap_or(out)
}

/// FNV-1a over every source file's path and contents, in path order.
fn hash_sources(web: &Path) -> u64 {
    let mut files = Vec::new();
    for source in SOURCES {
        collect(&web.join(source), &mut files);
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in files {
        eat(file
            .strip_prefix(web)
            .unwrap_or(&file)
            .to_string_lossy()
            .as_bytes());
        eat(&std::fs::read(&file).unwrap_or_default());
    }
    hash
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_file() {
        files.push(path.to_path_buf());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            collect(&entry.path(), files);
        }
    }
}

fn node_version() -> Option<(u32, u32)> {
    let output = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let mut parts = text.trim().trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn run(web: &Path, program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .current_dir(web)
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run {program}: {e}")));
    if !status.success() {
        fail(&format!(
            "`{program} {}` failed in {} ({status})",
            args.join(" "),
            web.display()
        ));
    }
}

fn build(web: &Path, dist: &Path) {
    match node_version() {
        Some(version) if version >= NODE_MIN => {}
        found => fail(&format!(
            "the web app is built with Node.js {}.{} or later and npm, and {}. Install Node.js \
             (https://nodejs.org, or your system's packages), or set COCKPIT_DIST to a directory \
             holding a build of functions/cockpit/web.",
            NODE_MIN.0,
            NODE_MIN.1,
            match found {
                Some((major, minor)) => format!("this machine has {major}.{minor}"),
                None => "`node` was not found".to_owned(),
            }
        )),
    }
    // npm ci installs exactly the lock file; skipped while node_modules is newer than it (npm
    // writes node_modules/.package-lock.json as an install's last step).
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(web.join("node_modules/.package-lock.json"));
    if installed.is_none() || installed < modified(web.join("package-lock.json")) {
        run(
            web,
            "npm",
            &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        );
    }
    let staging = dist.with_extension("partial");
    let _ = std::fs::remove_dir_all(&staging);
    let out = staging.to_string_lossy().into_owned();
    run(
        web,
        "npm",
        &["run", "build", "--", "--outDir", &out, "--emptyOutDir"],
    );
    let _ = std::fs::remove_dir_all(dist);
    std::fs::rename(&staging, dist)
        .unwrap_or_else(|e| fail(&format!("cannot move the build to {}: {e}", dist.display())));
}

/// Builds of earlier source states are of no more use than the last few (a branch switched
/// back to): all but the newest four go.
fn prune(current: &Path) {
    let Some(parent) = current.parent() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .filter(|(_, path)| path.is_dir() && path != current)
        .collect();
    builds.sort();
    let excess = builds.len().saturating_sub(3);
    for (_, path) in builds.into_iter().take(excess) {
        let _ = std::fs::remove_dir_all(path);
    }
}
