//! The `workload-report` worker: for the tenant of each pushed job, recomputes every site's
//! weekly workload ([`domain::sites::WorkloadReport`]) and stores one dated report
//! (`workloadReports/{YYYY-MM-DD}` of the run's scheduled time), exactly once per scheduled
//! run however often the message is delivered.

use std::collections::BTreeMap;

use domain::Entity;
use domain::sites::{Area, AreaType, Site, WorkloadReport};
use domain::store::{Query, Write};
use platform::crud::{Stored, entity_fields};
use platform::push::PushJob;
use platform::routes::Routes;
use platform::{BackgroundJob, JobError, TenantData};
use serde::Deserialize;

/// Where reports are kept, one per day.
pub const REPORTS: &str = "workloadReports";

pub fn router() -> Routes {
    platform::job::route::<WorkloadReportJob>()
}

/// The job: its payload carries nothing the verified message does not already say.
#[derive(Debug, Deserialize)]
pub struct WorkloadReportJob {}

impl BackgroundJob for WorkloadReportJob {
    const NAME: &'static str = "workload-report";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        let data = run.data();
        let sites = readable::<Site>(data)
            .await?
            .into_iter()
            .map(|s| (s.meta.id, s.entity))
            .collect::<Vec<_>>();
        let areas = readable::<Area>(data)
            .await?
            .into_iter()
            .map(|a| a.entity)
            .collect::<Vec<_>>();
        let types: BTreeMap<String, AreaType> = readable::<AreaType>(data)
            .await?
            .into_iter()
            .map(|t| (t.meta.id, t.entity))
            .collect();
        let report = WorkloadReport::build(&run.message.scheduled_for, &sites, &areas, &types);
        // A report of the same day from an earlier run is replaced (at its version).
        let current = data.store().get(REPORTS, &report.date).await?;
        Ok(vec![Write::upsert(
            REPORTS,
            report.date.clone(),
            current.as_ref().map(|d| &d.meta),
            entity_fields(&report)?,
        )])
    }
}

/// Every entity of a kind; one unreadable document must not stop every report, so it is
/// logged and left out.
async fn readable<E: Entity>(data: &TenantData) -> Result<Vec<Stored<E>>, JobError> {
    let documents = data.store().query_all(Query::new(E::COLLECTION)).await?;
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
