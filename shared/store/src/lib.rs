//! Adapters of the document store port ([`domain::store::DocumentStore`]) and the contract
//! suite every adapter must pass ([`contract`]).

pub mod contract;
mod embedded;

use std::path::PathBuf;
use std::sync::Arc;

use domain::store::DocumentStore;
pub use embedded::EmbeddedStore;

/// Which store a process uses, read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded SQLite store in a file on local disk.
    Embedded { path: PathBuf },
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
    /// `CLEANOPS_STORE` (default `embedded`) picks the adapter; the embedded store keeps its
    /// file in `CLEANOPS_DATA_DIR` (default `.cleanops`).
    pub fn from_env() -> Result<Self, StoreSetupError> {
        let kind = std::env::var(STORE_VAR).unwrap_or_else(|_| "embedded".into());
        match kind.as_str() {
            "embedded" => Ok(StoreConfig::Embedded {
                path: data_dir().join("store.sqlite3"),
            }),
            other => Err(StoreSetupError::Config {
                var: STORE_VAR,
                message: format!("unknown store {other:?}; expected \"embedded\""),
            }),
        }
    }

    pub fn connect(&self) -> Result<Arc<dyn DocumentStore>, StoreSetupError> {
        match self {
            StoreConfig::Embedded { path } => Ok(Arc::new(EmbeddedStore::open(path)?)),
        }
    }
}

/// The local data directory (`CLEANOPS_DATA_DIR`, default `.cleanops`).
pub fn data_dir() -> PathBuf {
    std::env::var_os(DATA_DIR_VAR).map_or_else(|| PathBuf::from(DEFAULT_DATA_DIR), PathBuf::from)
}
