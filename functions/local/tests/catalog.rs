//! The catalog and the code agree: every crate under `functions/` (but the local cloud itself)
//! is in the catalog and the other way round, the local cloud mounts every catalog function,
//! and every route prefix the catalog gives a function is served.

use std::collections::BTreeSet;
use std::path::Path;

use catalog::Catalog;
use platform::testing::spawn_app;

#[test]
fn every_function_crate_is_in_the_catalog_and_nothing_else_is() {
    let functions_dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let crates: BTreeSet<String> = std::fs::read_dir(functions_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "local")
        .collect();
    let catalog = Catalog::load().unwrap();
    let listed: BTreeSet<String> = catalog.functions.iter().map(|f| f.name.clone()).collect();
    assert_eq!(
        crates, listed,
        "crates under functions/ and functions/catalog.json disagree"
    );
    for function in &catalog.functions {
        assert!(
            cleanops::router_of(&function.name).is_some(),
            "{} is not mounted by the local cloud",
            function.name
        );
    }
}

#[tokio::test]
async fn every_catalog_route_is_served_and_nothing_outside_them_is() {
    let catalog = Catalog::load().unwrap();
    let app = spawn_app(
        cleanops::functions(&catalog).unwrap(),
        platform::HttpConfig::default(),
    )
    .await;
    let http = reqwest::Client::new();
    for function in &catalog.functions {
        let paths = cleanops::router_of(&function.name).unwrap()()
            .paths()
            .to_vec();
        for route in &function.routes {
            // A catalog route is a prefix: a path of the function's lies under it (identity's
            // `/v1/auth` serves `/v1/auth/login` and the rest).
            assert!(
                paths
                    .iter()
                    .any(|p| p == route || p.starts_with(&format!("{route}/"))),
                "{route} of {} serves nothing",
                function.name
            );
            if !paths.contains(route) {
                continue;
            }
            // Served routes require a token: 401 shows the route exists (an unknown one is
            // 404), or 405 for a public route that takes POST alone (sign-up), or 200 for
            // one anybody reads (the API's document). Push and scheduler targets take POST,
            // the public API GET.
            let request = match function.ingress {
                catalog::Ingress::Public => http.get(app.url(route)),
                catalog::Ingress::Private => http.post(app.url(route)),
            };
            let status = request.send().await.unwrap().status();
            assert!(
                status == 401 || status == 405 || status == 200,
                "{route} of {} is not served: {status}",
                function.name
            );
        }
    }
    // And the other way: each function's paths lie under its own catalog routes, which the
    // gateway and Terraform route to it.
    for function in &catalog.functions {
        let routes = cleanops::router_of(&function.name).unwrap()();
        for path in routes.paths().iter().filter(|p| p.as_str() != "/healthz") {
            assert!(
                function
                    .routes
                    .iter()
                    .any(|r| path == r || path.starts_with(&format!("{r}/"))),
                "{path} of {} is under none of its catalog routes",
                function.name
            );
        }
    }
    assert_eq!(
        http.get(app.url("/v1/not-in-the-catalog"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
