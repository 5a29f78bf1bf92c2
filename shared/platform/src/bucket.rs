//! The documents' bucket, handed out tenant-scoped: every key a function can name is under
//! `tenants/{its caller's tenant}/documents/`, so no request reaches another tenant's bytes.

use std::sync::Arc;
use std::time::Duration;

use blobs::{BlobError, BlobStore, Download, ObjectInfo, ObjectKey, SignedRequest, Upload};
use domain::TenantId;

use crate::error::ApiError;

impl From<BlobError> for ApiError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::Store(m) => ApiError::Unavailable(format!("the document store: {m}")),
            BlobError::Signing(_) | BlobError::Config(_) => ApiError::internal(e),
        }
    }
}

/// One tenant's documents in the bucket, by document id.
pub struct TenantBucket {
    store: Arc<dyn BlobStore>,
    tenant: TenantId,
}

impl TenantBucket {
    pub fn new(store: Arc<dyn BlobStore>, tenant: TenantId) -> Self {
        Self { store, tenant }
    }

    fn key(&self, document: &str) -> Result<ObjectKey, ApiError> {
        ObjectKey::document(self.tenant.as_str(), document)
            .map_err(|e| ApiError::internal(format!("document key for {document}: {e}")))
    }

    pub async fn upload_url(
        &self,
        document: &str,
        upload: &Upload,
        valid_for: Duration,
    ) -> Result<SignedRequest, ApiError> {
        Ok(self
            .store
            .upload_url(&self.key(document)?, upload, valid_for)
            .await?)
    }

    pub async fn download_url(
        &self,
        document: &str,
        download: &Download,
        valid_for: Duration,
    ) -> Result<SignedRequest, ApiError> {
        Ok(self
            .store
            .download_url(&self.key(document)?, download, valid_for)
            .await?)
    }

    pub async fn stat(&self, document: &str) -> Result<Option<ObjectInfo>, ApiError> {
        Ok(self.store.stat(&self.key(document)?).await?)
    }

    pub async fn read_head(&self, document: &str, len: u64) -> Result<Vec<u8>, ApiError> {
        Ok(self.store.read_head(&self.key(document)?, len).await?)
    }

    pub async fn put(
        &self,
        document: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ObjectInfo, ApiError> {
        Ok(self
            .store
            .put(&self.key(document)?, content_type, bytes)
            .await?)
    }

    pub async fn delete(&self, document: &str) -> Result<(), ApiError> {
        Ok(self.store.delete(&self.key(document)?).await?)
    }
}
