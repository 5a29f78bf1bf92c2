//! Entity metadata carried by every stored document.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub id: String,
    /// Starts at 1 and grows by one on every update; the `ETag` of the entity.
    pub version: u64,
    #[serde(serialize_with = "rfc3339_millis")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339_millis")]
    pub updated_at: DateTime<Utc>,
}

/// Timestamps go out as RFC 3339 in UTC with milliseconds, a fixed width that also sorts.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn rfc3339_millis<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_timestamp(t))
}

/// Field names that belong to the metadata (or are computed) and so are never client input.
pub const READ_ONLY_FIELDS: [&str; 4] = ["id", "version", "createdAt", "updatedAt"];
