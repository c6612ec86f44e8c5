//! `mcdropout predict --key-column`: a row's numbers follow its key, not its position, and
//! the key column is not a feature; bad keys are errors naming the line.

use assert_cmd::Command;
use std::path::Path;
use tempfile::TempDir;

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("mcdropout").expect("binary built");
    cmd.current_dir(dir).args(args).output().expect("runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (row_id, x) rows of a small regression problem, and a model trained on them.
fn setup() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let mut train = String::from("x,y\n");
    for i in 0..60 {
        let x = i as f64 / 30.0 - 1.0;
        train.push_str(&format!("{x},{}\n", (3.0 * x).sin()));
    }
    std::fs::write(dir.path().join("train.csv"), train).expect("write");
    ok(
        dir.path(),
        &[
            "train",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--tau",
            "10",
            "--epochs",
            "20",
            "--out",
            "m.model",
        ],
    );
    let rows = [(17u64, 0.25), (4, -0.5), (1_000_000, 0.75), (0, 0.1)];
    let mut a = String::from("row_id,x\n");
    for (k, x) in rows {
        a.push_str(&format!("{k},{x}\n"));
    }
    // The same rows in reverse order, the key column last.
    let mut b = String::from("x,row_id\n");
    for (k, x) in rows.iter().rev() {
        b.push_str(&format!("{x},{k}\n"));
    }
    std::fs::write(dir.path().join("a.csv"), a).expect("write");
    std::fs::write(dir.path().join("b.csv"), b).expect("write");
    dir
}

fn lines(csv: &str) -> Vec<String> {
    csv.lines().skip(1).map(str::to_owned).collect()
}

#[test]
fn keyed_rows_get_the_same_numbers_in_any_order() {
    let dir = setup();
    let args = |data: &'static str| {
        vec![
            "predict",
            "--model",
            "m.model",
            "--data",
            data,
            "--key-column",
            "row_id",
            "--samples",
            "300",
            "--seed",
            "9",
        ]
    };
    let a = lines(&ok(dir.path(), &args("a.csv")));
    let mut b = lines(&ok(dir.path(), &args("b.csv")));
    b.reverse();
    assert_eq!(a.len(), 4);
    assert_eq!(a, b);
    // Without keys a row is keyed by its position: the reversed file differs.
    let plain = |data: &str| {
        lines(&ok(
            dir.path(),
            &[
                "predict",
                "--model",
                "m.model",
                "--data",
                data,
                "--samples",
                "300",
                "--seed",
                "9",
                "--task",
                "regress",
            ],
        ))
    };
    std::fs::write(dir.path().join("xa.csv"), "x\n0.25\n-0.5\n0.75\n0.1\n").expect("write");
    std::fs::write(dir.path().join("xb.csv"), "x\n0.1\n0.75\n-0.5\n0.25\n").expect("write");
    let pa = plain("xa.csv");
    let mut pb = plain("xb.csv");
    pb.reverse();
    assert_ne!(pa, pb);
}

#[test]
fn bad_keys_are_errors_naming_the_line() {
    let dir = setup();
    for (content, needle) in [
        ("row_id,x\n1,0.5\n2.5,0.1\n", "line 3"),
        ("row_id,x\n1,0.5\n-1,0.1\n", "line 3"),
    ] {
        std::fs::write(dir.path().join("bad.csv"), content).expect("write");
        let out = run(
            dir.path(),
            &[
                "predict",
                "--model",
                "m.model",
                "--data",
                "bad.csv",
                "--key-column",
                "row_id",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(needle) && err.contains("row_id"), "{err}");
    }
    let out = run(
        dir.path(),
        &[
            "predict",
            "--model",
            "m.model",
            "--data",
            "a.csv",
            "--key-column",
            "id",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("id"), "{err}");
}
