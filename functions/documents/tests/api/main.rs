//! The documents function over real sockets, on a fresh store and bucket per test: the
//! bucket is the local cloud's on disk, or fake-gcs-server with `CLEANOPS_TEST_BLOBS=gcs`.
//! Every URL the function hands out is checked as Cloud Storage would check it.

mod access;
mod helpers;
mod uploads;
