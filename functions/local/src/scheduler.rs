//! Local Cloud Scheduler: calls the fan-out for each scheduled job of the catalog exactly as
//! Cloud Scheduler would (POST with a signed OIDC token, `X-CloudScheduler-ScheduleTime` and
//! `X-CloudScheduler-JobName`). The last fired tick of each job is kept in the store: after a
//! restart the ticks missed meanwhile fire once each, and a tick is only marked after the
//! fan-out accepted it (the fan-out is idempotent per tick, so a crash in between doubles
//! nothing).

use std::sync::Arc;
use std::time::Duration;

use catalog::cron::Cron;
use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use domain::TenantId;
use domain::store::{DocumentStore, TenantStore, Write};
use platform::auth::TokenIssuer;
use serde_json::json;

/// The last fired tick per job.
pub const TICKS: &str = "schedulerTicks";
/// The most ticks one job catches up in one round (the rest follow in the next rounds).
const CATCH_UP_PER_ROUND: usize = 50;

#[derive(Debug, Clone)]
pub struct Schedule {
    pub job: String,
    pub cron: Cron,
    pub zone: Tz,
    pub url: String,
}

/// The catalog's schedules, calling the local cloud at `base_url`.
pub fn schedules(catalog: &catalog::Catalog, base_url: &str) -> Vec<Schedule> {
    catalog
        .triggers()
        .filter_map(|trigger| match trigger {
            catalog::Trigger::Schedule {
                job,
                cron,
                time_zone,
                path,
            } => Some(Schedule {
                job: job.clone(),
                cron: Cron::parse(cron)?,
                zone: time_zone.parse().ok()?,
                url: format!("{base_url}{path}"),
            }),
            _ => None,
        })
        .collect()
}

pub struct Scheduler {
    store: Arc<dyn DocumentStore>,
    schedules: Vec<Schedule>,
    issuer: Arc<TokenIssuer>,
    audience: String,
    account: String,
    http: reqwest::Client,
}

impl Scheduler {
    pub fn new(
        store: Arc<dyn DocumentStore>,
        schedules: Vec<Schedule>,
        issuer: Arc<TokenIssuer>,
        audience: &str,
        account: &str,
    ) -> Self {
        Self {
            store,
            schedules,
            issuer,
            audience: audience.into(),
            account: account.into(),
            http: reqwest::Client::new(),
        }
    }

    fn ticks(&self) -> TenantStore {
        TenantStore::new(self.store.clone(), TenantId::system())
    }

    /// Fires every tick due by `now`; returns how many fired.
    pub async fn round(&self, now: DateTime<Utc>) -> usize {
        let mut fired = 0;
        for schedule in &self.schedules {
            for _ in 0..CATCH_UP_PER_ROUND {
                match self.fire_next(schedule, now).await {
                    Ok(true) => fired += 1,
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(
                            job = schedule.job,
                            "scheduled call failed, will retry: {e}"
                        );
                        break;
                    }
                }
            }
        }
        fired
    }

    /// Fires the job's next due tick, if any.
    async fn fire_next(&self, schedule: &Schedule, now: DateTime<Utc>) -> Result<bool, String> {
        let ticks = self.ticks();
        let Some(doc) = ticks
            .get(TICKS, &schedule.job)
            .await
            .map_err(|e| e.to_string())?
        else {
            // First start: schedules run from now on, nothing before is made up.
            let start = now
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now);
            let fields = json!({"lastTick": domain::meta::format_timestamp(&start)})
                .as_object()
                .cloned()
                .unwrap_or_default();
            let create = Write::Create {
                collection: TICKS,
                id: schedule.job.clone(),
                fields,
            };
            ticks
                .commit(vec![create], now)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(false);
        };
        let last = doc.fields["lastTick"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or("the last tick is unreadable")?;
        let Some(tick) = schedule.cron.next_after(last, now, schedule.zone) else {
            return Ok(false);
        };
        self.call_fanout(schedule, tick).await?;
        let mut fields = doc.fields.clone();
        fields.insert(
            "lastTick".into(),
            json!(domain::meta::format_timestamp(&tick)),
        );
        let mark = Write::Update {
            collection: TICKS,
            id: schedule.job.clone(),
            expected_version: doc.meta.version,
            fields,
        };
        ticks
            .commit(vec![mark], now)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(job = schedule.job, tick = %tick, "scheduled run fired");
        Ok(true)
    }

    async fn call_fanout(&self, schedule: &Schedule, tick: DateTime<Utc>) -> Result<(), String> {
        let caller = FanoutCaller {
            issuer: &self.issuer,
            audience: &self.audience,
            account: &self.account,
        };
        caller
            .call_fanout(&self.http, schedule, tick, None)
            .await
            .map(drop)
    }

    /// Runs for as long as the process does, checking every `interval`.
    pub async fn run(self: Arc<Self>, interval: Duration) {
        loop {
            self.round(Utc::now()).await;
            tokio::time::sleep(interval).await;
        }
    }
}

/// Calls the fan-out as Cloud Scheduler does: signed as the scheduler's service account.
pub struct FanoutCaller<'a> {
    pub issuer: &'a TokenIssuer,
    pub audience: &'a str,
    pub account: &'a str,
}

impl FanoutCaller<'_> {
    /// POSTs `schedule`'s job for `tick` (to `tenant` only, if given); the fan-out's answer.
    pub async fn call_fanout(
        &self,
        http: &reqwest::Client,
        schedule: &Schedule,
        tick: DateTime<Utc>,
        tenant: Option<&TenantId>,
    ) -> Result<serde_json::Value, String> {
        let now = Utc::now().timestamp();
        let token = self.issuer.sign(&json!({
            "iss": self.issuer.issuer, "aud": self.audience, "sub": "local-scheduler",
            "email": self.account, "email_verified": true, "iat": now, "exp": now + 3600,
        }));
        let mut body = json!({ "job": schedule.job });
        if let Some(tenant) = tenant {
            body["tenant"] = json!(tenant.as_str());
        }
        let response = http
            .post(&schedule.url)
            .bearer_auth(token)
            .header("X-CloudScheduler-JobName", &schedule.job)
            .header(
                "X-CloudScheduler-ScheduleTime",
                domain::meta::format_timestamp(&tick),
            )
            .json(&body)
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
        } else {
            Err(format!("HTTP {status}: {text}"))
        }
    }
}
