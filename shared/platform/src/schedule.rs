//! Loads sites' schedules ([`domain::schedule::SiteSchedule`]) from the tenant's store: each
//! site's calendars and the closures that apply to it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::calendars::{Calendar, Closure};
use domain::schedule::SiteSchedule;
use domain::sites::Site;
use domain::store::Filter;

use crate::context::TenantData;
use crate::crud::Stored;
use crate::error::ApiResult;

/// The tenant's closures, with their ids. Closures are few (holidays, shutdowns), so all are
/// read and each schedule keeps those of its site.
pub async fn closures(data: &TenantData) -> ApiResult<Vec<(String, Closure)>> {
    Ok(data
        .repo::<Closure>()
        .all_where(Vec::new())
        .await?
        .into_iter()
        .map(|c| (c.meta.id, c.entity))
        .collect())
}

/// The schedule of `site`.
pub async fn load(data: &TenantData, site: &Stored<Site>) -> ApiResult<SiteSchedule> {
    load_with(data, site, closures(data).await?).await
}

async fn load_with(
    data: &TenantData,
    site: &Stored<Site>,
    closures: impl IntoIterator<Item = (String, Closure)>,
) -> ApiResult<SiteSchedule> {
    let calendars = data
        .repo::<Calendar>()
        .all_where(vec![Filter::eq("siteId", site.meta.id.as_str())])
        .await?
        .into_iter()
        .map(|c| (c.meta.id, c.entity))
        .collect();
    Ok(SiteSchedule::new(
        site.meta.id.clone(),
        site.entity.time_zone.0,
        calendars,
        closures,
    ))
}

/// The schedules of the sites one request or job touches: the closures read once, each site's
/// calendars read once, and every schedule expanded once over the days asked about.
pub struct Schedules {
    from: NaiveDate,
    to: NaiveDate,
    closures: Option<Vec<(String, Closure)>>,
    by_site: BTreeMap<String, SiteSchedule>,
}

impl Schedules {
    /// Schedules expanded over `from..=to` (lookups outside it still work, expanding again).
    pub fn covering(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            from,
            to,
            closures: None,
            by_site: BTreeMap::new(),
        }
    }

    /// The schedule of `site`, loaded on first use.
    pub async fn of(&mut self, data: &TenantData, site: &Stored<Site>) -> ApiResult<&SiteSchedule> {
        if !self.by_site.contains_key(&site.meta.id) {
            let closures = match &self.closures {
                Some(closures) => closures.clone(),
                None => self.closures.insert(closures(data).await?).clone(),
            };
            let schedule = load_with(data, site, closures)
                .await?
                .covering(self.from, self.to)?;
            self.by_site.insert(site.meta.id.clone(), schedule);
        }
        Ok(&self.by_site[&site.meta.id])
    }
}
