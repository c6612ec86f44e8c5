//! The CSV / whitespace table reader: any bytes give a table of finite values or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcdropout::data::{LoadOptions, parse_table};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let drop_missing = data.first().is_some_and(|b| b & 1 == 1);
    if let Ok(t) = parse_table(data, Path::new("fuzz.csv"), &LoadOptions { drop_missing }) {
        assert!(t.data.iter().all(|v| v.is_finite()));
        assert_eq!(t.lines.len(), t.n_rows());
        if let Some(h) = &t.header {
            assert_eq!(h.len(), t.n_cols());
        }
    }
});
