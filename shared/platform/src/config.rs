//! Configuration from the environment. A missing or bad variable stops start-up with a
//! message that names it and says what was expected.

use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration: {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(var: &'static str, message: impl Into<String>) -> Self {
        Self {
            var,
            message: message.into(),
        }
    }
}

/// The variable's value, if set and not empty.
pub fn optional(var: &'static str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

pub fn required(var: &'static str, what: &str) -> Result<String, ConfigError> {
    optional(var).ok_or_else(|| ConfigError::new(var, format!("is not set; expected {what}")))
}

/// Parses the variable if set, else `default`.
pub fn parsed_or<T: FromStr>(var: &'static str, default: T, what: &str) -> Result<T, ConfigError> {
    match optional(var) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::new(var, format!("expected {what}, got {raw:?}"))),
    }
}

/// A comma-separated list (empty when unset).
pub fn list(var: &'static str) -> Vec<String> {
    optional(var)
        .map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
