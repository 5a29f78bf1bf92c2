//! The planning function over real sockets, on a fresh store per test; the sites, areas and
//! calendars it plans are seeded into the store (`TestApp::seed`).

mod absences;
mod activation;
mod demand;
mod helpers;
mod infeasible;
mod pins;
mod plans;
mod preflight;
mod queue;
mod simulations;
mod validation;
