//! The API's OpenAPI document is complete and current: every route and method the functions
//! serve has an entry (and nothing else does), every reference in it resolves, and the
//! committed `functions/cockpit/openapi.json`, which the cockpit's typed client is generated
//! from and the cloud serves, is the document the code makes. `CLEANOPS_OPENAPI_WRITE=1`
//! rewrites the committed file (then `npm run client` in functions/cockpit/web).

use std::collections::BTreeSet;

use catalog::Catalog;
use platform::testing::spawn_app;
use serde_json::Value;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cockpit/openapi.json")
}

fn generated() -> String {
    cleanops::openapi_json(Catalog::load().as_ref().unwrap()).unwrap()
}

#[test]
fn the_committed_document_is_the_one_the_code_makes() {
    let document = generated();
    let path = committed_path();
    if std::env::var_os("CLEANOPS_OPENAPI_WRITE").is_some() {
        std::fs::write(&path, format!("{document}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed.trim_end() == document,
        "functions/cockpit/openapi.json is stale: run `CLEANOPS_OPENAPI_WRITE=1 cargo test -p \
         cleanops --test openapi`, then `npm run client` in functions/cockpit/web, and commit both"
    );
}

#[test]
fn every_reference_resolves_and_every_operation_is_unique() {
    let document: Value = serde_json::from_str(&generated()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let text = document.to_string();
    for (kind, prefix) in [
        ("schemas", "#/components/schemas/"),
        ("responses", "#/components/responses/"),
    ] {
        for reference in text.split(prefix).skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(
                document["components"][kind].get(name).is_some(),
                "{prefix}{name} is referred to but not defined"
            );
        }
    }
    let mut ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "{method} {path}: {id} twice");
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has no summary"
            );
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} documents no success"
            );
        }
    }
}

/// Each path of the routers is tried with each method and no credentials: a method the route
/// lacks is a 405, any other answer means the route serves it, and the two must match the
/// document's operations exactly.
#[tokio::test]
async fn every_mounted_route_and_method_has_an_entry_and_nothing_else() {
    let catalog = Catalog::load().unwrap();
    let routes = cleanops::functions(&catalog).unwrap();
    let paths = routes.paths().to_vec();
    // The routes' own documentation: the API's document, and the cockpit's part (its route
    // to that document).
    let entries: BTreeSet<(String, &str)> = paths
        .iter()
        .flat_map(|path| {
            routes
                .documented_methods(path)
                .into_iter()
                .map(move |method| (path.clone(), method))
        })
        .collect();
    let document: Value = serde_json::from_str(&generated()).unwrap();
    for (path, method) in &entries {
        let in_document = document["paths"][path.as_str()]
            .get(method.to_ascii_lowercase())
            .is_some();
        assert!(
            in_document || path == "/v1/openapi.json",
            "{method} {path} is documented by its route but missing from the API's document"
        );
    }
    let documented = |path: &str, method: &str| entries.contains(&(path.to_owned(), method));
    let app = spawn_app(routes, platform::HttpConfig::default()).await;
    let http = reqwest::Client::new();
    let mut served = 0;
    for path in &paths {
        let concrete: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            let status = http
                .request(method.parse().unwrap(), app.url(&concrete))
                .send()
                .await
                .unwrap()
                .status();
            let mounted = status != 405;
            served += usize::from(mounted);
            assert_eq!(
                mounted,
                documented(path, method),
                "{method} {path}: answered {status}, {} in the document",
                if documented(path, method) {
                    "but is"
                } else {
                    "and is not"
                }
            );
        }
    }
    assert!(served > 100, "only {served} operations were found");
}
