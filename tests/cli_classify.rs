//! End-to-end tests of classification in the command-line tool: train / predict /
//! evaluate with `--task classify`, and each kind of bad input (a non-integer label, a
//! single class, a class never seen in training, probabilities from a regression model)
//! giving a clear message, exit code 1 and no output file.

use assert_cmd::Command;
use std::path::Path;
use tempfile::TempDir;

fn mcdropout(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcdropout").expect("binary built");
    cmd.current_dir(dir);
    cmd
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "args {args:?}\nstderr:\n{stderr}"
    );
    stderr
}

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

/// `n` rows of three separated blobs, labels 5 / 7 / 9 (`labels` overrides them).
fn blobs_csv(n: usize, labels: [&str; 3]) -> String {
    let mut s = String::from("a,b,label\n");
    for i in 0..n {
        let c = i % 3;
        let w = ((i * 7) % 11) as f64 / 11.0 - 0.5;
        s.push_str(&format!(
            "{},{},{}\n",
            4.0 * c as f64 + w,
            -3.0 * c as f64 + w,
            labels[c]
        ));
    }
    s
}

fn dir_with(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("write");
    }
    dir
}

const TRAIN: [&str; 13] = [
    "train",
    "--task",
    "classify",
    "--data",
    "train.csv",
    "--target",
    "label",
    "--epochs",
    "150",
    "--dropout",
    "0.1",
    "--out",
    "model.bin",
];

#[test]
fn train_predict_evaluate_round_trip() {
    let dir = dir_with(&[("train.csv", &blobs_csv(90, ["5", "7", "9"]))]);
    let (_, err) = succeeds(dir.path(), &TRAIN);
    assert_contains(&err, &["3 classes: 5, 7, 9"]);
    let (out, _) = succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--samples",
            "50",
        ],
    );
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("p_5,p_7,p_9,class,entropy,mutual_info,variation_ratio")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 90);
    for (i, r) in rows.iter().enumerate() {
        // Probabilities sum to 1 up to rounding of three terms.
        assert!((r[0] + r[1] + r[2] - 1.0).abs() < 1e-12);
        assert_eq!(r[3], [5.0, 7.0, 9.0][i % 3], "row {i}: separable blobs");
        assert!(r[4] >= 0.0 && r[5] >= 0.0 && (0.0..=1.0).contains(&r[6]));
    }
    let (out, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "model.bin",
            "--data",
            "train.csv",
            "--target",
            "label",
            "--samples",
            "50",
            "--reliability",
            "rel.svg",
        ],
    );
    assert_contains(
        &out,
        &[
            "accuracy",
            "1.0000",
            "ECE (15 bins)",
            "mean mutual information",
        ],
    );
    let svg = std::fs::read_to_string(dir.path().join("rel.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "an SVG file");
}

#[test]
fn non_integer_label_names_file_and_line() {
    let data = blobs_csv(30, ["5", "7", "9"]).replacen(",7\n", ",7.5\n", 1);
    let dir = dir_with(&[("train.csv", &data)]);
    let err = fails(dir.path(), &TRAIN);
    // The first label 7 is on data row 2, line 3 of the file (after the header).
    assert_contains(&err, &["train.csv:3:", "7.5 is not an integer class label"]);
    assert!(!dir.path().join("model.bin").exists());
}

#[test]
fn single_class_is_an_error() {
    let dir = dir_with(&[("train.csv", &blobs_csv(30, ["4", "4", "4"]))]);
    let err = fails(dir.path(), &TRAIN);
    assert_contains(&err, &["train.csv", "single class (4)", "at least two"]);
    assert!(!dir.path().join("model.bin").exists());
}

#[test]
fn unseen_class_at_evaluation_is_reported() {
    let dir = dir_with(&[
        ("train.csv", &blobs_csv(60, ["5", "7", "9"])),
        ("test.csv", &blobs_csv(6, ["5", "7", "11"])),
    ]);
    succeeds(dir.path(), &TRAIN);
    let err = fails(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "model.bin",
            "--data",
            "test.csv",
            "--target",
            "label",
            "--samples",
            "10",
            "--reliability",
            "rel.png",
        ],
    );
    // Label 11 first appears on data row 3 = line 4.
    assert_contains(
        &err,
        &[
            "test.csv:4:",
            "class 11 was never seen in training",
            "5, 7, 9",
        ],
    );
    assert!(!dir.path().join("rel.png").exists());
}

#[test]
fn probabilities_from_a_regression_model_are_an_error() {
    let dir = dir_with(&[("train.csv", &blobs_csv(30, ["5", "7", "9"]))]);
    succeeds(
        dir.path(),
        &[
            "train",
            "--data",
            "train.csv",
            "--target",
            "label",
            "--tau",
            "1",
            "--epochs",
            "2",
            "--out",
            "reg.bin",
        ],
    );
    let err = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "reg.bin",
            "--data",
            "train.csv",
            "--task",
            "classify",
            "--out",
            "p.csv",
        ],
    );
    assert_contains(
        &err,
        &["reg.bin", "regression model", "no class probabilities"],
    );
    assert!(!dir.path().join("p.csv").exists());
    let err = fails(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "reg.bin",
            "--data",
            "train.csv",
            "--target",
            "label",
            "--task",
            "classify",
        ],
    );
    assert_contains(&err, &["regression model", "no class probabilities"]);
}

#[test]
fn tau_is_rejected_for_a_classifier() {
    let dir = dir_with(&[("train.csv", &blobs_csv(30, ["5", "7", "9"]))]);
    let mut args = TRAIN.to_vec();
    args.extend(["--tau", "2"]);
    let err = fails(dir.path(), &args);
    assert_contains(&err, &["--tau", "no observation noise"]);
}
