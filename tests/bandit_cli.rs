//! `mcdropout bandit` through the built binary: δ outside (0, 1) and other bad arguments
//! are refused with clear errors; a small run (seconds) writes its outputs.

mod common;

use common::{assert_contains, fails_leaving_files_alone, succeeds};
use tempfile::TempDir;

#[test]
fn bad_arguments_are_refused() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    for bad in ["1.5", "0", "1", "0.5,-0.2"] {
        fails_leaving_files_alone(d, &["bandit", "--deltas", bad], &["--deltas", "(0, 1)"]);
    }
    fails_leaving_files_alone(d, &["bandit", "--seeds", "0"], &["--seeds", "at least 1"]);
    fails_leaving_files_alone(d, &["bandit", "--horizon", "0"], &["--horizon"]);
    fails_leaving_files_alone(
        d,
        &["bandit", "--horizon", "100000000000000"],
        &["the bandit runs", "memory"],
    );
    fails_leaving_files_alone(
        d,
        &["bandit", "--seeds", "100000000000000"],
        &["the bandit runs", "memory"],
    );
    fails_leaving_files_alone(d, &["bandit", "--dropout", "1.2"], &["--dropout"]);
    fails_leaving_files_alone(
        d,
        &["bandit", "--policies", "uniform,oracle"],
        &["--policies", "unknown policy \"oracle\""],
    );
}

#[test]
fn small_run_writes_table_figure_and_json() {
    let dir = TempDir::new().unwrap();
    let (out, _) = succeeds(
        dir.path(),
        &[
            "bandit",
            "--deltas",
            "0.5",
            "--seeds",
            "2",
            "--horizon",
            "150",
            "--out",
            "res",
        ],
    );
    assert_contains(
        &out,
        &[
            "| uniform (ours) |",
            "| linear-ts (ours) |",
            "| dropout-ts (ours) |",
            "| greedy (ours) |",
            "δ = 0.5",
        ],
    );
    for name in ["bandit.md", "bandit.json", "bandit.png", "bandit.svg"] {
        assert!(dir.path().join("res").join(name).exists(), "{name}");
    }
    let (again, _) = succeeds(
        dir.path(),
        &[
            "bandit",
            "--deltas",
            "0.5",
            "--seeds",
            "2",
            "--horizon",
            "150",
            "--out",
            "res2",
            "--threads",
            "1",
        ],
    );
    let table = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("| "))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(table(&out), table(&again));
}
