//! A pushed simulation job: run once however often it is delivered, its result written on
//! the simulation, and what can never run rejected with why.

use domain::simulation::SimulationStatus;
use serde_json::json;

use crate::helpers::{job_runs, start};

#[tokio::test]
async fn a_queued_simulation_runs_and_writes_its_result_and_assumptions() {
    let worker = start().await;
    let queued = worker
        .queued(json!({"planId": worker.plan_id, "replications": 4000, "seed": 3}))
        .await;
    assert_eq!(worker.deliver(&queued.meta.id, "m1").await, 204);
    let done = worker.read(&queued.meta.id).await.entity;
    assert_eq!(done.status, SimulationStatus::Done);
    assert_eq!(done.progress, 1.0);
    let result = done.result.expect("a result");
    assert_eq!(result.replications, 4000);
    assert_eq!(result.visits.len(), 2);
    // Her 140 paid minutes against 150 leave little room: the day is at risk.
    let day = &result.days[0];
    assert_eq!(
        (day.cleaner_name.as_str(), day.max_minutes),
        ("Maria", 150.0)
    );
    assert!(day.overtime.value > 0.2, "{day:?}");
    assert!(day.overtime.low <= day.overtime.value && day.overtime.value <= day.overtime.high);
    let assumed = done.assumptions.expect("assumptions");
    assert_eq!(assumed.durations.len(), 2);
    assert_eq!(assumed.absences[0].cleaner_id, "maria");
}

#[tokio::test]
async fn a_redelivered_job_runs_once() {
    let worker = start().await;
    let queued = worker
        .queued(json!({"planId": worker.plan_id, "replications": 500}))
        .await;
    assert_eq!(worker.deliver(&queued.meta.id, "m1").await, 204);
    let first = worker.read(&queued.meta.id).await;
    assert_eq!(worker.deliver(&queued.meta.id, "m1").await, 204);
    // Another message for the same simulation (a duplicate publish) finds it done.
    assert_eq!(worker.deliver(&queued.meta.id, "m2").await, 204);
    let after = worker.read(&queued.meta.id).await;
    assert_eq!(after.meta.version, first.meta.version);
    assert_eq!(after.entity, first.entity);
}

#[tokio::test]
async fn a_what_if_writes_the_variant_and_the_difference() {
    let worker = start().await;
    let queued = worker
        .queued(json!({"planId": worker.plan_id, "replications": 2000,
            "changes": {"durationFactor": 1.2}}))
        .await;
    assert_eq!(worker.deliver(&queued.meta.id, "m1").await, 204);
    let done = worker.read(&queued.meta.id).await.entity;
    let difference = done.difference.expect("a difference");
    // Rooms a fifth slower: her day runs over more often.
    assert!(difference.days[0].change.expect("both sides").value > 0.0);
    assert!(done.variant.is_some());
}

#[tokio::test]
async fn a_simulation_that_does_not_exist_is_rejected_on_first_delivery() {
    let worker = start().await;
    assert_eq!(worker.deliver("nope", "m1").await, 204);
    let runs = job_runs(&worker.app, &worker.admin).await;
    assert_eq!(runs[0].fields["state"], "rejected");
    let reason = runs[0].fields["reason"].as_str().unwrap();
    assert!(reason.contains("does not exist"), "{reason}");
}

#[tokio::test]
async fn a_simulation_whose_plan_was_deleted_fails_with_why() {
    let worker = start().await;
    let queued = worker
        .queued(json!({"planId": worker.plan_id, "replications": 500}))
        .await;
    let data = worker.app.data_of(&worker.admin);
    let plan = data
        .repo::<domain::planning::Plan>()
        .get(&worker.plan_id)
        .await
        .unwrap();
    data.store()
        .commit(
            vec![domain::store::Write::Delete {
                collection: "plans",
                id: worker.plan_id.clone(),
                expected_version: Some(plan.meta.version),
            }],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(worker.deliver(&queued.meta.id, "m1").await, 204);
    let failed = worker.read(&queued.meta.id).await.entity;
    assert_eq!(failed.status, SimulationStatus::Failed);
    let why = failed.failure.expect("why");
    assert!(why.contains("no plan has this id"), "{why}");
}
