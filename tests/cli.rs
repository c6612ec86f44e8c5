//! End-to-end tests of the `mcdropout` command-line tool: every kind of bad input gets a
//! clear message naming the file / line / column / argument, a non-zero exit and no output
//! file; the happy paths train, predict and evaluate on tiny synthetic data.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The binary, run inside `dir`.
fn mcdropout(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcdropout").expect("binary built");
    cmd.current_dir(dir);
    cmd
}

/// Runs `args` in `dir`, expects exit code 1 and returns stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    fails_with(dir, args, 1)
}

/// Runs `args` in `dir`, expects exit code `code` and returns stderr.
fn fails_with(dir: &Path, args: &[&str], code: i32) -> String {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "args {args:?}\nstderr:\n{stderr}"
    );
    stderr
}

/// Runs `args` in `dir`, expects success and returns (stdout, stderr).
fn succeeds(dir: &Path, args: &[&str]) -> (String, String) {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "args {args:?}\nstderr:\n{stderr}");
    (stdout, stderr)
}

fn assert_contains(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "expected {w:?} in:\n{text}");
    }
}

/// A temp dir holding `name` with `content`.
fn dir_with(name: &str, content: &str) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join(name), content).expect("write");
    dir
}

/// `n` rows of `x1,x2,x3,y` with y a smooth function of the inputs plus a little
/// deterministic wiggle (no random numbers needed).
fn synthetic_csv(n: usize) -> String {
    let mut s = String::from("x1,x2,x3,y\n");
    for i in 0..n {
        let t = i as f64 / n as f64;
        let (x1, x2, x3) = (t, (7.0 * t).sin(), ((i * 37) % 11) as f64 / 11.0);
        let y = 2.0 * x1 - x2 + 0.5 * x3 + 0.05 * ((i * 13) % 7) as f64;
        s.push_str(&format!("{x1},{x2},{x3},{y}\n"));
    }
    s
}

/// Quick training arguments on `data` writing `out`.
fn train_args<'a>(data: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "train", "--data", data, "--target", "y", "--tau", "10", "--epochs", "5", "--out", out,
    ]
}

/// A temp dir with `train.csv` (60 rows) and a model trained on it, `model.bin`.
fn trained() -> TempDir {
    let dir = dir_with("train.csv", &synthetic_csv(60));
    succeeds(dir.path(), &train_args("train.csv", "model.bin"));
    assert!(dir.path().join("model.bin").is_file());
    dir
}

/// Train on a data file with `content`; expect failure naming `words`, and no model file.
fn train_fails(content: &str, extra: &[&str], words: &[&str]) {
    let dir = dir_with("data.csv", content);
    let mut args = train_args("data.csv", "model.bin");
    args.extend_from_slice(extra);
    let stderr = fails(dir.path(), &args);
    assert_contains(&stderr, words);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        !dir.path().join("model.bin").exists(),
        "a model was written"
    );
}

/// Train on good data with an invalid `flag value`; expect `words` and no model file.
fn bad_argument(flag_value: [&str; 2], words: &[&str]) {
    let dir = dir_with("data.csv", &synthetic_csv(20));
    let mut args = train_args("data.csv", "model.bin");
    match args.iter().position(|a| *a == flag_value[0]) {
        Some(i) => args[i + 1] = flag_value[1],
        None => args.extend(flag_value),
    }
    let stderr = fails(dir.path(), &args);
    assert_contains(&stderr, words);
    assert!(
        !dir.path().join("model.bin").exists(),
        "a model was written"
    );
}

fn out_path(dir: &TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

// ---------------------------------------------------------------- bad data files

#[test]
fn missing_file() {
    let dir = TempDir::new().unwrap();
    let stderr = fails(dir.path(), &train_args("nope.csv", "model.bin"));
    assert_contains(&stderr, &["nope.csv", "No such file"]);
    assert!(!out_path(&dir, "model.bin").exists());
}

#[test]
fn empty_file() {
    train_fails("", &[], &["data.csv", "empty"]);
}

#[test]
fn header_only() {
    train_fails("a,b,y\n", &[], &["data.csv", "header only"]);
}

#[test]
fn ragged_row() {
    train_fails(
        "a,b,y\n1,2,3\n4,5,6\n7,8\n",
        &[],
        &["data.csv:4", "2 columns", "expected 3"],
    );
}

#[test]
fn non_numeric_cell() {
    // Text is a categorical column unless `--categorical none` refuses it (tests/raw_tables.rs).
    train_fails(
        "a,b,y\n1,2,3\n4,abc,6\n",
        &["--categorical", "none"],
        &["data.csv:3", "column b", "\"abc\""],
    );
}

#[test]
fn nan_cell() {
    train_fails(
        "a,b,y\n1,2,3\n4,5,6\nNaN,1,2\n",
        &[],
        &[
            "data.csv:4",
            "column a",
            "NaN",
            "--missing drop",
            "--missing impute",
        ],
    );
}

#[test]
fn inf_cell() {
    train_fails(
        "a,b,y\n1,2,3\n4,5,inf\n",
        &[],
        &["data.csv:3", "column y", "inf"],
    );
}

#[test]
fn empty_cell() {
    train_fails("a,b,y\n1,2,3\n4,,6\n", &[], &["data.csv:3", "column b"]);
}

#[test]
fn drop_missing_skips_nan_inf_and_empty_rows() {
    let mut content = synthetic_csv(20);
    content.push_str("NaN,1,2,3\n1,inf,2,3\n1,2,,3\n");
    let dir = dir_with("data.csv", &content);
    let mut args = train_args("data.csv", "model.bin");
    args.push("--drop-missing");
    let (_, stderr) = succeeds(dir.path(), &args);
    assert_contains(&stderr, &["dropped 3 rows", "20 rows remain"]);
    assert!(out_path(&dir, "model.bin").is_file());
}

#[test]
fn unknown_target_column() {
    let dir = dir_with("data.csv", &synthetic_csv(10));
    let stderr = fails(
        dir.path(),
        &[
            "train", "--data", "data.csv", "--target", "price", "--tau", "1", "--out", "m.bin",
        ],
    );
    assert_contains(&stderr, &["data.csv", "\"price\"", "x1, x2, x3, y"]);
    assert!(!out_path(&dir, "m.bin").exists());
}

#[test]
fn fewer_than_two_training_rows() {
    train_fails(
        "a,y\n1,2\n",
        &[],
        &["data.csv", "at least 2 training rows", "got 1"],
    );
}

#[test]
fn constant_target() {
    train_fails(
        "a,y\n1,5\n2,5\n3,5\n",
        &[],
        &["data.csv", "target y", "constant"],
    );
}

#[test]
fn missing_tau_explains_there_is_no_default() {
    let dir = dir_with("data.csv", &synthetic_csv(10));
    let stderr = fails_with(
        dir.path(),
        &[
            "train", "--data", "data.csv", "--target", "y", "--out", "m.bin",
        ],
        2,
    );
    assert_contains(
        &stderr,
        &[
            "--tau",
            "--weight-decay",
            "noise precision",
            "no dataset-independent default",
        ],
    );
    assert!(!out_path(&dir, "m.bin").exists());
}

#[test]
fn tau_and_weight_decay_are_exclusive() {
    let dir = dir_with("data.csv", &synthetic_csv(10));
    let mut args = train_args("data.csv", "m.bin");
    args.extend(["--weight-decay", "1e-4"]);
    let stderr = fails_with(dir.path(), &args, 2);
    assert_contains(&stderr, &["--tau", "--weight-decay"]);
    assert!(!out_path(&dir, "m.bin").exists());
}

// ---------------------------------------------------------------- bad arguments

#[test]
fn dropout_one_is_rejected() {
    bad_argument(["--dropout", "1.0"], &["--dropout", "[0, 1)", "got 1"]);
}

#[test]
fn dropout_negative_is_rejected() {
    bad_argument(["--dropout", "-0.1"], &["--dropout", "[0, 1)", "-0.1"]);
}

#[test]
fn non_positive_tau_is_rejected() {
    let dir = dir_with("data.csv", &synthetic_csv(10));
    for tau in ["0", "-2"] {
        let stderr = fails(
            dir.path(),
            &[
                "train", "--data", "data.csv", "--target", "y", "--tau", tau, "--out", "m.bin",
            ],
        );
        assert_contains(&stderr, &["--tau", "positive"]);
    }
    assert!(!out_path(&dir, "m.bin").exists());
}

#[test]
fn non_positive_weight_decay_is_rejected() {
    let dir = dir_with("data.csv", &synthetic_csv(10));
    let stderr = fails(
        dir.path(),
        &[
            "train",
            "--data",
            "data.csv",
            "--target",
            "y",
            "--weight-decay",
            "0",
            "--out",
            "m.bin",
        ],
    );
    assert_contains(&stderr, &["--weight-decay", "positive"]);
    assert!(!out_path(&dir, "m.bin").exists());
}

#[test]
fn non_positive_length_scale_is_rejected() {
    bad_argument(["--length-scale", "0"], &["--length-scale", "positive"]);
}

#[test]
fn non_positive_learning_rate_is_rejected() {
    bad_argument(["--lr", "-0.001"], &["--lr", "positive"]);
}

#[test]
fn zero_batch_size_is_rejected() {
    bad_argument(["--batch", "0"], &["--batch", "at least 1"]);
}

#[test]
fn zero_epochs_are_rejected() {
    bad_argument(["--epochs", "0"], &["--epochs", "at least 1"]);
}

#[test]
fn zero_samples_are_rejected() {
    let dir = trained();
    let stderr = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--samples",
            "0",
            "--out",
            "p.csv",
        ],
    );
    assert_contains(&stderr, &["--samples", "at least 1"]);
    assert!(!out_path(&dir, "p.csv").exists());
    let stderr = fails(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--samples",
            "0",
        ],
    );
    assert_contains(&stderr, &["--samples"]);
}

#[test]
fn zero_threads_are_rejected() {
    bad_argument(["--threads", "0"], &["--threads", "at least 1"]);
}

#[test]
fn output_in_missing_folder() {
    let dir = dir_with("data.csv", &synthetic_csv(10));
    let stderr = fails(dir.path(), &train_args("data.csv", "no/such/dir/m.bin"));
    assert_contains(&stderr, &["--out", "no/such/dir", "does not exist"]);
    assert!(!out_path(&dir, "no").exists());

    let dir = trained();
    let stderr = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--samples",
            "10",
            "--out",
            "gone/p.csv",
        ],
    );
    assert_contains(&stderr, &["--out", "gone", "does not exist"]);
    assert!(!out_path(&dir, "gone").exists());
}

// ---------------------------------------------------------------- bad models, bad predict input

#[test]
fn wrong_number_of_features_at_predict_time() {
    let dir = trained();
    std::fs::write(out_path(&dir, "two.csv"), "u,v\n1,2\n3,4\n").unwrap();
    let stderr = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "two.csv",
            "--samples",
            "10",
            "--out",
            "p.csv",
        ],
    );
    // A header that names none of the model's features is never taken by position.
    assert_contains(
        &stderr,
        &[
            "two.csv",
            "missing \"x1\", \"x2\", \"x3\"",
            "unexpected \"u\", \"v\"",
        ],
    );
    assert!(!out_path(&dir, "p.csv").exists());

    // Without a header, taken by position, too.
    std::fs::write(out_path(&dir, "four.txt"), "1 2 3 4\n5 6 7 8\n").unwrap();
    let stderr = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "four.txt",
            "--samples",
            "10",
            "--out",
            "p.csv",
            "--by-position",
        ],
    );
    // (Without --by-position a header-less file is refused first: the model has names.)
    assert_contains(&stderr, &["four.txt", "expects 3", "found 4"]);
    assert!(!out_path(&dir, "p.csv").exists());
}

#[test]
fn corrupted_model_file() {
    let dir = trained();
    // Deterministic "random" bytes.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(out_path(&dir, "junk.bin"), bytes).unwrap();
    let stderr = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "junk.bin",
            "--data",
            "train.csv",
            "--samples",
            "10",
            "--out",
            "p.csv",
        ],
    );
    assert_contains(&stderr, &["junk.bin", "not a valid mcdropout model file"]);
    assert!(!out_path(&dir, "p.csv").exists());
}

#[test]
fn truncated_model_file() {
    let dir = trained();
    let bytes = std::fs::read(out_path(&dir, "model.bin")).unwrap();
    std::fs::write(out_path(&dir, "half.bin"), &bytes[..bytes.len() / 2]).unwrap();
    let stderr = fails(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "half.bin",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--samples",
            "10",
        ],
    );
    assert_contains(&stderr, &["half.bin", "not a valid mcdropout model file"]);
    let stderr = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "half.bin",
            "--data",
            "train.csv",
            "--samples",
            "10",
            "--out",
            "p.csv",
        ],
    );
    assert_contains(&stderr, &["half.bin", "not a valid mcdropout model file"]);
    assert!(!out_path(&dir, "p.csv").exists());
}

#[test]
fn diverging_training_writes_no_model() {
    // Large values and SGD with a huge learning rate: the loss overflows to NaN (in the first
    // epoch, for every seed tried).
    let mut content = String::from("a,b,y\n");
    for i in 0..40 {
        let (a, b) = (i as f64 * 2.5e4, ((i * 17) % 13) as f64 * 7.7e4);
        content.push_str(&format!("{a},{b},{}\n", 3.0 * a + b));
    }
    let dir = dir_with("data.csv", &content);
    let stderr = fails(
        dir.path(),
        &[
            "train",
            "--data",
            "data.csv",
            "--target",
            "y",
            "--tau",
            "1",
            "--optimizer",
            "sgd",
            "--lr",
            "1e6",
            "--batch",
            "8",
            "--epochs",
            "20",
            "--out",
            "m.bin",
        ],
    );
    assert_contains(&stderr, &["diverged", "in epoch", "nothing was saved"]);
    assert!(!out_path(&dir, "m.bin").exists());
}

// ---------------------------------------------------------------- happy paths

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|c| c.parse::<f64>().expect("number"))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn train_predict_evaluate() {
    let dir = dir_with("train.csv", &synthetic_csv(60));
    let (_, stderr) = succeeds(dir.path(), &train_args("train.csv", "model.bin"));
    assert_contains(
        &stderr,
        &["epochs 5", "final loss", "τ = 10", "λ = ", "model.bin"],
    );

    // Prediction input: the features in another order plus an extra column; matched by name.
    let mut input = String::from("x3,extra,x1,x2\n");
    for i in 0..7 {
        let t = i as f64 / 7.0;
        input.push_str(&format!("{},{},{t},{}\n", 0.3, 99.0, t.sin()));
    }
    std::fs::write(out_path(&dir, "new.csv"), input).unwrap();

    succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "new.csv",
            "--samples",
            "200",
            "--out",
            "p.csv",
        ],
    );
    let (header, rows) = parse_csv(&std::fs::read_to_string(out_path(&dir, "p.csv")).unwrap());
    assert_eq!(
        header,
        [
            "mean",
            "std",
            "epistemic_std",
            "aleatoric_std",
            "lower",
            "upper"
        ]
    );
    assert_eq!(rows.len(), 7);
    for r in &rows {
        assert_eq!(r.len(), 6);
        assert!(r.iter().all(|v| v.is_finite()));
        assert!(r[4] < r[0] && r[0] < r[5], "lower < mean < upper: {r:?}");
        assert!(
            (r[3] - 1.0 / 10f64.sqrt()).abs() < 1e-12,
            "aleatoric std = τ^-1/2"
        );
        assert!((r[1] * r[1] - r[2] * r[2] - r[3] * r[3]).abs() < 1e-9);
    }

    // JSON to stdout, the same numbers.
    let (stdout, _) = succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "new.csv",
            "--samples",
            "200",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    let arr = json.as_array().expect("array");
    assert_eq!(arr.len(), 7);
    for (obj, r) in arr.iter().zip(&rows) {
        for (i, key) in header.iter().enumerate() {
            // serde_json's float parser is not always correctly rounded: allow an ulp or two.
            let v = obj[key.as_str()].as_f64().expect("number");
            assert!(
                (v - r[i]).abs() <= 1e-14 * r[i].abs().max(1.0),
                "{key}: {v} vs {}",
                r[i]
            );
        }
    }

    // Evaluate on the training file.
    let (stdout, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--samples",
            "100",
            "--json",
        ],
    );
    let e: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    for key in [
        "rmse",
        "mc_rmse",
        "ll",
        "ll_gaussian",
        "coverage",
        "mean_std",
    ] {
        let v = e[key].as_f64().unwrap_or(f64::NAN);
        assert!(v.is_finite(), "{key} = {v}");
    }
    assert_eq!(e["n"].as_u64(), Some(60));
    assert_eq!(e["samples"].as_u64(), Some(100));

    let (stdout, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--samples",
            "100",
        ],
    );
    assert_contains(
        &stdout,
        &[
            "RMSE",
            "MC RMSE",
            "log-likelihood",
            "coverage",
            "n (test rows)",
        ],
    );
}

#[test]
fn same_seed_same_predictions_for_any_thread_count() {
    let dir = trained();
    let run = |threads: &str| {
        succeeds(
            dir.path(),
            &[
                "predict",
                "--model",
                "model.bin",
                "--data",
                "train.csv",
                "--samples",
                "300",
                "--seed",
                "7",
                "--threads",
                threads,
            ],
        )
        .0
    };
    let one = run("1");
    assert_eq!(one.lines().count(), 61);
    assert_eq!(one, run("2"));
    let other_seed = succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--samples",
            "300",
            "--seed",
            "8",
        ],
    )
    .0;
    assert_ne!(one, other_seed);
}

#[test]
fn closed_stdout_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = trained();
    let mut big = String::from("x1,x2,x3\n");
    for i in 0..4000 {
        big.push_str(&format!("{},{},0.5\n", i as f64 / 4000.0, 0.1));
    }
    std::fs::write(out_path(&dir, "big.csv"), big).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mcdropout"))
        .current_dir(dir.path())
        .args([
            "predict",
            "--model",
            "model.bin",
            "--data",
            "big.csv",
            "--samples",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("mean,"));
    // The reader is dropped here: the rest of the output goes to a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "status {:?}, stderr {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_runs_and_reports() {
    let dir = TempDir::new().unwrap();
    let (stdout, _) = succeeds(
        dir.path(),
        &[
            "demo",
            "--epochs",
            "20",
            "--samples",
            "200",
            "--threads",
            "2",
        ],
    );
    assert_contains(
        &stdout,
        &[
            "Wine Quality Red",
            "RMSE",
            "MC RMSE",
            "log-likelihood",
            "0.62 ± 0.01",
            "-0.93 ± 0.01",
            "wall time",
            "20 epochs",
        ],
    );
    let mc_rmse: f64 = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("MC RMSE"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
        .expect("MC RMSE value");
    assert!(mc_rmse > 0.4 && mc_rmse < 1.0, "MC RMSE {mc_rmse}");
}

#[test]
fn every_subcommand_has_help() {
    let dir = TempDir::new().unwrap();
    for (cmd, words) in [
        (
            "train",
            &[
                "--tau",
                "--weight-decay",
                "no dataset-independent default",
                "--drop-missing",
            ][..],
        ),
        (
            "predict",
            &["--samples", "--level", "--format", "epistemic"][..],
        ),
        ("evaluate", &["--target", "--json", "log-likelihood"][..]),
        (
            "demo",
            &["Wine Quality Red", "--epochs", "--threads", "--seed"][..],
        ),
    ] {
        let (stdout, _) = succeeds(dir.path(), &[cmd, "--help"]);
        assert_contains(&stdout, words);
    }
}
