//! The monthly billing job: on the 1st of each month at 04:00 in the tenant's zone, a draft
//! invoice for every contract that covered some of the month before, from its price lines
//! and what the month held at its sites (areas, work-loading, proof of service). Served by
//! the `billing-run` worker; a dispatcher's "bill this month now" enqueues it from `billing`.
//!
//! Cloud Scheduler ticks every hour of the 1st (UTC) through the fan-out; a tick before 04:00
//! in the tenant's zone does nothing, and a later one finds the month drafted. Each draft is
//! stored under `{contractId}-{YYYY-MM}`, so a re-run, a redelivery or a parallel delivery
//! never makes a second one: the store's commit refuses it. A run enqueued with a month
//! (`{"month": "2026-11"}`) bills that month at once, drafting only what is missing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Timelike};
use domain::Entity;
use domain::billing::draft::{month_before, monthly_draft};
use domain::billing::vat::{self, VatParties};
use domain::billing::{Contract, Customer, Invoice};
use domain::identity::TenantSettings;
use domain::store::{Filter, MAX_WRITES, Query, Write};
use domain::tours::Month;
use serde::{Deserialize, Serialize};

use crate::billing_facts as facts;
use crate::crud::{Stored, entity_fields};
use crate::push::PushJob;
use crate::{BackgroundJob, JobError};

/// The hour of the 1st, in the tenant's zone, from which the month before is billed.
pub const BILLING_HOUR: u32 = 4;

/// The job. A scheduled run names no month (it bills the one before the 1st it runs on); a
/// run enqueued for a month names it. The fan-out's own fields (job, tenant, scheduledFor)
/// are in the payload too, and read from the verified attributes instead.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BillingRun {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
}

/// The id of a contract's draft for a month: one per contract and month, ever.
pub fn draft_id(contract_id: &str, month: &Month) -> String {
    format!("{contract_id}-{month}")
}

/// The month a tick at local time `local` bills, if any: the one before, from 04:00 on the 1st.
pub fn month_due(local: chrono::NaiveDateTime) -> Option<Month> {
    (local.day() == 1 && local.hour() >= BILLING_HOUR).then(|| month_before(local.date()))
}

impl BackgroundJob for BillingRun {
    const NAME: &'static str = "billing";

    async fn run(self, run: &PushJob) -> Result<Vec<Write>, JobError> {
        let data = run.data();
        let settings = data
            .repo::<TenantSettings>()
            .find(TenantSettings::ID)
            .await?
            .ok_or_else(|| {
                JobError::Reject("the tenant has no settings: no zone to bill in".into())
            })?
            .entity;
        let month = match &self.month {
            Some(raw) => raw
                .parse::<Month>()
                .map_err(|e| JobError::Reject(format!("month {e}")))?,
            None => {
                let local = run
                    .message
                    .scheduled_for
                    .with_timezone(&settings.time_zone.0)
                    .naive_local();
                match month_due(local) {
                    Some(month) => month,
                    None => {
                        tracing::info!(%local, "not the 1st from 04:00 in the tenant's zone: nothing to bill");
                        return Ok(Vec::new());
                    }
                }
            }
        };
        bill(data, &settings, &month, run.message.scheduled_for).await
    }
}

/// Drafts `month` for every contract still without its draft: all drafts are committed but
/// the last chunk, which is returned to commit with the run's record.
pub async fn bill(
    data: &crate::TenantData,
    settings: &TenantSettings,
    month: &Month,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Write>, JobError> {
    let drafts = drafts_for(data, settings, month).await?;
    write_in_chunks(data, drafts, at).await
}

/// The drafts of `month` still missing, one per contract that covered some of it.
async fn drafts_for(
    data: &crate::TenantData,
    settings: &TenantSettings,
    month: &Month,
) -> Result<Vec<(String, Invoice)>, JobError> {
    let contracts: Vec<Stored<Contract>> = data
        .store()
        .query_all(Query::new(Contract::COLLECTION))
        .await?
        .into_iter()
        .map(Stored::from_document)
        .collect::<Result<_, _>>()?;
    let drafted: BTreeSet<String> = data
        .store()
        .query_all(Query::new(Invoice::COLLECTION).filter(Filter::eq("month", month.to_string())))
        .await?
        .into_iter()
        .map(|doc| doc.meta.id)
        .collect();
    let due: Vec<(Stored<Contract>, Month)> = contracts
        .into_iter()
        .filter(|c| !drafted.contains(&draft_id(&c.meta.id, month)))
        .filter_map(|c| {
            let (first, last) = c.entity.covered_days(month.first, month.last)?;
            Some((c, Month { first, last }))
        })
        .collect();
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let customers: BTreeMap<String, Stored<Customer>> = data
        .repo::<Customer>()
        .get_map(due.iter().map(|(c, _)| c.entity.customer_id.clone()))
        .await?;
    let seller_country = settings
        .billing
        .as_ref()
        .map_or(settings.country.as_str(), |b| {
            b.party.address.country.as_str()
        });
    let mut facts = facts::Facts::load(data).await?;
    let mut drafts = Vec::with_capacity(due.len());
    for (contract, covered) in &due {
        let Some(customer) = customers.get(&contract.entity.customer_id) else {
            tracing::warn!(contract = %contract.meta.id, "its customer is gone: not billed");
            continue;
        };
        let vat = vat::determine(VatParties {
            seller_country,
            buyer_country: &customer.entity.billing_address.country,
            buyer_vat_id: customer.entity.vat_id.as_deref(),
        })
        .map_err(|e| JobError::Reject(e.to_string()))?;
        let month_facts = facts.of(data, &contract.entity, covered).await?;
        if let Some(draft) = monthly_draft(
            &contract.meta.id,
            &contract.entity,
            &customer.entity,
            *month,
            &month_facts,
            vat,
        ) {
            drafts.push((draft_id(&contract.meta.id, month), draft));
        }
    }
    tracing::info!(month = %month, drafts = drafts.len(), "drafted");
    Ok(drafts)
}

/// Commits all drafts but the last chunk (a commit holds [`MAX_WRITES`]); the last chunk is
/// returned to be committed with the run's record. A chunk that meets a draft written
/// meanwhile fails whole, and the redelivery drafts what is still missing.
async fn write_in_chunks(
    data: &crate::TenantData,
    drafts: Vec<(String, Invoice)>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Write>, JobError> {
    let mut writes = drafts
        .into_iter()
        .map(|(id, draft)| {
            Ok(Write::Create {
                collection: Invoice::COLLECTION,
                id,
                fields: entity_fields(&draft)?,
            })
        })
        .collect::<Result<Vec<_>, crate::ApiError>>()?;
    // The run's record takes one place in the last commit.
    let chunk = MAX_WRITES - 1;
    while writes.len() > chunk {
        let rest = writes.split_off(chunk);
        data.store().commit(writes, at).await?;
        writes = rest;
    }
    Ok(writes)
}
