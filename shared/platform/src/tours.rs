//! The tours in force over some days, and the absences over them: read by the tours
//! function (sheets, feeds, check-ins, uncovered stops) and by planning (plans, activation,
//! the comparison), the same way.

use chrono::NaiveDate;
use domain::Entity;
use domain::UserId;
use domain::planning::{Absence, Cleaner, TravelModel};
use domain::store::{Direction, Filter, FilterOp, Query};
use domain::tours::Tour;
use domain::tours::TourSettings;

use crate::ApiError;
use crate::context::TenantData;
use crate::crud::Stored;
use crate::error::ApiResult;

/// The tours in force on some day from `first` to `last`, of one cleaner or of all, oldest
/// first. Only tours that have not ended before `first` are read (the open-ended ones and
/// those ending later), so the cost follows what is in force, not the tenant's history.
pub async fn in_force(
    data: &TenantData,
    first: NaiveDate,
    last: NaiveDate,
    cleaner: Option<&str>,
) -> ApiResult<Vec<Stored<Tour>>> {
    let base = || {
        let query = Query::new(Tour::COLLECTION);
        match cleaner {
            Some(cleaner) => query.filter(Filter::eq("cleanerId", cleaner)),
            None => query,
        }
    };
    let query = base()
        .filter(Filter::new("inForceUntil", FilterOp::Ge, first.to_string()))
        .order_by("inForceUntil", Direction::Asc);
    let mut tours = Vec::new();
    for doc in data.store().query_all(query).await? {
        let tour: Stored<Tour> = Stored::from_document(doc)?;
        if tour.entity.overlaps(first, last) {
            tours.push(tour);
        }
    }
    tours.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    Ok(tours)
}

/// The absences that meet some day from `first` to `last`, of one cleaner or of all. As
/// with tours, only those not over before `first` are read.
pub async fn absences(
    data: &TenantData,
    first: NaiveDate,
    last: NaiveDate,
    cleaner: Option<&str>,
) -> ApiResult<Vec<Stored<Absence>>> {
    let mut query = Query::new(Absence::COLLECTION);
    if let Some(cleaner) = cleaner {
        query = query.filter(Filter::eq("cleanerId", cleaner));
    }
    let query = query
        .filter(Filter::new("to", FilterOp::Ge, first.to_string()))
        .order_by("to", Direction::Asc);
    let mut absences = Vec::new();
    for doc in data.store().query_all(query).await? {
        let absence: Stored<Absence> = Stored::from_document(doc)?;
        if absence.entity.overlaps(first, last) {
            absences.push(absence);
        }
    }
    Ok(absences)
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
