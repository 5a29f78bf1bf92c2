//! Jobs that can never succeed are rejected on their first delivery: recorded, acked, never
//! retried.

use serde_json::json;

use crate::helpers::{PATH, envelope_with, job_runs, plans, start};

#[tokio::test]
async fn a_week_that_does_not_start_on_monday_is_rejected_on_first_delivery() {
    let worker = start().await;
    let bad = envelope_with("acme", "m1", &json!({"weekStart": "2026-12-02"}));
    // 204 acks: Pub/Sub will not deliver it again.
    assert_eq!(worker.app.push(&worker.push, PATH, &bad).await, 204);
    let runs = job_runs(&worker.app, &worker.admin).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].fields["state"], "rejected");
    assert_eq!(runs[0].fields["attempts"], 1);
    let reason = runs[0].fields["reason"].as_str().unwrap();
    assert!(reason.contains("not a Monday"), "{reason}");
    assert!(plans(&worker.app, &worker.admin).await.is_empty());
}

#[tokio::test]
async fn a_payload_of_the_wrong_shape_is_rejected_and_named() {
    let worker = start().await;
    let bad = envelope_with("acme", "m1", &json!({"weekStart": 7}));
    assert_eq!(worker.app.push(&worker.push, PATH, &bad).await, 204);
    let runs = job_runs(&worker.app, &worker.admin).await;
    assert_eq!(runs[0].fields["state"], "rejected");
    let reason = runs[0].fields["reason"].as_str().unwrap();
    assert!(reason.contains("not a planning job"), "{reason}");
}

#[tokio::test]
async fn a_rejected_job_redelivered_is_recorded_once() {
    let worker = start().await;
    let bad = envelope_with("acme", "m1", &json!({"weekStart": "2026-12-02"}));
    assert_eq!(worker.app.push(&worker.push, PATH, &bad).await, 204);
    assert_eq!(worker.app.push(&worker.push, PATH, &bad).await, 204);
    assert_eq!(job_runs(&worker.app, &worker.admin).await.len(), 1);
}
