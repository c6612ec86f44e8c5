//! The CSV / whitespace table reader: any bytes give a table of finite values or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcdropout::data::{Header, LoadOptions, parse_table};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let first = data.first().copied().unwrap_or(0);
    let header = match (first >> 1) % 3 {
        0 => Header::Auto,
        1 => Header::Yes,
        _ => Header::No,
    };
    let opts = LoadOptions {
        drop_missing: first & 1 == 1,
        header,
    };
    if let Ok(t) = parse_table(data, Path::new("fuzz.csv"), &opts) {
        assert!(t.data.iter().all(|v| v.is_finite()));
        assert_eq!(t.lines.len(), t.n_rows());
        if let Some(h) = &t.header {
            assert_eq!(h.len(), t.n_cols());
        }
    }
});
