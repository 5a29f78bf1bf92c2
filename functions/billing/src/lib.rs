//! The `billing` function, the economic entity's HTTP side: customers, contracts, and the
//! invoices the monthly run drafts (reviewed, issued with gapless numbers, paid, or
//! corrected by a credit note), each issued one readable as EN 16931 CII XML.
//!
//! # Layout
//! - this file: the router, customers and contracts (generic resources with their rules);
//! - [`invoices`]: the invoice collection and its actions (edit a draft, issue, pay, credit);
//! - [`pdf`]: an issued invoice as PDF/A-3 with its CII XML attached (Factur-X);
//! - [`filing`]: an issued invoice's PDF and XML kept as documents in the bucket.
//!
//! Who sees what: admins and dispatchers everything; a customer user her own customer, her
//! contracts and her issued invoices (never drafts); cleaners nothing (403).

pub mod filing;
pub mod invoices;
pub mod pdf;

use domain::Entity;
use domain::billing::{Contract, Customer, Invoice};
use domain::sites::Site;
use domain::store::{Filter, Query};
use platform::crud::still_at;
use platform::error::ApiResult;
use platform::http::FilterParam;
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};
use serde_json::Value;

/// The function's routes; the runtime adds auth, `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    Routes::new()
        .merge(resource::routes::<Customers>())
        .merge(resource::routes::<Contracts>())
        .merge(invoices::routes())
}

/// Billing is for the company's office and its customers, not for cleaners.
pub(crate) fn billing_scope(caller: &Caller, what: &str) -> ApiResult<()> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Customer], what)
}

struct Customers;
struct Contracts;

/// True if at least one document of `collection` matches `filter`.
async fn any(cx: &RequestContext, collection: &'static str, filter: Filter) -> ApiResult<bool> {
    let query = Query::new(collection).filter(filter).limit(1);
    Ok(!cx.store().query(&query).await?.documents.is_empty())
}

impl Resource for Customers {
    type Entity = Customer;
    const PATH: &'static str = "/v1/customers";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("number")];

    /// A customer user sees her own customer record.
    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        billing_scope(caller, "read customers")?;
        Ok(caller
            .customer_scope()
            .into_iter()
            .map(|(_, own)| ("number", own))
            .collect())
    }

    /// The number is the id: two customers with one number meet in the store's commit.
    fn natural_id(customer: &Customer) -> Option<String> {
        Some(customer.number.clone())
    }

    async fn prepare(
        customer: Customer,
        current: Option<&Customer>,
        _cx: &RequestContext,
    ) -> ApiResult<Customer> {
        if let Some(current) = current
            && current.number != customer.number
        {
            return Err(ApiError::field(
                "number",
                format!(
                    "is the customer's id and stays {}; create a new customer for a new number",
                    current.number
                ),
            ));
        }
        Ok(customer)
    }

    async fn before_delete(id: &str, cx: &RequestContext) -> ApiResult<()> {
        for (collection, what) in [
            (Site::COLLECTION, "sites"),
            (Contract::COLLECTION, "contracts"),
            (Invoice::COLLECTION, "invoices"),
        ] {
            if any(cx, collection, Filter::eq("customerId", id)).await? {
                return Err(ApiError::Conflict(format!(
                    "customer {id} still has {what}; they refer to it"
                )));
            }
        }
        Ok(())
    }
}

impl Resource for Contracts {
    type Entity = Contract;
    const PATH: &'static str = "/v1/contracts";
    const FILTERS: &'static [FilterParam] = &[FilterParam::id("customerId")];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        billing_scope(caller, "read contracts")?;
        Ok(caller.customer_scope())
    }

    /// Its customer exists, and every site it covers exists and is that customer's.
    async fn references(
        contract: &Contract,
        cx: &RequestContext,
    ) -> ApiResult<Vec<domain::store::Write>> {
        let mut errors = Vec::new();
        let customer = cx.repo::<Customer>().find(&contract.customer_id).await?;
        if customer.is_none() {
            errors.push(domain::FieldError {
                field: "customerId".into(),
                message: "no customer has this id".into(),
            });
        }
        let ids: Vec<String> = contract.site_ids.iter().map(|s| s.to_string()).collect();
        let sites = cx.repo::<Site>().get_map(ids.iter().cloned()).await?;
        for (i, id) in ids.iter().enumerate() {
            let message = match sites.get(id) {
                None => "no site has this id".to_owned(),
                Some(site) if site.entity.customer_id.as_deref() != Some(&contract.customer_id) => {
                    format!("is not a site of customer {}", contract.customer_id)
                }
                Some(_) if ids[..i].contains(id) => "is listed twice".to_owned(),
                Some(_) => continue,
            };
            errors.push(domain::FieldError {
                field: format!("siteIds[{i}]"),
                message,
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(domain::ValidationErrors(errors)));
        }
        let mut guards: Vec<_> = customer.iter().map(still_at).collect();
        guards.extend(sites.values().map(still_at));
        Ok(guards)
    }

    async fn before_delete(id: &str, cx: &RequestContext) -> ApiResult<()> {
        if any(cx, Invoice::COLLECTION, Filter::eq("contractId", id)).await? {
            return Err(ApiError::Conflict(format!(
                "contract {id} has invoices; end it (set its end date) instead"
            )));
        }
        Ok(())
    }
}

/// Whether `stored` is visible to the caller: a customer only sees what is hers.
pub(crate) fn sees(cx: &RequestContext, customer_id: &str) -> bool {
    cx.caller.sees_customer(Some(customer_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing the routes accept; the other queries are checked as the HTTP tests run.
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        let mut queries = resource::list_queries::<Customers>();
        queries.extend(resource::list_queries::<Contracts>());
        queries.extend(invoices::list_queries());
        store::indexes::assert_served(queries);
    }
}
