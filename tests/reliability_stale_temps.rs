//! Issue 22, item 6: a temporary file left by a run killed outright (SIGKILL) is removed by
//! the next run writing into that folder only when it is ours — a regular file of this
//! user, named exactly `.<file>.mcdropout-<pid>-<6 letters or digits>.tmp`, whose process
//! no longer runs. A user's file that merely looks similar, a folder, a symbolic link (and
//! its target), another user's file and the file of a running process all stay.
#![cfg(unix)]

mod common;
use common::*;

#[test]
fn only_our_own_stale_temporary_files_are_removed() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    // Pid 4194305 is above Linux's maximum pid: no such process runs.
    let stale = ".d.csv.mcdropout-4194305-AbC123.tmp";
    write(d, stale, "partial");
    let lookalikes = [
        ".x.mcdropout-12-notes.tmp",            // random part too short
        ".d.csv.mcdropout-4194305-AbC1234.tmp", // too long
        ".d.csv.mcdropout-4194305-AbC_12.tmp",  // not letters or digits
        ".d.csv.mcdropout-4194305-AbC123.tmp.bak",
        "d.csv.mcdropout-4194305-AbC123.tmp", // no leading dot
        ".mcdropout-4194305-AbC123.tmp",      // no file name
        ".d.csv.mcdropout-04194305-AbC123.tmp",
        ".d.csv.mcdropout-x4194305-AbC123.tmp",
    ];
    for name in lookalikes {
        write(d, name, "user notes");
    }
    // A running process's file: pid 1 always runs.
    let live = ".d.csv.mcdropout-1-AbC123.tmp";
    write(d, live, "in progress");
    // A folder and a symbolic link with our exact pattern.
    let folder = ".e.csv.mcdropout-4194305-AbC123.tmp";
    std::fs::create_dir(d.join(folder)).unwrap();
    write(d, "target.txt", "the link's target");
    let link = ".f.csv.mcdropout-4194305-AbC123.tmp";
    std::os::unix::fs::symlink("target.txt", d.join(link)).unwrap();
    // A second hard link: not a lone temporary file.
    let linked = ".g.csv.mcdropout-4194305-AbC123.tmp";
    write(d, "shared.txt", "shared");
    std::fs::hard_link(d.join("shared.txt"), d.join(linked)).unwrap();
    // Another user's file (only root can make one).
    let theirs = ".h.csv.mcdropout-4194305-AbC123.tmp";
    let as_root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    if as_root {
        write(d, theirs, "someone else's");
        std::os::unix::fs::chown(d.join(theirs), Some(65534), Some(65534)).unwrap();
    }

    let (_, stderr) = succeeds(d, &["dataset", "linnerud", "--out", "d.csv"]);
    assert_contains(
        &stderr,
        &["removed", stale, "interrupted run (process 4194305)"],
    );
    assert!(!d.join(stale).exists());
    assert_eq!(stderr.matches("note: removed").count(), 1, "{stderr}");
    for name in lookalikes {
        assert_eq!(
            std::fs::read_to_string(d.join(name)).unwrap(),
            "user notes",
            "{name}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(d.join(live)).unwrap(),
        "in progress"
    );
    assert!(d.join(folder).is_dir());
    assert!(
        std::fs::symlink_metadata(d.join(link))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(d.join("target.txt")).unwrap(),
        "the link's target"
    );
    assert_eq!(std::fs::read_to_string(d.join(linked)).unwrap(), "shared");
    if as_root {
        assert!(d.join(theirs).exists());
    }
    assert!(
        std::fs::read_to_string(d.join("d.csv"))
            .unwrap()
            .starts_with("Chins")
    );
}
