//! The way into a tenant's data. A handler extracts a [`RequestContext`] (the verified caller,
//! its tenant's [`TenantData`] and the runtime's services); a worker's job run and a verified
//! feed token hand out a [`TenantData`] of their own. Nothing else reaches the store, so a
//! handler cannot name another tenant's data.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use domain::store::TenantStore;
use domain::{Clock, Entity, TenantId};

use crate::auth::Caller;
use crate::crud::Repo;
use crate::error::ApiError;
use crate::runtime::AppState;
use crate::signing::Signer;

/// One tenant's data: its store, and the clock that stamps what is written.
#[derive(Clone)]
pub struct TenantData {
    store: TenantStore,
    clock: Arc<dyn Clock>,
}

impl TenantData {
    /// `tenant`'s data in the runtime's store.
    pub fn of(state: &AppState, tenant: TenantId) -> Self {
        Self {
            store: TenantStore::new(state.store.clone(), tenant),
            clock: state.clock.clone(),
        }
    }

    /// Typed access to one entity kind's collection.
    pub fn repo<E: Entity>(&self) -> Repo<'_, E> {
        Repo::new(&self.store, &*self.clock)
    }

    /// The raw store, for collections without an entity type (job runs, reports) and for
    /// queries that are not a listing.
    pub fn store(&self) -> &TenantStore {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// One request: who calls (from the verified token), the caller's tenant's data, and what the
/// runtime holds. The extractor every authenticated handler takes.
pub struct RequestContext {
    pub caller: Caller,
    data: TenantData,
    state: AppState,
}

impl RequestContext {
    pub fn data(&self) -> &TenantData {
        &self.data
    }

    pub fn repo<E: Entity>(&self) -> Repo<'_, E> {
        self.data.repo()
    }

    pub fn store(&self) -> &TenantStore {
        self.data.store()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.data.now()
    }

    /// The platform's own scope (the tenant registry, identity's accounts and API key
    /// credentials): never another tenant's data.
    pub fn platform_scope(&self) -> TenantStore {
        TenantStore::new(self.state.store.clone(), TenantId::system())
    }

    /// Hands one run of `job` about `subject` to its worker, for the caller's tenant.
    pub async fn enqueue<J: crate::BackgroundJob + serde::Serialize>(
        &self,
        job: &J,
        subject: &str,
    ) -> Result<(), ApiError> {
        crate::job::enqueue(
            self.state.publisher.as_deref(),
            &self.caller.tenant,
            job,
            subject,
            self.now(),
        )
        .await
    }

    /// Raises `event` for the caller's tenant (see [`crate::notify`]).
    pub async fn notify(&self, event: &domain::notifications::NotificationEvent) {
        crate::notify::publish(
            self.state.publisher.as_deref(),
            &self.caller.tenant,
            event,
            self.now(),
        )
        .await;
    }

    /// The signer of check-in codes and feed tokens, or a 500 (logged) if this function was
    /// deployed without its key.
    pub fn signer(&self) -> Result<&Signer, ApiError> {
        self.state.signer()
    }

    /// The caller's tenant's documents in the bucket, or a 500 (logged) if this function was
    /// deployed without the bucket.
    pub fn bucket(&self) -> Result<crate::bucket::TenantBucket, ApiError> {
        let store = self.state.blobs.clone().ok_or_else(|| {
            ApiError::internal("no bucket: set documents in the function's catalog entry")
        })?;
        Ok(crate::bucket::TenantBucket::new(
            store,
            self.caller.tenant.clone(),
        ))
    }
}

impl<S> FromRequestParts<S> for RequestContext
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let state = AppState::from_ref(state);
        Ok(Self {
            data: TenantData::of(&state, caller.tenant.clone()),
            caller,
            state,
        })
    }
}
