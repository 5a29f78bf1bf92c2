//! The `billing-run` worker: serves the monthly billing job ([`platform::billing_run`]) at
//! `/push/billing`, for each tenant the fan-out names and each run a dispatcher enqueues.

use platform::routes::Routes;

pub use platform::billing_run::{BillingRun, bill, draft_id, month_due};

pub fn router() -> Routes {
    platform::job::route::<BillingRun>()
}
