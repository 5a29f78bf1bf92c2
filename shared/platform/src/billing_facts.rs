//! What a contract's sites held over the days it covered: their areas' m², the minutes their
//! work-loading plans for the cleanings planned, and those cleanings done (proof of service).
//! Each site's days are read once per run, however many contracts cover it.

use std::collections::BTreeMap;

use crate::crud::Stored;
use crate::{JobError, TenantData};
use chrono::NaiveDate;
use domain::Entity;
use domain::billing::Contract;
use domain::billing::Decimal;
use domain::billing::draft::MonthFacts;
use domain::sites::{AreaType, AreaWorkload, Site};
use domain::store::Query;
use domain::tours::Month;

/// One site's sums over some days.
#[derive(Debug, Clone, Copy, Default)]
struct SiteFacts {
    sqm: f64,
    minutes: f64,
    planned: usize,
    done: usize,
}

/// The run's reader: the area types, and each site's days as read.
pub struct Facts {
    types: BTreeMap<String, AreaType>,
    sites: BTreeMap<(String, NaiveDate, NaiveDate), SiteFacts>,
}

impl Facts {
    pub async fn load(data: &TenantData) -> Result<Self, JobError> {
        let types = data
            .store()
            .query_all(Query::new(AreaType::COLLECTION))
            .await?
            .into_iter()
            .map(|doc| Stored::<AreaType>::from_document(doc).map(|t| (t.meta.id, t.entity)))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            types,
            sites: BTreeMap::new(),
        })
    }

    /// The facts of `contract` over `covered` (a month, or the part of it the contract ran).
    pub async fn of(
        &mut self,
        data: &TenantData,
        contract: &Contract,
        covered: &Month,
    ) -> Result<MonthFacts, JobError> {
        let mut sum = SiteFacts::default();
        for site_id in &contract.site_ids {
            let key = (site_id.to_string(), covered.first, covered.last);
            let site = match self.sites.get(&key) {
                Some(site) => *site,
                None => {
                    let site = self.read_site(data, site_id.as_str(), covered).await?;
                    self.sites.insert(key, site);
                    site
                }
            };
            sum.sqm += site.sqm;
            sum.minutes += site.minutes;
            sum.planned += site.planned;
            sum.done += site.done;
        }
        let exact = |x: f64| Decimal::from_f64(x, 2).unwrap_or(Decimal::ZERO);
        Ok(MonthFacts {
            area_sqm: exact(sum.sqm),
            planned_minutes: exact(sum.minutes),
            cleanings_planned: u32::try_from(sum.planned).unwrap_or(u32::MAX),
            cleanings_done: u32::try_from(sum.done).unwrap_or(u32::MAX),
        })
    }

    async fn read_site(
        &self,
        data: &TenantData,
        site_id: &str,
        covered: &Month,
    ) -> Result<SiteFacts, JobError> {
        let Some(site) = data.repo::<Site>().find(site_id).await? else {
            tracing::warn!(site = site_id, "a contract covers a site that is gone");
            return Ok(SiteFacts::default());
        };
        let month = crate::proof::site_month(data, &site, covered).await?;
        let mut facts = SiteFacts::default();
        for area in &month.areas {
            let entity = &area.area.entity;
            facts.sqm += entity.size_sqm;
            let planned = area.service.planned;
            facts.planned += planned;
            // Done beyond what was planned is not billed as planned work.
            facts.done += area.service.done.min(planned);
            if let Some(area_type) = self.types.get(entity.area_type_id.as_str()) {
                facts.minutes +=
                    AreaWorkload::of(entity, area_type).minutes_per_cleaning * planned as f64;
            }
        }
        Ok(facts)
    }
}
