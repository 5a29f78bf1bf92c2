//! The architecture's rule, checked on the workspace as cargo sees it: no function crate
//! depends on another (normal, dev or build dependency), except this one, the local cloud,
//! which mounts them all. What two functions share lives in `shared/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `(crate, dependency)` for every path dependency of a crate under `functions/` (but the
/// local cloud) on another crate under `functions/`.
fn function_to_function_dependencies(metadata: &Value, root: &Path) -> Vec<(String, String)> {
    let functions = root.join("functions");
    let local = functions.join("local");
    let mut tangles = Vec::new();
    for package in metadata["packages"].as_array().unwrap() {
        let manifest = Path::new(package["manifest_path"].as_str().unwrap());
        let dir = manifest.parent().unwrap();
        if !dir.starts_with(&functions) || dir.starts_with(&local) {
            continue;
        }
        for dependency in package["dependencies"].as_array().unwrap() {
            if let Some(path) = dependency["path"].as_str()
                && Path::new(path).starts_with(&functions)
            {
                tangles.push((
                    package["name"].as_str().unwrap().to_owned(),
                    dependency["name"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    tangles
}

#[test]
fn no_function_crate_depends_on_another() {
    let root = workspace_root();
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let tangles = function_to_function_dependencies(&metadata, &root);
    assert!(
        tangles.is_empty(),
        "function crates depend on other function crates (move what they share to shared/): {tangles:?}"
    );
}

#[test]
fn the_check_finds_a_function_depending_on_another() {
    let root = workspace_root();
    let functions = root.join("functions");
    let metadata = serde_json::json!({"packages": [
        {"name": "tours", "manifest_path": functions.join("tours/Cargo.toml"),
         "dependencies": [
            {"name": "sites", "path": functions.join("sites")},
            {"name": "platform", "path": root.join("shared/platform")}
         ]},
        {"name": "cleanops", "manifest_path": functions.join("local/Cargo.toml"),
         "dependencies": [{"name": "sites", "path": functions.join("sites")}]}
    ]});
    assert_eq!(
        function_to_function_dependencies(&metadata, &root),
        [("tours".to_owned(), "sites".to_owned())]
    );
}
