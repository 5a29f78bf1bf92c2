//! What every entity kind shares: a collection of its own and parsing from client JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::meta::READ_ONLY_FIELDS;
use crate::validation::ValidationErrors;

/// An entity kind that lives in its own collection and is parsed from client JSON.
pub trait Entity: Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static {
    /// The Firestore collection (under `tenants/{tenant}/`).
    const COLLECTION: &'static str;
    /// A human name for messages ("area type").
    const KIND: &'static str;
    /// Fields a client may send back but never sets (metadata, computed values).
    const READ_ONLY: &'static [&'static str] = &READ_ONLY_FIELDS;

    /// Parses a client's JSON body, reporting every invalid field at once.
    fn parse(body: &Value) -> Result<Self, ValidationErrors>;
}
