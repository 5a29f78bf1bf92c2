//! Plans whose request went away: the computation finishes regardless, and a plan whose
//! instance stopped reads as failed once its lease has passed.

use std::time::Duration;

use domain::Clock as _;
use domain::planning::{Plan, PlanStatus};
use platform::Role;
use serde_json::json;

use crate::helpers::{demo, start};

#[tokio::test]
async fn a_plan_whose_client_hung_up_is_finished_anyway() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    demo(&app, &admin).await;
    let hung_up = reqwest::Client::new()
        .post(app.url("/v1/plans"))
        .bearer_auth(&admin)
        .json(&json!({"weekStart": "2026-11-30", "seconds": 1.5}))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(hung_up.is_err(), "the client gave up before the answer");
    let mut status = json!(null);
    for _ in 0..100 {
        let plans = app.get(&admin, "/v1/plans").await;
        status = plans.body["items"][0]["status"].clone();
        if status == "draft" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "draft");
}

#[tokio::test]
async fn a_running_plan_past_its_lease_reads_as_failed() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let stalled = Plan {
        week_start: "2026-11-30".parse().unwrap(),
        status: PlanStatus::Running,
        objective: Default::default(),
        seconds: 5.0,
        progress: 0.0,
        tours: Vec::new(),
        unplanned: Vec::new(),
        kpis: Default::default(),
        current: Default::default(),
        lease_until: Some(app.clock.now() - chrono::Duration::seconds(1)),
        failure: None,
        replanned_days: None,
    };
    let data = app.data_of(&admin);
    let stored = data
        .repo::<Plan>()
        .create(stalled, Vec::new())
        .await
        .unwrap();
    let read = app
        .get(&admin, &format!("/v1/plans/{}", stored.meta.id))
        .await;
    assert_eq!(read.body["status"], "failed");
    assert!(read.body["failure"].as_str().unwrap().contains("stopped"));
    let kept = data.repo::<Plan>().get(&stored.meta.id).await.unwrap();
    assert_eq!(kept.entity.status, PlanStatus::Failed);
}
