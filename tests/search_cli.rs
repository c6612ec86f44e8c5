//! `mcdropout search`, `mcdropout dataset` and `mcdropout uci --data` through the built
//! binary: outputs, reports, and clear errors for bad input (nothing written).

mod common;

use common::{assert_contains, fails, snapshot, succeeds};
use std::path::Path;

/// 200 rows of y = x0 − 0.5 x1 + small deterministic wiggle (no randomness needed).
fn write_data(dir: &Path) {
    let mut s = String::from("a,b,y\n");
    for i in 0..200 {
        let a = (i as f64 * 0.37).sin();
        let b = (i as f64 * 0.11).cos();
        let y = a - 0.5 * b + 0.1 * (i as f64 * 1.7).sin();
        s.push_str(&format!("{a},{b},{y}\n"));
    }
    std::fs::write(dir.join("d.csv"), s).unwrap();
}

const QUICK: &[&str] = &[
    "search",
    "--data",
    "d.csv",
    "--target",
    "y",
    "--target-steps",
    "300",
    "--samples",
    "100",
    "--grid-dropout",
    "0.01,0.05",
    "--grid-tau",
    "4,16",
];

#[test]
fn search_writes_model_report_and_table() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let args: Vec<&str> = QUICK
        .iter()
        .copied()
        .chain(["--out", "m.model", "--max-widenings", "1"])
        .collect();
    let (stdout, _) = succeeds(dir.path(), &args);
    assert_contains(
        &stdout,
        &[
            "| p | τ (standardised) | val LL | val RMSE | time | round |",
            "◀",
            "chosen: p = ",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("m.model.search.json")).unwrap(),
    )
    .unwrap();
    let points = report["points"].as_array().unwrap();
    assert!(points.len() >= 4, "{report}");
    for p in points {
        for key in ["dropout", "tau", "val_ll", "val_rmse", "seconds", "round"] {
            assert!(p.get(key).is_some(), "{key} missing in {p}");
        }
    }
    // The saved model is the winner, and `evaluate` reads it.
    let (ev, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "m.model",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--json",
            "--samples",
            "50",
        ],
    );
    let ev: serde_json::Value = serde_json::from_str(&ev).unwrap();
    let tau = report["tau_original"].as_f64().unwrap();
    assert!(
        (ev["tau"].as_f64().unwrap() - tau).abs() <= 1e-12 * tau,
        "{ev} vs {tau}"
    );
    // The saved model is what `train` gives with the chosen values (same seed 0).
    let (p, tau, epochs) = (
        report["best"]["dropout"].as_f64().unwrap().to_string(),
        tau.to_string(),
        report["epochs"].as_u64().unwrap().to_string(),
    );
    succeeds(
        dir.path(),
        &[
            "train",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--dropout",
            &p,
            "--tau",
            &tau,
            "--tau-units",
            "standardised",
            "--epochs",
            &epochs,
            "--out",
            "t.model",
        ],
    );
    let (ev_t, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "t.model",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--json",
            "--samples",
            "50",
        ],
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&ev_t).unwrap(),
        ev
    );
    // Same seed, same search: the points' figures are identical (times aside).
    let args2: Vec<&str> = QUICK
        .iter()
        .copied()
        .chain(["--out", "m2.model", "--max-widenings", "1"])
        .collect();
    succeeds(dir.path(), &args2);
    let r2: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("m2.model.search.json")).unwrap(),
    )
    .unwrap();
    let ll = |r: &serde_json::Value| {
        r["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["val_ll"].as_f64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ll(&report), ll(&r2));
}

#[test]
fn search_by_folds_scores_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let args: Vec<&str> = QUICK
        .iter()
        .copied()
        .chain(["--out", "f.model", "--folds", "4", "--max-widenings", "0"])
        .collect();
    let (stdout, _) = succeeds(dir.path(), &args);
    assert_contains(
        &stdout,
        &["4-fold cross-validation of 200 rows", "0 widening rounds"],
    );
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("f.model.search.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(r["validation"], serde_json::json!({"folds": 4}));
    assert_eq!(r["points"].as_array().unwrap().len(), 4);
}

#[test]
fn search_bad_input_is_named_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let before = snapshot(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (&["--folds", "1"], "--folds"),
        (&["--validation-fraction", "0"], "--validation-fraction"),
        (&["--validation-fraction", "1.5"], "--validation-fraction"),
        (&["--grid-dropout", "1.2"], "--grid-dropout"),
        (&["--grid-tau", "-3"], "--grid-tau"),
        (&["--grid-tau", "0"], "--grid-tau"),
        (&["--samples", "0"], "--samples"),
        (&["--target-steps", "0"], "--target-steps"),
        (&["--epochs", "0"], "--epochs"),
        (&["--batch", "0"], "--batch"),
        (&["--hidden", "0"], "--hidden"),
        (&["--tau-units", "gal"], "--grid-tau"),
    ];
    for (extra, named) in cases {
        let mut args = vec![
            "search", "--data", "d.csv", "--target", "y", "--out", "m.model",
        ];
        args.extend_from_slice(extra);
        let err = fails(dir.path(), &args);
        assert!(err.contains(named), "{extra:?}: {err}");
    }
    let err = fails(
        dir.path(),
        &[
            "search", "--data", "d.csv", "--target", "nope", "--out", "m.model",
        ],
    );
    assert!(err.contains("nope"), "{err}");
    // 3 rows cannot hold a 20 % validation part and two training rows… and folds > rows.
    std::fs::write(dir.path().join("tiny.csv"), "a,y\n1,2\n2,3\n").unwrap();
    let err = fails(
        dir.path(),
        &[
            "search", "--data", "tiny.csv", "--target", "y", "--out", "m.model",
        ],
    );
    assert_contains(&err, &["tiny.csv", "row"]);
    let err = fails(
        dir.path(),
        &[
            "search", "--data", "d.csv", "--target", "y", "--out", "m.model", "--folds", "500",
        ],
    );
    assert_contains(&err, &["--folds", "200"]);
    // An empty grid is a usage error (clap cannot parse an empty number): exit 2, named.
    let out = common::mcdropout(dir.path())
        .args([
            "search",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--out",
            "m.model",
            "--grid-tau=",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--grid-tau"));
    let mut after = snapshot(dir.path());
    after.remove("tiny.csv");
    assert_eq!(before, after, "a failed search left files behind");
}

#[test]
fn dataset_ships_diabetes_and_linnerud() {
    let dir = tempfile::tempdir().unwrap();
    succeeds(
        dir.path(),
        &["dataset", "diabetes", "--out", "diabetes.csv"],
    );
    let text = std::fs::read_to_string(dir.path().join("diabetes.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("age,sex,body_mass_index,") && header.ends_with(",progression"));
    // linfa-datasets 0.8.1 skips the first of scikit-learn's 442 rows (it reads the
    // header-less file as if it had a header): 441 rows of 11 numbers.
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 441);
    assert!(
        rows.iter()
            .all(|r| r.split(',').count() == 11 && r.split(',').all(|c| c.parse::<f64>().is_ok()))
    );
    succeeds(
        dir.path(),
        &[
            "dataset",
            "diabetes",
            "--out",
            "tr.csv",
            "--test-fraction",
            "0.1",
            "--test-out",
            "te.csv",
        ],
    );
    let count = |f: &str| {
        std::fs::read_to_string(dir.path().join(f))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    assert_eq!((count("tr.csv"), count("te.csv")), (397, 44));
    succeeds(dir.path(), &["dataset", "linnerud", "--out", "lin.csv"]);
    let lin = std::fs::read_to_string(dir.path().join("lin.csv")).unwrap();
    assert_eq!(
        lin.lines().next(),
        Some("Chins,Situps,Jumps,Weight,Waist,Pulse")
    );
    assert_eq!(lin.lines().count(), 21);
    let err = fails(
        dir.path(),
        &[
            "dataset",
            "diabetes",
            "--out",
            "x.csv",
            "--test-fraction",
            "1",
            "--test-out",
            "y.csv",
        ],
    );
    assert!(err.contains("--test-fraction"));
}

#[test]
fn uci_runs_the_protocol_on_a_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let (stdout, _) = succeeds(
        dir.path(),
        &[
            "uci",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--random-splits",
            "3",
            "--test-fraction",
            "0.2",
            "--target-steps",
            "200",
            "--samples",
            "100",
            "--grid-dropout",
            "0.01",
            "--grid-tau",
            "4,16",
            "--out",
            "res",
        ],
    );
    assert_contains(&stdout, &["| d | 3 |"]);
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("res/results.json")).unwrap(),
    )
    .unwrap();
    let text = results.to_string();
    // Three splits of 40 test rows each, τ listed in target units⁻²: 4 / σ_y² and 16 / σ_y².
    assert_eq!(text.matches("\"split\":").count(), 3, "{text}");
    // The exact GP through the same random splits.
    let (gp, _) = succeeds(
        dir.path(),
        &[
            "uci",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--random-splits",
            "2",
            "--model",
            "gp",
        ],
    );
    assert_contains(&gp, &["| d | 2 |"]);
    let bad: &[(&[&str], &str)] = &[
        (&["--test-fraction", "1.5"], "--test-fraction"),
        (&["--random-splits", "0"], "--random-splits"),
    ];
    for (extra, named) in bad {
        let mut args = vec!["uci", "--data", "d.csv", "--target", "y"];
        args.extend_from_slice(extra);
        let err = fails(dir.path(), &args);
        assert!(err.contains(named), "{err}");
    }
}

/// `uci --data` with `--method concrete`: the plain file's epochs follow from
/// `--target-steps` (multiplier 1), as for the grid protocol, not Gal's ×100 (which once
/// made every split train 100 times too long and its test LL collapse).
#[test]
fn uci_plain_file_concrete_uses_target_steps() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    succeeds(
        dir.path(),
        &[
            "uci",
            "--data",
            "d.csv",
            "--target",
            "y",
            "--random-splits",
            "2",
            "--test-fraction",
            "0.2",
            "--method",
            "concrete",
            "--target-steps",
            "300",
            "--samples",
            "100",
            "--out",
            "out",
        ],
    );
    let text = std::fs::read_to_string(dir.path().join("out/results.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["epochs_multiplier"].as_f64(), Some(1.0));
    let steps = json["datasets"][0]["steps"]
        .as_f64()
        .expect("steps recorded");
    // Per split: the validation run trains 80 % of the 160 training rows (128 rows, one
    // batch of 128 per epoch) for at most 300 epochs = 300 steps; the retrain uses the
    // chosen epochs (≤ 300) on all 160 rows (two batches per epoch) = at most 600 steps.
    // Two splits: at most 1800 steps; with Gal's ×100 it would be up to 180 000.
    assert!(steps <= 2.0 * (300.0 + 600.0), "steps {steps}");
}
