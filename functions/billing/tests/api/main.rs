//! The billing function over real sockets, on a fresh store per test.

mod contracts;
mod customers;
mod helpers;
mod invoices;
