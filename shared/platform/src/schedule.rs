//! Loads a site's schedule ([`domain::schedule::SiteSchedule`]) from the tenant's store: its
//! calendars and the closures that apply to it.

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

/// The schedules of `sites`, reading the closures once.
pub async fn load_all(data: &TenantData, sites: &[Stored<Site>]) -> ApiResult<Vec<SiteSchedule>> {
    let closures = closures(data).await?;
    let mut schedules = Vec::with_capacity(sites.len());
    for site in sites {
        schedules.push(load_with(data, site, closures.iter().cloned()).await?);
    }
    Ok(schedules)
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
