//! Room lists from spreadsheets: any text reads as rows or as an error on `csv`, never a
//! panic, and never more rows than an import takes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match domain::area_import::read_csv(text) {
        Ok(rows) => assert!(!rows.is_empty() && rows.len() <= domain::area_import::MAX_ROWS),
        Err(e) => assert!(e.0.iter().all(|f| f.field == "csv")),
    }
});
