//! Issue 9, item 1: the built binary takes a model's features by name whenever the file's
//! header names columns; a header naming some but not all of them, or a name twice, is an
//! error listing the missing and unexpected names, and nothing is written. Position is
//! used only with --by-position (or for a model trained without names).

mod common;
use common::*;

fn predict(data: &str) -> Vec<&str> {
    vec![
        "predict",
        "--model",
        "model.st",
        "--data",
        data,
        "--samples",
        "5",
        "--out",
        "p.csv",
    ]
}

#[test]
fn misspelled_renamed_missing_or_duplicated_names_are_errors() {
    let dir = trained();
    let d = dir.path();
    for (name, content, words) in [
        (
            "misspelled.csv",
            "x1,x_2,x3\n1,2,3\n",
            &["misspelled.csv", "missing \"x2\"", "unexpected \"x_2\""][..],
        ),
        (
            "renamed.csv",
            "a,b,c\n1,2,3\n",
            &[
                "missing \"x1\", \"x2\", \"x3\"",
                "unexpected \"a\", \"b\", \"c\"",
            ][..],
        ),
        (
            "missing.csv",
            "x1,x3\n1,3\n",
            &["missing \"x2\"", "unexpected none"][..],
        ),
        (
            "duplicated.csv",
            "x1,x2,x2,x3\n1,2,2,3\n",
            &["duplicated.csv", "\"x2\" twice"][..],
        ),
    ] {
        write(d, name, content);
        fails_leaving_files_alone(d, &predict(name), words);
    }
    // evaluate too, with the target among the columns.
    write(d, "eval.csv", "x1,x2,x4,y\n1,2,3,4\n2,3,4,5\n");
    fails_leaving_files_alone(
        d,
        &[
            "evaluate",
            "--model",
            "model.st",
            "--data",
            "eval.csv",
            "--target",
            "y",
            "--samples",
            "5",
        ],
        &["missing \"x3\"", "unexpected \"x4\""],
    );
}

#[test]
fn names_in_another_order_are_matched_by_name() {
    let dir = trained();
    let d = dir.path();
    write(d, "ordered.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    write(d, "shuffled.csv", "x3,extra,x1,x2\n0.3,99,0.1,0.2\n");
    succeeds(d, &predict("ordered.csv"));
    let a = std::fs::read_to_string(d.join("p.csv")).unwrap();
    succeeds(d, &predict("shuffled.csv"));
    let b = std::fs::read_to_string(d.join("p.csv")).unwrap();
    assert_eq!(a, b, "same rows by name must give the same predictions");
}

#[test]
fn position_only_with_the_flag() {
    let dir = trained();
    let d = dir.path();
    write(d, "plain.txt", "0.1 0.2 0.3\n");
    // The model knows its names: a header-less file is taken by position only when asked
    // (issue 22; more cases in tests/reliability_header.rs).
    fails_leaving_files_alone(d, &predict("plain.txt"), &["plain.txt", "no header line"]);
    let mut args = predict("plain.txt");
    args.push("--by-position");
    succeeds(d, &args);
    write(d, "named.csv", "a,b,c\n0.1,0.2,0.3\n");
    let mut args = predict("named.csv");
    args.push("--by-position");
    succeeds(d, &args);
}

#[test]
fn duplicate_header_names_are_refused_at_training() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(d, "dup.csv", "a,a,y\n1,2,3\n2,3,5\n3,1,4\n");
    fails_leaving_files_alone(
        d,
        &[
            "train", "--data", "dup.csv", "--target", "y", "--tau", "1", "--epochs", "1", "--out",
            "m.st",
        ],
        &["dup.csv", "\"a\" twice"],
    );
}
