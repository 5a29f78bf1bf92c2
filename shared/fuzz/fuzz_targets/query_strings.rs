//! Listing parameters (`limit`, `order`, `pageToken`, filters) and query objects, from any
//! query string: a value or a 4xx, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use platform::http::{FilterParam, Order, parse_list_params, query_object};

const FILTERS: &[FilterParam] = &[FilterParam::id("siteId"), FilterParam::text("status")];
const ORDERS: &[Order] = &[Order::asc("id"), Order::desc("id"), Order::asc("name")];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let query: Vec<(String, String)> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => (pair.to_owned(), String::new()),
        })
        .collect();
    if let Err(error) = parse_list_params(&query, FILTERS, ORDERS) {
        assert!(error.status().is_client_error(), "{error}");
    }
    if let Err(error) = query_object(&query) {
        assert!(error.status().is_client_error(), "{error}");
    }
});
