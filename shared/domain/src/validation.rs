//! Parsing untrusted input into domain types, collecting *every* field error at once.
//!
//! A [`Fields`] reader walks a JSON object; each accessor either returns the parsed value or
//! records why it could not, so one request answers with all of its problems. Fields that are
//! not read are reported as unknown (typos must not pass silently), except the read-only ones
//! the caller names (a client may send back what it got from a GET).

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `location.lat` or `accessHours[2].from`.
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} field(s) failed validation", .0.len())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// A reader over one JSON object. Nested objects get their own reader whose errors are folded
/// into the parent's with the path prefixed.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    read: BTreeSet<&'a str>,
    ignored: &'a [&'a str],
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Starts reading `body`, which must be a JSON object. `ignored` lists read-only field
    /// names that are accepted and dropped.
    pub fn new(body: &'a Value, ignored: &'a [&'a str]) -> Result<Self, ValidationErrors> {
        match body {
            Value::Object(map) => Ok(Self::at(map, String::new(), ignored)),
            _ => Err(ValidationErrors::single(
                "",
                "the body must be a JSON object",
            )),
        }
    }

    fn at(map: &'a Map<String, Value>, prefix: String, ignored: &'a [&'a str]) -> Self {
        Self {
            map,
            prefix,
            read: BTreeSet::new(),
            ignored,
            errors: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Records an error on `name` (relative to this reader).
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        let field = self.path(name);
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// The raw value of `name`, treating JSON `null` as absent.
    fn take(&mut self, name: &'a str) -> Option<&'a Value> {
        self.read.insert(name);
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn missing(&mut self, name: &str) {
        self.error(name, "is required");
    }

    /// A string, trimmed, whose length in characters lies in `len`.
    pub fn optional_str(&mut self, name: &'a str, len: RangeInclusive<usize>) -> Option<String> {
        let value = self.take(name)?;
        let Some(s) = value.as_str() else {
            self.error(name, "must be a string");
            return None;
        };
        let s = s.trim();
        let chars = s.chars().count();
        if !len.contains(&chars) {
            self.error(
                name,
                format!("must be {} to {} characters long", len.start(), len.end()),
            );
            return None;
        }
        Some(s.to_owned())
    }

    pub fn required_str(&mut self, name: &'a str, len: RangeInclusive<usize>) -> Option<String> {
        if self.take(name).is_none() {
            self.missing(name);
            return None;
        }
        self.optional_str(name, len)
    }

    /// A secret (a password) exactly as sent, untrimmed: 1 to `max_chars` characters.
    pub fn required_secret(&mut self, name: &'a str, max_chars: usize) -> Option<String> {
        let Some(value) = self.take(name) else {
            self.missing(name);
            return None;
        };
        match value.as_str() {
            Some(s) if !s.is_empty() && s.chars().count() <= max_chars => Some(s.to_owned()),
            Some(_) => {
                self.error(name, format!("must be 1 to {max_chars} characters long"));
                None
            }
            None => {
                self.error(name, "must be a string");
                None
            }
        }
    }

    /// A string turned into a domain value by `parse`, whose error message is recorded. Unlike
    /// free text it is not trimmed: `"2026-03-02 "` is not a date, and silently reading it as
    /// one would hide a client's bug.
    pub fn optional_parsed<T>(
        &mut self,
        name: &'a str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.optional_str(name, 1..=200)?;
        let untrimmed = self.map.get(name).and_then(Value::as_str).unwrap_or(&raw);
        if untrimmed.len() != raw.len() {
            self.error(name, "must not start or end with white space");
            return None;
        }
        parse(&raw)
            .map_err(|message| self.error(name, message))
            .ok()
    }

    pub fn required_parsed<T>(
        &mut self,
        name: &'a str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.take(name).is_none() {
            self.missing(name);
            return None;
        }
        self.optional_parsed(name, parse)
    }

    /// A finite number within `range`.
    pub fn optional_f64(&mut self, name: &'a str, range: RangeInclusive<f64>) -> Option<f64> {
        let value = self.take(name)?;
        match value.as_f64() {
            Some(n) if n.is_finite() && range.contains(&n) => Some(n),
            Some(_) => {
                self.error(
                    name,
                    format!("must be between {} and {}", range.start(), range.end()),
                );
                None
            }
            None => {
                self.error(name, "must be a number");
                None
            }
        }
    }

    pub fn required_f64(&mut self, name: &'a str, range: RangeInclusive<f64>) -> Option<f64> {
        if self.take(name).is_none() {
            self.missing(name);
            return None;
        }
        self.optional_f64(name, range)
    }

    /// A whole number within `range`.
    pub fn optional_i64(&mut self, name: &'a str, range: RangeInclusive<i64>) -> Option<i64> {
        let value = self.take(name)?;
        match value.as_i64() {
            Some(n) if range.contains(&n) => Some(n),
            Some(_) => {
                self.error(
                    name,
                    format!("must be between {} and {}", range.start(), range.end()),
                );
                None
            }
            None => {
                self.error(name, "must be a whole number");
                None
            }
        }
    }

    pub fn required_i64(&mut self, name: &'a str, range: RangeInclusive<i64>) -> Option<i64> {
        if self.take(name).is_none() {
            self.missing(name);
            return None;
        }
        self.optional_i64(name, range)
    }

    /// A nested object, read by `read` with a reader whose paths are prefixed with `name`.
    pub fn optional_object<T>(
        &mut self,
        name: &'a str,
        read: impl FnOnce(&mut Fields<'a>) -> Option<T>,
    ) -> Option<T> {
        let value = self.take(name)?;
        let Some(map) = value.as_object() else {
            self.error(name, "must be an object");
            return None;
        };
        let mut nested = Fields::at(map, self.path(name), &[]);
        let parsed = read(&mut nested);
        nested.report_unknown();
        self.errors.append(&mut nested.errors);
        parsed
    }

    pub fn required_object<T>(
        &mut self,
        name: &'a str,
        read: impl FnOnce(&mut Fields<'a>) -> Option<T>,
    ) -> Option<T> {
        if self.take(name).is_none() {
            self.missing(name);
            return None;
        }
        self.optional_object(name, read)
    }

    /// An array of objects (at most `max`), each read by `read`.
    /// The array `name`, if present, an array, and at most `max` long (else an error).
    fn array(&mut self, name: &'a str, max: usize) -> Option<&'a Vec<Value>> {
        let value = self.take(name)?;
        let Some(items) = value.as_array() else {
            self.error(name, "must be an array");
            return None;
        };
        if items.len() > max {
            self.error(name, format!("must have at most {max} entries"));
            return None;
        }
        Some(items)
    }

    pub fn optional_list<T>(
        &mut self,
        name: &'a str,
        max: usize,
        mut read: impl FnMut(&mut Fields<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = self.array(name, max)?;
        let mut parsed = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = self.path(&format!("{name}[{i}]"));
            let Some(map) = item.as_object() else {
                self.errors.push(FieldError {
                    field: path,
                    message: "must be an object".into(),
                });
                continue;
            };
            let mut nested = Fields::at(map, path, &[]);
            let item = read(&mut nested);
            nested.report_unknown();
            let failed = !nested.errors.is_empty();
            self.errors.append(&mut nested.errors);
            if let (Some(item), false) = (item, failed) {
                parsed.push(item);
            }
        }
        (parsed.len() == items.len()).then_some(parsed)
    }

    /// A required list of objects, each read by `read`.
    pub fn required_list<T>(
        &mut self,
        name: &'a str,
        max: usize,
        read: impl FnMut(&mut Fields<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        if self.take(name).is_none() {
            self.missing(name);
            return None;
        }
        self.optional_list(name, max, read)
    }

    /// A list of strings, each parsed by `parse`; errors name the entry (`areaIds[2]`).
    pub fn optional_parsed_list<T>(
        &mut self,
        name: &'a str,
        max: usize,
        mut parse: impl FnMut(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let items = self.array(name, max)?;
        let mut parsed = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let entry = format!("{name}[{i}]");
            match item.as_str().map(|raw| parse(raw.trim())) {
                Some(Ok(value)) => parsed.push(value),
                Some(Err(message)) => self.error(&entry, message),
                None => self.error(&entry, "must be a string"),
            }
        }
        (parsed.len() == items.len()).then_some(parsed)
    }

    /// Whether the body sets `name` (to anything but null).
    /// Accepts `name` without reading it: a computed field a client may send back as it got
    /// it (the server sets it again).
    pub fn ignore(&mut self, name: &'a str) {
        self.take(name);
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.get(name).is_some_and(|v| !v.is_null())
    }

    pub fn optional_bool(&mut self, name: &'a str) -> Option<bool> {
        let value = self.take(name)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.error(name, "must be true or false");
        }
        flag
    }

    fn report_unknown(&mut self) {
        let unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !self.read.contains(k.as_str()) && !self.ignored.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            self.error(&key, "is not a known field");
        }
    }

    /// Ends reading: every error so far, plus unknown fields, or the value `build` makes.
    /// `build` runs only when no error was recorded, so every required field it unwraps
    /// with `?` is present; a `None` from it is reported on the whole body.
    pub fn finish<T>(mut self, build: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        self.report_unknown();
        if !self.errors.is_empty() {
            return Err(ValidationErrors(self.errors));
        }
        build().ok_or_else(|| ValidationErrors::single("", "the body is incomplete"))
    }
}

/// Parses an enum from its serialized name, naming the allowed names on failure.
pub fn parse_enum<T: for<'de> Deserialize<'de>>(raw: &str, allowed: &[&str]) -> Result<T, String> {
    serde_json::from_value(Value::String(raw.to_owned()))
        .map_err(|_| format!("must be one of: {}", allowed.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_error_with_nested_paths() {
        let body = json!({"name": "", "size": "big", "loc": {"lat": 100}, "typo": 1, "id": "x"});
        let mut f = Fields::new(&body, &["id"]).unwrap();
        let name = f.required_str("name", 1..=10);
        let size = f.required_f64("size", 0.0..=10.0);
        let lat = f.required_object("loc", |l| l.required_f64("lat", -90.0..=90.0));
        let missing = f.required_str("city", 1..=10);
        let err = f
            .finish(|| Some((name?, size?, lat?, missing?)))
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "size", "loc.lat", "city", "typo"]);
    }

    #[test]
    fn list_items_are_addressed_by_index() {
        let body = json!({"hours": [{"day": "mon"}, {"day": 3}]});
        let mut f = Fields::new(&body, &[]).unwrap();
        let hours = f.optional_list("hours", 10, |h| h.required_str("day", 3..=3));
        let err = f.finish(|| hours).unwrap_err();
        assert_eq!(err.0[0].field, "hours[1].day");
        assert_eq!(err.0[0].message, "must be a string");
    }

    #[test]
    fn a_non_object_body_is_one_error() {
        assert!(Fields::new(&json!([1]), &[]).is_err());
    }
}
