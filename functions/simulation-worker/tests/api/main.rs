//! The simulation worker as Pub/Sub pushes to it, over real sockets on a fresh store per test.

mod helpers;
mod runs;
