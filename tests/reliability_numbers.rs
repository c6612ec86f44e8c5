//! Issue 22, item 4: numbers mean what they say. On the built binary: a spread below the
//! smallest normal double is refused by column name (a constant feature is only centred, a
//! constant target is an error); integer class labels above 2^53 are refused, those up to
//! it stay distinct; a count of 0 and a list with an entry twice are errors naming the flag
//! in every command (0 is accepted where it means something); flags that do not apply to
//! the model are errors; digits labels outside 0–9 are refused. Nothing is written.

mod common;
use common::*;
use std::path::Path;

/// `rows` lines of `a,b,y` with column `b` = `b(i)` and target `y` = `y(i)`.
fn table(
    d: &Path,
    name: &str,
    rows: usize,
    b: impl Fn(usize) -> String,
    y: impl Fn(usize) -> String,
) {
    let mut s = String::from("a,b,y\n");
    for i in 0..rows {
        s.push_str(&format!("{},{},{}\n", i as f64 / rows as f64, b(i), y(i)));
    }
    write(d, name, &s);
}

fn train<'a>(data: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "train", "--data", data, "--target", "y", "--epochs", "2", "--out", "m.st",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn subnormal_spreads_are_refused_by_column_and_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    // b spreads by ~1e-311 (subnormal); y is an ordinary target.
    table(
        d,
        "tiny_b.csv",
        20,
        |i| format!("{:e}", i as f64 * 1e-312),
        |i| (i % 3).to_string(),
    );
    // The target itself spreads by a subnormal amount (down to the smallest double).
    table(
        d,
        "tiny_y.csv",
        20,
        |i| (i % 2).to_string(),
        |i| format!("{:e}", (i % 2) as f64 * 5e-324),
    );
    let why = "below the smallest normal double";
    for args in [
        train("tiny_b.csv", &["--tau", "1"]),
        train("tiny_b.csv", &["--task", "classify"]),
        train("tiny_b.csv", &["--method", "concrete", "--heteroscedastic"]),
        vec![
            "gp",
            "--data",
            "tiny_b.csv",
            "--target",
            "y",
            "--out",
            "g.st",
        ],
    ] {
        fails_leaving_files_alone(d, &args, &["tiny_b.csv", "column \"b\"", why, "rescale"]);
    }
    for args in [
        train("tiny_y.csv", &["--tau", "1"]),
        vec![
            "gp",
            "--data",
            "tiny_y.csv",
            "--target",
            "y",
            "--out",
            "g.st",
        ],
    ] {
        fails_leaving_files_alone(d, &args, &["tiny_y.csv", "column \"y\"", why]);
    }
}

#[test]
fn a_constant_feature_is_kept_a_constant_target_is_an_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    // A one-hot column that is all zero: carries nothing, harms nothing.
    table(d, "zero_b.csv", 20, |_| "0".into(), |i| (i * i).to_string());
    succeeds(d, &train("zero_b.csv", &["--tau", "1"]));
    assert!(d.join("m.st").exists());
    std::fs::remove_file(d.join("m.st")).unwrap();
    table(d, "const_y.csv", 20, |i| i.to_string(), |_| "4.5".into());
    fails_leaving_files_alone(
        d,
        &train("const_y.csv", &["--tau", "1"]),
        &["const_y.csv", "target y is constant", "4.5"],
    );
}

#[test]
fn class_labels_from_2_pow_53_are_refused_those_below_stay_distinct() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    // 2^53 + 2 is a double; 2^53 + 1 would round to 2^53 and merge with it.
    write(
        d,
        "above.csv",
        "a,y\n0,1\n1,9007199254740994\n2,1\n3,9007199254740994\n",
    );
    write(d, "neg.csv", "a,y\n0,1\n1,1\n2,-9007199254740994\n3,0\n");
    for (file, line) in [("above.csv", "above.csv:3:"), ("neg.csv", "neg.csv:4:")] {
        fails_leaving_files_alone(
            d,
            &train(file, &["--task", "classify"]),
            &[line, "below 2^53 = 9007199254740992"],
        );
    }
    // 2^53 + 1 reads as 2^53: refused, as 2^53 itself is (it may be a merged label).
    for (name, label) in [
        ("p53.csv", "9007199254740993"),
        ("e53.csv", "9007199254740992"),
    ] {
        write(d, name, &format!("a,y\n0,1\n1,0\n2,{label}\n3,1\n"));
        fails_leaving_files_alone(
            d,
            &train(name, &["--task", "classify"]),
            &[&format!("{name}:4:"), "below 2^53"],
        );
    }
    // The two largest accepted labels are two classes, not one.
    let mut s = String::from("a,y\n");
    for i in 0..20 {
        let label = if i % 2 == 0 {
            "9007199254740990"
        } else {
            "9007199254740991"
        };
        s.push_str(&format!("{i},{label}\n"));
    }
    write(d, "edge.csv", &s);
    let (_, stderr) = succeeds(d, &train("edge.csv", &["--task", "classify"]));
    assert_contains(&stderr, &["2 classes: 9007199254740990, 9007199254740991"]);
}

#[test]
fn a_zero_count_is_an_error_naming_the_flag_in_every_command() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    table(
        d,
        "d.csv",
        20,
        |i| (i % 7).to_string(),
        |i| (i * 3 % 11).to_string(),
    );
    let data = ["--data", "d.csv", "--target", "y"];
    let with = |cmd: &'static str, base: &[&'static str], flag: &'static str| {
        let mut v = vec![cmd];
        v.extend_from_slice(base);
        v.extend_from_slice(&[flag, "0"]);
        (v, flag)
    };
    let fit = [
        "--data", "d.csv", "--target", "y", "--out", "m.st", "--tau", "1",
    ];
    let model = ["--model", "m.st", "--data", "d.csv"];
    let cases = [
        with("train", &fit, "--epochs"),
        with("train", &fit, "--batch"),
        with("train", &fit, "--threads"),
        with("predict", &model, "--samples"),
        with("predict", &model, "--threads"),
        with(
            "evaluate",
            &[&model[..], &["--target", "y"]].concat(),
            "--bins",
        ),
        with(
            "evaluate",
            &[&model[..], &["--target", "y", "--elbo"]].concat(),
            "--elbo-samples",
        ),
        with(
            "gp",
            &[&data[..], &["--out", "g.st"]].concat(),
            "--max-iter",
        ),
        with("uci", &data, "--max-splits"),
        with("uci", &data, "--jobs"),
        with("uci", &data, "--samples"),
        with("uci", &data, "--random-splits"),
        with("uci", &data, "--target-steps"),
        with("uci", &data, "--layers"),
        with(
            "uci",
            &[&data[..], &["--method", "ensemble"]].concat(),
            "--members",
        ),
        with(
            "uci",
            &[&data[..], &["--method", "ensemble"]].concat(),
            "--val-samples",
        ),
        with(
            "search",
            &[&data[..], &["--out", "s.st"]].concat(),
            "--samples",
        ),
        with(
            "search",
            &[&data[..], &["--out", "s.st"]].concat(),
            "--target-steps",
        ),
        with("active", &["--out", "o"], "--steps"),
        with("active", &["--out", "o"], "--seeds"),
        with("active", &["--out", "o"], "--budget"),
        with("active", &["--out", "o"], "--start-per-class"),
        with("bandit", &["--out", "o"], "--horizon"),
        with("bandit", &["--out", "o"], "--train-every"),
        with("digits", &["--out", "o"], "--epochs"),
        with("co2", &["--out", "o"], "--samples"),
        with("demo", &[], "--epochs"),
        with("bench", &["--root", "."], "--samples"),
    ];
    for (args, flag) in &cases {
        fails_leaving_files_alone(d, args, &[&format!("invalid {flag}: must be at least 1")]);
        assert!(!d.join("o").exists(), "{args:?} created its output folder");
    }
    // Where 0 means something it is accepted: no restarts of the GP's optimiser.
    succeeds(
        d,
        &[
            "gp",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--out",
            "g.st",
            "--restarts",
            "0",
        ],
    );
    assert!(d.join("g.st").exists());
}

#[test]
fn a_list_with_an_entry_twice_is_an_error_naming_the_flag() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    table(
        d,
        "d.csv",
        20,
        |i| (i % 7).to_string(),
        |i| (i * 3 % 11).to_string(),
    );
    let data = ["--data", "d.csv", "--target", "y"];
    let cases: [(Vec<&str>, &str, &str); 8] = [
        (
            vec!["active", "--out", "o", "--functions", "bald,random,bald"],
            "--functions",
            "\"bald\" is listed twice (entries 1 and 3)",
        ),
        (
            vec!["bandit", "--out", "o", "--policies", "uniform,uniform"],
            "--policies",
            "\"uniform\" is listed twice",
        ),
        (
            vec!["bandit", "--out", "o", "--deltas", "0.5,0.50"],
            "--deltas",
            "\"0.50\" is listed twice",
        ),
        (
            [&["uci"][..], &data, &["--grid-tau", "1,1e0"]].concat(),
            "--grid-tau",
            "listed twice",
        ),
        (
            [&["uci"][..], &data, &["--grid-dropout", "0.1,0.1"]].concat(),
            "--grid-dropout",
            "listed twice",
        ),
        (
            [
                &["uci"][..],
                &data,
                &["--method", "ensemble", "--beta-nll", "0.5,0.5"],
            ]
            .concat(),
            "--beta-nll",
            "listed twice",
        ),
        (
            vec!["uci", "--root", ".", "--dataset", "boston,boston"],
            "--dataset",
            "\"boston\" is listed twice",
        ),
        (
            [
                &["search"][..],
                &data,
                &["--out", "s.st", "--grid-tau", "2,2"],
            ]
            .concat(),
            "--grid-tau",
            "listed twice",
        ),
    ];
    for (args, flag, words) in &cases {
        fails_leaving_files_alone(d, args, &[&format!("invalid {flag}:"), words]);
        assert!(!d.join("o").exists());
    }
    // A sequence may repeat: two hidden layers of 8 units.
    succeeds(d, &train("d.csv", &["--tau", "1", "--hidden", "8,8"]));
}

#[test]
fn flags_that_do_not_apply_to_the_model_are_errors() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    table(
        d,
        "d.csv",
        20,
        |i| (i % 7).to_string(),
        |i| (i * 3 % 11).to_string(),
    );
    let data = ["uci", "--data", "d.csv", "--target", "y"];
    for (extra, flag) in [
        (&["--model", "gp", "--grid-tau", "1,2"][..], "--grid-tau"),
        (
            &["--model", "gp", "--grid-dropout", "0.1"][..],
            "--grid-dropout",
        ),
        (&["--method", "gp", "--layers", "2"][..], "--layers"),
        (&["--model", "gp", "--samples", "10"][..], "--samples"),
        (&["--model", "gp", "--tau-units", "gal"][..], "--tau-units"),
    ] {
        let args = [&data[..], extra].concat();
        fails_leaving_files_alone(
            d,
            &args,
            &[&format!("invalid {flag}: does not apply"), "--model gp"],
        );
    }
    for extra in [&["--gp-kernel", "matern32"][..], &["--gp-restarts", "2"]] {
        let args = [&data[..], extra].concat();
        fails_leaving_files_alone(d, &args, &["does not apply: only with --model gp"]);
    }
    // A GP has no Monte-Carlo masks to key by row.
    succeeds(
        d,
        &[
            "gp",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--out",
            "g.st",
            "--restarts",
            "0",
        ],
    );
    write(d, "keys.csv", "id,a,b\n0,0.5,1\n1,0.2,3\n");
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "g.st",
            "--data",
            "keys.csv",
            "--key-column",
            "id",
            "--out",
            "p.csv",
        ],
        &["invalid --key-column: does not apply", "GP"],
    );
}

/// A digits file of `n` lines: 64 pixels then `label(i)`.
fn digits(d: &Path, name: &str, n: usize, label: impl Fn(usize) -> String) {
    let mut s = String::new();
    for i in 0..n {
        let pixels: Vec<String> = (0..64).map(|p| ((i + p) % 17).to_string()).collect();
        s.push_str(&format!("{},{}\n", pixels.join(","), label(i)));
    }
    write(d, name, &s);
}

#[test]
fn digits_labels_outside_0_to_9_are_refused_naming_file_and_line() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    for (bad, file) in [("10", "ten.csv"), ("-1", "minus.csv"), ("2.5", "half.csv")] {
        digits(d, file, 30, |i| {
            if i == 4 {
                bad.into()
            } else {
                (i % 10).to_string()
            }
        });
        for cmd in ["digits", "active"] {
            let args = [cmd, "--data", file, "--out", "o"];
            fails_leaving_files_alone(
                d,
                &args,
                &[&format!("{file}:5:"), &format!("label {bad}"), "0–9"],
            );
            assert!(!d.join("o").exists());
        }
    }
}
