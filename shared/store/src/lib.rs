//! Adapters of the document store port ([`domain::store::DocumentStore`]) and the contract
//! suite every adapter must pass ([`contract`]).

pub mod contract;
mod embedded;
mod firestore;
pub mod indexes;

use std::path::PathBuf;
use std::sync::Arc;

use domain::store::DocumentStore;
pub use embedded::EmbeddedStore;
pub use firestore::FirestoreStore;

/// Which store a process uses, read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded SQLite store in a file on local disk.
    Embedded { path: PathBuf },
    /// Firestore (or its emulator, when `FIRESTORE_EMULATOR_HOST` is set).
    Firestore {
        project_id: String,
        database_id: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreSetupError {
    #[error("{var}: {message}")]
    Config { var: &'static str, message: String },
    #[error("cannot open the store: {0}")]
    Open(#[from] domain::store::StoreError),
}

pub const STORE_VAR: &str = "CLEANOPS_STORE";
pub const DATA_DIR_VAR: &str = "CLEANOPS_DATA_DIR";
/// Where local data lives unless `CLEANOPS_DATA_DIR` says otherwise.
pub const DEFAULT_DATA_DIR: &str = ".cleanops";

impl StoreConfig {
    /// `CLEANOPS_STORE` (default `embedded`) picks the adapter. The embedded store keeps its
    /// file in `CLEANOPS_DATA_DIR` (default `.cleanops`). Firestore needs the project
    /// (`FIRESTORE_PROJECT_ID`, else `GOOGLE_CLOUD_PROJECT`) and takes `FIRESTORE_DATABASE_ID`
    /// (default `(default)`); on Cloud Run nothing else is needed but the service account.
    pub fn from_env() -> Result<Self, StoreSetupError> {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        match var(STORE_VAR).as_deref().unwrap_or("embedded") {
            "embedded" => Ok(StoreConfig::Embedded {
                path: data_dir().join("store.sqlite3"),
            }),
            "firestore" => {
                let project_id = var("FIRESTORE_PROJECT_ID")
                    .or_else(|| var("GOOGLE_CLOUD_PROJECT"))
                    .ok_or(StoreSetupError::Config {
                        var: "FIRESTORE_PROJECT_ID",
                        message: "is not set (nor GOOGLE_CLOUD_PROJECT); the Firestore store needs the project id"
                            .into(),
                    })?;
                let database_id =
                    var("FIRESTORE_DATABASE_ID").unwrap_or_else(|| "(default)".into());
                Ok(StoreConfig::Firestore {
                    project_id,
                    database_id,
                })
            }
            other => Err(StoreSetupError::Config {
                var: STORE_VAR,
                message: format!("unknown store {other:?}; expected \"embedded\" or \"firestore\""),
            }),
        }
    }

    pub async fn connect(&self) -> Result<Arc<dyn DocumentStore>, StoreSetupError> {
        match self {
            StoreConfig::Embedded { path } => Ok(Arc::new(EmbeddedStore::open(path)?)),
            StoreConfig::Firestore {
                project_id,
                database_id,
            } => Ok(Arc::new(
                FirestoreStore::connect(project_id, database_id).await?,
            )),
        }
    }
}

/// The local data directory (`CLEANOPS_DATA_DIR`, default `.cleanops`).
pub fn data_dir() -> PathBuf {
    std::env::var_os(DATA_DIR_VAR).map_or_else(|| PathBuf::from(DEFAULT_DATA_DIR), PathBuf::from)
}
