//! The sensors function over real sockets, on a fresh store per test: the vendors' payloads
//! (fixtures written from their documentation), what readings make due, and who may see it.

mod access;
mod demand;
mod helpers;
mod ingest;
mod listing;
mod registry;
mod savings;
