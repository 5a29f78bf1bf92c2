//! The jobs function over real sockets, on a fresh store per test.

mod helpers;
mod listing;
