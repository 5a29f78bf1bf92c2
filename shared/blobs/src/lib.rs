//! Where documents' bytes live: a bucket that browsers reach through V4 signed URLs, so a
//! photo or a PDF never passes through a function.
//!
//! Two stores answer one trait, [`BlobStore`]:
//! - [`gcs::GcsBlobs`]: Cloud Storage, with the official `google-cloud-storage` crate (signed
//!   URLs, uploads, ranged reads) and the JSON API for what its HTTP client lacks (an object's
//!   metadata, deletes; `StorageControl` is gRPC, which the emulator does not serve).
//! - [`disk::DiskBlobs`]: the local cloud's data dir, behind the same signed-URL flow; the
//!   local cloud serves its URLs with [`disk::router`], which checks every signature.
//!
//! Both sign with the crate's `SignedUrlBuilder`; [`v4`] checks such a signature the way
//! Cloud Storage does (the local store's server and the tests use it).
//!
//! # Layout
//! - this file: the trait, object keys, what an upload promises, checksums;
//! - [`v4`]: V4 signatures (GOOG4-RSA-SHA256) checked: canonical request, expiry, signer;
//! - [`keys`]: signing keys as service-account JSON, and their public halves;
//! - [`disk`]: the local store and its HTTP side; [`gcs`]: the Cloud Storage store;
//! - `testing` (feature `testing`): fake-gcs-server per test, a served local store, checks.

pub mod disk;
pub mod gcs;
pub mod keys;
#[cfg(feature = "testing")]
pub mod testing;
pub mod v4;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Everything that can go wrong reaching the bytes; the HTTP layer logs it and answers 500
/// (or 503 for an unreachable store).
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("cannot sign a URL: {0}")]
    Signing(String),
    #[error("the blob store failed: {0}")]
    Store(String),
    #[error("blob store configuration: {0}")]
    Config(String),
}

/// An object's name in the bucket: `tenants/{tenant}/documents/{id}`-like, segments of
/// letters, digits, `.`, `_` and `-` only. No client-chosen text ever gets into a key, so a
/// key can be neither a path outside the store's directory nor another tenant's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub const MAX_LEN: usize = 512;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(format!("must have 1 to {} characters", Self::MAX_LEN));
        }
        for segment in raw.split('/') {
            let plain = segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if segment.is_empty() || segment == "." || segment == ".." || !plain {
                return Err(format!("has an invalid segment {segment:?}"));
            }
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key of a tenant's document: `tenants/{tenant}/documents/{document}`.
    pub fn document(tenant: &str, document: &str) -> Result<Self, String> {
        Self::parse(&format!("tenants/{tenant}/documents/{document}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A CRC32C checksum (Castagnoli), written as Cloud Storage writes it: the big-endian bytes
/// in base64 (`"mnG7TA=="`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crc32c(pub u32);

impl Crc32c {
    pub fn of(bytes: &[u8]) -> Self {
        Self(crc32c::crc32c(bytes))
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = BASE64
            .decode(raw)
            .map_err(|_| "must be base64 (4 bytes, big-endian, as Cloud Storage writes it)")?;
        let bytes: [u8; 4] = bytes
            .try_into()
            .map_err(|_| "must be 4 bytes in base64 (8 characters with padding)")?;
        Ok(Self(u32::from_be_bytes(bytes)))
    }
}

impl fmt::Display for Crc32c {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&BASE64.encode(self.0.to_be_bytes()))
    }
}

/// What an upload promises: the store refuses bytes of another type or checksum.
#[derive(Clone, Debug)]
pub struct Upload {
    pub content_type: String,
    pub crc32c: Crc32c,
}

/// How a download presents itself to the browser.
#[derive(Clone, Debug)]
pub struct Download {
    /// The name the browser saves it under.
    pub file_name: String,
    /// Shown in the page (`inline`) or saved (`attachment`).
    pub attachment: bool,
}

impl Download {
    /// The `Content-Disposition` Cloud Storage answers with (`response-content-disposition`):
    /// an ASCII fallback name and the exact one in RFC 5987 form.
    pub fn content_disposition(&self) -> String {
        let kind = if self.attachment {
            "attachment"
        } else {
            "inline"
        };
        let ascii: String = self
            .file_name
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let exact = percent_encoding::utf8_percent_encode(&self.file_name, RFC5987);
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
    }
}

/// RFC 5987's attr-char: everything else is percent-encoded.
const RFC5987: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// A request the holder may make without credentials until `expires_at`: the method, the
/// signed URL, and the headers it must send exactly as given (they are signed).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SignedRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// What the store holds under a key.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectInfo {
    pub size: u64,
    pub crc32c: Crc32c,
    pub content_type: String,
}

/// A bucket of objects under keys, reached by signed URLs.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Who signs this store's URLs, and for which endpoint and bucket.
    fn urls(&self) -> &UrlSigner;

    /// A signed `PUT` that stores exactly the promised bytes under `key`.
    async fn upload_url(
        &self,
        key: &ObjectKey,
        upload: &Upload,
        valid_for: Duration,
    ) -> Result<SignedRequest, BlobError> {
        self.urls().upload(key, upload, valid_for).await
    }

    /// A signed `GET` of the object under `key`.
    async fn download_url(
        &self,
        key: &ObjectKey,
        download: &Download,
        valid_for: Duration,
    ) -> Result<SignedRequest, BlobError> {
        self.urls().download(key, download, valid_for).await
    }

    /// The object's size, checksum and type, or `None` if nothing is stored under `key`.
    async fn stat(&self, key: &ObjectKey) -> Result<Option<ObjectInfo>, BlobError>;

    /// The object's first `len` bytes (fewer if it is shorter): enough to tell a PDF from a
    /// JPEG by its signature.
    async fn read_head(&self, key: &ObjectKey, len: u64) -> Result<Vec<u8>, BlobError>;

    /// Stores `bytes` under `key` (documents the functions write themselves).
    async fn put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ObjectInfo, BlobError>;

    /// Removes the object; a key with nothing under it is no error (deletes are retried).
    async fn delete(&self, key: &ObjectKey) -> Result<(), BlobError>;
}

/// Signs URLs for the objects of one bucket at one endpoint, with the crate's V4 builder.
pub struct UrlSigner {
    signer: google_cloud_auth::signer::Signer,
    endpoint: String,
    bucket: String,
}

impl UrlSigner {
    fn new(signer: google_cloud_auth::signer::Signer, endpoint: &str, bucket: &str) -> Self {
        Self {
            signer,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            bucket: bucket.to_owned(),
        }
    }

    /// A `PUT` of exactly the promised bytes: their type, and their checksum, which the
    /// store checks against the bytes it receives (`x-goog-hash`), are signed headers.
    async fn upload(
        &self,
        key: &ObjectKey,
        upload: &Upload,
        valid_for: Duration,
    ) -> Result<SignedRequest, BlobError> {
        let headers = BTreeMap::from([
            ("content-type".to_owned(), upload.content_type.clone()),
            (
                "x-goog-hash".to_owned(),
                format!("crc32c={}", upload.crc32c),
            ),
        ]);
        self.sign(key, http::Method::PUT, headers, None, valid_for)
            .await
    }

    /// A `GET` answered with the download's `Content-Disposition`.
    async fn download(
        &self,
        key: &ObjectKey,
        download: &Download,
        valid_for: Duration,
    ) -> Result<SignedRequest, BlobError> {
        let disposition = (
            "response-content-disposition",
            download.content_disposition(),
        );
        self.sign(
            key,
            http::Method::GET,
            BTreeMap::new(),
            Some(disposition),
            valid_for,
        )
        .await
    }

    async fn sign(
        &self,
        key: &ObjectKey,
        method: http::Method,
        headers: BTreeMap<String, String>,
        query: Option<(&str, String)>,
        valid_for: Duration,
    ) -> Result<SignedRequest, BlobError> {
        use google_cloud_storage::builder::storage::SignedUrlBuilder;
        let signed_at = Utc::now();
        let mut builder = SignedUrlBuilder::for_object(
            format!("projects/_/buckets/{}", self.bucket),
            key.as_str(),
        )
        .with_method(method.clone())
        .with_expiration(valid_for)
        .with_endpoint(self.endpoint.clone());
        for (name, value) in &headers {
            builder = builder.with_header(name.clone(), value.clone());
        }
        if let Some((name, value)) = query {
            builder = builder.with_query_param(name, value);
        }
        let url = builder
            .sign_with(&self.signer)
            .await
            .map_err(|e| BlobError::Signing(e.to_string()))?;
        // The builder stamps the URL with whole seconds; the expiry said is the URL's.
        let stamped =
            signed_at - chrono::Duration::nanoseconds(signed_at.timestamp_subsec_nanos().into());
        Ok(SignedRequest {
            method: method.to_string(),
            url,
            headers,
            expires_at: stamped + chrono::Duration::from_std(valid_for).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_plain_segments() {
        assert!(ObjectKey::document("t-1", "0190abcd").is_ok());
        for bad in ["", "a//b", "../x", "a/../b", "a/./b", "a/b c", "a/ü", "/a"] {
            assert!(ObjectKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn crc32c_reads_as_cloud_storage_writes_it() {
        // fake-gcs-server and Cloud Storage both answer "mnG7TA==" for "hello".
        assert_eq!(Crc32c::of(b"hello").to_string(), "mnG7TA==");
        assert_eq!(Crc32c::parse("mnG7TA==").unwrap(), Crc32c::of(b"hello"));
        assert!(Crc32c::parse("mnG7TA").is_err());
        assert!(Crc32c::parse("AAAAAAAA").is_err());
    }

    #[test]
    fn a_download_names_its_file_in_ascii_and_exactly() {
        let download = Download {
            file_name: "Übergabe \"Büro\".pdf".into(),
            attachment: true,
        };
        assert_eq!(
            download.content_disposition(),
            "attachment; filename=\"_bergabe _B_ro_.pdf\"; \
             filename*=UTF-8''%C3%9Cbergabe%20%22B%C3%BCro%22.pdf"
        );
    }
}
