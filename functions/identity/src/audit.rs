//! The audit log: a record per change to users, invitations, sessions and settings, written
//! in the commit of the change itself (so there is no change without its record, nor a
//! record of a change that failed). Admins read it at `GET /v1/audit`.

use domain::identity::{AuditAction, AuditRecord};
use domain::store::Write;
use platform::api;
use platform::crud::{entity_fields, new_id};
use platform::error::ApiResult;
use platform::http::{FilterParam, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{Caller, Role};
use serde::Serialize;
use serde_json::Value;

/// Who made a change, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub address: Option<String>,
}

impl Actor {
    pub fn of(caller: &Caller, address: &crate::ClientAddress) -> Self {
        Self {
            id: caller.user.to_string(),
            address: address.0.clone(),
        }
    }
}

/// The write of one audit record: `action` on `target_kind/target_id` by `actor`, with the
/// record's JSON before and after (secrets never reach here: hashes are left out by callers).
pub fn record(
    actor: &Actor,
    action: AuditAction,
    target_kind: &str,
    target_id: &str,
    before: Option<&impl Serialize>,
    after: Option<&impl Serialize>,
) -> ApiResult<Write> {
    fn json(v: Option<&impl Serialize>) -> ApiResult<Option<Value>> {
        v.map(serde_json::to_value)
            .transpose()
            .map_err(platform::ApiError::internal)
    }
    let record = AuditRecord {
        actor_id: actor.id.clone(),
        action,
        target_kind: target_kind.to_owned(),
        target_id: target_id.to_owned(),
        client_address: actor.address.clone(),
        before: json(before)?,
        after: json(after)?,
    };
    Ok(Write::Create {
        collection: <AuditRecord as domain::Entity>::COLLECTION,
        id: new_id(),
        fields: entity_fields(&record)?,
    })
}

/// Deletes `current` (at `version`) with its audit record, in one commit: an invitation or
/// an API key revoked.
pub async fn delete<E: domain::Entity>(
    cx: &platform::RequestContext,
    actor: &Actor,
    action: AuditAction,
    target_kind: &str,
    current: &platform::crud::Stored<E>,
    version: u64,
) -> ApiResult<axum::response::Response> {
    let id = current.meta.id.as_str();
    let writes = vec![
        Write::Delete {
            collection: E::COLLECTION,
            id: id.to_owned(),
            expected_version: Some(version),
        },
        record(
            actor,
            action,
            target_kind,
            id,
            Some(&current.entity),
            None::<&E>,
        )?,
    ];
    cx.store().commit(writes, cx.now()).await?;
    Ok(platform::crud::no_content())
}

struct Audit;

impl Resource for Audit {
    type Entity = AuditRecord;
    const PATH: &'static str = "/v1/audit";
    const FILTERS: &'static [FilterParam] = &[
        FilterParam::id("actorId"),
        FilterParam::id("targetId"),
        FilterParam::text("action"),
    ];
    /// Newest first (ids are UUIDv7).
    const ORDERS: &'static [Order] = &[Order::desc("id")];
    const WRITERS: &'static [Role] = &[];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&[Role::Admin], "read the audit log")?;
        Ok(Vec::new())
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            Audit::PATH,
            api::get(resource::list::<Audit>, resource::list_doc::<Audit>()),
        )
        .route(
            &format!("{}/{{id}}", Audit::PATH),
            api::get(resource::read::<Audit>, resource::read_doc::<Audit>()),
        )
}

pub fn list_queries() -> Vec<domain::store::Query> {
    resource::list_queries::<Audit>()
}
