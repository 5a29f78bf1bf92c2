//! The `workload-report` worker: for the tenant of each pushed job, recomputes every site's
//! weekly workload and stores one dated report (`workloadReports/{YYYY-MM-DD}` of the run's
//! scheduled time), exactly once per scheduled run however often the message is delivered.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use chrono::{DateTime, Utc};
use domain::Entity;
use domain::sites::{Area, AreaType, Site, SiteWorkload, round2};
use domain::store::{Query, StoreResult, TenantStore, Write};
use platform::AppState;
use platform::crud::Stored;
use platform::push::{PushJob, PushOutcome};
use serde::Serialize;
use serde_json::Value;

/// Where reports are kept, one per day.
pub const REPORTS: &str = "workloadReports";
pub const PUSH_PATH: &str = "/push/workload-report";

pub fn router() -> Router<AppState> {
    Router::new().route(PUSH_PATH, post(handle))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteReport {
    pub site_id: String,
    pub site_name: String,
    #[serde(flatten)]
    pub workload: SiteWorkload,
}

/// The report of one run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadReport {
    pub date: String,
    pub scheduled_for: String,
    pub sites: Vec<SiteReport>,
    /// Sites whose areas refer to a missing area type: reported, not fatal.
    pub problems: Vec<String>,
    pub total_areas: usize,
    pub total_size_sqm: f64,
    pub total_minutes_per_week: f64,
    pub total_hours_per_week: f64,
}

/// Pure: the report from a tenant's sites, areas and area types.
pub fn build_report(
    scheduled_for: &DateTime<Utc>,
    sites: &[Stored<Site>],
    areas: &[Stored<Area>],
    area_types: &BTreeMap<String, AreaType>,
) -> WorkloadReport {
    let mut by_site: BTreeMap<&str, Vec<Area>> = BTreeMap::new();
    for area in areas {
        by_site
            .entry(area.entity.site_id.as_str())
            .or_default()
            .push(area.entity.clone());
    }
    let mut reports = Vec::new();
    let mut problems = Vec::new();
    for site in sites {
        let site_areas = by_site
            .get(site.meta.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        match SiteWorkload::compute(&site.meta.id, site_areas, area_types) {
            Ok(workload) => reports.push(SiteReport {
                site_id: site.meta.id.clone(),
                site_name: site.entity.name.clone(),
                workload,
            }),
            Err(problem) => problems.push(format!("site {}: {problem}", site.meta.id)),
        }
    }
    let minutes: f64 = reports.iter().map(|r| r.workload.minutes_per_week).sum();
    WorkloadReport {
        date: scheduled_for.format("%Y-%m-%d").to_string(),
        scheduled_for: domain::meta::format_timestamp(scheduled_for),
        total_areas: reports.iter().map(|r| r.workload.areas).sum(),
        total_size_sqm: round2(reports.iter().map(|r| r.workload.size_sqm).sum()),
        total_minutes_per_week: round2(minutes),
        total_hours_per_week: round2(minutes / 60.0),
        sites: reports,
        problems,
    }
}

async fn all<E: Entity>(store: &TenantStore) -> StoreResult<Vec<Stored<E>>> {
    let documents = store.query_all(Query::new(E::COLLECTION)).await?;
    // One unreadable document must not stop every report; it is logged and left out.
    Ok(documents
        .into_iter()
        .filter_map(|doc| {
            let id = doc.meta.id.clone();
            Stored::from_document(doc)
                .map_err(|e| {
                    tracing::warn!(
                        collection = E::COLLECTION,
                        id,
                        "left out of the report: {e}"
                    )
                })
                .ok()
        })
        .collect())
}

async fn handle(State(state): State<AppState>, job: PushJob) -> PushOutcome {
    let store = job.store();
    let loaded = async {
        let sites = all::<Site>(store).await?;
        let areas = all::<Area>(store).await?;
        let types = all::<AreaType>(store).await?;
        StoreResult::Ok((sites, areas, types))
    };
    let (sites, areas, types) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return PushOutcome::Retry(e.to_string()),
    };
    let area_types = types.into_iter().map(|t| (t.meta.id, t.entity)).collect();
    let report = build_report(&job.scheduled_for, &sites, &areas, &area_types);
    let Ok(Value::Object(fields)) = serde_json::to_value(&report) else {
        return job
            .reject("the report does not serialise", state.clock.now())
            .await;
    };
    // A report of the same day from an earlier run is replaced (at its version).
    let write = match store.get(REPORTS, &report.date).await {
        Ok(Some(existing)) => Write::Update {
            collection: REPORTS,
            id: report.date.clone(),
            expected_version: existing.meta.version,
            fields,
        },
        Ok(None) => Write::Create {
            collection: REPORTS,
            id: report.date.clone(),
            fields,
        },
        Err(e) => return PushOutcome::Retry(e.to_string()),
    };
    job.complete(vec![write], state.clock.now()).await
}
