//! The tours in force over some days, and the absences over them: read by the tours
//! function (sheets, feeds, check-ins, uncovered stops) and by planning (plans, activation,
//! the comparison), the same way.

use chrono::NaiveDate;
use domain::Entity;
use domain::UserId;
use domain::planning::{Absence, Cleaner, OneOffJob, TravelModel};
use domain::store::{Direction, Filter, FilterOp, Query};
use domain::tours::Tour;
use domain::tours::TourSettings;

use crate::ApiError;
use crate::context::TenantData;
use crate::crud::Stored;
use crate::error::ApiResult;

/// The documents of `E` of one cleaner or of all whose `until` date field is `first` or
/// later (those not over before it), turned into entities: the cost follows what is in
/// force, not the tenant's history.
async fn not_over_before<E: Entity>(
    data: &TenantData,
    until: &'static str,
    first: NaiveDate,
    cleaner: Option<&str>,
) -> ApiResult<Vec<Stored<E>>> {
    let mut query = Query::new(E::COLLECTION);
    if let Some(cleaner) = cleaner {
        query = query.filter(Filter::eq("cleanerId", cleaner));
    }
    let query = query
        .filter(Filter::new(until, FilterOp::Ge, first.to_string()))
        .order_by(until, Direction::Asc);
    data.store()
        .query_all(query)
        .await?
        .into_iter()
        .map(Stored::from_document)
        .collect()
}

/// The tours in force on some day from `first` to `last`, of one cleaner or of all, oldest
/// first (read by their `inForceUntil`: `validTo`, or far ahead when open-ended).
pub async fn in_force(
    data: &TenantData,
    first: NaiveDate,
    last: NaiveDate,
    cleaner: Option<&str>,
) -> ApiResult<Vec<Stored<Tour>>> {
    let mut tours: Vec<Stored<Tour>> =
        not_over_before(data, "inForceUntil", first, cleaner).await?;
    tours.retain(|t| t.entity.overlaps(first, last));
    tours.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    Ok(tours)
}

/// The absences that meet some day from `first` to `last`, of one cleaner or of all.
pub async fn absences(
    data: &TenantData,
    first: NaiveDate,
    last: NaiveDate,
    cleaner: Option<&str>,
) -> ApiResult<Vec<Stored<Absence>>> {
    let mut absences: Vec<Stored<Absence>> = not_over_before(data, "to", first, cleaner).await?;
    absences.retain(|a| a.entity.overlaps(first, last));
    Ok(absences)
}

/// The one-off jobs dated `first` to `last`, of one site or of all, by date: the cost
/// follows the days asked for.
pub async fn one_off_jobs(
    data: &TenantData,
    first: NaiveDate,
    last: NaiveDate,
    site: Option<&str>,
) -> ApiResult<Vec<Stored<OneOffJob>>> {
    data.store()
        .query_all(one_off_jobs_query(first, last, site))
        .await?
        .into_iter()
        .map(Stored::from_document)
        .collect()
}

/// The query of [`one_off_jobs`] (its indexes are declared for it).
pub fn one_off_jobs_query(first: NaiveDate, last: NaiveDate, site: Option<&str>) -> Query {
    let mut query = Query::new(OneOffJob::COLLECTION);
    if let Some(site) = site {
        query = query.filter(Filter::eq("siteId", site));
    }
    query
        .filter(Filter::new("date", FilterOp::Ge, first.to_string()))
        .filter(Filter::new("date", FilterOp::Le, last.to_string()))
        .order_by("date", Direction::Asc)
}

/// The cleaner a write names in `cleanerId`, or a 422 naming the field: tours and absences
/// are for known cleaners only.
pub async fn known_cleaner(data: &TenantData, cleaner: &UserId) -> ApiResult<Stored<Cleaner>> {
    data.repo::<Cleaner>()
        .find(cleaner.as_str())
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "cleanerId",
                format!(
                    "no cleaner has the user id {} (create her at /v1/cleaners first)",
                    cleaner.as_str()
                ),
            )
        })
}

/// The tenant's travel model (its tour settings' `travel`, or the default): hand tours and
/// plans are timed alike.
pub async fn travel_model(data: &TenantData) -> ApiResult<TravelModel> {
    let settings = data.repo::<TourSettings>().find(TourSettings::ID).await?;
    Ok(settings.map(|s| s.entity.travel).unwrap_or_default())
}
