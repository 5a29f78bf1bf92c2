//! What a document belongs to: the linked entity must exist (and, for a cleaner, be one of
//! her own visits); from it follow the site, customer and contract the document concerns,
//! which the listings filter on and the customer's view is scoped by.

use domain::Entity;
use domain::billing::{Contract, Invoice};
use domain::documents::{Document, Link, LinkKind};
use domain::sites::Site;
use domain::store::Write;
use domain::tours::{Inspection, Visit};
use platform::crud::{Stored, still_at};
use platform::error::ApiResult;
use platform::{ApiError, RequestContext, Role};

/// The ids a document's link leads to.
#[derive(Default)]
pub struct Concerns {
    site_id: Option<String>,
    customer_id: Option<String>,
    contract_id: Option<String>,
    visit_id: Option<String>,
    inspection_id: Option<String>,
    invoice_id: Option<String>,
}

impl Concerns {
    pub fn apply(self, document: &mut Document) {
        document.site_id = self.site_id;
        document.customer_id = self.customer_id;
        document.contract_id = self.contract_id;
        document.visit_id = self.visit_id;
        document.inspection_id = self.inspection_id;
        document.invoice_id = self.invoice_id;
    }
}

fn no_such(kind: LinkKind) -> ApiError {
    ApiError::field("linkedTo.id", format!("no {} has this id", kind.as_str()))
}

/// The linked entity `id` of `kind`, or a 422 naming `linkedTo.id`.
async fn linked<E: Entity>(cx: &RequestContext, kind: LinkKind, id: &str) -> ApiResult<Stored<E>> {
    cx.repo::<E>().find(id).await?.ok_or_else(|| no_such(kind))
}

/// Resolves `link` for the caller, with guards that the entities read are still there when
/// the document is created.
pub async fn resolve(link: &Link, cx: &RequestContext) -> ApiResult<(Concerns, Vec<Write>)> {
    if cx.caller.role == Role::Cleaner && link.kind != LinkKind::Visit {
        return Err(ApiError::Forbidden(
            "a cleaner adds photos to her own visits only".into(),
        ));
    }
    let id = link.id.as_str();
    let mut concerns = Concerns::default();
    let mut guards = Vec::new();
    let site_id = match link.kind {
        LinkKind::Site => Some(id.to_owned()),
        LinkKind::Contract => {
            let contract: Stored<Contract> = linked(cx, link.kind, id).await?;
            concerns.contract_id = Some(id.to_owned());
            concerns.customer_id = Some(contract.entity.customer_id.clone());
            guards.push(still_at(&contract));
            None
        }
        LinkKind::Visit => {
            let visit: Stored<Visit> = linked(cx, link.kind, id).await?;
            // A cleaner's own visits only; another's is as unknown to her as a missing one.
            if cx.caller.role == Role::Cleaner && visit.entity.cleaner_id != cx.caller.user {
                return Err(no_such(link.kind));
            }
            concerns.visit_id = Some(id.to_owned());
            guards.push(still_at(&visit));
            Some(visit.entity.site_id.to_string())
        }
        LinkKind::Inspection => {
            let inspection: Stored<Inspection> = linked(cx, link.kind, id).await?;
            concerns.inspection_id = Some(id.to_owned());
            guards.push(still_at(&inspection));
            Some(inspection.entity.site_id.to_string())
        }
        LinkKind::Invoice => {
            let invoice: Stored<Invoice> = linked(cx, link.kind, id).await?;
            concerns.invoice_id = Some(id.to_owned());
            concerns.customer_id = Some(invoice.entity.customer_id.clone());
            concerns.contract_id = invoice.entity.contract_id.clone();
            guards.push(still_at(&invoice));
            None
        }
    };
    if let Some(site_id) = site_id {
        let site = cx.repo::<Site>().find(&site_id).await?;
        let site = match (site, link.kind) {
            (Some(site), _) => site,
            (None, LinkKind::Site) => return Err(no_such(LinkKind::Site)),
            // A visit or inspection whose site was deleted since: nothing to file it under.
            (None, _) => {
                return Err(ApiError::Conflict(format!(
                    "the {} {id} belongs to a site that no longer exists",
                    link.kind.as_str()
                )));
            }
        };
        concerns.customer_id = site.entity.customer_id.clone();
        concerns.site_id = Some(site_id);
        guards.push(still_at(&site));
    }
    Ok((concerns, guards))
}
