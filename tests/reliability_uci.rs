//! Issue 9, item 5: the built binary's `uci` checks Gal's layout as strictly as `train`
//! checks a data file: zero splits, the target among the features, duplicated indices are
//! errors naming the file; test rows that are also training rows are a warning with the
//! count; nothing is written when the layout is refused.

mod common;
use common::*;
use std::path::Path;

/// A tiny dataset `toy` in Gal's layout under `root`, with `edits` (file, contents)
/// replacing the defaults.
fn layout(root: &Path, edits: &[(&str, &str)]) {
    let dir = root.join("toy").join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let mut data = String::new();
    for i in 0..30 {
        let t = i as f64 / 30.0;
        data.push_str(&format!(
            "{t} {} {}\n",
            (5.0 * t).sin(),
            2.0 * t + 0.1 * (i % 3) as f64
        ));
    }
    let train: Vec<String> = (0..24).map(|i| i.to_string()).collect();
    let test: Vec<String> = (24..30).map(|i| i.to_string()).collect();
    let (train, test) = (train.join("\n"), test.join("\n"));
    let defaults = [
        ("data.txt", data.as_str()),
        ("index_features.txt", "0\n1\n"),
        ("index_target.txt", "2\n"),
        ("n_splits.txt", "1\n"),
        ("n_epochs.txt", "2\n"),
        ("n_hidden.txt", "5\n"),
        ("dropout_rates.txt", "0.05\n"),
        ("tau_values.txt", "10\n"),
        ("index_train_0.txt", train.as_str()),
        ("index_test_0.txt", test.as_str()),
    ];
    for (name, content) in defaults {
        let content = edits
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(content, |e| e.1);
        std::fs::write(dir.join(name), content).unwrap();
    }
}

const RUN: [&str; 9] = [
    "uci",
    "--root",
    ".",
    "--dataset",
    "toy",
    "--samples",
    "3",
    "--out",
    "res",
];

#[test]
fn bad_layouts_are_errors_naming_the_file() {
    for (edits, words) in [
        (
            &[("n_splits.txt", "0\n")][..],
            &["n_splits.txt", "positive integer"][..],
        ),
        (
            &[("index_features.txt", "0\n2\n")][..],
            &["index_features.txt", "target column 2", "also a feature"][..],
        ),
        (
            &[("index_features.txt", "0\n1\n1\n")][..],
            &["index_features.txt", "column 1 is listed twice"][..],
        ),
        (
            &[("index_train_0.txt", "0\n1\n2\n2\n3\n")][..],
            &["index_train_0.txt", "row index 2 is listed twice"][..],
        ),
        (
            &[("index_test_0.txt", "")][..],
            &["index_test_0.txt", "no row indices"][..],
        ),
        (
            &[("n_splits.txt", "1000000000000000\n")][..],
            &["n_splits.txt", "index_train_1.txt is missing"][..],
        ),
        (
            &[("index_target.txt", "7\n")][..],
            &["index_target.txt", "column 7 out of range"][..],
        ),
    ] {
        let dir = tempfile::TempDir::new().unwrap();
        layout(dir.path(), edits);
        std::fs::create_dir(dir.path().join("res")).unwrap();
        fails_leaving_files_alone(dir.path(), &RUN, words);
        assert_eq!(
            std::fs::read_dir(dir.path().join("res")).unwrap().count(),
            0
        );
    }
}

#[test]
fn overlapping_test_and_training_rows_are_a_warning_with_the_count() {
    let dir = tempfile::TempDir::new().unwrap();
    let train: Vec<String> = (0..26).map(|i| i.to_string()).collect();
    layout(dir.path(), &[("index_train_0.txt", &train.join("\n"))]);
    std::fs::create_dir(dir.path().join("res")).unwrap();
    let (_, stderr) = succeeds(dir.path(), &RUN);
    assert_contains(
        &stderr,
        &[
            "warning:",
            "index_test_0.txt",
            "2 of its 6 test rows are also training rows",
        ],
    );
}

#[test]
fn a_split_or_grid_value_given_twice_or_out_of_range_is_an_error() {
    let dir = tempfile::TempDir::new().unwrap();
    layout(dir.path(), &[]);
    for (extra, words) in [
        (
            &["--splits", "0,0"][..],
            &["--splits", "split 0 is listed twice"][..],
        ),
        (
            &["--grid-dropout", "1"][..],
            &["--grid-dropout", "[0, 1)"][..],
        ),
        (&["--grid-tau", "0"][..], &["--grid-tau", "positive"][..]),
    ] {
        let mut args = RUN.to_vec();
        args.extend_from_slice(extra);
        fails_leaving_files_alone(dir.path(), &args, words);
    }
}
