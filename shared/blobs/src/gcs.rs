//! The Cloud Storage bucket, with the official `google-cloud-storage` crate: its
//! `SignedUrlBuilder` for the URLs browsers use, its `Storage` client for the objects the
//! functions write and the first bytes they read, and the JSON API for an object's metadata
//! and deletes (the crate's `StorageControl` is gRPC, which the emulator does not serve).
//!
//! In the cloud the function's service account signs through IAM `signBlob` (it needs the
//! Service Account Token Creator role on itself); against an emulator a [`SigningKey`]
//! signs locally and nobody is asked for a token.

use async_trait::async_trait;
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use google_cloud_storage::client::Storage;
use google_cloud_storage::model_ext::ReadRange;
use serde::Deserialize;

use crate::keys::SigningKey;
use crate::{BlobError, BlobStore, Crc32c, ObjectInfo, ObjectKey, UrlSigner};

const PUBLIC_ENDPOINT: &str = "https://storage.googleapis.com";

/// Where the bucket is and who signs for it.
#[derive(Clone, Debug)]
pub struct GcsConfig {
    pub bucket: String,
    /// An emulator's address (`http://127.0.0.1:4443`); `None` is Cloud Storage itself.
    pub emulator: Option<String>,
    /// Signs URLs locally; `None` signs as the environment's service account (IAM).
    pub signing_key: Option<SigningKey>,
}

impl GcsConfig {
    /// `CLEANOPS_BUCKET`, and `STORAGE_EMULATOR_HOST` for an emulator (whose URLs are signed
    /// with a key made at start, since an emulator has no IAM to sign with).
    pub fn from_env() -> Result<Option<Self>, BlobError> {
        let Some(bucket) = std::env::var("CLEANOPS_BUCKET")
            .ok()
            .filter(|b| !b.is_empty())
        else {
            return Ok(None);
        };
        let emulator = std::env::var("STORAGE_EMULATOR_HOST")
            .ok()
            .filter(|e| !e.is_empty())
            .map(|e| {
                if e.starts_with("http") {
                    e
                } else {
                    format!("http://{e}")
                }
            });
        let signing_key = match &emulator {
            Some(_) => Some(SigningKey::generate("emulator@cleanops.local")?),
            None => None,
        };
        Ok(Some(Self {
            bucket,
            emulator,
            signing_key,
        }))
    }
}

/// A bucket on Cloud Storage (or its emulator).
pub struct GcsBlobs {
    bucket: String,
    /// Where the JSON API and the signed URLs point.
    endpoint: String,
    storage: Storage,
    urls: UrlSigner,
    credentials: Credentials,
    http: reqwest::Client,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectResource {
    size: String,
    crc32c: String,
    #[serde(default)]
    content_type: String,
}

impl GcsBlobs {
    pub async fn connect(config: GcsConfig) -> Result<Self, BlobError> {
        let config_error = |e: &dyn std::fmt::Display| BlobError::Config(e.to_string());
        let (endpoint, credentials) = match &config.emulator {
            Some(emulator) => (
                emulator.trim_end_matches('/').to_owned(),
                google_cloud_auth::credentials::anonymous::Builder::new().build(),
            ),
            None => (
                PUBLIC_ENDPOINT.to_owned(),
                google_cloud_auth::credentials::Builder::default()
                    .build()
                    .map_err(|e| config_error(&e))?,
            ),
        };
        let signer = match &config.signing_key {
            Some(key) => key.signer()?,
            None => google_cloud_auth::credentials::Builder::default()
                .build_signer()
                .map_err(|e| config_error(&e))?,
        };
        let mut builder = Storage::builder().with_credentials(credentials.clone());
        if config.emulator.is_some() {
            builder = builder.with_endpoint(endpoint.clone());
        }
        let storage = builder.build().await.map_err(|e| config_error(&e))?;
        Ok(Self {
            urls: UrlSigner::new(signer, &endpoint, &config.bucket),
            bucket: config.bucket,
            endpoint,
            storage,
            credentials,
            http: reqwest::Client::new(),
        })
    }

    fn bucket_name(&self) -> String {
        format!("projects/_/buckets/{}", self.bucket)
    }

    /// The JSON API's URL of the object under `key`.
    fn object_url(&self, key: &ObjectKey) -> String {
        let object =
            percent_encoding::utf8_percent_encode(key.as_str(), percent_encoding::NON_ALPHANUMERIC);
        format!("{}/storage/v1/b/{}/o/{object}", self.endpoint, self.bucket)
    }

    async fn authorized(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, BlobError> {
        let headers = match self
            .credentials
            .headers(http::Extensions::new())
            .await
            .map_err(|e| BlobError::Store(format!("no credentials: {e}")))?
        {
            CacheableResource::New { data, .. } => data,
            CacheableResource::NotModified => http::HeaderMap::new(),
        };
        request
            .headers(headers)
            .send()
            .await
            .map_err(|e| BlobError::Store(e.to_string()))
    }
}

fn store_error(e: impl std::fmt::Display) -> BlobError {
    BlobError::Store(e.to_string())
}

#[async_trait]
impl BlobStore for GcsBlobs {
    fn urls(&self) -> &UrlSigner {
        &self.urls
    }

    async fn stat(&self, key: &ObjectKey) -> Result<Option<ObjectInfo>, BlobError> {
        let response = self.authorized(self.http.get(self.object_url(key))).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(BlobError::Store(format!(
                "reading {key}'s metadata answered {}",
                response.status()
            )));
        }
        let object: ObjectResource = response.json().await.map_err(store_error)?;
        Ok(Some(ObjectInfo {
            size: object.size.parse().map_err(store_error)?,
            crc32c: Crc32c::parse(&object.crc32c).map_err(BlobError::Store)?,
            content_type: object.content_type,
        }))
    }

    async fn read_head(&self, key: &ObjectKey, len: u64) -> Result<Vec<u8>, BlobError> {
        let mut response = self
            .storage
            .read_object(self.bucket_name(), key.as_str())
            .set_read_range(ReadRange::head(len))
            .send()
            .await
            .map_err(store_error)?;
        let mut head = Vec::new();
        while let Some(chunk) = response.next().await.transpose().map_err(store_error)? {
            head.extend_from_slice(&chunk);
        }
        // An emulator may ignore the range; the caller asked for `len` bytes at most.
        head.truncate(len as usize);
        Ok(head)
    }

    async fn put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ObjectInfo, BlobError> {
        let crc32c = Crc32c::of(&bytes);
        let size = bytes.len() as u64;
        self.storage
            .write_object(self.bucket_name(), key.as_str(), bytes::Bytes::from(bytes))
            .set_content_type(content_type)
            .send_buffered()
            .await
            .map_err(store_error)?;
        Ok(ObjectInfo {
            size,
            crc32c,
            content_type: content_type.to_owned(),
        })
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), BlobError> {
        let response = self
            .authorized(self.http.delete(self.object_url(key)))
            .await?;
        match response.status() {
            s if s.is_success() || s == reqwest::StatusCode::NOT_FOUND => Ok(()),
            s => Err(BlobError::Store(format!("deleting {key} answered {s}"))),
        }
    }
}
