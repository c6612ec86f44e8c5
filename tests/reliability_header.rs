//! Issue 22, item 1: names or nothing. The built binary decides a header by `--header
//! yes|no|auto` (auto: a first line holding a number is data, and its text cell is an
//! error suggesting `--header yes`); a model that knows its column names refuses a
//! header-less file unless `--by-position`; a `--target` that is not the model's target is
//! an error naming both; several targets are matched by name in any order; a model file
//! with a duplicated name is refused at load, for every model kind.

mod common;
use common::*;
use std::path::Path;

fn train(d: &Path, data: &str, target: &str, out: &str, extra: &[&str]) {
    let mut args = vec![
        "train", "--data", data, "--target", target, "--tau", "10", "--epochs", "3", "--out", out,
    ];
    if extra.contains(&"--method") {
        // Ensembles learn their noise per input: no --tau.
        args.drain(5..7);
    }
    args.extend_from_slice(extra);
    succeeds(d, &args);
}

fn evaluate<'a>(model: &'a str, data: &'a str, target: &'a str) -> Vec<&'a str> {
    vec![
        "evaluate",
        "--model",
        model,
        "--data",
        data,
        "--target",
        target,
        "--samples",
        "5",
    ]
}

/// `synthetic_csv(n)` without its header line, whitespace-separated.
fn header_less(n: usize) -> String {
    synthetic_csv(n)
        .lines()
        .skip(1)
        .map(|l| l.replace(',', " ") + "\n")
        .collect()
}

#[test]
fn a_first_line_holding_a_number_is_data_and_its_text_is_an_error_at_line_1() {
    let dir = trained();
    let d = dir.path();
    for (content, value, column) in [
        ("1,x2,3\n0.1,0.2,0.3\n", "x2", "index 1"),
        ("x1,2,3\n0.1,0.2,0.3\n", "x1", "index 0"),
    ] {
        write(d, "mixed.csv", content);
        let stderr = fails_leaving_files_alone(
            d,
            &[
                "predict",
                "--model",
                "model.st",
                "--data",
                "mixed.csv",
                "--samples",
                "5",
            ],
            &[
                "mixed.csv:1:",
                column,
                value,
                "read as data",
                "--header yes",
            ],
        );
        assert!(!stderr.contains("p.csv"), "{stderr}");
    }
    // `NA` is a missing-value marker (pandas' list), so `0.1,NA,0.3` is data with a
    // missing cell: an error at line 1 all the same, never a header.
    write(d, "mixed.csv", "0.1,NA,0.3\n0.1,0.2,0.3\n");
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "model.st",
            "--data",
            "mixed.csv",
            "--samples",
            "5",
        ],
        &["mixed.csv:1:", "index 1", "\"NA\"", "missing"],
    );
    // The same file with --header yes reads line 1 as the header (its names then do not
    // match the model's: a name error, not a parse error).
    write(d, "mixed.csv", "1,x2,3\n0.1,0.2,0.3\n");
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "model.st",
            "--data",
            "mixed.csv",
            "--samples",
            "5",
            "--header",
            "yes",
        ],
        &["missing \"x1\", \"x3\"", "unexpected \"1\", \"3\""],
    );
}

#[test]
fn header_yes_and_no_decide_explicitly() {
    let dir = trained();
    let d = dir.path();
    // --header no: the names line is data, an error at line 1 without the hint.
    let stderr = fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "train.csv",
            "--target",
            "3",
            "--tau",
            "1",
            "--epochs",
            "1",
            "--out",
            "m2.st",
            "--header",
            "no",
        ],
        // Read as data, each name is one text cell in a column of numbers.
        &["train.csv:1:", "\"x1\"", "are numbers"],
    );
    assert!(!stderr.contains("--header yes"), "{stderr}");
    // --header yes on a file whose first line is numbers: they are the names.
    write(
        d,
        "numnames.csv",
        "1,2,3,4\n0.1,0.2,0.3,1\n0.2,0.1,0.5,2\n0.3,0.9,0.1,3\n",
    );
    let (_, stderr) = succeeds(
        d,
        &[
            "train",
            "--data",
            "numnames.csv",
            "--target",
            "4",
            "--tau",
            "1",
            "--epochs",
            "1",
            "--out",
            "n.st",
            "--header",
            "yes",
        ],
    );
    assert_contains(&stderr, &["3 rows", "(1, 2, 3)"]);
    // The default reads the same first line as data: four rows.
    let (_, stderr) = succeeds(
        d,
        &[
            "train",
            "--data",
            "numnames.csv",
            "--target",
            "3",
            "--tau",
            "1",
            "--epochs",
            "1",
            "--out",
            "n.st",
        ],
    );
    assert_contains(&stderr, &["4 rows", "(0, 1, 2)"]);
    // An invalid value is a usage error.
    let out = mcdropout(d)
        .args([
            "predict",
            "--model",
            "model.st",
            "--data",
            "train.csv",
            "--header",
            "maybe",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_named_model_refuses_a_header_less_file_unless_by_position() {
    let dir = trained();
    let d = dir.path();
    write(d, "plain.txt", &header_less(10));
    write(d, "x.txt", "0.1 0.2 0.3\n0.4 0.5 0.6\n");
    let words = [
        "x.txt",
        "no header line",
        "\"x1\", \"x2\", \"x3\"",
        "\"y\"",
        "--by-position",
    ];
    let mut args = vec![
        "predict",
        "--model",
        "model.st",
        "--data",
        "x.txt",
        "--samples",
        "5",
    ];
    args.extend(["--out", "p.csv"]);
    fails_leaving_files_alone(d, &args, &words);
    let mut by_position = args.clone();
    by_position.push("--by-position");
    succeeds(d, &by_position);
    assert!(d.join("p.csv").exists());
    // evaluate: the same, for every --target.
    for target in ["3", "0", "y"] {
        fails_leaving_files_alone(d, &evaluate("model.st", "plain.txt", target), &words[1..]);
    }
    let mut args = evaluate("model.st", "plain.txt", "3");
    args.push("--by-position");
    let (out, _) = succeeds(d, &args);
    assert_contains(&out, &["(target 3)"]);
}

#[test]
fn a_target_that_is_not_the_models_is_an_error_naming_both() {
    let dir = trained();
    let d = dir.path();
    // By index on a file with a header: column 0 is "x1", the model's target is "y".
    for (target, column) in [("0", "\"x1\""), ("x2", "\"x2\"")] {
        fails_leaving_files_alone(
            d,
            &evaluate("model.st", "train.csv", target),
            &["--target", column, "target is \"y\"", "--target y"],
        );
    }
    // The model's target by name or by index: the report names the column used.
    for target in ["y", "3"] {
        let (out, _) = succeeds(d, &evaluate("model.st", "train.csv", target));
        assert_contains(&out, &["(target y)"]);
    }
    // A model trained on a header-less file stores its target's index (the case:
    // --target 0 scored column 0 as the target).
    write(d, "plain.txt", &header_less(40));
    train(d, "plain.txt", "3", "pos.st", &[]);
    fails_leaving_files_alone(
        d,
        &evaluate("pos.st", "plain.txt", "0"),
        &[
            "column 0",
            "target in column 3",
            "--target 3",
            "--by-position",
        ],
    );
    let (out, _) = succeeds(d, &evaluate("pos.st", "plain.txt", "3"));
    assert_contains(&out, &["(target 3)"]);
    let mut args = evaluate("pos.st", "plain.txt", "0");
    args.push("--by-position");
    let (out, _) = succeeds(d, &args);
    assert_contains(&out, &["(target 0)"]);
}

#[test]
fn classifier_and_gp_check_their_target_too() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    train_classifier(d);
    fails_leaving_files_alone(
        d,
        &evaluate("c.st", "cls.csv", "a"),
        &["--target", "column \"a\"", "\"y\""],
    );
    let (out, _) = succeeds(d, &evaluate("c.st", "cls.csv", "2"));
    assert_contains(&out, &["label y"]);
    write(d, "cls.txt", "1 2 0\n2 3 1\n");
    fails_leaving_files_alone(d, &evaluate("c.st", "cls.txt", "2"), &["no header line"]);
    write(d, "d.csv", &synthetic_csv(20));
    succeeds(
        d,
        &[
            "gp",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--restarts",
            "0",
            "--out",
            "m.gp",
        ],
    );
    let gp_eval = |t: &'static str| {
        vec![
            "evaluate", "--model", "m.gp", "--data", "d.csv", "--target", t,
        ]
    };
    fails_leaving_files_alone(d, &gp_eval("x3"), &["column \"x3\"", "\"y\""]);
    let (out, _) = succeeds(d, &gp_eval("3"));
    assert_contains(&out, &["(target y)"]);
}

#[test]
fn several_targets_are_matched_by_name_in_any_order() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(d, "t.csv", &synthetic_csv(40));
    train(d, "t.csv", "x3,y", "multi.st", &[]);
    let (a, _) = succeeds(d, &evaluate("multi.st", "t.csv", "x3,y"));
    let (b, _) = succeeds(d, &evaluate("multi.st", "t.csv", "y,x3"));
    let (c, _) = succeeds(d, &evaluate("multi.st", "t.csv", "3,2"));
    assert_eq!(a, b, "the order of --target must not change the figures");
    assert_eq!(a, c);
    assert_contains(&a, &["| x3 |", "| y |"]);
    for (target, words) in [
        ("y,x1", &["\"x1\"", "\"x3\", \"y\""][..]),
        ("y", &["give them all"][..]),
        ("y,3", &["same column"][..]),
        ("y,zz", &["unknown column \"zz\""][..]),
    ] {
        fails_leaving_files_alone(d, &evaluate("multi.st", "t.csv", target), words);
    }
    // By position the given order pairs with the model's, and the report says so.
    let mut args = evaluate("multi.st", "t.csv", "y,x3");
    args.push("--by-position");
    let (out, _) = succeeds(d, &args);
    assert_contains(&out, &["| x3 (column y) |", "| y (column x3) |"]);
    // A header-less file is refused.
    write(d, "plain.txt", &header_less(10));
    fails_leaving_files_alone(
        d,
        &evaluate("multi.st", "plain.txt", "2,3"),
        &["no header line", "targets \"x3\", \"y\""],
    );
}

/// The model file with the metadata bytes `from` replaced by `to` (same length) and the
/// checksum recomputed as `src/model/checksum.rs` does, so only the names are wrong.
fn reseal(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let mut bytes = std::fs::read(path).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = String::from_utf8(bytes[8..8 + header_len].to_vec()).unwrap();
    let at = header.find(from).expect("name in the metadata");
    bytes[8 + at..8 + at + from.len()].copy_from_slice(to.as_bytes());
    let key = "mcdropout_crc32\\\":\\\"";
    let digits = 8 + header.find(key).expect("checksum field") + key.len();
    bytes[digits..digits + 8].copy_from_slice(b"00000000");
    let crc = format!("{:08x}", crc32fast::hash(&bytes));
    bytes[digits..digits + 8].copy_from_slice(crc.as_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn duplicate_names_in_a_model_file_are_refused_at_load() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(d, "t.csv", &synthetic_csv(30));
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    train(d, "t.csv", "y", "reg.st", &[]);
    train(d, "t.csv", "x3,y", "multi.st", &[]);
    train(
        d,
        "t.csv",
        "y",
        "ens.st",
        &["--method", "ensemble", "--members", "2"],
    );
    succeeds(
        d,
        &[
            "gp",
            "--data",
            "t.csv",
            "--target",
            "y",
            "--restarts",
            "0",
            "--out",
            "m.gp",
        ],
    );
    train_classifier(d);
    write(d, "cls_x.csv", "a,b\n1,2\n");
    let cases = [
        (
            "reg.st",
            "\\\"x2\\\"",
            "\\\"x1\\\"",
            "x.csv",
            "\"x1\" is given to feature 0 and to feature 1",
        ),
        (
            "multi.st",
            "\\\"x3\\\"",
            "\\\"x1\\\"",
            "x.csv",
            "\"x1\" is given to feature 0 and to target 0",
        ),
        ("ens.st", "\\\"x3\\\"", "\\\"x2\\\"", "x.csv", "\"x2\""),
        ("m.gp", "\\\"x3\\\"", "\\\"x1\\\"", "x.csv", "\"x1\""),
        (
            "c.st",
            "\\\"b\\\"",
            "\\\"a\\\"",
            "cls_x.csv",
            "\"a\" is given to feature 0 and to feature 1",
        ),
    ];
    for (model, from, to, data, words) in cases {
        reseal(&d.join(model), from, to);
        let mut args = vec![
            "predict", "--model", model, "--data", data, "--out", "p.csv",
        ];
        if model != "m.gp" {
            args.extend(["--samples", "5"]);
        }
        fails_leaving_files_alone(
            d,
            &args,
            &[
                model,
                "not a valid mcdropout model file",
                words,
                "its own name",
            ],
        );
    }
}
