//! Gal's UCI protocol end to end on a reduced setting (yacht, 2 splits, ×1 epochs,
//! T = 200, a 2-value grid), through the built binary: output structure, chosen
//! hyper-parameters from the grid, identical results for --jobs 1 and --jobs 2; and the
//! layout reader's errors.

use assert_cmd::Command;
use std::path::PathBuf;

mod shared_data;

fn uci_root(test: &str) -> Option<PathBuf> {
    shared_data::require(test, "UCI_Datasets", &["yacht/data/data.txt"])
}

fn run(root: &PathBuf, jobs: &str, out: &std::path::Path) -> serde_json::Value {
    Command::cargo_bin("mcdropout")
        .unwrap()
        .args(["uci", "--root"])
        .arg(root)
        .args([
            "--dataset",
            "yacht",
            "--max-splits",
            "2",
            "--epochs-multiplier",
            "1",
            "--samples",
            "200",
            "--grid-dropout",
            "0.005,0.05",
            "--grid-tau",
            "0.5",
            "--jobs",
            jobs,
            "--seed",
            "3",
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(out.join("results.md").exists());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let first = &summary[0];
    for key in [
        "dataset",
        "n_splits",
        "rmse",
        "mc_rmse",
        "ll",
        "wall_seconds",
    ] {
        assert!(!first[key].is_null(), "summary.json lacks {key}");
    }
    serde_json::from_str(&text).unwrap()
}

/// Strips wall times, which differ between runs.
fn without_times(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(k, _)| !k.contains("seconds") && k.as_str() != "jobs")
                .map(|(k, v)| (k.clone(), without_times(v)))
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.iter().map(without_times).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn reduced_protocol_runs_and_is_thread_count_independent() {
    let Some(root) = uci_root("reduced_protocol_runs_and_is_thread_count_independent") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let r1 = run(&root, "1", &a);
    let r2 = run(&root, "2", &b);
    assert_eq!(
        without_times(&r1),
        without_times(&r2),
        "--jobs 1 and --jobs 2 differ"
    );
    let ds = &r1["datasets"][0];
    assert_eq!(ds["dataset"], "yacht");
    assert_eq!(ds["n_splits"], 2);
    for key in ["rmse", "mc_rmse", "ll"] {
        assert!(ds[key]["mean"].as_f64().unwrap().is_finite());
        assert!(ds[key]["se"].as_f64().unwrap() >= 0.0);
    }
    let splits = ds["splits"].as_array().unwrap();
    assert_eq!(splits.len(), 2);
    for s in splits {
        let p = s["dropout"].as_f64().unwrap();
        assert!(
            p == 0.005 || p == 0.05,
            "chosen dropout {p} not in the grid"
        );
        assert_eq!(s["tau"].as_f64().unwrap(), 0.5);
        let grid = s["grid"].as_array().unwrap();
        assert_eq!(grid.len(), 2);
        // The chosen pair has the best validation log-likelihood.
        let best = grid
            .iter()
            .map(|g| g["val_ll"].as_f64().unwrap())
            .fold(f64::NEG_INFINITY, f64::max);
        let chosen = grid
            .iter()
            .find(|g| g["dropout"].as_f64().unwrap() == p)
            .unwrap();
        assert_eq!(chosen["val_ll"].as_f64().unwrap(), best);
    }
}

fn fake_dataset(dir: &std::path::Path, edit: impl Fn(&std::path::Path)) -> PathBuf {
    let d = dir.join("toy/data");
    std::fs::create_dir_all(&d).unwrap();
    let rows: String = (0..10)
        .map(|i| format!("{} {} {}\n", i, i * 2, i * 3 % 7))
        .collect();
    for (name, text) in [
        ("data.txt", rows.as_str()),
        ("index_features.txt", "0\n1\n"),
        ("index_target.txt", "2\n"),
        ("n_splits.txt", "1\n"),
        ("n_epochs.txt", "1\n"),
        ("n_hidden.txt", "5\n"),
        ("dropout_rates.txt", "0.01\n"),
        ("tau_values.txt", "1.0\n"),
        ("index_train_0.txt", "0\n1\n2\n3\n4\n5\n6\n7\n"),
        ("index_test_0.txt", "8\n9\n"),
    ] {
        std::fs::write(d.join(name), text).unwrap();
    }
    edit(&d);
    dir.to_path_buf()
}

fn uci_error(root: &std::path::Path, dataset: &str) -> String {
    let out = Command::cargo_bin("mcdropout")
        .unwrap()
        .args(["uci", "--root"])
        .arg(root)
        .args([
            "--dataset",
            dataset,
            "--epochs-multiplier",
            "1",
            "--samples",
            "10",
        ])
        .assert()
        .failure()
        .get_output()
        .clone();
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn layout_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let ok = fake_dataset(&dir.path().join("ok"), |_| {});
    Command::cargo_bin("mcdropout")
        .unwrap()
        .args(["uci", "--root"])
        .arg(&ok)
        .args([
            "--dataset",
            "toy",
            "--epochs-multiplier",
            "1",
            "--samples",
            "10",
        ])
        .assert()
        .success();
    let e = uci_error(&ok, "nope");
    assert!(e.contains("nope") && e.contains("not found"), "{e}");
    let r = fake_dataset(&dir.path().join("range"), |d| {
        std::fs::write(d.join("index_test_0.txt"), "8\n99\n").unwrap()
    });
    let e = uci_error(&r, "toy");
    assert!(
        e.contains("index_test_0.txt:2") && e.contains("out of range"),
        "{e}"
    );
    let r = fake_dataset(&dir.path().join("nonint"), |d| {
        std::fs::write(d.join("index_train_0.txt"), "0\n1.5\n").unwrap()
    });
    let e = uci_error(&r, "toy");
    assert!(
        e.contains("index_train_0.txt:2") && e.contains("1.5"),
        "{e}"
    );
    let r = fake_dataset(&dir.path().join("grid"), |d| {
        std::fs::write(d.join("tau_values.txt"), "\n").unwrap()
    });
    let e = uci_error(&r, "toy");
    assert!(e.contains("tau_values.txt") && e.contains("empty"), "{e}");
    let r = fake_dataset(&dir.path().join("splits"), |d| {
        std::fs::write(d.join("n_splits.txt"), "3\n").unwrap()
    });
    let e = uci_error(&r, "toy");
    assert!(
        e.contains("n_splits.txt") && e.contains("index_train_1.txt"),
        "{e}"
    );
    let r = fake_dataset(&dir.path().join("missing"), |d| {
        std::fs::remove_file(d.join("n_hidden.txt")).unwrap()
    });
    let e = uci_error(&r, "toy");
    assert!(e.contains("n_hidden.txt"), "{e}");
}

/// `mcdropout bench` prints one row per dataset with the per-step and per-pass cost.
#[test]
fn bench_prints_per_step_costs() {
    let Some(root) = uci_root("bench_prints_per_step_costs") else {
        return;
    };
    let out = Command::cargo_bin("mcdropout")
        .unwrap()
        .args(["bench", "--root"])
        .arg(&root)
        .args([
            "--dataset",
            "yacht",
            "--epochs-multiplier",
            "1",
            "--samples",
            "50",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("| yacht"))
        .expect("a yacht row");
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    // | yacht | train rows | steps | train s | µs/step | test rows | MC s | ns/pass | LL |
    assert_eq!(cells[2], "277");
    assert_eq!(cells[3], "120"); // 40 epochs × ⌈277/128⌉ batches
    assert!(cells[5].parse::<f64>().unwrap() > 0.0);
}
