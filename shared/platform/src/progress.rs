//! Long computations on a worker (a plan, a simulation) hold their document under a lease and
//! write their progress as they go, so `GET` shows it and a stopped instance is noticed: the
//! lease is renewed with every write, and a document past its lease reads as failed
//! ([`present`]).
//!
//! Layout: the document's side ([`Leased`]); a delivery's run ([`claim_and_run`]: claim,
//! compute, answer the result as the run's effect, or requeue or fail); the writes while it
//! computes ([`write_while`]); the reads ([`present`]) and [`fail`].

use std::future::Future;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use domain::Entity;

use domain::store::Write;

use crate::context::{RequestContext, TenantData};
use crate::crud::{Shown, Stored, entity_fields};
use crate::error::ApiResult;
use crate::job::JobError;

/// How often the progress is written.
const EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// How long a queued document waits for a worker before it reads as failed: Pub/Sub's
/// backoff over the subscription's attempts, with room for a busy worker.
pub const QUEUE_LEASE: Duration = Duration::minutes(30);

/// How long a running document is held after each write: the next is due within half a
/// second, and the rest is grace for a busy instance.
pub const LEASE: Duration = Duration::seconds(30);

/// Where a leased document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Queued,
    Running,
    /// Computed, failed, or past computing (an active plan).
    Finished,
}

/// A document computed under a lease.
pub trait Leased: Entity + Clone {
    fn stage(&self) -> Stage;
    /// Puts it back in the queue, or marks it running.
    fn set_stage(&mut self, stage: Stage);
    fn progress(&self) -> f64;
    /// This document at `progress`, held until `lease_until`.
    fn hold(&mut self, progress: f64, lease_until: DateTime<Utc>);
    /// Whether it is pending past its lease: nothing will finish it.
    fn is_abandoned(&self, now: DateTime<Utc>) -> bool;
    /// Why an abandoned one failed, in words for whoever asked for it.
    fn abandoned_reason(&self) -> &'static str;
    /// This document failed for `reason`.
    fn failed(self, reason: &str) -> Self;
}

impl Leased for domain::planning::Plan {
    fn stage(&self) -> Stage {
        match self.status {
            domain::planning::PlanStatus::Queued => Stage::Queued,
            domain::planning::PlanStatus::Running => Stage::Running,
            _ => Stage::Finished,
        }
    }

    fn set_stage(&mut self, stage: Stage) {
        self.status = match stage {
            Stage::Queued => domain::planning::PlanStatus::Queued,
            Stage::Running | Stage::Finished => domain::planning::PlanStatus::Running,
        };
    }

    fn progress(&self) -> f64 {
        self.progress
    }

    fn hold(&mut self, progress: f64, lease_until: DateTime<Utc>) {
        self.progress = progress;
        self.lease_until = Some(lease_until);
    }

    fn is_abandoned(&self, now: DateTime<Utc>) -> bool {
        domain::planning::Plan::is_abandoned(self, now)
    }

    fn abandoned_reason(&self) -> &'static str {
        match self.status {
            domain::planning::PlanStatus::Queued => {
                "no planning worker took it up in time (its message was lost); plan the week \
                 again"
            }
            _ => {
                "its computation stopped before it finished (the instance ended); plan the \
                 week again"
            }
        }
    }

    fn failed(mut self, reason: &str) -> Self {
        self.status = domain::planning::PlanStatus::Failed;
        self.lease_until = None;
        self.failure = Some(reason.to_owned());
        self
    }
}

impl Leased for domain::simulation::Simulation {
    fn stage(&self) -> Stage {
        match self.status {
            domain::simulation::SimulationStatus::Queued => Stage::Queued,
            domain::simulation::SimulationStatus::Running => Stage::Running,
            _ => Stage::Finished,
        }
    }

    fn set_stage(&mut self, stage: Stage) {
        self.status = match stage {
            Stage::Queued => domain::simulation::SimulationStatus::Queued,
            Stage::Running | Stage::Finished => domain::simulation::SimulationStatus::Running,
        };
    }

    fn progress(&self) -> f64 {
        self.progress
    }

    fn hold(&mut self, progress: f64, lease_until: DateTime<Utc>) {
        self.progress = progress;
        self.lease_until = Some(lease_until);
    }

    fn is_abandoned(&self, now: DateTime<Utc>) -> bool {
        domain::simulation::Simulation::is_abandoned(self, now)
    }

    fn abandoned_reason(&self) -> &'static str {
        "its run stopped before it finished (its message or its instance was lost); simulate \
         again"
    }

    fn failed(mut self, reason: &str) -> Self {
        self.status = domain::simulation::SimulationStatus::Failed;
        self.lease_until = None;
        self.failure = Some(reason.to_owned());
        self
    }
}

/// Marks a pending document failed, with why, if it is still as it was read.
pub async fn fail<E: Leased>(
    data: &TenantData,
    stored: &Stored<E>,
    reason: &str,
) -> ApiResult<Stored<E>> {
    data.repo::<E>()
        .replace(
            &stored.meta.id,
            stored.meta.version,
            stored.entity.clone().failed(reason),
            Vec::new(),
        )
        .await
}

/// Shows `items` as read, each abandoned one marked failed first with why: its message or
/// its instance was lost, and nothing else will finish it. (A lost race to mark it is no
/// matter: the winner wrote the same, or the computation wrote after all.)
pub async fn present<E: Leased>(
    items: Vec<Stored<E>>,
    cx: &RequestContext,
) -> ApiResult<Vec<Shown>> {
    let mut shown = Vec::with_capacity(items.len());
    for item in items {
        if !item.entity.is_abandoned(cx.now()) {
            shown.push(item.shown()?);
            continue;
        }
        let reason = item.entity.abandoned_reason();
        shown.push(match fail(cx.data(), &item, reason).await {
            Ok(saved) => saved.shown()?,
            Err(_) => cx.repo::<E>().get(&item.meta.id).await?.shown()?,
        });
    }
    Ok(shown)
}

/// A delivery's run of `stored`: claims it if it is queued (or its run stopped), computes it
/// with `compute` (which answers the document as last written and the finished one), and
/// answers the finished document as the run's effect, committed with the run's record. A
/// finished document is left as it is; one another delivery runs is retried later. A failure a
/// redelivery may mend puts it back in the queue; any other marks it failed, with why.
pub async fn claim_and_run<E, F, Fut>(
    data: &TenantData,
    stored: Stored<E>,
    compute: F,
) -> Result<Vec<Write>, JobError>
where
    E: Leased,
    F: FnOnce(Stored<E>) -> Fut,
    Fut: Future<Output = (Stored<E>, ApiResult<E>)>,
{
    let id = stored.meta.id.clone();
    match stored.entity.stage() {
        Stage::Queued => {}
        // Its run stopped: this delivery takes it over.
        Stage::Running if stored.entity.is_abandoned(data.now()) => {}
        Stage::Running => {
            return Err(JobError::Retry(format!(
                "{} {id} is being computed by another delivery",
                E::KIND
            )));
        }
        Stage::Finished => return Ok(Vec::new()),
    }
    let repo = data.repo::<E>();
    let mut running = stored.entity.clone();
    running.set_stage(Stage::Running);
    running.hold(0.0, data.now() + LEASE);
    // Of two deliveries, one claims it; the other's lost race is retried, and then sees it
    // running or done.
    let claimed = repo
        .replace(&id, stored.meta.version, running, Vec::new())
        .await?;
    let (last, result) = compute(claimed).await;
    match result {
        Ok(finished) => Ok(vec![Write::Update {
            collection: E::COLLECTION,
            id,
            expected_version: last.meta.version,
            fields: entity_fields(&finished)?,
        }]),
        Err(e) => {
            let error = JobError::from(e);
            // Back in the queue for the redelivery, or failed for good; best effort, as its
            // lease ends it anyway.
            let _ = match &error {
                JobError::Retry(_) => {
                    let mut queued = last.entity.clone();
                    queued.set_stage(Stage::Queued);
                    queued.hold(queued.progress(), data.now() + QUEUE_LEASE);
                    repo.replace(&id, last.meta.version, queued, Vec::new())
                        .await
                }
                JobError::Reject(reason) => fail(data, &last, reason).await,
            };
            Err(error)
        }
    }
}

/// Runs `work`, writing `stored` with the progress `work` tells (never backwards) every half
/// second, each write holding it [`LEASE`] longer. The writes are best effort: a failed one
/// does not stop the work. The document as last written, and what `work` gave.
pub async fn write_while<E: Leased, T>(
    data: &TenantData,
    mut stored: Stored<E>,
    progress: &Mutex<f64>,
    work: impl Future<Output = T>,
) -> (Stored<E>, T) {
    let repo = data.repo::<E>();
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return (stored, done),
            () = tokio::time::sleep(EVERY) => {
                let mut next = stored.entity.clone();
                let told = progress.lock().map(|p| *p).unwrap_or(0.0);
                next.hold(told.max(next.progress()), data.now() + LEASE);
                if let Ok(saved) = repo.replace(&stored.meta.id, stored.meta.version, next, Vec::new()).await {
                    stored = saved;
                }
            }
        }
    }
}
