//! The tenant registry, in the platform's own scope: which tenants exist and are active, so
//! per-tenant work (the fan-out) can page through them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::store::{
    Cursor, DocumentStore, Filter, Query, StoreError, StoreResult, TenantStore, Write,
};
use serde_json::json;

pub const TENANTS: &str = "tenants";

fn registry(store: &Arc<dyn DocumentStore>) -> TenantStore {
    TenantStore::new(store.clone(), TenantId::system())
}

/// Registers `tenant` as active (again, if it was deactivated). Safe to repeat.
pub async fn register(
    store: &Arc<dyn DocumentStore>,
    tenant: &TenantId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    set_active(store, tenant, true, at).await
}

pub async fn set_active(
    store: &Arc<dyn DocumentStore>,
    tenant: &TenantId,
    active: bool,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let registry = registry(store);
    let fields = json!({ "active": active })
        .as_object()
        .cloned()
        .unwrap_or_default();
    for _ in 0..5 {
        let write = match registry.get(TENANTS, tenant.as_str()).await? {
            Some(doc) if doc.fields.get("active") == Some(&json!(active)) => return Ok(()),
            Some(doc) => Write::Update {
                collection: TENANTS,
                id: tenant.to_string(),
                expected_version: doc.meta.version,
                fields: fields.clone(),
            },
            None => Write::Create {
                collection: TENANTS,
                id: tenant.to_string(),
                fields: fields.clone(),
            },
        };
        match registry.commit(vec![write], at).await {
            Err(e) if e.is_precondition_failure() => continue,
            other => return other.map(|_| ()),
        }
    }
    Err(StoreError::Unavailable(format!(
        "registering {tenant} kept losing races"
    )))
}

/// Whether `tenant` is registered and active.
pub async fn is_active(store: &Arc<dyn DocumentStore>, tenant: &TenantId) -> StoreResult<bool> {
    Ok(registry(store)
        .get(TENANTS, tenant.as_str())
        .await?
        .is_some_and(|doc| doc.fields.get("active") == Some(&json!(true))))
}

/// One page of active tenants in id order, and where the next page starts.
pub async fn active_page(
    store: &Arc<dyn DocumentStore>,
    after: Option<Cursor>,
    limit: usize,
) -> StoreResult<(Vec<TenantId>, Option<Cursor>)> {
    let query = Query::new(TENANTS)
        .filter(Filter::eq("active", true))
        .limit(limit)
        .start_after(after);
    let page = registry(store).query(&query).await?;
    let tenants = page
        .documents
        .iter()
        .filter_map(|doc| TenantId::parse_external(&doc.meta.id).ok())
        .collect();
    Ok((tenants, page.next))
}
