//! The tours function over real sockets, on a fresh store per test; the sites, areas and
//! calendars tours refer to are seeded into the store (`TestApp::seed`).

mod check_in;
mod demand;
mod feeds;
mod helpers;
mod inspections;
mod late;
mod printed;
mod proof;
mod reference;
mod sheets;
mod tours;
