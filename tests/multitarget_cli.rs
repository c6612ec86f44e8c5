//! `train`, `predict` and `evaluate` with `--target a,b,c` through the built binary.

mod common;

use common::{assert_contains, fails, snapshot, succeeds};
use std::path::Path;

/// 120 rows: features u, v; targets a (≈ u), b (≈ 100 v, another scale), c (≈ u − v).
fn write_data(dir: &Path) {
    let mut s = String::from("u,v,a,b,c\n");
    for i in 0..120 {
        let u = (i as f64 * 0.31).sin();
        let v = (i as f64 * 0.17).cos();
        let e = 0.05 * (i as f64 * 2.3).sin();
        s.push_str(&format!(
            "{u},{v},{},{},{}\n",
            u + e,
            100.0 * v - 30.0 * e,
            u - v + e
        ));
    }
    std::fs::write(dir.join("m.csv"), s).unwrap();
    std::fs::write(dir.join("x.csv"), "u,v\n0.1,0.2\n-0.5,0.9\n").unwrap();
}

#[test]
fn several_targets_train_predict_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    let (_, err) = succeeds(
        dir.path(),
        &[
            "train", "--data", "m.csv", "--target", "a,b,c", "--tau", "20", "--epochs", "300",
            "--out", "m.model",
        ],
    );
    assert_contains(&err, &["3 targets (a, b, c)", "standardised units"]);
    let (csv, _) = succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "m.model",
            "--data",
            "x.csv",
            "--samples",
            "200",
        ],
    );
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("a_mean,a_std,a_epistemic_std,a_aleatoric_std,a_lower,a_upper,b_mean,"),
        "{header}"
    );
    assert!(header.ends_with("cov_a_b,cov_a_c,cov_b_c"), "{header}");
    assert_eq!(csv.lines().count(), 3);
    let row: Vec<f64> = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|c| c.parse().unwrap())
        .collect();
    assert_eq!(row.len(), 3 * 6 + 3);
    // std² = epistemic² + aleatoric² per target (diagonal of τ⁻¹ + S); float rounding only.
    for k in 0..3 {
        let (sd, ep, al) = (row[6 * k + 1], row[6 * k + 2], row[6 * k + 3]);
        assert!((sd * sd - ep * ep - al * al).abs() <= 1e-9 * sd * sd);
    }
    let (json, _) = succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "m.model",
            "--data",
            "x.csv",
            "--samples",
            "200",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(v[0]["b_mean"].is_f64());
    let (ev, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "m.model",
            "--data",
            "m.csv",
            "--target",
            "a,b,c",
            "--samples",
            "200",
            "--json",
        ],
    );
    let e: serde_json::Value = serde_json::from_str(&ev).unwrap();
    assert_eq!(e["targets"], serde_json::json!(["a", "b", "c"]));
    for key in ["rmse", "mc_rmse", "ll", "coverage", "mean_std"] {
        assert_eq!(e[key].as_array().unwrap().len(), 3, "{key}");
    }
    assert!(e["ll_mixture"].is_f64() && e["ll_gaussian"].is_f64());
    // b is on a 100× scale: its RMSE is in its own units, not the others'.
    let rmse: Vec<f64> = e["mc_rmse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(rmse[1] > 10.0 * rmse[0], "{rmse:?}");
    let (table, _) = succeeds(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "m.model",
            "--data",
            "m.csv",
            "--target",
            "a,b,c",
            "--samples",
            "100",
        ],
    );
    assert_contains(
        &table,
        &[
            "| a |",
            "| b |",
            "| c |",
            "joint MC-mixture log-likelihood",
            "joint Gaussian log-likelihood",
        ],
    );
    // A single-target model still trains, predicts and loads as before.
    succeeds(
        dir.path(),
        &[
            "train",
            "--data",
            "m.csv",
            "--target",
            "a",
            "--features",
            "u,v",
            "--tau",
            "20",
            "--epochs",
            "5",
            "--out",
            "one.model",
        ],
    );
    let (one, _) = succeeds(
        dir.path(),
        &[
            "predict",
            "--model",
            "one.model",
            "--data",
            "x.csv",
            "--samples",
            "10",
        ],
    );
    assert!(one.starts_with("mean,std,epistemic_std,aleatoric_std,lower,upper"));
}

#[test]
fn several_targets_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    std::fs::write(dir.path().join("k.csv"), "u,a,b\n1,2,5\n2,3,5\n3,1,5\n").unwrap();
    let before = snapshot(dir.path());
    let train = |extra: &[&str]| {
        let mut a = vec![
            "train",
            "--data",
            "m.csv",
            "--tau",
            "2",
            "--epochs",
            "2",
            "--out",
            "bad.model",
        ];
        a.extend_from_slice(extra);
        fails(dir.path(), &a)
    };
    assert_contains(&train(&["--target", "a,a"]), &["--target", "twice"]);
    assert_contains(&train(&["--target", "a,,b"]), &["--target", "empty"]);
    assert_contains(&train(&["--target", "a,zz"]), &["zz"]);
    assert_contains(
        &train(&["--target", "a,b", "--tau-units", "gal"]),
        &["--tau-units", "standardised"],
    );
    assert_contains(
        &train(&["--target", "a,b", "--features", "u,a"]),
        &["--features", "target"],
    );
    assert_contains(&train(&["--target", "a,b,c,u,v"]), &["--features"]);
    let err = fails(
        dir.path(),
        &[
            "train",
            "--data",
            "k.csv",
            "--target",
            "a,b",
            "--tau",
            "2",
            "--out",
            "bad.model",
        ],
    );
    assert_contains(&err, &["k.csv", "b"]);
    assert_eq!(
        before,
        snapshot(dir.path()),
        "a failed run left files behind"
    );
    succeeds(
        dir.path(),
        &[
            "train", "--data", "m.csv", "--target", "a,b,c", "--tau", "2", "--epochs", "2",
            "--out", "m.model",
        ],
    );
    let err = fails(
        dir.path(),
        &[
            "evaluate", "--model", "m.model", "--data", "m.csv", "--target", "a,b",
        ],
    );
    assert_contains(&err, &["--target", "3 targets", "a,b,c"]);
    let err = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "m.model",
            "--data",
            "x.csv",
            "--samples-out",
            "s.npy",
        ],
    );
    assert_contains(&err, &["--samples-out", "single-target"]);
    let err = fails(
        dir.path(),
        &[
            "evaluate", "--model", "m.model", "--data", "m.csv", "--target", "a,b,c", "--elbo",
        ],
    );
    assert_contains(&err, &["elbo"]);
}
