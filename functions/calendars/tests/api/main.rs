//! The calendars function over real sockets, on a fresh store per test; the sites, area types
//! and areas calendars refer to are seeded into the store (`TestApp::seed`).

mod access;
mod closures;
mod contradictions;
mod frequency;
mod helpers;
mod occurrences;
mod validation;
