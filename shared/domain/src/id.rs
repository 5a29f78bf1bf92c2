//! Typed ids. An `Id<Site>` cannot be passed where an `Id<Area>` is expected, and every id is
//! parsed once at the edge: after that it is known to be a safe document id.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest id we accept; Firestore allows 1,500 bytes, we keep URLs short.
pub const MAX_ID_LEN: usize = 64;

/// Parses a document id: 1 to 64 ASCII letters, digits, `-` or `_`. This excludes `/`, `.`,
/// `..` and `__x__`, which Firestore reserves or treats as path syntax.
pub fn parse_id(raw: &str) -> Result<&str, String> {
    if raw.is_empty() || raw.len() > MAX_ID_LEN {
        return Err(format!("must be 1 to {MAX_ID_LEN} characters"));
    }
    if !raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("may contain only letters, digits, '-' and '_'".into());
    }
    if raw.starts_with("__") && raw.ends_with("__") {
        return Err("must not start and end with '__' (reserved)".into());
    }
    Ok(raw)
}

/// A typed document id; `K` is a marker naming the kind of entity.
pub struct Id<K> {
    value: String,
    kind: PhantomData<fn() -> K>,
}

impl<K> Id<K> {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_id(raw).map(|v| Self {
            value: v.to_owned(),
            kind: PhantomData,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn into_string(self) -> String {
        self.value
    }
}

impl<K> Clone for Id<K> {
    fn clone(&self) -> Self {
        Self {
            value: self.value.clone(),
            kind: PhantomData,
        }
    }
}
impl<K> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<K> Eq for Id<K> {}
impl<K> std::hash::Hash for Id<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}
impl<K> PartialOrd for Id<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<K> Ord for Id<K> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}
impl<K> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.value)
    }
}
impl<K> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}
impl<K> Serialize for Id<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.value)
    }
}
impl<'de, K> Deserialize<'de> for Id<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Marker for tenant ids.
pub enum TenantKind {}
/// Marker for user ids.
pub enum UserKind {}

/// A tenant: a cleaning company or facility owner whose data is isolated from all others.
/// Only the platform's token verification and push verification create one for a request.
pub type TenantId = Id<TenantKind>;
/// The platform's own scope (the tenant registry, local topics): never a customer's tenant.
pub const SYSTEM_TENANT: &str = "_system";

impl Id<TenantKind> {
    /// The platform's own scope.
    pub fn system() -> Self {
        Self {
            value: SYSTEM_TENANT.to_owned(),
            kind: PhantomData,
        }
    }

    /// A tenant named from outside (a token, a message, a command): ids starting with `_` are
    /// the platform's and refused, so no caller can reach the system scope.
    pub fn parse_external(raw: &str) -> Result<Self, String> {
        if raw.starts_with('_') {
            return Err("must not start with '_' (reserved)".into());
        }
        Self::parse(raw)
    }
}

/// A user of a tenant (the token's subject).
pub type UserId = Id<UserKind>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_external_name_reaches_the_system_scope() {
        assert!(TenantId::parse_external(SYSTEM_TENANT).is_err());
        assert!(TenantId::parse_external("_other").is_err());
        assert_eq!(TenantId::parse_external("acme").unwrap().as_str(), "acme");
    }

    #[test]
    fn accepts_safe_ids_and_refuses_path_syntax() {
        assert!(TenantId::parse("acme-cleaning_01").is_ok());
        for bad in ["", "a/b", "..", "__id__", "x y", &"a".repeat(65)] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
