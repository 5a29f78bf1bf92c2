//! Three recorded runs of tenant `acme`: done, rejected and done, a day apart.

use domain::store::Write;
use platform::Role;
use platform::testing::{TestApp, spawn_app};
use serde_json::json;

pub async fn start() -> TestApp {
    let app = spawn_app(jobs::router(), Default::default()).await;
    let run = |key: &str, state: &str, finished: &str| Write::Create {
        collection: platform::push::JOBS,
        id: key.into(),
        fields: json!({"job": "workload-report", "state": state, "finishedAt": finished})
            .as_object()
            .unwrap()
            .clone(),
    };
    app.data_of(&app.token("acme", Role::Admin))
        .store()
        .commit(
            vec![
                run("r1", "done", "2026-11-22T01:00:05.000Z"),
                run("r2", "rejected", "2026-11-23T01:00:05.000Z"),
                run("r3", "done", "2026-11-24T01:00:05.000Z"),
            ],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    app
}

/// The ids of a listing's items, in order.
pub fn ids(body: &serde_json::Value) -> Vec<&str> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect()
}
