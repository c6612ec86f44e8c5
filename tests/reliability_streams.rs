//! Issue 22, item 5: `--out /dev/stdout` (and `/dev/stderr`, `/dev/fd/N`,
//! `/proc/self/fd/N`) is written through whether the stream is a pipe or a file the shell
//! redirected to: at the stream's position, so `>` and `>>` keep their meaning, never by
//! replacing the file; a redirect onto an input file is refused like `--out` naming it.
#![cfg(unix)]

mod common;
use common::*;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the binary in `dir` with stdout and stderr sent to the given files; returns the
/// exit code.
fn run_redirected(dir: &Path, args: &[&str], stdout: std::fs::File, stderr: Stdio) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_mcdropout"))
        .current_dir(dir)
        .args(args)
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .unwrap()
        .code()
        .unwrap()
}

fn open(path: &Path, append: bool) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .unwrap()
}

fn dataset_to(out: &str) -> Vec<&str> {
    vec!["dataset", "linnerud", "--out", out]
}

#[test]
fn stream_names_write_through_a_pipe() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    for name in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
        if name.starts_with("/proc") && !Path::new("/proc/self/fd").exists() {
            continue;
        }
        let (stdout, _) = succeeds(d, &dataset_to(name));
        assert!(
            stdout.starts_with("Chins,Situps,Jumps,Weight"),
            "{name}: {stdout}"
        );
        assert_eq!(stdout.lines().count(), 21, "{name}");
    }
    let out = mcdropout(d)
        .args(dataset_to("/dev/stderr"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Chins,Situps"));
    assert!(snapshot(d).is_empty(), "{:?}", snapshot(d).keys());
}

#[test]
fn a_redirected_file_is_written_in_place_truncated_or_appended_as_the_shell_said() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let f = d.join("f.csv");
    // `> f.csv`: the shell truncated it; the file keeps its inode (not replaced by a rename).
    std::fs::write(&f, "old content that the shell truncates\n").unwrap();
    let inode = std::fs::metadata(&f).unwrap().ino();
    let code = run_redirected(
        d,
        &dataset_to("/dev/stdout"),
        open(&f, false),
        Stdio::null(),
    );
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.starts_with("Chins,Situps"), "{text}");
    assert_eq!(text.lines().count(), 21);
    assert_eq!(std::fs::metadata(&f).unwrap().ino(), inode);
    // `>> f.csv`: what was there stays, the table follows.
    std::fs::write(&f, "previous line\n").unwrap();
    let code = run_redirected(d, &dataset_to("/dev/fd/1"), open(&f, true), Stdio::null());
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.starts_with("previous line\nChins,Situps"), "{text}");
    assert_eq!(text.lines().count(), 22);
    assert_eq!(std::fs::metadata(&f).unwrap().ino(), inode);
    let names: Vec<_> = std::fs::read_dir(d).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left");
    // In a read-only folder too: nothing is created beside the file.
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir(d.join("ro")).unwrap();
    let g = d.join("ro/g.csv");
    let file = open(&g, false);
    std::fs::set_permissions(d.join("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let code = run_redirected(d, &dataset_to("/dev/stdout"), file, Stdio::null());
    assert_eq!(code, 0);
    assert!(
        std::fs::read_to_string(&g)
            .unwrap()
            .starts_with("Chins,Situps")
    );
    assert_eq!(std::fs::read_dir(d.join("ro")).unwrap().count(), 1);
    std::fs::set_permissions(d.join("ro"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_stream_redirected_onto_an_input_is_refused() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    let before = snapshot(d);
    let err = d.join("err.txt");
    // `>> x.csv` (`>` would have emptied it before mcdropout starts).
    for out in ["/dev/stdout", "/dev/fd/1"] {
        let code = run_redirected(
            d,
            &[
                "predict",
                "--model",
                "model.st",
                "--data",
                "x.csv",
                "--samples",
                "3",
                "--out",
                out,
            ],
            open(&d.join("x.csv"), true),
            Stdio::from(open(&err, false)),
        );
        assert_eq!(code, 1);
        let msg = std::fs::read_to_string(&err).unwrap();
        assert_contains(
            &msg,
            &[
                "error: invalid --out",
                out,
                "same file as the input --data x.csv",
            ],
        );
        let mut after = snapshot(d);
        after.remove("err.txt");
        assert!(before == after, "{out}: a file was changed");
    }
}
