//! `mcdropout active` through the built binary: bad arguments give clear errors and
//! write nothing; a small real run on the shared digits (seconds) writes its outputs.

mod common;
mod shared_data;

use common::{assert_contains, fails_leaving_files_alone, succeeds};
use tempfile::TempDir;

/// The shared digits file. `shared_data::require` reports a missing file (a failure when
/// `CI` is set, a printed skip otherwise) but returns `None` when the file is present, so
/// the present case is handled here first.
fn digits() -> Option<String> {
    let f = shared_data::base().join("digits").join("digits.csv.gz");
    if f.exists() {
        return Some(f.display().to_string());
    }
    shared_data::require("active_cli", "digits", &["digits.csv.gz"])
        .map(|d| d.join("digits.csv.gz").display().to_string())
}

#[test]
fn bad_arguments_are_refused_before_any_work() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fails_leaving_files_alone(d, &["active", "--batch", "0"], &["--batch", "at least 1"]);
    fails_leaving_files_alone(
        d,
        &["active", "--functions", "bald,oracle"],
        &["--functions", "unknown acquisition function \"oracle\""],
    );
    fails_leaving_files_alone(
        d,
        &["active", "--functions", "max-variance"],
        &["--functions", "does not apply to classifiers"],
    );
    fails_leaving_files_alone(d, &["active", "--dropout", "1"], &["--dropout"]);
    fails_leaving_files_alone(d, &["active", "--seeds", "0"], &["--seeds"]);
    let Some(f) = digits() else { return };
    fails_leaving_files_alone(
        d,
        &["active", "--data", &f, "--batch", "5000"],
        &["--batch", "larger than the pool of 1178"],
    );
    fails_leaving_files_alone(
        d,
        &["active", "--data", &f, "--budget", "5000"],
        &["--budget", "larger than the pool of 1178"],
    );
}

#[test]
fn small_run_writes_table_figure_and_json() {
    let Some(f) = digits() else { return };
    let dir = TempDir::new().unwrap();
    let (out, _) = succeeds(
        dir.path(),
        &[
            "active",
            "--data",
            &f,
            "--out",
            "res",
            "--seeds",
            "2",
            "--functions",
            "bald,random",
            "--budget",
            "20",
            "--batch",
            "10",
            "--samples",
            "5",
            "--steps",
            "60",
        ],
    );
    assert_contains(&out, &["| bald |", "| random |", "labels to 90 %"]);
    for name in ["active.md", "active.json", "active.png", "active.svg"] {
        assert!(dir.path().join("res").join(name).exists(), "{name}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("res/active.json")).unwrap())
            .unwrap();
    let curves = json["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 4);
    for c in curves {
        // 20 start labels, then two rounds of 10.
        assert_eq!(c["labels"], serde_json::json!([20, 30, 40]));
        assert!(
            c["accuracy"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| (0.0..=1.0).contains(&a.as_f64().unwrap()))
        );
    }
    // Same seed, same numbers (the run is deterministic whatever the thread count).
    let (again, _) = succeeds(
        dir.path(),
        &[
            "active",
            "--data",
            &f,
            "--out",
            "res2",
            "--seeds",
            "2",
            "--functions",
            "bald,random",
            "--budget",
            "20",
            "--batch",
            "10",
            "--samples",
            "5",
            "--steps",
            "60",
            "--threads",
            "1",
        ],
    );
    let strip = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("| bald") || l.starts_with("| random"))
            .map(|l| {
                l.rsplit_once('|')
                    .unwrap()
                    .0
                    .rsplit_once('|')
                    .unwrap()
                    .0
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&out), strip(&again));
}
