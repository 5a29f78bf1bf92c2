//! Long computations on a worker (a plan, a simulation) hold their document under a lease and
//! write their progress as they go, so `GET` shows it and a stopped instance is noticed: the
//! lease is renewed with every write, and a document past its lease reads as failed
//! ([`present`]).

use std::future::Future;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use domain::Entity;

use crate::context::{RequestContext, TenantData};
use crate::crud::{Shown, Stored};
use crate::error::ApiResult;

/// How often the progress is written.
const EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// A document computed under a lease.
pub trait Leased: Entity + Clone {
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

/// Runs `work`, writing `stored` with the progress `work` tells (never backwards) every half
/// second, each write holding it `lease` longer. The writes are best effort: a failed one
/// does not stop the work. The document as last written, and what `work` gave.
pub async fn write_while<E: Leased, T>(
    data: &TenantData,
    mut stored: Stored<E>,
    progress: &Mutex<f64>,
    lease: Duration,
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
                next.hold(told.max(next.progress()), data.now() + lease);
                if let Ok(saved) = repo.replace(&stored.meta.id, stored.meta.version, next, Vec::new()).await {
                    stored = saved;
                }
            }
        }
    }
}
