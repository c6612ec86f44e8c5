//! Tests of [`read_table`] on small files written to a temporary directory.

use std::path::{Path, PathBuf};

use ndarray::array;
use tempfile::TempDir;

use super::{Categorical, DataFormat, Header, LoadOptions, Missing, Table, read_table};
use crate::error::{Error, Result};

const KEEP: LoadOptions = LoadOptions {
    missing: Missing::Error,
    header: Header::Auto,
    categorical: Categorical::Auto,
    categorical_columns: Vec::new(),
    format: DataFormat::Auto,
};
const DROP: LoadOptions = LoadOptions {
    missing: Missing::Drop,
    header: Header::Auto,
    categorical: Categorical::Auto,
    categorical_columns: Vec::new(),
    format: DataFormat::Auto,
};

/// Writes `content` to `name` in a fresh temporary directory and reads it.
fn read(name: &str, content: &str, opts: LoadOptions) -> (TempDir, Result<Table>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write test file");
    let table = read_table(&path, &opts);
    (dir, table)
}

fn ok(name: &str, content: &str, opts: LoadOptions) -> Table {
    read(name, content, opts).1.expect("file should load")
}

/// The error and its message, which must name the file.
fn err(name: &str, content: &str, opts: LoadOptions) -> (Error, String) {
    let e = read(name, content, opts).1.expect_err("file should fail");
    let msg = e.to_string();
    assert!(msg.contains(name), "message does not name the file: {msg}");
    (e, msg)
}

#[test]
fn csv_with_header() {
    let t = ok("h.csv", "a, b ,c\n1,2,3\n\n4, 5.5 ,-6e0\n", KEEP);
    assert_eq!(
        t.header.as_deref(),
        Some(&["a", "b", "c"].map(String::from)[..])
    );
    assert_eq!(t.data, array![[1.0, 2.0, 3.0], [4.0, 5.5, -6.0]]);
    assert_eq!(t.lines, [2, 4]);
    assert_eq!(t.dropped_rows, 0);
    assert!(t.path.ends_with("h.csv"));
}

#[test]
fn csv_without_header_and_crlf() {
    let t = ok("n.csv", "\r\n1,2\r\n3,4\r\n", KEEP);
    assert_eq!(t.header, None);
    assert_eq!(t.data, array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(t.lines, [2, 3]);
}

#[test]
fn csv_quoted_header_names() {
    let t = ok("q.csv", "\"size, m2\",price\n50,1\n", KEEP);
    assert_eq!(t.column_index("size, m2").unwrap(), 0);
    // A quoted line break and a line of blanks still count for line numbers.
    let t = ok("q2.csv", "\"size,\nm2\",price\n  \n\n50,1\n", KEEP);
    assert_eq!(t.column_name(0), "size,\nm2");
    assert_eq!(t.lines, [5]);
}

#[test]
fn whitespace_with_header() {
    let t = ok("h.txt", "x\ty  z\n  1 2\t3\n\n   4   5 6  \n", KEEP);
    assert_eq!(t.header.as_ref().map(Vec::len), Some(3));
    assert_eq!(t.column_index("z").unwrap(), 2);
    assert_eq!(t.data, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_eq!(t.lines, [2, 4]);
}

#[test]
fn whitespace_without_header() {
    let t = ok(
        "n.txt",
        " 0.00632  18.00   2.310\n 0.02731   0.00   7.070\n",
        KEEP,
    );
    assert_eq!(t.header, None);
    assert_eq!((t.n_rows(), t.n_cols()), (2, 3));
    assert_eq!(t.data[[1, 2]], 7.07);
}

#[test]
fn first_row_with_only_missing_markers_is_data() {
    let (e, _) = err("m.txt", "1 NaN\n2 3\n", KEEP);
    assert!(matches!(e, Error::MissingValue { line: 1, .. }), "{e}");
}

#[test]
fn missing_file_is_io() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.csv");
    let e = read_table(&path, &KEEP).unwrap_err();
    assert!(matches!(e, Error::Io { .. }));
    assert!(e.to_string().contains("absent.csv"));
}

#[test]
fn empty_and_blank_files() {
    for content in ["", "\n\n  \n\t\n"] {
        let (e, msg) = err("e.txt", content, KEEP);
        assert!(matches!(e, Error::EmptyFile { .. }), "{msg}");
    }
    let (e, _) = err("e.csv", "\n \n", KEEP);
    assert!(matches!(e, Error::EmptyFile { .. }));
}

#[test]
fn header_only() {
    let (e, _) = err("h.csv", "a,b\n\n", KEEP);
    assert!(matches!(e, Error::NoDataRows { .. }), "{e}");
    let (e, _) = err("h.txt", "a b\n", KEEP);
    assert!(matches!(e, Error::NoDataRows { .. }), "{e}");
}

#[test]
fn ragged_rows() {
    let (e, msg) = err("r.csv", "a,b,c\n1,2,3\n\n4,5\n", KEEP);
    assert!(
        matches!(
            e,
            Error::RaggedRow {
                line: 4,
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("r.csv:4:"), "{msg}");
    let (e, msg) = err("r.txt", "1 2\n3 4 5\n", KEEP);
    assert!(matches!(e, Error::RaggedRow { line: 2, .. }), "{msg}");
}

#[test]
fn non_numeric_names_line_and_column() {
    let off = || LoadOptions {
        categorical: Categorical::Off,
        ..KEEP
    };
    let (e, msg) = err("x.csv", "a,price\n1,2\n\n3,abc\n", off());
    assert!(matches!(e, Error::NonNumeric { line: 4, .. }), "{msg}");
    assert!(msg.contains("x.csv:4:"), "{msg}");
    assert!(
        msg.contains("price (index 1)") && msg.contains("\"abc\""),
        "{msg}"
    );
    // Without header: `index i`; and dropping missing rows does not hide it.
    let (_, msg) = err(
        "x.txt",
        "1 2\n3 ? \n",
        LoadOptions {
            categorical: Categorical::Off,
            ..DROP
        },
    );
    assert!(
        msg.contains("x.txt:2:") && msg.contains("column index 1"),
        "{msg}"
    );
}

#[test]
fn missing_values_are_errors_by_default() {
    let cases = [
        ("1,,3", "\"\""),
        ("1,NaN,3", "NaN"),
        ("1,nan,3", "nan"),
        ("1,inf,3", "inf"),
        ("1,-Infinity,3", "-Infinity"),
        ("1,1e999,3", "1e999"),
    ];
    for (row, shown) in cases {
        let content = format!("a,b,c\n0,0,0\n{row}\n");
        let (e, msg) = err("m.csv", &content, KEEP);
        assert!(matches!(e, Error::MissingValue { line: 3, .. }), "{msg}");
        assert!(
            msg.contains("m.csv:3:") && msg.contains("b (index 1)"),
            "{msg}"
        );
        assert!(msg.contains(shown), "{msg}");
    }
    let (_, msg) = err("m.txt", "1 2\n\n3 -inf\n", KEEP);
    assert!(
        msg.contains("m.txt:3:") && msg.contains("column index 1"),
        "{msg}"
    );
}

#[test]
fn drop_missing_skips_and_counts_rows() {
    let t = ok("d.csv", "a,b\n1,2\n,3\n4,NaN\n5,6\n7,INF\n", DROP);
    assert_eq!(t.data, array![[1.0, 2.0], [5.0, 6.0]]);
    assert_eq!(t.lines, [2, 5]);
    assert_eq!(t.dropped_rows, 3);
}

#[test]
fn drop_missing_of_every_row_is_no_data() {
    let (e, msg) = err("all.txt", "nan 1\n2 inf\n", DROP);
    assert!(matches!(e, Error::NoDataRows { .. }), "{msg}");
}

/// Folder of the shared UCI data: `$MCDROPOUT_DATA`, else `../shared/data` next to the crate.
fn data_dir() -> PathBuf {
    std::env::var_os("MCDROPOUT_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

#[test]
fn reads_real_boston_housing() {
    let path = data_dir().join("UCI_Datasets/bostonHousing/data/data.txt");
    if !path.exists() {
        println!(
            "skipping: {} not found (set MCDROPOUT_DATA)",
            path.display()
        );
        return;
    }
    let t = read_table(&path, &KEEP).expect("Boston data loads");
    assert_eq!((t.n_rows(), t.n_cols()), (506, 14));
    assert_eq!(t.header, None);
    assert_eq!(t.data[[0, 0]], 0.00632);
    assert_eq!(t.data[[0, 13]], 24.0);
    assert_eq!(t.lines.first(), Some(&1));
    assert!(t.data.iter().all(|v| v.is_finite()));
}
