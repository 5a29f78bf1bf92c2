//! The identity function over real sockets, on a fresh store per test (the embedded store, or
//! the Firestore emulator with `CLEANOPS_TEST_STORE=firestore`).

mod api_keys;
mod helpers;
mod invitations;
mod isolation;
mod lockout;
mod reset;
mod sessions;
mod signup;
mod users;
mod well_known;
