//! Issue 23, items 1 and 2, through the binary: a table as it is — text (categorical)
//! columns, numeric codes declared categorical, missing cells under each rule — trains and
//! scores without preprocessing. The reference is the same model trained on a table the
//! test encodes itself (one-hot columns, the mean it computes, an indicator column): both
//! must give byte-identical predictions, since the network sees the same numbers.

mod common;
use common::*;
use std::path::Path;

const COLOURS: [&str; 3] = ["red", "green", "blue"];

/// Rows (size, colour, age, price): `age` is missing where `missing(i)`.
fn rows(n: usize, missing: impl Fn(usize) -> bool) -> Vec<(f64, &'static str, Option<f64>, f64)> {
    (0..n)
        .map(|i| {
            let size = 20.0 + (i * 37 % 80) as f64;
            let colour = COLOURS[i * 7 % 3];
            let age = (i * 13 % 30) as f64;
            let shift = match colour {
                "red" => 0.5,
                "green" => 0.0,
                _ => -0.5,
            };
            let price = 0.02 * size + shift - 0.01 * age + ((i * 17 % 11) as f64 - 5.0) * 0.02;
            (size, colour, (!missing(i)).then_some(age), price)
        })
        .collect()
}

/// The raw CSV: a text column and, where missing, an empty cell.
fn raw_csv(rows: &[(f64, &str, Option<f64>, f64)]) -> String {
    let mut s = String::from("size,colour,age,price\n");
    for (size, colour, age, price) in rows {
        let age = age.map_or(String::new(), |a| a.to_string());
        s += &format!("{size},{colour},{age},{price}\n");
    }
    s
}

/// The same table encoded by hand: one-hot colour columns in sorted order (blue, green,
/// red), the age column with `fill` for a missing cell and, when `indicator`, a
/// missing-indicator column — the names the tool gives its inputs.
fn encoded_csv(rows: &[(f64, &str, Option<f64>, f64)], fill: f64, indicator: bool) -> String {
    let mut s = String::from("size,colour=blue,colour=green,colour=red,age");
    if indicator {
        s += ",age (missing)";
    }
    s += ",price\n";
    for (size, colour, age, price) in rows {
        let hot = |c: &str| if *colour == c { "1" } else { "0" };
        s += &format!(
            "{size},{},{},{},{}",
            hot("blue"),
            hot("green"),
            hot("red"),
            age.unwrap_or(fill)
        );
        if indicator {
            s += if age.is_none() { ",1" } else { ",0" };
        }
        s += &format!(",{price}\n");
    }
    s
}

fn train(dir: &Path, data: &str, out: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "train", "--data", data, "--target", "price", "--tau", "20", "--epochs", "20", "--out", out,
    ];
    args.extend_from_slice(extra);
    succeeds(dir, &args).1
}

fn predict(dir: &Path, model: &str, data: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "predict",
        "--model",
        model,
        "--data",
        data,
        "--samples",
        "50",
    ];
    args.extend_from_slice(extra);
    succeeds(dir, &args).0
}

#[test]
fn a_text_column_is_one_hot_encoded_as_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = rows(120, |_| false);
    write(d, "raw.csv", &raw_csv(&r));
    write(d, "enc.csv", &encoded_csv(&r, 0.0, false));
    let note = train(d, "raw.csv", "raw.model", &[]);
    assert_contains(
        &note,
        &["column \"colour\" is categorical: one-hot over 3 categories (blue, green, red)"],
    );
    train(d, "enc.csv", "enc.model", &[]);
    // The stored encoding, read back through the library.
    let enc = mcdropout::model::file_encoding(&d.join("raw.model"))
        .unwrap()
        .unwrap();
    assert_eq!(enc.categorical_names(), ["colour"]);
    assert_eq!(
        enc.output_names(),
        ["size", "colour=blue", "colour=green", "colour=red", "age"]
    );
    assert!(
        mcdropout::model::file_encoding(&d.join("enc.model"))
            .unwrap()
            .is_none()
    );
    // Same inputs, same seed: the same predictions, byte for byte, from the raw file.
    let raw = predict(d, "raw.model", "raw.csv", &[]);
    assert_eq!(raw, predict(d, "enc.model", "enc.csv", &[]));
    // And evaluate reads the raw file too.
    let (out, _) = succeeds(
        d,
        &[
            "evaluate",
            "--model",
            "raw.model",
            "--data",
            "raw.csv",
            "--target",
            "price",
            "--samples",
            "50",
        ],
    );
    assert_contains(&out, &["MC RMSE"]);
}

#[test]
fn an_unseen_category_is_an_error_or_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = rows(90, |_| false);
    write(d, "raw.csv", &raw_csv(&r));
    write(d, "enc.csv", &encoded_csv(&r, 0.0, false));
    train(d, "raw.csv", "raw.model", &[]);
    train(d, "enc.csv", "enc.model", &[]);
    write(
        d,
        "new.csv",
        "size,colour,age,price\n50,red,3,1\n60,purple,4,1\n",
    );
    let before = snapshot(d);
    let e = fails(d, &["predict", "--model", "raw.model", "--data", "new.csv"]);
    assert_contains(
        &e,
        &[
            "new.csv:3:",
            "\"colour\"",
            "\"purple\"",
            "not seen in training",
            "--unknown-category ignore",
        ],
    );
    assert_eq!(before, snapshot(d));
    // Ignored: all-zero inputs, as the hand-encoded row with no colour set.
    let (out, note) = succeeds(
        d,
        &[
            "predict",
            "--model",
            "raw.model",
            "--data",
            "new.csv",
            "--unknown-category",
            "ignore",
            "--samples",
            "50",
        ],
    );
    assert_contains(&note, &["1 cell of a category not seen in training"]);
    write(
        d,
        "new_enc.csv",
        "size,colour=blue,colour=green,colour=red,age,price\n50,0,0,1,3,1\n60,0,0,0,4,1\n",
    );
    assert_eq!(out, predict(d, "enc.model", "new_enc.csv", &[]));
}

#[test]
fn text_is_refused_with_categorical_none_and_beyond_max_categories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "raw.csv", &raw_csv(&rows(60, |_| false)));
    let args = |extra: &'static [&'static str]| {
        let mut a = vec![
            "train", "--data", "raw.csv", "--target", "price", "--tau", "20", "--epochs", "2",
            "--out", "m.model",
        ];
        a.extend_from_slice(extra);
        a
    };
    let e = fails_leaving_files_alone(
        d,
        &args(&["--categorical", "none"]),
        &["raw.csv:2:", "colour (index 1)", "\"red\""],
    );
    assert!(!e.contains("categorical:"), "{e}");
    fails_leaving_files_alone(
        d,
        &args(&["--max-categories", "2"]),
        &[
            "column \"colour\" has 3 distinct text values",
            "--max-categories 2",
        ],
    );
    // A text target is an error naming it.
    fails_leaving_files_alone(
        d,
        &[
            "train", "--data", "raw.csv", "--target", "colour", "--tau", "20", "--out", "m.model",
        ],
        &["raw.csv:2:", "colour (index 1)", "is text", "a target"],
    );
}

#[test]
fn numeric_codes_can_be_declared_categorical() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s = String::from("zone,size,price\n");
    for i in 0..60 {
        let zone = i % 3 + 1;
        s += &format!(
            "{zone},{},{}\n",
            i % 10,
            zone as f64 * 0.5 + (i % 10) as f64 * 0.1
        );
    }
    write(d, "z.csv", &s);
    let note = train(d, "z.csv", "z.model", &["--categorical", "zone"]);
    assert_contains(
        &note,
        &["column \"zone\" is categorical: one-hot over 3 categories (1, 2, 3)"],
    );
    let enc = mcdropout::model::file_encoding(&d.join("z.model"))
        .unwrap()
        .unwrap();
    assert_eq!(enc.output_names(), ["zone=1", "zone=2", "zone=3", "size"]);
    // A code written 2.0 at prediction is category 2 (numbers in their shortest form).
    write(d, "z2.csv", "zone,size\n2.0,3\n");
    write(d, "z3.csv", "zone,size\n2,3\n");
    assert_eq!(
        predict(d, "z.model", "z2.csv", &[]),
        predict(d, "z.model", "z3.csv", &[])
    );
    // An unknown name is an error naming it.
    fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "z.csv",
            "--target",
            "price",
            "--tau",
            "20",
            "--categorical",
            "zones",
            "--out",
            "y.model",
        ],
        &["\"zones\"", "zone, size, price"],
    );
}

#[test]
fn missing_cells_error_drop_or_impute() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = |i: usize| i % 9 == 4;
    let r = rows(120, missing);
    write(d, "raw.csv", &raw_csv(&r));
    // The default: an error naming line and column and both ways on.
    fails_leaving_files_alone(
        d,
        &[
            "train", "--data", "raw.csv", "--target", "price", "--tau", "20", "--out", "m.model",
        ],
        &[
            "raw.csv:6:",
            "age (index 2)",
            "--missing drop",
            "--missing impute",
        ],
    );
    // Drop: as training on the rows without missing cells.
    let kept: Vec<_> = r.iter().filter(|row| row.2.is_some()).cloned().collect();
    write(d, "kept.csv", &encoded_csv(&kept, 0.0, false));
    let note = train(d, "raw.csv", "drop.model", &["--missing", "drop"]);
    assert_contains(&note, &[&format!("dropped {} rows", r.len() - kept.len())]);
    train(d, "kept.csv", "kept.model", &[]);
    write(d, "full.csv", &raw_csv(&rows(10, |_| false)));
    write(
        d,
        "full_enc.csv",
        &encoded_csv(&rows(10, |_| false), 0.0, false),
    );
    assert_eq!(
        predict(d, "drop.model", "full.csv", &[]),
        predict(d, "kept.model", "full_enc.csv", &[])
    );
    // Impute: the training mean of the present cells (summed in order, as the tool does)
    // and an indicator column, stored and applied at prediction.
    let present: Vec<f64> = r.iter().filter_map(|row| row.2).collect();
    let mean = present.iter().sum::<f64>() / present.len() as f64;
    write(d, "imp_enc.csv", &encoded_csv(&r, mean, true));
    let note = train(d, "raw.csv", "imp.model", &["--missing", "impute"]);
    assert_contains(
        &note,
        &[&format!("{} missing cells filled", r.len() - present.len())],
    );
    train(d, "imp_enc.csv", "imp_enc.model", &[]);
    let test = rows(12, |i| i % 4 == 1);
    write(d, "test.csv", &raw_csv(&test));
    write(d, "test_enc.csv", &encoded_csv(&test, mean, true));
    assert_eq!(
        predict(d, "imp.model", "test.csv", &[]),
        predict(d, "imp_enc.model", "test_enc.csv", &[])
    );
    // A model fitted without imputation cannot fill cells at prediction.
    fails(
        d,
        &[
            "predict",
            "--model",
            "drop.model",
            "--data",
            "test.csv",
            "--missing",
            "impute",
        ],
    );
    // Missing markers as pandas writes them are missing, not text.
    let na = raw_csv(&test).replace(",,", ",NA,");
    write(d, "na.csv", &na);
    assert_eq!(
        predict(d, "imp.model", "na.csv", &[]),
        predict(d, "imp.model", "test.csv", &[])
    );
}

#[test]
fn a_column_of_numbers_with_a_typo_is_not_a_category() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s = String::from("size,price\n");
    for i in 0..30 {
        let size = if i == 7 {
            "4O".to_string()
        } else {
            i.to_string()
        };
        s += &format!("{size},{}\n", i as f64 * 0.1);
    }
    write(d, "typo.csv", &s);
    fails_leaving_files_alone(
        d,
        &[
            "train", "--data", "typo.csv", "--target", "price", "--tau", "20", "--out", "m.model",
        ],
        &[
            "typo.csv:9:",
            "size (index 0)",
            "\"4O\"",
            "29 of the column's 30",
            "--categorical",
        ],
    );
    // Named, it is a categorical column of 30 levels.
    let note = train(d, "typo.csv", "m.model", &["--categorical", "size"]);
    assert_contains(
        &note,
        &["column \"size\" is categorical: one-hot over 30 categories"],
    );
}

/// The library's one-call fit on a raw table (`RegressorParams::fit_table`) is the
/// command line's `train`: the same model file bytes apart from the timing, so the same
/// predictions through `predict`, and `Regressor::predict_table` gives them too.
#[test]
fn the_library_fits_and_scores_a_raw_table_as_the_command_line_does() {
    use mcdropout::data::{EncodingOptions, LoadOptions, Missing, UnknownCategory, read_table};
    use mcdropout::model::{Noise, RegressorParams};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "raw.csv", &raw_csv(&rows(120, |i| i % 9 == 2)));
    train(d, "raw.csv", "cli.model", &["--missing", "impute"]);
    let opts = LoadOptions {
        missing: Missing::Impute,
        ..LoadOptions::default()
    };
    let raw = read_table(&d.join("raw.csv"), &opts).unwrap();
    let mut params = RegressorParams::default();
    params.noise = Noise::Tau(20.0);
    params.train.epochs = 20;
    let enc = EncodingOptions {
        impute: true,
        ..EncodingOptions::default()
    };
    let model = params.fit_table(raw.clone(), "price", None, &enc).unwrap();
    mcdropout::model::save(&model, &d.join("lib.model")).unwrap();
    let from_cli = predict(d, "cli.model", "raw.csv", &[]);
    assert_eq!(predict(d, "lib.model", "raw.csv", &[]), from_cli);
    // predict_table with the CLI's default seed and the helper's T.
    let p = model
        .predict_table(
            &raw,
            &mcdropout::predict::McOptions::new(50, 0),
            UnknownCategory::Error,
        )
        .unwrap();
    let first: Vec<f64> = from_cli
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(p.mean[0], first[0]);
}
