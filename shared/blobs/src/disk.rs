//! The local cloud's bucket: objects as files under its data dir, reached by the same V4
//! signed URLs as Cloud Storage, which [`router`] serves after checking each signature.
//!
//! On disk: `objects/{key}` holds the bytes, `meta/{key}.json` their type and checksum, and
//! `signing-key.json` the key the URLs are signed with (kept, so URLs outlive a restart).
//! A write goes to `tmp/` first and is renamed into place: a reader never sees half a file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::UrlSigner;
use crate::keys::{PublicKey, SigningKey};
use crate::v4::{self, Presented};
use crate::{BlobError, BlobStore, Crc32c, ObjectInfo, ObjectKey};

/// The bucket's name, and the first segment of every URL path the local cloud serves it at.
pub const BUCKET: &str = "blobs";
/// The largest object the local store takes in one request.
pub const MAX_OBJECT_BYTES: usize = 64 * 1024 * 1024;
/// Who the local store's URLs are signed by.
const CLIENT_EMAIL: &str = "blobs@cleanops.local";

/// What time it is, for expiry checks (tests move it).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Blobs in a directory, handed out by signed URLs under `endpoint`.
pub struct DiskBlobs {
    root: PathBuf,
    urls: UrlSigner,
    public_key: PublicKey,
    now: Now,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    size: u64,
    crc32c: String,
    content_type: String,
}

impl DiskBlobs {
    /// Opens (or makes) the store in `root`; its URLs start with `endpoint`, the local
    /// cloud's address (`http://127.0.0.1:8080`), and their paths with `/blobs/`.
    pub fn open(root: &Path, endpoint: &str) -> Result<Self, BlobError> {
        let io = |e: std::io::Error| BlobError::Config(format!("{}: {e}", root.display()));
        std::fs::create_dir_all(root.join("tmp")).map_err(io)?;
        let key_path = root.join("signing-key.json");
        let key = match std::fs::read(&key_path) {
            Ok(raw) => {
                let json = serde_json::from_slice(&raw)
                    .map_err(|e| BlobError::Config(format!("{}: {e}", key_path.display())))?;
                SigningKey::from_service_account(&json)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SigningKey::generate(CLIENT_EMAIL)?;
                let json = serde_json::to_vec_pretty(&key.service_account())
                    .map_err(|e| BlobError::Config(e.to_string()))?;
                write_atomically(root, &key_path, &json).map_err(io)?;
                key
            }
            Err(e) => return Err(io(e)),
        };
        Self::open_with_key(root, endpoint, &key)
    }

    /// Opens the store in `root` signing with `key` (tests share one key: making an RSA key
    /// for every test's store costs more than the test).
    pub fn open_with_key(root: &Path, endpoint: &str, key: &SigningKey) -> Result<Self, BlobError> {
        let io = |e: std::io::Error| BlobError::Config(format!("{}: {e}", root.display()));
        for dir in ["objects", "meta", "tmp"] {
            std::fs::create_dir_all(root.join(dir)).map_err(io)?;
        }
        Ok(Self {
            root: root.to_owned(),
            urls: UrlSigner::new(key.signer()?, endpoint, BUCKET),
            public_key: key.public_key()?,
            now: Arc::new(Utc::now),
        })
    }

    /// The same store with another clock for its expiry checks.
    pub fn with_clock(mut self, now: Now) -> Self {
        self.now = now;
        self
    }

    /// The key that checks this store's URLs.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn object_path(&self, key: &ObjectKey) -> PathBuf {
        self.root.join("objects").join(key.as_str())
    }

    fn meta_path(&self, key: &ObjectKey) -> PathBuf {
        self.root
            .join("meta")
            .join(format!("{}.json", key.as_str()))
    }

    fn read_meta(&self, key: &ObjectKey) -> Result<Option<ObjectInfo>, BlobError> {
        let raw = match std::fs::read(self.meta_path(key)) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(store_error(e)),
        };
        let meta: Meta =
            serde_json::from_slice(&raw).map_err(|e| BlobError::Store(e.to_string()))?;
        Ok(Some(ObjectInfo {
            size: meta.size,
            crc32c: Crc32c::parse(&meta.crc32c).map_err(BlobError::Store)?,
            content_type: meta.content_type,
        }))
    }

    /// Writes the bytes, then their metadata: an object is there once its metadata is.
    fn write(
        &self,
        key: &ObjectKey,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<ObjectInfo, BlobError> {
        let info = ObjectInfo {
            size: bytes.len() as u64,
            crc32c: Crc32c::of(bytes),
            content_type: content_type.to_owned(),
        };
        let meta = serde_json::to_vec(&Meta {
            size: info.size,
            crc32c: info.crc32c.to_string(),
            content_type: info.content_type.clone(),
        })
        .map_err(|e| BlobError::Store(e.to_string()))?;
        write_atomically(&self.root, &self.object_path(key), bytes).map_err(store_error)?;
        write_atomically(&self.root, &self.meta_path(key), &meta).map_err(store_error)?;
        Ok(info)
    }
}

fn store_error(e: std::io::Error) -> BlobError {
    BlobError::Store(e.to_string())
}

/// Writes `bytes` to `path` through a temporary file in `root/tmp`, then renames it.
fn write_atomically(root: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = root.join("tmp").join(uuid::Uuid::new_v4().to_string());
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[async_trait]
impl BlobStore for DiskBlobs {
    fn urls(&self) -> &UrlSigner {
        &self.urls
    }

    async fn stat(&self, key: &ObjectKey) -> Result<Option<ObjectInfo>, BlobError> {
        self.read_meta(key)
    }

    async fn read_head(&self, key: &ObjectKey, len: u64) -> Result<Vec<u8>, BlobError> {
        use std::io::Read as _;
        let file = match std::fs::File::open(self.object_path(key)) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(store_error(e)),
        };
        let mut head = Vec::new();
        file.take(len).read_to_end(&mut head).map_err(store_error)?;
        Ok(head)
    }

    async fn put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ObjectInfo, BlobError> {
        self.write(key, content_type, &bytes)
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), BlobError> {
        for path in [self.meta_path(key), self.object_path(key)] {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(store_error(e)),
            }
        }
        Ok(())
    }
}

/// The local cloud's side of the URLs: `PUT` and `GET /blobs/{key}`, each checked as Cloud
/// Storage checks a V4 signature, answered with its XML errors.
pub fn router(store: Arc<DiskBlobs>) -> Router {
    Router::new()
        .route(&format!("/{BUCKET}/{{*key}}"), axum::routing::any(serve))
        .with_state(store)
}

async fn serve(State(store): State<Arc<DiskBlobs>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let Some(key) = path
        .strip_prefix(&format!("/{BUCKET}/"))
        .and_then(|k| ObjectKey::parse(k).ok())
    else {
        return refuse(StatusCode::NOT_FOUND, "NoSuchKey", "no such object");
    };
    let presented = Presented {
        method: parts.method.as_str(),
        path,
        query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
    };
    let grant = match v4::verify(&presented, &store.public_key, (store.now)()) {
        Ok(grant) => grant,
        Err(refusal @ v4::Refusal::Expired(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "ExpiredToken",
                &refusal.to_string(),
            );
        }
        Err(refusal) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "SignatureDoesNotMatch",
                &refusal.to_string(),
            );
        }
    };
    match parts.method {
        Method::PUT => {
            let bytes = match axum::body::to_bytes(body, MAX_OBJECT_BYTES).await {
                Ok(bytes) => bytes,
                Err(_) => {
                    return refuse(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "EntityTooLarge",
                        "the object is larger than the local store takes",
                    );
                }
            };
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream");
            if let Some(promised) = parts
                .headers
                .get("x-goog-hash")
                .and_then(|v| v.to_str().ok())
            {
                let sent = format!("crc32c={}", Crc32c::of(&bytes));
                if promised != sent {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "BadDigest",
                        "the CRC32C you specified did not match what we received",
                    );
                }
            }
            match store.write(&key, content_type, &bytes) {
                Ok(_) => StatusCode::OK.into_response(),
                Err(e) => {
                    tracing::error!(key = %key, "the local blob store cannot write: {e}");
                    refuse(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalError",
                        "write failed",
                    )
                }
            }
        }
        Method::GET | Method::HEAD => {
            let meta = match store.read_meta(&key) {
                Ok(Some(meta)) => meta,
                Ok(None) => return refuse(StatusCode::NOT_FOUND, "NoSuchKey", "no such object"),
                Err(e) => {
                    tracing::error!(key = %key, "the local blob store cannot read: {e}");
                    return refuse(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalError",
                        "read failed",
                    );
                }
            };
            let bytes = if parts.method == Method::HEAD {
                Vec::new()
            } else {
                match std::fs::read(store.object_path(&key)) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        tracing::error!(key = %key, "the local blob store cannot read: {e}");
                        return refuse(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "InternalError",
                            "read failed",
                        );
                    }
                }
            };
            let mut response = Response::new(Body::from(bytes));
            let headers = response.headers_mut();
            let mut set = |name: header::HeaderName, value: &str| {
                if let Ok(value) = HeaderValue::from_str(value) {
                    headers.insert(name, value);
                }
            };
            set(header::CONTENT_TYPE, &meta.content_type);
            set(header::CONTENT_LENGTH, &meta.size.to_string());
            set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
            set(header::CACHE_CONTROL, "private, no-store");
            if let Some(disposition) = grant.query.get("response-content-disposition") {
                set(header::CONTENT_DISPOSITION, disposition);
            }
            set(
                header::HeaderName::from_static("x-goog-hash"),
                &format!("crc32c={}", meta.crc32c),
            );
            response
        }
        _ => refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "GET or PUT only",
        ),
    }
}

/// Cloud Storage's XML error body.
fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let message = message.replace('&', "&amp;").replace('<', "&lt;");
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")],
        body,
    )
        .into_response()
}
