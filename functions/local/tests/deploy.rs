//! The deployment matches the catalog: cloudbuild.yaml compiles and builds an image for every
//! catalog function (its `_FUNCTIONS` list) and the deploy waits for the images, terraform
//! derives every service, push subscription and scheduler job from the catalog, and nothing is
//! deployed that the catalog does not list. The offline tools (terraform fmt, checkov,
//! check-jsonschema) run in scripts/test; this checks what they cannot: agreement with the
//! catalog.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use catalog::Catalog;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// All terraform files, concatenated.
fn terraform() -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("terraform"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The step ids of cloudbuild.yaml and, per step, its text.
fn steps(cloudbuild: &str) -> Vec<(String, String)> {
    let mut steps: Vec<(String, String)> = Vec::new();
    for line in cloudbuild.lines() {
        if let Some(id) = line.trim_start().strip_prefix("- id: ") {
            steps.push((id.trim().to_owned(), String::new()));
        } else if let Some((_, text)) = steps.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    steps
}

/// The resource blocks of a kind: `resource "<kind>" "<name>" {` headers and their bodies up
/// to the next resource.
fn resources<'a>(terraform: &'a str, kind: &str) -> Vec<(&'a str, &'a str)> {
    let header = format!("resource \"{kind}\" \"");
    let mut found = Vec::new();
    for (at, _) in terraform.match_indices(&header) {
        let rest = &terraform[at + header.len()..];
        let name = &rest[..rest.find('"').unwrap()];
        let body_end = rest[1..].find("\nresource ").map_or(rest.len(), |i| i + 1);
        found.push((name, &rest[..body_end]));
    }
    found
}

/// The names in cloudbuild.yaml's `_FUNCTIONS` substitution.
fn built_functions(cloudbuild: &str) -> Vec<&str> {
    cloudbuild
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("_FUNCTIONS:"))
        .map(|names| names.split_whitespace().collect())
        .unwrap_or_default()
}

/// What is missing or extra, as sentences; empty when the deployment matches the catalog.
fn deployment_gaps(catalog: &Catalog, cloudbuild: &str, terraform: &str) -> Vec<String> {
    let mut gaps = Vec::new();
    let names: BTreeSet<&str> = catalog.functions.iter().map(|f| f.name.as_str()).collect();
    let built: BTreeSet<&str> = built_functions(cloudbuild).into_iter().collect();
    for name in names.difference(&built) {
        gaps.push(format!(
            "{name}: not in cloudbuild.yaml's _FUNCTIONS (no binary, no image)"
        ));
    }
    for name in built.difference(&names) {
        gaps.push(format!(
            "cloudbuild.yaml's _FUNCTIONS names {name}, which is not in the catalog"
        ));
    }
    let steps = steps(cloudbuild);
    let step = |id: &str| {
        steps
            .iter()
            .find(|(step, _)| step == id)
            .map(|(_, text)| text.as_str())
    };
    let loops_over_functions = |text: &str| text.contains("for fn in ${_FUNCTIONS}; do");
    match step("compile") {
        Some(text) if loops_over_functions(text) && text.contains("cargo build --release") => {}
        _ => gaps.push("cloudbuild.yaml: no compile step building each of _FUNCTIONS".to_owned()),
    }
    match step("images") {
        Some(text)
            if loops_over_functions(text)
                && text.contains(r#"--build-arg BINARY=prebuilt --build-arg FUNCTION="$$fn""#) => {}
        _ => gaps.push("cloudbuild.yaml: no images step building each of _FUNCTIONS".to_owned()),
    }
    if !step("deploy").is_some_and(|text| text.contains(r#""images""#)) {
        gaps.push("cloudbuild.yaml: no deploy step waiting for the images".to_owned());
    }
    if !terraform.contains(r#"file("${path.module}/../functions/catalog.json")"#) {
        gaps.push("terraform does not read functions/catalog.json".to_owned());
    }
    for (kind, source, what) in [
        (
            "google_cloud_run_v2_service",
            "local.functions",
            "Cloud Run service",
        ),
        (
            "google_service_account",
            "local.functions",
            "service account",
        ),
        (
            "google_pubsub_topic",
            "local.push_triggers",
            "Pub/Sub topic",
        ),
        (
            "google_pubsub_subscription",
            "local.push_triggers",
            "push subscription",
        ),
        (
            "google_cloud_scheduler_job",
            "local.schedule_triggers",
            "scheduler job",
        ),
    ] {
        let blocks = resources(terraform, kind);
        // terraform fmt aligns the `=` of neighbouring lines.
        let squeezed = |body: &str| body.split_whitespace().collect::<Vec<_>>().join(" ");
        if !blocks
            .iter()
            .any(|(_, body)| squeezed(body).contains(&format!("for_each = {source}")))
        {
            gaps.push(format!(
                "terraform declares no {what} per catalog entry ({source})"
            ));
        }
        // Anything else of the kind must be a fixed part of the platform, not a function.
        for (name, body) in &blocks {
            let derived = body.contains("for_each");
            if !derived && names.contains(name.replace('_', "-").as_str()) {
                gaps.push(format!(
                    "terraform declares {kind}.{name} by hand, outside the catalog"
                ));
            }
        }
    }
    if !terraform.contains(r#"file("${path.module}/../shared/store/firestore.indexes.json")"#) {
        gaps.push("terraform does not read the store's index list".to_owned());
    }
    gaps
}

#[test]
fn the_deployment_matches_the_catalog() {
    let catalog = Catalog::load().unwrap();
    let gaps = deployment_gaps(&catalog, &read("cloudbuild.yaml"), &terraform());
    assert!(gaps.is_empty(), "{gaps:#?}");
    // Both ways to the binary: compiled in the image, or prebuilt by the compile step.
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains(r#"cargo build --release --locked -p "$FUNCTION""#));
    assert!(dockerfile.contains("COPY dist/${FUNCTION} /function"));
    assert!(dockerfile.contains("FROM ${BINARY} AS binary"));
    assert!(dockerfile.contains("FROM gcr.io/distroless/"));
}

#[test]
fn a_function_added_to_the_catalog_without_its_infrastructure_is_found() {
    let mut catalog = Catalog::load().unwrap();
    let mut billing = catalog.functions[0].clone();
    billing.name = "billing".into();
    billing.routes = vec!["/v1/invoices".into()];
    catalog.functions.push(billing);
    let gaps = deployment_gaps(&catalog, &read("cloudbuild.yaml"), &terraform());
    assert_eq!(
        gaps,
        ["billing: not in cloudbuild.yaml's _FUNCTIONS (no binary, no image)"]
    );

    // And the other way round: a build or a service for a function the catalog lacks.
    let catalog = Catalog::load().unwrap();
    let cloudbuild = read("cloudbuild.yaml").replace("_FUNCTIONS: sites ", "_FUNCTIONS: legacy ");
    let gaps = deployment_gaps(&catalog, &cloudbuild, &terraform());
    assert_eq!(
        gaps,
        [
            "sites: not in cloudbuild.yaml's _FUNCTIONS (no binary, no image)",
            "cloudbuild.yaml's _FUNCTIONS names legacy, which is not in the catalog"
        ]
    );
    // A build that no longer builds per function is found too.
    let cloudbuild = read("cloudbuild.yaml").replace("- id: images", "- id: pictures");
    let gaps = deployment_gaps(&catalog, &cloudbuild, &terraform());
    assert_eq!(
        gaps,
        ["cloudbuild.yaml: no images step building each of _FUNCTIONS"]
    );
    let terraform = format!(
        "{}\nresource \"google_cloud_run_v2_service\" \"sites\" {{\n  name = \"sites\"\n}}\n",
        terraform()
    );
    let gaps = deployment_gaps(&catalog, &read("cloudbuild.yaml"), &terraform);
    assert_eq!(
        gaps,
        ["terraform declares google_cloud_run_v2_service.sites by hand, outside the catalog"]
    );
}
