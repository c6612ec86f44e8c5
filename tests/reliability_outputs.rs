//! Issue 9, item 3: outputs never destroy inputs or special files. Run on the built binary:
//! `--out` equal to an input is an error; a symbolic link keeps pointing at its (rewritten)
//! file; /dev/null and a fifo are written through, never replaced; a read-only file is
//! refused; an interrupted run leaves no temporary file; a temporary file left by a killed
//! run is removed by the next run in that folder.
#![cfg(unix)]

mod common;
use common::*;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

fn predict_to(out: &str) -> Vec<&str> {
    vec![
        "predict",
        "--model",
        "model.st",
        "--data",
        "x.csv",
        "--samples",
        "5",
        "--out",
        out,
    ]
}

#[test]
fn out_equal_to_an_input_is_an_error_and_the_input_survives() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    for out in ["x.csv", "model.st", "./x.csv", "../{dir}/model.st"] {
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        let out = out.replace("{dir}", &name);
        fails_leaving_files_alone(d, &predict_to(&out), &["--out", "same file as the input"]);
    }
    // A hard link to the data is the same file too.
    std::fs::hard_link(d.join("train.csv"), d.join("alias.csv")).unwrap();
    fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--tau",
            "1",
            "--epochs",
            "1",
            "--out",
            "alias.csv",
        ],
        &["same file as the input --data"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "gp",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--out",
            "train.csv",
        ],
        &["same file as the input --data"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "evaluate",
            "--model",
            "model.st",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--reliability",
            "model.st",
        ],
        &["--reliability", "same file as the input --model"],
    );
}

#[test]
fn links_are_kept_special_files_written_through() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    write(d, "real.csv", "old");
    std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
    succeeds(d, &predict_to("link.csv"));
    assert!(
        std::fs::symlink_metadata(d.join("link.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(d.join("real.csv"))
            .unwrap()
            .starts_with("mean,std")
    );

    succeeds(d, &predict_to("/dev/null"));
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    let fifo = d.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read_to_string(fifo).unwrap()
    });
    succeeds(d, &predict_to("pipe"));
    assert!(reader.join().unwrap().starts_with("mean,std"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn read_only_files_and_dangling_links_are_refused() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    write(d, "locked.csv", "keep me");
    std::fs::set_permissions(d.join("locked.csv"), std::fs::Permissions::from_mode(0o444)).unwrap();
    fails_leaving_files_alone(d, &predict_to("locked.csv"), &["locked.csv", "read-only"]);
    std::os::unix::fs::symlink("nowhere.csv", d.join("dangling.csv")).unwrap();
    fails_leaving_files_alone(
        d,
        &predict_to("dangling.csv"),
        &["dangling.csv", "does not exist"],
    );
    assert!(!d.join("nowhere.csv").exists());
}

fn temp_files(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".mcdropout-"))
        .collect()
}

#[test]
fn stale_temporary_files_are_removed_by_the_next_run() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    // Pid 4194305 is above Linux's maximum: no such process runs.
    write(d, ".p.csv.mcdropout-4194305-Xy12Ab.tmp", "partial");
    let (_, stderr) = succeeds(d, &predict_to("p.csv"));
    if cfg!(target_os = "linux") {
        assert_contains(
            &stderr,
            &[
                "removed",
                ".p.csv.mcdropout-4194305-Xy12Ab.tmp",
                "interrupted run",
            ],
        );
        assert!(temp_files(d).is_empty(), "{:?}", temp_files(d));
    }
}

#[test]
fn an_interrupted_run_exits_130_and_leaves_no_output() {
    for signal in ["-INT", "-TERM"] {
        let dir = tempfile::TempDir::new().unwrap();
        let d = dir.path();
        write(d, "train.csv", &synthetic_csv(200));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_mcdropout"))
            .current_dir(d)
            .args([
                "train",
                "--data",
                "train.csv",
                "--target",
                "y",
                "--tau",
                "10",
            ])
            .args(["--epochs", "200000", "--out", "m.st", "--threads", "1"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(700));
        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{signal}: {stderr}");
        assert!(stderr.contains("interrupted"), "{signal}: {stderr}");
        assert!(!d.join("m.st").exists());
        assert!(temp_files(d).is_empty(), "{:?}", temp_files(d));
    }
}
