//! End-to-end tests of `mcdropout gp`, `predict` / `evaluate` with GP model files, and
//! `evaluate --elbo` for networks.

use assert_cmd::Command;
use std::path::Path;
use tempfile::TempDir;

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("mcdropout").expect("binary built");
    cmd.current_dir(dir).args(args).output().expect("runs")
}

fn succeeds(dir: &Path, args: &[&str]) -> (String, String) {
    let out = run(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "args {args:?}\nstderr:\n{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "args {args:?}\nstderr:\n{stderr}"
    );
    stderr
}

/// `x,y` rows of a smooth function (deterministic).
fn data_dir(n: usize) -> TempDir {
    let dir = TempDir::new().unwrap();
    let mut s = String::from("x,z,y\n");
    for i in 0..n {
        let x = i as f64 / n as f64 * 6.0;
        let z = (i as f64 * 0.37).cos();
        s.push_str(&format!(
            "{x},{z},{}\n",
            x.sin() + 0.3 * z + 0.05 * (i as f64 * 1.3).sin()
        ));
    }
    std::fs::write(dir.path().join("d.csv"), s).unwrap();
    dir
}

#[test]
fn gp_fit_predict_evaluate() {
    let dir = data_dir(60);
    let p = dir.path();
    let (_, err) = succeeds(
        p,
        &[
            "gp",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--kernel",
            "se+linear",
            "--out",
            "m.gp",
        ],
    );
    assert!(err.contains("log marginal likelihood"), "{err}");
    let (out, _) = succeeds(p, &["predict", "--model", "m.gp", "--data", "d.csv"]);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("mean,std,epistemic_std,aleatoric_std,lower,upper")
    );
    let first: Vec<f64> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    // std² = epistemic² + aleatoric², interval = mean ± 1.96 std.
    assert!((first[1].powi(2) - first[2].powi(2) - first[3].powi(2)).abs() < 1e-9);
    assert!((first[5] - first[0] - 1.959963984540054 * first[1]).abs() < 1e-9);
    assert_eq!(out.lines().count(), 61);
    let (json, _) = succeeds(
        p,
        &[
            "evaluate", "--model", "m.gp", "--data", "d.csv", "--target", "y", "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // A smooth function with noise std ≈ 0.035: the fitted GP tracks it closely.
    assert!(v["rmse"].as_f64().unwrap() < 0.1, "{json}");
    assert!(v["coverage"].as_f64().unwrap() > 0.8, "{json}");
    let e = fails(
        p,
        &[
            "evaluate", "--model", "m.gp", "--data", "d.csv", "--target", "y", "--elbo",
        ],
    );
    assert!(e.contains("--elbo"), "{e}");
}

#[test]
fn gp_bad_input() {
    let dir = data_dir(30);
    let p = dir.path();
    let e = fails(
        p,
        &[
            "gp",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--kernel",
            "se+*white",
            "--out",
            "m.gp",
        ],
    );
    assert!(e.contains("position 4"), "{e}");
    assert!(!p.join("m.gp").exists());
    let e = fails(
        p,
        &["gp", "--data", "d.csv", "--target", "nope", "--out", "m.gp"],
    );
    assert!(e.contains("nope"), "{e}");
    std::fs::write(p.join("one.csv"), "x,y\n1,2\n").unwrap();
    let e = fails(
        p,
        &["gp", "--data", "one.csv", "--target", "y", "--out", "m.gp"],
    );
    assert!(e.contains("at least 2"), "{e}");
    std::fs::write(p.join("nan.csv"), "x,y\n1,2\n2,\n3,1\n").unwrap();
    let e = fails(
        p,
        &["gp", "--data", "nan.csv", "--target", "y", "--out", "m.gp"],
    );
    assert!(e.contains("nan.csv:3"), "{e}");
    assert!(!p.join("m.gp").exists());
}

#[test]
fn evaluate_reports_elbo_for_networks() {
    let dir = data_dir(64);
    let p = dir.path();
    succeeds(
        p,
        &[
            "train", "--data", "d.csv", "--target", "y", "--tau", "10", "--epochs", "5", "--out",
            "n.model",
        ],
    );
    let (out, _) = succeeds(
        p,
        &[
            "evaluate",
            "--model",
            "n.model",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--samples",
            "20",
            "--elbo",
        ],
    );
    assert!(out.contains("ELBO") && out.contains("KL"), "{out}");
    let (json, _) = succeeds(
        p,
        &[
            "evaluate",
            "--model",
            "n.model",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--samples",
            "20",
            "--elbo",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (elbo, ell, kl) = (
        v["elbo"].as_f64().unwrap(),
        v["elbo_expected_log_likelihood"].as_f64().unwrap(),
        v["elbo_kl"].as_f64().unwrap(),
    );
    assert!(
        (elbo - (ell - kl)).abs() < 1e-9 * elbo.abs().max(1.0),
        "{json}"
    );
}
