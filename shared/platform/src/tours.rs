//! The tours in force over some days: read by the tours function (sheets, feeds, check-ins)
//! and by planning (activation and the plan's comparison), the same way.

use chrono::NaiveDate;
use domain::Entity;
use domain::store::{Direction, Filter, FilterOp, Query};
use domain::tours::Tour;

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
