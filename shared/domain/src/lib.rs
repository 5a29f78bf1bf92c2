//! The cleanops domain: entities, typed ids, validation rules, domain services and ports.
//!
//! Pure by design: no I/O, no HTTP, no SDK types. Adapters (store, HTTP) live in other crates
//! and meet this crate only through the ports in [`store`] and [`clock`].

pub mod calendars;
pub mod clock;
pub mod entity;
pub mod ical;
pub mod id;
pub mod meta;
pub mod number;
pub mod planning;
pub mod publish;
pub mod schedule;
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
