//! The nightly re-plan: one draft per tenant and week, however often the message comes.

use platform::Role;

use crate::helpers::{DRAFT, PATH, envelope, job_runs, plans, start};

#[tokio::test]
async fn a_user_token_is_refused() {
    let worker = start().await;
    let user = worker.app.token("acme", Role::Admin);
    assert_eq!(
        worker.app.push(&user, PATH, &envelope("acme", "m0")).await,
        401
    );
    assert!(plans(&worker.app, &worker.admin).await.is_empty());
}

#[tokio::test]
async fn the_push_plans_the_coming_week_as_a_draft() {
    let worker = start().await;
    assert_eq!(worker.deliver("acme", "m1").await, 204);
    let plans = plans(&worker.app, &worker.admin).await;
    assert_eq!(plans.len(), 1);
    let plan = &plans[0];
    assert_eq!(plan.meta.id, DRAFT);
    assert_eq!(plan.entity.status, domain::planning::PlanStatus::Draft);
    assert_eq!(plan.entity.week_start.to_string(), "2026-11-30");
    let stops: usize = plan.entity.tours.iter().map(|t| t.stops.len()).sum();
    assert_eq!(stops, 4 * 5);
}

#[tokio::test]
async fn a_redelivery_is_acked_and_changes_nothing() {
    let worker = start().await;
    assert_eq!(worker.deliver("acme", "m1").await, 204);
    let first = plans(&worker.app, &worker.admin).await;
    assert_eq!(worker.deliver("acme", "m2").await, 204);
    let again = plans(&worker.app, &worker.admin).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].meta.version, first[0].meta.version);
}

#[tokio::test]
async fn another_tenants_message_plans_that_tenant_only() {
    let worker = start().await;
    assert_eq!(worker.deliver("globex", "m3").await, 204);
    assert!(plans(&worker.app, &worker.admin).await.is_empty());
    let globex = plans(&worker.app, &worker.app.token("globex", Role::Admin)).await;
    assert_eq!(globex.len(), 1);
    assert!(globex[0].entity.tours.is_empty());
}

#[tokio::test]
async fn the_nightly_plan_waits_while_a_requested_plan_of_its_week_is_pending() {
    let worker = start().await;
    let data = worker.app.data_of(&worker.admin);
    let request = domain::planning::PlanRequest::parse(&serde_json::json!({})).unwrap();
    let week = "2026-11-30".parse().unwrap();
    let lease = data.now() + platform::progress::QUEUE_LEASE;
    let pending = domain::planning::Plan::queued(week, &request, lease);
    let pending = platform::plan_runs::queue(&data, pending, None, None)
        .await
        .unwrap();
    assert_eq!(worker.deliver("acme", "m1").await, 503, "redelivered later");
    let plans = plans(&worker.app, &worker.admin).await;
    assert_eq!(plans.len(), 1, "no nightly draft beside it");
    assert_eq!(plans[0].meta.id, pending.meta.id);
    assert!(job_runs(&worker.app, &worker.admin).await.is_empty());
}
