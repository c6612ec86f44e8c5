//! The methods through the built binary: `train --method concrete|ensemble` and
//! `--heteroscedastic`, then `predict` / `evaluate` of the files they write; flags that do
//! not apply and bad values are clear errors with no model file written.

use assert_cmd::Command;
use std::path::Path;
use tempfile::TempDir;

fn mcdropout(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcdropout").expect("binary built");
    cmd.current_dir(dir);
    cmd
}

fn succeeds(dir: &Path, args: &[&str]) -> (String, String) {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "args {args:?}\nstderr:\n{stderr}");
    (stdout, stderr)
}

/// Expects a failure (exit code 1 or clap's 2) whose stderr names every word of `words`.
fn fails(dir: &Path, args: &[&str], words: &[&str]) {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "args {args:?} should fail\nstderr:\n{stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "expected {w:?} in:\n{stderr}");
    }
    assert!(out.stdout.is_empty(), "no output on failure");
}

/// `n` rows of x1,x2,y: a smooth function with a deterministic wiggle whose size grows
/// with x1.
fn data(n: usize) -> TempDir {
    let dir = TempDir::new().unwrap();
    let mut s = String::from("x1,x2,y\n");
    for i in 0..n {
        let t = i as f64 / n as f64;
        let u = ((i * 7919) % 97) as f64 / 97.0;
        let y = (4.0 * t).sin() + u + (0.1 + t) * (((i * 104_729) % 13) as f64 / 13.0 - 0.5);
        s += &format!("{t},{u},{y}\n");
    }
    std::fs::write(dir.path().join("d.csv"), s).unwrap();
    dir
}

const BASE: &[&str] = &[
    "train", "--data", "d.csv", "--target", "y", "--epochs", "3", "--hidden", "8",
];

fn train(dir: &Path, extra: &[&str], out: &str) -> String {
    let mut args: Vec<&str> = BASE.to_vec();
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", out]);
    succeeds(dir, &args).1
}

#[test]
fn each_method_trains_predicts_and_evaluates() {
    let d = data(120);
    let p = d.path();
    let cases: &[(&[&str], &str)] = &[
        (&["--method", "concrete", "--heteroscedastic"], "ch.model"),
        (&["--method", "concrete", "--tau", "4"], "c.model"),
        (&["--method", "ensemble", "--members", "3"], "e.model"),
        (&["--heteroscedastic", "--dropout", "0.1"], "h.model"),
    ];
    for (flags, file) in cases {
        let log = train(p, flags, file);
        assert!(log.contains("model written"), "{log}");
        let (csv, _) = succeeds(
            p,
            &[
                "predict",
                "--model",
                file,
                "--data",
                "d.csv",
                "--samples",
                "20",
            ],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "mean,std,epistemic_std,aleatoric_std,lower,upper");
        assert_eq!(lines.len(), 121);
        let (json, _) = succeeds(
            p,
            &[
                "evaluate",
                "--model",
                file,
                "--data",
                "d.csv",
                "--target",
                "y",
                "--samples",
                "20",
                "--json",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v["ll"].as_f64().unwrap().is_finite());
    }
    // A heteroscedastic model's aleatoric std differs between rows.
    let (csv, _) = succeeds(
        p,
        &[
            "predict",
            "--model",
            "ch.model",
            "--data",
            "d.csv",
            "--samples",
            "20",
        ],
    );
    let alea: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert!(alea.iter().any(|&a| (a - alea[0]).abs() > 1e-9));
    let log = train(
        p,
        &["--method", "concrete", "--heteroscedastic"],
        "c2.model",
    );
    assert!(log.contains("learned drop probabilities"), "{log}");
}

#[test]
fn flags_that_do_not_apply_and_bad_values_are_errors_without_a_model() {
    let d = data(40);
    let p = d.path();
    let run = |extra: &[&str], words: &[&str]| {
        let mut args: Vec<&str> = BASE.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", "bad.model"]);
        fails(p, &args, words);
        assert!(!p.join("bad.model").exists());
    };
    run(
        &[
            "--method",
            "concrete",
            "--heteroscedastic",
            "--dropout",
            "0",
        ],
        &["--dropout", "(0, 1)"],
    );
    run(
        &[
            "--method",
            "concrete",
            "--heteroscedastic",
            "--dropout",
            "1",
        ],
        &["--dropout", "(0, 1)"],
    );
    run(
        &["--method", "ensemble", "--members", "0"],
        &["--members", "at least 1"],
    );
    run(
        &[
            "--method",
            "concrete",
            "--heteroscedastic",
            "--members",
            "3",
        ],
        &["--members"],
    );
    run(&["--members", "3", "--tau", "1"], &["--members"]);
    run(
        &["--method", "ensemble", "--tau", "2"],
        &["--tau", "does not apply"],
    );
    run(
        &["--heteroscedastic", "--weight-decay", "1e-3"],
        &["--weight-decay", "does not apply"],
    );
    run(
        &["--method", "ensemble", "--dropout", "0.1"],
        &["--dropout", "does not apply"],
    );
    run(&["--method", "concrete"], &["--tau"]);
    run(
        &[
            "--method",
            "concrete",
            "--heteroscedastic",
            "--optimizer",
            "sgd",
        ],
        &["--optimizer"],
    );
    run(&["--method", "bogus", "--tau", "1"], &["--method"]);
    // A heteroscedastic model asked for a fixed-τ quantity (the ELBO with τ).
    train(p, &["--heteroscedastic"], "h.model");
    fails(
        p,
        &[
            "evaluate", "--model", "h.model", "--data", "d.csv", "--target", "y", "--elbo",
        ],
        &["--elbo", "heteroscedastic", "τ"],
    );
    // Raw MC samples are not what a mixture model reports.
    fails(
        p,
        &[
            "predict",
            "--model",
            "h.model",
            "--data",
            "d.csv",
            "--samples",
            "5",
            "--samples-out",
            "s.npy",
        ],
        &["--samples-out", "does not apply"],
    );
    assert!(!p.join("s.npy").exists());
}

#[test]
fn uci_method_flags_that_do_not_apply_are_errors() {
    let d = TempDir::new().unwrap();
    let p = d.path();
    std::fs::create_dir(p.join("root")).unwrap();
    fails(
        p,
        &["uci", "--root", "root", "--all", "--members", "3"],
        &["--members", "does not apply"],
    );
    fails(
        p,
        &[
            "uci",
            "--root",
            "root",
            "--all",
            "--method",
            "concrete",
            "--members",
            "3",
        ],
        &["--members"],
    );
    fails(
        p,
        &[
            "uci",
            "--root",
            "root",
            "--all",
            "--method",
            "ensemble",
            "--grid-tau",
            "1",
        ],
        &["--grid-tau", "does not apply"],
    );
    fails(
        p,
        &[
            "uci",
            "--root",
            "root",
            "--all",
            "--method",
            "ensemble",
            "--members",
            "0",
        ],
        &["--members"],
    );
    fails(
        p,
        &[
            "uci", "--root", "root", "--all", "--method", "concrete", "--model", "gp",
        ],
        &["gp"],
    );
}

/// `evaluate` names the noise row for what it is: a fixed τ for a homoscedastic model,
/// the inverse mean predicted noise variance for a heteroscedastic one (no single τ).
#[test]
fn evaluate_labels_the_noise_row_by_model_kind() {
    let dir = data(200);
    train(
        dir.path(),
        &["--method", "concrete", "--heteroscedastic"],
        "h.model",
    );
    train(
        dir.path(),
        &["--method", "concrete", "--tau", "4"],
        "t.model",
    );
    let eval = |model: &str| {
        succeeds(
            dir.path(),
            &[
                "evaluate",
                "--model",
                model,
                "--data",
                "d.csv",
                "--target",
                "y",
                "--samples",
                "50",
            ],
        )
        .0
    };
    let hetero = eval("h.model");
    assert!(hetero.contains("1 / mean predicted noise var"), "{hetero}");
    assert!(!hetero.contains("τ (noise precision)"), "{hetero}");
    let fixed = eval("t.model");
    assert!(fixed.contains("τ (noise precision)"), "{fixed}");
}
