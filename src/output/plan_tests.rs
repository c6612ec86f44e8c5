//! Unit tests of [`Plan`](super::Plan) and [`Batch`](crate::output::Batch).

use super::*;
use crate::output::Batch;

fn err(plan: &Plan) -> String {
    plan.check().unwrap_err().to_string()
}

#[test]
fn new_paths_are_compared_after_making_them_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    let a = absolute(&d.join("sub/../x/./y.csv"));
    assert_eq!(a, d.canonicalize().unwrap().join("x/y.csv"));
    for other in ["./d.csv", "sub/../d.csv", "sub/./../d.csv"] {
        let mut plan = Plan::new();
        plan.output("--out", &d.join("d.csv"))
            .output("--test-out", &d.join(other));
        let e = err(&plan);
        assert!(
            e.contains("--test-out") && e.contains("same file as --out"),
            "{e}"
        );
    }
    let mut plan = Plan::new();
    plan.output("--out", &d.join("a.csv"))
        .output("--test-out", &d.join("b.csv"));
    plan.check().unwrap();
    assert_eq!(
        std::fs::read_dir(d).unwrap().count(),
        1,
        "the check created a file"
    );
}

#[test]
fn folder_files_are_checked_against_inputs_even_before_the_folder_exists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("co2.json"), "data").unwrap();
    let mut plan = Plan::new();
    plan.input("--data", &d.join("co2.json"))
        .folder("--out", d, &["co2.png", "co2.json"]);
    let e = err(&plan);
    assert!(
        e.contains("written into --out") && e.contains("input --data"),
        "{e}"
    );
    // A folder still to be created: nothing in it can be an input; its files still must
    // not collide with another output.
    let mut plan = Plan::new();
    plan.input("--data", &d.join("co2.json"))
        .folder("--out", &d.join("new"), &["a.md", "b.md"])
        .output("--report", &d.join("new/b.md"));
    let e = err(&plan);
    assert!(
        e.contains("--report") && e.contains("same file as --out"),
        "{e}"
    );
    assert!(!d.join("new").exists());
    // The parent of a folder to create must exist.
    let mut plan = Plan::new();
    plan.folder("--out", &d.join("no/new"), &["a.md"]);
    assert!(err(&plan).contains("parent folder"));
}

#[cfg(unix)]
#[test]
fn special_files_may_be_shared_and_are_never_an_input_to_protect() {
    let mut plan = Plan::new();
    plan.input("--data", Path::new("/dev/null"))
        .output("--samples-out", Path::new("/dev/null"))
        .output("--draws-out", Path::new("/dev/null"));
    plan.check().unwrap();
}

#[cfg(unix)]
#[test]
fn read_only_folders_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut plan = Plan::new();
    plan.output("--out", &ro.join("x.csv"));
    assert!(err(&plan).contains("is read-only"), "{}", err(&plan));
    let mut plan = Plan::new();
    plan.folder("--out", &ro, &["a.md"]);
    assert!(err(&plan).contains("is read-only"));
    let mut plan = Plan::new();
    plan.folder("--out", &ro.join("new"), &["a.md"]);
    assert!(err(&plan).contains("cannot be created"));
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_batch_puts_nothing_in_place_until_committed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut batch = Batch::new();
    batch.add_bytes(&d.join("a.txt"), b"a").unwrap();
    batch.add_bytes(&d.join("b.txt"), b"b").unwrap();
    assert!(!d.join("a.txt").exists() && !d.join("b.txt").exists());
    batch.commit().unwrap();
    assert_eq!(std::fs::read(d.join("a.txt")).unwrap(), b"a");
    assert_eq!(std::fs::read(d.join("b.txt")).unwrap(), b"b");
    // A failure while staging the second drops the first's temporary file.
    let mut batch = Batch::new();
    batch.add_bytes(&d.join("c.txt"), b"c").unwrap();
    let e = batch.add(&d.join("e.txt"), |w: &mut dyn std::io::Write| {
        w.write_all(b"half")?;
        Err(std::io::Error::other("boom"))
    });
    assert!(e.is_err());
    drop(batch);
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.txt", "b.txt"]);
}

/// A device that fails on write (`/dev/full`: "no space left") is written before any
/// file is renamed into place, so its failure leaves no file of the batch behind.
#[test]
fn a_failing_device_in_a_batch_leaves_no_file() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut batch = Batch::new();
    batch.add_bytes(&d.join("model"), b"m").unwrap();
    batch.add_bytes(full, b"report").unwrap();
    let e = batch.commit().unwrap_err().to_string();
    assert!(e.contains("/dev/full"), "{e}");
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);
}

#[test]
fn a_failed_rename_names_what_was_and_was_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut batch = Batch::new();
    batch.add_bytes(&d.join("a.txt"), b"a").unwrap();
    batch.add_bytes(&d.join("b.txt"), b"b").unwrap();
    batch.add_bytes(&d.join("c.txt"), b"c").unwrap();
    // b.txt becomes a non-empty folder after it was staged: its rename fails.
    std::fs::create_dir(d.join("b.txt")).unwrap();
    std::fs::write(d.join("b.txt/inner"), "x").unwrap();
    let e = batch.commit().unwrap_err().to_string();
    assert!(e.contains("b.txt"), "{e}");
    assert!(
        e.contains("already written by this run") && e.contains("a.txt"),
        "{e}"
    );
    assert!(e.contains("not written") && e.contains("c.txt"), "{e}");
    assert!(d.join("a.txt").is_file() && !d.join("c.txt").exists());
    let left = std::fs::read_dir(d)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".mcdropout-")
        })
        .count();
    assert_eq!(left, 0, "temporary files left");
}
