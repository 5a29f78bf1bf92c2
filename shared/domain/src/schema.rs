//! OpenAPI schemas of the value types whose JSON is a string with rules of its own (ids, local
//! times, time zones, emails): how the API document describes them. The rules themselves are
//! the types' parsers; these only say so.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

use crate::id::Id;
use crate::identity::Email;
use crate::time::{LocalTime, TimeZone};

fn text(description: &str, pattern: Option<&str>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .examples([serde_json::json!(example)])
        .into()
}

impl<K> PartialSchema for Id<K> {
    fn schema() -> RefOr<Schema> {
        text(
            "A document id: 1 to 64 letters, digits, - and _.",
            Some("^[A-Za-z0-9_-]{1,64}$"),
            "0193a6f0-5c1e-7c52-9a3e-2f1d5b7c9e01",
        )
    }
}
impl<K> ToSchema for Id<K> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Id")
    }
}

impl PartialSchema for LocalTime {
    fn schema() -> RefOr<Schema> {
        text(
            "A wall-clock time HH:MM in the site's time zone, 00:00 to 24:00.",
            Some("^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"),
            "06:00",
        )
    }
}
impl ToSchema for LocalTime {}

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        text("An IANA time zone name.", None, "Europe/Berlin")
    }
}
impl ToSchema for TimeZone {}

impl PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .description(Some(
                "An email address, compared trimmed and in lower case.",
            ))
            .max_length(Some(254))
            .into()
    }
}
impl ToSchema for Email {}

impl PartialSchema for crate::calendars::Recurrence {
    fn schema() -> RefOr<Schema> {
        text(
            "An RFC 5545 RRULE (daily or less often), anchored at the calendar's startDate.",
            None,
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        )
    }
}
impl ToSchema for crate::calendars::Recurrence {}
