//! Helpers shared by the reliability tests: run the built binary in a scratch folder and
//! check its exit code, its message and the files it left.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

/// The binary, run inside `dir`.
pub fn mcdropout(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcdropout").expect("binary built");
    cmd.current_dir(dir);
    cmd
}

/// Runs `args` in `dir`, expects exit code 1 and returns stderr, which must start with
/// `error: `.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "args {args:?}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.lines().any(|l| l.starts_with("error: ")),
        "args {args:?}\nstderr:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "args {args:?}: output on stdout");
    stderr
}

/// Runs `args` in `dir`, expects success and returns (stdout, stderr).
pub fn succeeds(dir: &Path, args: &[&str]) -> (String, String) {
    let out = mcdropout(dir).args(args).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "args {args:?}\nstderr:\n{stderr}");
    (stdout, stderr)
}

/// Asserts that every word is in `text`.
pub fn assert_contains(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "expected {w:?} in:\n{text}");
    }
}

/// Every file in `dir` (not recursive) with its bytes: compare before and after a run to
/// see that nothing was created or changed.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("lists")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("reads"))
        })
        .collect()
}

/// Runs `args` in `dir`, expects failure with `words` in the message, and checks that no
/// file in `dir` was created, removed or changed.
pub fn fails_leaving_files_alone(dir: &Path, args: &[&str], words: &[&str]) -> String {
    let before = snapshot(dir);
    let stderr = fails(dir, args);
    assert_contains(&stderr, words);
    let after = snapshot(dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files created or removed by {args:?}"
    );
    assert!(before == after, "a file was changed by {args:?}");
    stderr
}

/// `n` rows of `x1,x2,x3,y`, y a smooth function of the inputs (deterministic).
pub fn synthetic_csv(n: usize) -> String {
    let mut s = String::from("x1,x2,x3,y\n");
    for i in 0..n {
        let t = i as f64 / n as f64;
        let (x1, x2, x3) = (t, (7.0 * t).sin(), ((i * 37) % 11) as f64 / 11.0);
        let y = 2.0 * x1 - x2 + 0.5 * x3 + 0.05 * ((i * 13) % 7) as f64;
        s.push_str(&format!("{x1},{x2},{x3},{y}\n"));
    }
    s
}

/// A scratch folder with `train.csv` (40 rows of [`synthetic_csv`]) and a network
/// `model.st` trained on it for a few epochs.
pub fn trained() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("train.csv"), synthetic_csv(40)).expect("writes");
    succeeds(
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
            "3",
            "--out",
            "model.st",
        ],
    );
    dir
}

/// Writes `content` to `name` in `dir`.
pub fn write(dir: &Path, name: &str, content: &str) {
    std::fs::write(dir.join(name), content).expect("writes");
}

/// Writes `cls.csv` (six rows, two classes) to `dir` and trains the classifier `c.st` on it
/// for two epochs.
pub fn train_classifier(dir: &Path) {
    write(
        dir,
        "cls.csv",
        "a,b,y\n1,2,0\n2,3,1\n3,1,0\n1,1,1\n2,2,0\n3,3,1\n",
    );
    succeeds(
        dir,
        &[
            "train", "--data", "cls.csv", "--target", "y", "--task", "classify", "--epochs", "2",
            "--out", "c.st",
        ],
    );
}
