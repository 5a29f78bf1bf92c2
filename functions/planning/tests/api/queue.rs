//! Plans are computed on the planning worker: a request queues one and is answered at once,
//! one plan of a week is pending at a time, a redelivered job computes it once, and a plan
//! whose message or instance was lost reads as failed and frees its week.

use domain::Clock as _;
use domain::planning::{Plan, PlanStatus};
use platform::Role;
use serde_json::json;

use crate::helpers::{demo, start};

const WEEK: &str = "2026-11-30";

fn week(seconds: f64) -> serde_json::Value {
    json!({"weekStart": WEEK, "seconds": seconds})
}

#[tokio::test]
async fn a_plan_request_is_answered_at_once_with_the_queued_plan_and_its_job() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    demo(&app, &admin).await;
    let queued = app.post(&admin, "/v1/plans", week(5.0)).await;
    assert_eq!(queued.status, 202, "{}", queued.body);
    assert_eq!(queued.body["status"], "queued");
    assert_eq!(queued.body["tours"], json!([]));
    let id = queued.id();
    assert_eq!(
        queued.headers["location"].to_str().unwrap(),
        format!("/v1/plans/{id}")
    );
    let diff = app.get(&admin, &format!("/v1/plans/{id}/diff")).await;
    diff.assert_problem(reqwest::StatusCode::CONFLICT);
    let published = app.published().await;
    assert_eq!(published.len(), 1);
    let (path, envelope, _) = &published[0];
    assert_eq!(path, "/push/planning");
    assert_eq!(envelope["message"]["attributes"]["tenant"], "acme");
    assert_eq!(envelope["message"]["attributes"]["subject"], id.as_str());
}

#[tokio::test]
async fn the_pushed_job_computes_the_draft() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    demo(&app, &admin).await;
    let plan = app.plan(&admin, week(0.5)).await;
    assert_eq!(plan.body["status"], "draft");
    assert_eq!(plan.body["progress"], 1.0);
    assert!(!plan.body["tours"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_second_plan_of_a_week_while_one_is_pending_is_a_409_naming_it() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let first = app.post(&admin, "/v1/plans", week(5.0)).await.id();
    let second = app.post(&admin, "/v1/plans", week(5.0)).await;
    second.assert_problem(reqwest::StatusCode::CONFLICT);
    assert_eq!(second.body["runningId"], first.as_str());
    let other_week = json!({"weekStart": "2026-12-07"});
    assert_eq!(app.post(&admin, "/v1/plans", other_week).await.status, 202);
    assert_eq!(app.published().await.len(), 2, "no job for the refused one");
}

#[tokio::test]
async fn concurrent_requests_for_one_week_queue_one_plan() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let post = || app.post(&admin, "/v1/plans", week(5.0));
    let (a, b, c, d, e, f) = tokio::join!(post(), post(), post(), post(), post(), post());
    let replies = [a, b, c, d, e, f];
    let queued: Vec<_> = replies.iter().filter(|r| r.status == 202).collect();
    assert_eq!(queued.len(), 1, "one plan queued");
    let winner = queued[0].id();
    for refused in replies.iter().filter(|r| r.status != 202) {
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert_eq!(refused.body["runningId"], winner.as_str());
    }
    assert_eq!(app.stored::<Plan>(&admin).await.len(), 1);
}

#[tokio::test]
async fn a_finished_plan_frees_its_week() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    app.plan(&admin, week(0.2)).await;
    app.plan(&admin, week(0.2)).await;
    assert_eq!(app.stored::<Plan>(&admin).await.len(), 2);
}

#[tokio::test]
async fn a_redelivered_job_computes_the_plan_once() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    demo(&app, &admin).await;
    let id = app.post(&admin, "/v1/plans", week(0.3)).await.id();
    let (path, envelope, _) = app.published().await.remove(0);
    let pusher = app.pusher();
    assert_eq!(app.push(&pusher, &path, &envelope).await, 204);
    let done = app.data_of(&admin).repo::<Plan>().get(&id).await.unwrap();
    assert_eq!(done.entity.status, PlanStatus::Draft);
    assert_eq!(app.push(&pusher, &path, &envelope).await, 204);
    let again = app.data_of(&admin).repo::<Plan>().get(&id).await.unwrap();
    assert_eq!(again.meta.version, done.meta.version, "not computed again");
}

#[tokio::test]
async fn a_running_plan_shows_its_progress_until_it_is_done() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    demo(&app, &admin).await;
    let id = app.post(&admin, "/v1/plans", week(2.0)).await.id();
    let (path, envelope, _) = app.published().await.remove(0);
    let pusher = app.pusher();
    let delivery = app.push(&pusher, &path, &envelope);
    let watch = async {
        let mut seen = Vec::new();
        for _ in 0..60 {
            let plan = app.get(&admin, &format!("/v1/plans/{id}")).await;
            seen.push((
                plan.body["status"].as_str().unwrap().to_owned(),
                plan.body["progress"].as_f64().unwrap(),
            ));
            if plan.body["status"] == "draft" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        seen
    };
    let (status, seen) = tokio::join!(delivery, watch);
    assert_eq!(status, 204);
    let running: Vec<f64> = seen
        .iter()
        .filter(|(s, _)| s == "running")
        .map(|(_, p)| *p)
        .collect();
    assert!(
        running.iter().any(|p| *p > 0.0 && *p < 1.0),
        "progress between 0 and 1 while running: {seen:?}"
    );
    assert!(running.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}

/// A plan of the week stored as `status`, its lease passed a second ago.
async fn stalled(app: &platform::testing::TestApp, admin: &str, status: PlanStatus) -> String {
    let request = domain::planning::PlanRequest::parse(&week(5.0)).unwrap();
    let lapsed = app.clock.now() - chrono::Duration::seconds(1);
    let mut plan = Plan::queued(WEEK.parse().unwrap(), &request, lapsed);
    plan.status = status;
    let data = app.data_of(admin);
    data.repo::<Plan>()
        .create(plan, Vec::new())
        .await
        .unwrap()
        .meta
        .id
}

#[tokio::test]
async fn a_running_plan_past_its_lease_reads_as_failed() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let id = stalled(&app, &admin, PlanStatus::Running).await;
    let read = app.get(&admin, &format!("/v1/plans/{id}")).await;
    assert_eq!(read.body["status"], "failed");
    assert!(read.body["failure"].as_str().unwrap().contains("stopped"));
    let kept = app.data_of(&admin).repo::<Plan>().get(&id).await.unwrap();
    assert_eq!(kept.entity.status, PlanStatus::Failed);
}

#[tokio::test]
async fn a_queued_plan_whose_message_was_lost_fails_and_frees_its_week() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    // Queued through the API, then its message lost and its lease passed.
    let lost = app.post(&admin, "/v1/plans", week(5.0)).await.id();
    app.clock
        .advance(platform::progress::QUEUE_LEASE + chrono::Duration::seconds(1));
    let read = app.get(&admin, &format!("/v1/plans/{lost}")).await;
    assert_eq!(read.body["status"], "failed");
    assert!(read.body["failure"].as_str().unwrap().contains("worker"));
    assert_eq!(app.post(&admin, "/v1/plans", week(5.0)).await.status, 202);
}

#[tokio::test]
async fn a_job_whose_plan_was_deleted_is_acked_and_recorded() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let queued = app.post(&admin, "/v1/plans", week(5.0)).await;
    let path = format!("/v1/plans/{}", queued.id());
    assert_eq!(app.delete(&admin, &path, &queued.etag()).await.status, 204);
    assert_eq!(app.deliver_published().await, [204]);
    let runs = app
        .data_of(&admin)
        .store()
        .query_all(domain::store::Query::new(platform::push::JOBS))
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].fields["state"], "rejected");
}
