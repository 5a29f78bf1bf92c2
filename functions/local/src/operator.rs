//! `cleanops run JOB`: an operator runs a scheduled job now, as Cloud Scheduler's
//! `gcloud scheduler jobs run` would, through the same fan-out and push path as a tick.
//!
//! The run belongs to the job's latest tick at or before now (or `--at`): its messages carry
//! that tick's idempotency keys, so a second run of the same tick, or a run of a tick the
//! scheduler already fired, has no second effect. It waits for each tenant's job record and
//! shows the progress.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::store::{DocumentStore, TenantStore};
use platform::auth::TokenIssuer;

use crate::scheduler::{FanoutCaller, Schedule, schedules};
use crate::{LOCAL_PUSH_ACCOUNT, LOCAL_PUSH_AUDIENCE};

/// What an operator asked to run.
#[derive(Debug, PartialEq)]
pub struct RunRequest {
    pub job: String,
    pub tenant: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// The local cloud's address (`http://host:port`).
    pub base_url: String,
    pub wait: Duration,
}

/// How far back the latest tick is looked for (a weekly job's, with room).
const TICK_HORIZON_DAYS: i64 = 35;

fn schedule_of(catalog: &catalog::Catalog, job: &str, base_url: &str) -> Result<Schedule, String> {
    let all = schedules(catalog, base_url);
    let names: Vec<String> = all.iter().map(|s| s.job.clone()).collect();
    all.into_iter().find(|s| s.job == job).ok_or_else(|| {
        format!(
            "no scheduled job {job:?} in the catalog; scheduled jobs: {}",
            names.join(", ")
        )
    })
}

/// Runs the job and waits for its records; the lines it prints are the operator's report.
pub async fn run(request: RunRequest, data_dir: &Path) -> Result<(), String> {
    let catalog = catalog::Catalog::get().map_err(|e| e.to_string())?;
    let schedule = schedule_of(catalog, &request.job, &request.base_url)?;
    let tick = match request.at {
        Some(at) => at,
        None => schedule
            .cron
            .latest_at_or_before(Utc::now(), schedule.zone, TICK_HORIZON_DAYS)
            .ok_or_else(|| {
                format!(
                    "{} has not been due in the last {TICK_HORIZON_DAYS} days; name the run with --at",
                    schedule.job
                )
            })?,
    };
    let tenant = request
        .tenant
        .as_deref()
        .map(TenantId::parse_external)
        .transpose()
        .map_err(|e| format!("--tenant {e}"))?;
    let store: Arc<dyn DocumentStore> = Arc::new(
        store::EmbeddedStore::open(data_dir.join("store.sqlite3")).map_err(|e| e.to_string())?,
    );
    let tenants = match &tenant {
        Some(tenant) => vec![tenant.clone()],
        None => active_tenants(&store).await?,
    };
    let before = record_states(&store, &schedule.job, &tenants, tick).await?;
    let issuer = TokenIssuer::load_or_create(data_dir)?;
    let caller = FanoutCaller {
        issuer: &issuer,
        audience: LOCAL_PUSH_AUDIENCE,
        account: LOCAL_PUSH_ACCOUNT,
    };
    let http = reqwest::Client::new();
    let result = caller
        .call_fanout(&http, &schedule, tick, tenant.as_ref())
        .await
        .map_err(|e| {
            format!(
                "the fan-out at {} refused the run ({e}); is the local cloud running (`cleanops serve`)?",
                schedule.url
            )
        })?;
    let tick_text = domain::meta::format_timestamp(&tick);
    say(&format!(
        "{}: the run of {tick_text} was published to {} tenant(s)",
        schedule.job,
        result["tenants"].as_u64().unwrap_or(0)
    ));
    let states = wait_for_records(&store, &schedule.job, &tenants, tick, request.wait).await?;
    for ((tenant, state), (_, earlier)) in states.iter().zip(&before) {
        let said = match (state, earlier) {
            (_, Some(earlier)) => format!("{earlier} before this run (nothing new)"),
            (Some(state), None) => state.clone(),
            (None, None) => "not finished yet".into(),
        };
        say(&format!("  {tenant}: {said}"));
    }
    say(&format!(
        "status: GET {}/v1/jobs?job={} (a planner's token: cleanops token --tenant T --role dispatcher)",
        request.base_url, schedule.job
    ));
    say("running the same tick again has no second effect; another tick: --at RFC3339-TIME");
    if states.iter().any(|(_, s)| s.is_none()) {
        return Err(format!(
            "not every tenant finished within {} s; see GET /v1/jobs",
            request.wait.as_secs()
        ));
    }
    Ok(())
}

fn say(line: &str) {
    // A closed stdout must not turn a finished run into a failure.
    let _ = writeln!(std::io::stdout(), "{line}");
}

async fn active_tenants(store: &Arc<dyn DocumentStore>) -> Result<Vec<TenantId>, String> {
    let (mut all, mut cursor) = (Vec::new(), None);
    loop {
        let (page, next) = platform::tenants::active_page(store, cursor, 1000)
            .await
            .map_err(|e| e.to_string())?;
        all.extend(page);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// Each tenant's job record state for the tick (`done`, `rejected`), none where there is no
/// record.
async fn record_states(
    store: &Arc<dyn DocumentStore>,
    job: &str,
    tenants: &[TenantId],
    tick: DateTime<Utc>,
) -> Result<Vec<(TenantId, Option<String>)>, String> {
    let mut states = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let key = platform::push::idempotency_key(job, tenant, &tick, None);
        let record = TenantStore::new(store.clone(), tenant.clone())
            .get(platform::push::JOBS, &key)
            .await
            .map_err(|e| e.to_string())?;
        let state = record.and_then(|r| r.fields["state"].as_str().map(str::to_owned));
        states.push((tenant.clone(), state));
    }
    Ok(states)
}

/// Each tenant's job record state (`done`, `rejected`), or none if it has not come by `wait`;
/// prints `n/N` as records arrive.
async fn wait_for_records(
    store: &Arc<dyn DocumentStore>,
    job: &str,
    tenants: &[TenantId],
    tick: DateTime<Utc>,
    wait: Duration,
) -> Result<Vec<(TenantId, Option<String>)>, String> {
    let started = Instant::now();
    let mut reported = usize::MAX;
    loop {
        let states = record_states(store, job, tenants, tick).await?;
        let done = states.iter().filter(|(_, s)| s.is_some()).count();
        if done != reported {
            say(&format!("  {done}/{} tenants finished", states.len()));
            reported = done;
        }
        if done == states.len() || started.elapsed() >= wait {
            return Ok(states);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
