//! Tests of [`Table::model_data`]: names or nothing.

use std::path::PathBuf;

use ndarray::array;

use crate::data::{ColumnMatch, Table};
use crate::error::Error;

fn table(header: Option<&[&str]>) -> Table {
    Table {
        path: PathBuf::from("t.csv"),
        header: header.map(|h| h.iter().map(|s| (*s).to_owned()).collect()),
        data: array![[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]],
        lines: vec![2, 3],
        text: Default::default(),
        dropped_rows: 0,
    }
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| (*s).to_owned()).collect()
}

const BY_NAME: ColumnMatch = ColumnMatch::ByName;

#[test]
fn named_model_on_a_header_less_file_is_an_error_listing_the_names() {
    let t = table(None);
    let e = t
        .model_data(&names(&["a", "b", "c"]), &names(&["y"]), Some("0"), BY_NAME)
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::ColumnMismatch { .. }), "{msg}");
    assert!(msg.starts_with("t.csv: "), "{msg}");
    assert!(msg.contains("no header line"), "{msg}");
    assert!(
        msg.contains("\"a\", \"b\", \"c\"") && msg.contains("\"y\""),
        "{msg}"
    );
    assert!(msg.contains("--by-position"), "{msg}");
    // Without a target (predict) too.
    assert!(
        t.model_data(&names(&["a", "b", "c", "d"]), &names(&["y"]), None, BY_NAME)
            .is_err()
    );
    // --by-position is the explicit way out: the target as given, the rest in order.
    let d = t
        .model_data(
            &names(&["a", "b", "c"]),
            &names(&["y"]),
            Some("0"),
            ColumnMatch::ByPosition,
        )
        .unwrap();
    assert_eq!(d.x.row(0).to_vec(), [2.0, 3.0, 4.0]);
    assert_eq!(d.y.unwrap().column(0).to_vec(), [1.0, 5.0]);
    assert_eq!(d.target_columns, ["0"]);
}

#[test]
fn a_target_given_by_index_must_be_the_models_target() {
    let t = table(Some(&["y", "a", "b", "c"]));
    let (f, y) = (names(&["a", "b", "c"]), names(&["y"]));
    let d = t.model_data(&f, &y, Some("0"), BY_NAME).unwrap();
    assert_eq!(d.target_columns, ["y"]);
    assert_eq!(d.x.row(1).to_vec(), [6.0, 7.0, 8.0]);
    let e = t.model_data(&f, &y, Some("3"), BY_NAME).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, Error::InvalidParameter { name, .. } if name == "--target"),
        "{msg}"
    );
    assert!(
        msg.contains("column \"c\"") && msg.contains("\"y\""),
        "{msg}"
    );
    // By name too: a column the model was not trained to predict.
    let t = table(Some(&["z", "a", "b", "c"]));
    let msg = t
        .model_data(&f, &y, Some("z"), BY_NAME)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("\"z\"") && msg.contains("\"y\""), "{msg}");
}

#[test]
fn positional_model_checks_the_target_index() {
    // Trained on a header-less file: features 0..2, target 3.
    let (f, y) = (names(&["0", "1", "2"]), names(&["3"]));
    let t = table(None);
    let d = t.model_data(&f, &y, Some("3"), BY_NAME).unwrap();
    assert_eq!(d.x.row(0).to_vec(), [1.0, 2.0, 3.0]);
    assert_eq!(d.target_columns, ["3"]);
    let msg = t
        .model_data(&f, &y, Some("0"), BY_NAME)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("column 0") && msg.contains("column 3"),
        "{msg}"
    );
    assert!(msg.contains("--by-position"), "{msg}");
    let d = t
        .model_data(&f, &y, Some("0"), ColumnMatch::ByPosition)
        .unwrap();
    assert_eq!(d.target_columns, ["0"]);
    // Predicting takes the features by position.
    let d = t
        .model_data(&names(&["0", "1", "2", "3"]), &y, None, BY_NAME)
        .unwrap();
    assert_eq!(d.x.ncols(), 4);
}

#[test]
fn unnamed_model_takes_the_columns_as_given() {
    let (f, y) = (names(&["x0", "x1", "x2"]), names(&["y"]));
    let d = table(None).model_data(&f, &y, Some("1"), BY_NAME).unwrap();
    assert_eq!(d.x.row(0).to_vec(), [1.0, 3.0, 4.0]);
    assert_eq!(d.target_columns, ["1"]);
}

#[test]
fn several_targets_are_matched_by_name_in_any_order() {
    let t = table(Some(&["b", "p", "a", "q"]));
    let (f, y) = (names(&["p", "q"]), names(&["a", "b"]));
    for spec in ["a,b", "b,a", "b, a", "2,0", "0,a"] {
        let d = t.model_data(&f, &y, Some(spec), BY_NAME).unwrap();
        assert_eq!(d.target_columns, ["a", "b"], "{spec}");
        let yy = d.y.unwrap();
        assert_eq!(yy.row(0).to_vec(), [3.0, 1.0], "{spec}");
        assert_eq!(d.x.row(0).to_vec(), [2.0, 4.0], "{spec}");
    }
    for (spec, needle) in [
        ("a,p", "\"p\""),
        ("a", "give them all"),
        ("a,b,q", "give them all"),
        ("a,a", "same column"),
        ("a,2", "same column"),
    ] {
        let e = t.model_data(&f, &y, Some(spec), BY_NAME).unwrap_err();
        assert!(e.to_string().contains(needle), "{spec}: {e}");
    }
    let e = t.model_data(&f, &y, Some("a,zz"), BY_NAME).unwrap_err();
    assert!(matches!(e, Error::UnknownColumn { .. }), "{e}");
    // By position the given order pairs with the model's.
    let d = t
        .model_data(&f, &y, Some("b,a"), ColumnMatch::ByPosition)
        .unwrap();
    assert_eq!(d.target_columns, ["b", "a"]);
}

#[test]
fn positional_several_targets_in_another_order() {
    let (f, y) = (names(&["0", "1"]), names(&["2", "3"]));
    let t = table(None);
    let d = t.model_data(&f, &y, Some("3,2"), BY_NAME).unwrap();
    assert_eq!(d.target_columns, ["2", "3"]);
    assert_eq!(d.y.unwrap().row(0).to_vec(), [3.0, 4.0]);
    let msg = t
        .model_data(&f, &y, Some("0,3"), BY_NAME)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("columns 2, 3"), "{msg}");
}

#[test]
fn a_duplicated_header_name_is_an_error() {
    let t = table(Some(&["a", "a", "b", "y"]));
    let e = t
        .model_data(&names(&["a", "b"]), &names(&["y"]), Some("y"), BY_NAME)
        .unwrap_err();
    assert!(e.to_string().contains("\"a\" twice"), "{e}");
}
