//! `train --target a,b --method concrete|ensemble [--heteroscedastic]`, then `predict` and
//! `evaluate` on the model, through the built binary; and the combinations that do not
//! apply.

mod common;

use common::{assert_contains, fails_leaving_files_alone, succeeds};
use std::path::Path;

/// 150 rows: features u, v; targets a (≈ sin 2u, noise std 0.05) and b (≈ 50 v, noise std
/// 5: another scale and another noise level).
fn write_data(dir: &Path) {
    let mut s = String::from("u,v,a,b\n");
    for i in 0..150 {
        let u = (i as f64 * 0.31).sin();
        let v = (i as f64 * 0.17).cos();
        let e1 = (i as f64 * 2.3).sin();
        let e2 = (i as f64 * 1.7).cos();
        s.push_str(&format!(
            "{u},{v},{},{}\n",
            (2.0 * u).sin() + 0.05 * e1,
            50.0 * v + 5.0 * e2
        ));
    }
    std::fs::write(dir.join("m.csv"), s).unwrap();
    std::fs::write(dir.join("x.csv"), "u,v\n0.1,0.2\n-0.5,0.9\n0.7,-0.3\n").unwrap();
}

fn row_values(csv: &str, i: usize) -> Vec<f64> {
    csv.lines()
        .nth(i)
        .unwrap()
        .split(',')
        .map(|c| c.parse().unwrap())
        .collect()
}

#[test]
fn heteroscedastic_concrete_and_ensemble_with_two_targets_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    for (model, extra) in [
        (
            "c.model",
            &["--method", "concrete", "--heteroscedastic"][..],
        ),
        ("e.model", &["--method", "ensemble", "--members", "2"][..]),
        ("h.model", &["--heteroscedastic", "--dropout", "0.1"][..]),
    ] {
        let mut args = vec![
            "train", "--data", "m.csv", "--target", "a,b", "--epochs", "40", "--out", model,
        ];
        args.extend_from_slice(extra);
        let (_, err) = succeeds(dir.path(), &args);
        assert_contains(&err, &["heteroscedastic", "2 targets (a, b)"]);
        let (csv, _) = succeeds(
            dir.path(),
            &[
                "predict",
                "--model",
                model,
                "--data",
                "x.csv",
                "--samples",
                "50",
            ],
        );
        let header = csv.lines().next().unwrap();
        assert_eq!(
            header,
            "a_mean,a_std,a_epistemic_std,a_aleatoric_std,a_lower,a_upper,\
             b_mean,b_std,b_epistemic_std,b_aleatoric_std,b_lower,b_upper,cov_a_b"
        );
        assert_eq!(csv.lines().count(), 4, "{model}");
        for i in 1..4 {
            let r = row_values(&csv, i);
            assert_eq!(r.len(), 13);
            for k in 0..2 {
                let (mean, sd, ep, al, lo, hi) = (
                    r[6 * k],
                    r[6 * k + 1],
                    r[6 * k + 2],
                    r[6 * k + 3],
                    r[6 * k + 4],
                    r[6 * k + 5],
                );
                // Total = aleatoric + epistemic variance; float rounding only.
                assert!(
                    (sd * sd - ep * ep - al * al).abs() <= 1e-9 * sd * sd,
                    "{model}"
                );
                // The 95% interval is mean ± 1.959964 sd (to the printed digits).
                assert!(((hi - lo) / (2.0 * sd) - 1.959_964).abs() < 1e-5, "{model}");
                assert!(lo < mean && mean < hi);
            }
            // Per-target units: b's predicted noise is on its own (100× larger) scale.
            assert!(
                r[9] > 10.0 * r[3],
                "{model}: aleatoric stds {} and {}",
                r[3],
                r[9]
            );
        }
        let (ev, _) = succeeds(
            dir.path(),
            &[
                "evaluate",
                "--model",
                model,
                "--data",
                "m.csv",
                "--target",
                "a,b",
                "--samples",
                "50",
                "--json",
            ],
        );
        let e: serde_json::Value = serde_json::from_str(&ev).unwrap();
        assert_eq!(e["targets"], serde_json::json!(["a", "b"]));
        for key in ["rmse", "mc_rmse", "ll", "coverage", "mean_std"] {
            assert_eq!(e[key].as_array().unwrap().len(), 2, "{key}");
        }
        assert!(e["ll_mixture"].is_f64() && e["ll_gaussian"].is_f64());
        let (table, _) = succeeds(
            dir.path(),
            &[
                "evaluate",
                "--model",
                model,
                "--data",
                "m.csv",
                "--target",
                "a,b",
                "--samples",
                "20",
            ],
        );
        assert_contains(
            &table,
            &[
                "| a |",
                "| b |",
                "joint MC-mixture log-likelihood",
                "mean predicted noise",
            ],
        );
    }
    // A single-target method model still trains and predicts as before.
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
            "--method",
            "concrete",
            "--heteroscedastic",
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
    assert!(
        one.starts_with("mean,std,epistemic_std,aleatoric_std,lower,upper"),
        "{one}"
    );
}

#[test]
fn several_target_method_models_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    write_data(dir.path());
    succeeds(
        dir.path(),
        &[
            "train",
            "--data",
            "m.csv",
            "--target",
            "a,b",
            "--method",
            "ensemble",
            "--members",
            "2",
            "--epochs",
            "3",
            "--out",
            "e.model",
        ],
    );
    let d = dir.path();
    // A fixed-τ Concrete model with several targets is not built.
    fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "m.csv",
            "--target",
            "a,b",
            "--method",
            "concrete",
            "--tau",
            "5",
            "--epochs",
            "3",
            "--out",
            "bad.model",
        ],
        &["--heteroscedastic", "several targets"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "m.csv",
            "--target",
            "a,a",
            "--method",
            "ensemble",
            "--epochs",
            "3",
            "--out",
            "bad.model",
        ],
        &["--target", "twice"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "m.csv",
            "--target",
            "a,b",
            "--method",
            "ensemble",
            "--tau",
            "3",
            "--epochs",
            "3",
            "--out",
            "bad.model",
        ],
        &["--tau"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "evaluate",
            "--model",
            "e.model",
            "--data",
            "m.csv",
            "--target",
            "a",
            "--samples",
            "5",
        ],
        &["--target", "2 targets", "a,b"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "evaluate", "--model", "e.model", "--data", "m.csv", "--target", "a,b", "--elbo",
        ],
        &["--elbo"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "e.model",
            "--data",
            "x.csv",
            "--samples-out",
            "s.npy",
        ],
        &["--samples-out"],
    );
    // Data without one of the model's features: named, and no partial output file.
    std::fs::write(d.join("u.csv"), "u\n0.1\n").unwrap();
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "e.model",
            "--data",
            "u.csv",
            "--samples",
            "5",
            "--out",
            "p.csv",
        ],
        &["\"v\""],
    );
}
