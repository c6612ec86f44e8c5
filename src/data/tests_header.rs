//! Tests of the header rule of [`read_table`]: `Header::{Auto, Yes, No}` on first rows
//! that are all text, all numbers, mixed, or hold empty / missing cells.

use ndarray::array;

use super::{Categorical, Header, LoadOptions, Table, read_table};
use crate::error::{Error, Result};

fn read(content: &str, header: Header) -> Result<Table> {
    read_with(content, header, Categorical::Auto)
}

/// As [`read`], with text columns refused (`--categorical none`).
fn read_off(content: &str, header: Header) -> Result<Table> {
    read_with(content, header, Categorical::Off)
}

fn read_with(content: &str, header: Header, categorical: Categorical) -> Result<Table> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("h.csv");
    std::fs::write(&path, content).expect("write test file");
    read_table(
        &path,
        &LoadOptions {
            header,
            categorical,
            ..LoadOptions::default()
        },
    )
}

fn names(t: &Table) -> Option<Vec<&str>> {
    t.header
        .as_ref()
        .map(|h| h.iter().map(String::as_str).collect())
}

#[test]
fn auto_all_text_row_is_a_header() {
    let t = read("a,b,c\n1,2,3\n", Header::Auto).unwrap();
    assert_eq!(names(&t), Some(vec!["a", "b", "c"]));
    assert_eq!(t.data, array![[1.0, 2.0, 3.0]]);
    // Missing markers among text cells do not make it data (no cell is a number).
    let t = read("a,,NaN\n1,2,3\n", Header::Auto).unwrap();
    assert_eq!(names(&t), Some(vec!["a", "", "NaN"]));
    // Whitespace-separated too.
    let t = read("x y\n1 2\n", Header::Auto).unwrap();
    assert_eq!(names(&t), Some(vec!["x", "y"]));
}

#[test]
fn auto_all_number_row_is_data() {
    let t = read("1,2,3\n4,5,6\n", Header::Auto).unwrap();
    assert_eq!(t.header, None);
    assert_eq!(t.lines, [1, 2]);
    // A first row of numbers and missing markers is data: its missing cell is reported.
    let e = read("1,,3\n4,5,6\n", Header::Auto).unwrap_err();
    assert!(matches!(e, Error::MissingValue { line: 1, .. }), "{e}");
}

#[test]
fn auto_mixed_row_is_data_and_the_error_says_why() {
    // Whether text columns are allowed or not: a column whose only text is in the first
    // row, read as data because the row holds numbers, is a header the rule missed.
    for (content, value, col, read) in [
        (
            "1,x,3\n4,5,6\n",
            "x",
            "index 1",
            read as fn(&str, Header) -> Result<Table>,
        ),
        ("y,2,3\n4,5,6\n", "y", "index 0", read),
        ("1,x,3\n4,5,6\n", "x", "index 1", read_off),
        ("y,2,3\n4,5,6\n", "y", "index 0", read_off),
    ] {
        let e = read(content, Header::Auto).unwrap_err();
        assert!(
            matches!(&e, Error::NonNumericFirstRow { line: 1, value: v, .. } if v == value),
            "{content:?}: {e}"
        );
        let msg = e.to_string();
        assert!(msg.contains("h.csv:1:"), "{msg}");
        assert!(msg.contains(&format!("column {col}")), "{msg}");
        assert!(msg.contains("--header yes"), "{msg}");
        assert!(msg.contains("read as data"), "{msg}");
    }
    // `NA` is a missing-value marker (pandas' list): the row is data with a missing cell.
    let e = read("1,NA,3\n4,5,6\n", Header::Auto).unwrap_err();
    assert!(matches!(&e, Error::MissingValue { line: 1, .. }), "{e}");
    // A text column whose text is not only in the first row is a text column.
    let t = read("1,x\n3,y\n", Header::Auto).unwrap();
    assert_eq!(t.text[&1], [Some("x".to_string()), Some("y".to_string())]);
    // A text cell in a later row is, with text refused, an ordinary error without the
    // header hint.
    let e = read_off("1,2\n3,x\n", Header::Auto).unwrap_err();
    assert!(matches!(e, Error::NonNumeric { line: 2, .. }), "{e}");
    assert!(!e.to_string().contains("--header"), "{e}");
}

#[test]
fn yes_takes_the_first_row_whatever_it_holds() {
    for (content, expect) in [
        ("a,b\n3,4\n", vec!["a", "b"]),
        ("1,2\n3,4\n", vec!["1", "2"]),
        ("1,x\n3,4\n", vec!["1", "x"]),
        ("1,NA\n3,4\n", vec!["1", "NA"]),
        (",b\n3,4\n", vec!["", "b"]),
    ] {
        let t = read(content, Header::Yes).unwrap();
        assert_eq!(names(&t), Some(expect), "{content:?}");
        assert_eq!(t.data, array![[3.0, 4.0]], "{content:?}");
        assert_eq!(t.lines, [2]);
    }
    // A header alone is no data.
    let e = read("1,2\n", Header::Yes).unwrap_err();
    assert!(matches!(e, Error::NoDataRows { .. }), "{e}");
}

#[test]
fn no_reads_every_row_as_data() {
    let t = read("1,2\n3,4\n", Header::No).unwrap();
    assert_eq!(t.header, None);
    assert_eq!(t.n_rows(), 2);
    // An all-text first row is then a plain error on line 1, without the header hint.
    for content in ["a,b\n1,2\n", "1,x\n1,2\n"] {
        let e = read_off(content, Header::No).unwrap_err();
        assert!(matches!(e, Error::NonNumeric { line: 1, .. }), "{e}");
        assert!(!e.to_string().contains("--header"), "{e}");
    }
    let e = read(",2\n1,2\n", Header::No).unwrap_err();
    assert!(matches!(e, Error::MissingValue { line: 1, .. }), "{e}");
}

#[test]
fn the_rule_looks_at_the_first_non_empty_line() {
    let t = read("\n\n1,2\n3,4\n", Header::Auto).unwrap();
    assert_eq!((t.header.clone(), t.lines.clone()), (None, vec![3, 4]));
    let t = read("\n a , b \n3,4\n", Header::Yes).unwrap();
    assert_eq!(names(&t), Some(vec!["a", "b"]));
    let e = read("\n\n1,x\n3,4\n", Header::Auto).unwrap_err();
    assert!(
        matches!(e, Error::NonNumericFirstRow { line: 3, .. }),
        "{e}"
    );
}
