//! The cleanops domain: entities, typed ids, validation rules, domain services and ports.
//!
//! Pure by design: no I/O, no HTTP, no SDK types. Adapters (store, HTTP) live in other crates
//! and meet this crate only through the ports in [`store`] and [`clock`].
//!
//! # Layout
//!
//! Building blocks:
//! - [`id`]: typed ids ([`Id`], [`TenantId`], [`UserId`]) that parse, not validate.
//! - [`validation`]: reading untrusted JSON into domain types, every field error at once.
//! - [`entity`]: [`Entity`], what every stored kind shares; [`meta`]: its [`Metadata`].
//! - [`time`]: time zones, weekdays and local times of day; [`number`]: rounding for people.
//! - `schema`: how the API's OpenAPI document describes the value types that are strings
//!   with rules (ids, times, zones, emails); every entity derives `utoipa::ToSchema`, a
//!   description of its JSON and nothing more (no I/O, no HTTP).
//!
//! The cleaning context:
//! - [`sites`]: sites, area types, areas, their work-loading and the workload report;
//!   [`area_import`]: room lists read from spreadsheets' CSV.
//! - [`calendars`]: RFC 5545 rules with local windows, closures, expansion, frequency checks.
//! - [`schedule`]: what days and windows a site's calendars and closures give each area.
//! - [`tours`]: tours, visits and their check-in flags, inspections, proof of service.
//! - [`planning`]: cleaners, absences, plans, and the week builder around the planner crate.
//! - [`preflight`]: the contradictions a week's data holds before it is planned.
//! - [`ical`]: iCalendar text for the feeds.
//!
//! The economic entity:
//! - [`billing`]: customers, contracts, VAT, invoices and credit notes with EN 16931 totals,
//!   the monthly draft, and the CII XML of an issued invoice.
//! - [`documents`]: files kept for a site, contract, visit, inspection or invoice (their
//!   records; the bytes are in the bucket).
//! - [`sensors`]: IoT sensors, demand rules and demand cleanings, readings of each vendor's
//!   format, and the savings report.
//!
//! The platform context:
//! - [`notifications`]: events, their audiences and channels, preferences and quiet hours,
//!   the outbox's notifications.
//! - [`identity`]: users and roles, invitations, tenant settings, the audit log; emails and
//!   password rules.
//!
//! Ports (traits adapters implement):
//! - [`store`]: the document store ([`store::DocumentStore`], scoped by [`store::TenantStore`]).
//! - [`publish`]: publishing messages; [`clock`]: the time; [`boards::MessageBoard`]: a
//!   site's message board.

pub mod area_import;
pub mod billing;
pub mod boards;
pub mod calendars;
pub mod clock;
pub mod documents;
pub mod entity;
pub mod ical;
pub mod id;
pub mod identity;
pub mod meta;
pub mod notifications;
pub mod number;
pub mod planning;
pub mod preflight;
pub mod publish;
pub mod schedule;
mod schema;
pub mod sensors;
pub mod simulation;
pub mod sites;
pub mod store;
pub mod time;
pub mod tours;
pub mod validation;

pub use clock::Clock;
pub use entity::Entity;
pub use id::{Id, TenantId, UserId};
pub use meta::Metadata;
pub use validation::{FieldError, Fields, ValidationErrors};
