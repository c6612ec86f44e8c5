//! Temporary files of atomic writes: named so that they are recognisable
//! (`.<file>.mcdropout-<pid>-<random>.tmp` beside the output), registered while they exist
//! so that a SIGINT or SIGTERM handler can remove them ([`remove_pending`]), and, when a
//! run was killed outright (SIGKILL), removed by the next write into the same folder
//! ([`clean_stale`]) once their process is gone — only a regular file of this user whose
//! name matches the whole pattern, never a user's file that merely looks similar.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The marker in every temporary file name.
pub const MARKER: &str = ".mcdropout-";

/// The prefix of the temporary file for `file` written by this process.
pub(crate) fn temp_prefix(file: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}{MARKER}{}-", std::process::id())
}

/// Registers a temporary file (removed by [`remove_pending`]).
pub(crate) fn register(path: &Path) {
    if let Ok(mut p) = PENDING.lock() {
        p.push(path.to_path_buf());
    }
}

/// Forgets a temporary file that was renamed or removed.
pub(crate) fn unregister(path: &Path) {
    if let Ok(mut p) = PENDING.lock() {
        p.retain(|q| q != path);
    }
}

/// Removes every temporary file of an atomic write still in progress. Meant for a
/// SIGINT / SIGTERM handler (the command-line tool installs one); returns how many were
/// removed.
pub fn remove_pending() -> usize {
    remove_pending_where(|_| true)
}

/// Removes the pending temporary files for which `which` holds and keeps the others
/// registered (tests remove only their own, so that parallel tests' writes survive).
fn remove_pending_where(which: impl Fn(&Path) -> bool) -> usize {
    let paths: Vec<PathBuf> = match PENDING.lock() {
        Ok(mut p) => {
            let (take, keep): (Vec<PathBuf>, Vec<PathBuf>) =
                std::mem::take(&mut *p).into_iter().partition(|q| which(q));
            *p = keep;
            take
        }
        Err(_) => return 0,
    };
    paths
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// The length of the random part of a temporary file name (letters and digits).
pub(crate) const RANDOM_LEN: usize = 6;

/// The process id in a temporary file name written by [`temp_prefix`], when `name`
/// matches the whole pattern `.<file>.mcdropout-<pid>-<random>.tmp` exactly: a non-empty
/// file name, a decimal pid without leading zeros, [`RANDOM_LEN`] ASCII letters or digits.
/// Anything else (`.x.mcdropout-12-notes.tmp`, a trailing `.bak`) is not ours.
pub(crate) fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (head, random) = rest.rsplit_once('-')?;
    if random.len() != RANDOM_LEN || !random.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (file, pid) = head.rsplit_once(MARKER)?;
    if file.is_empty()
        || pid.is_empty()
        || pid.starts_with('0')
        || !pid.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` may still run: `None` when this cannot be told on this system.
fn process_alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    #[cfg(unix)]
    {
        let Some(p) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return Some(false); // beyond any pid the kernel hands out
        };
        // Signal 0 only checks: no such process is ESRCH; EPERM means it runs as another user.
        match rustix::process::test_kill_process(p) {
            Err(e) if e == rustix::io::Errno::SRCH => Some(false),
            _ => Some(true),
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// What [`clean_stale`] does with a directory entry.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Not one of our temporary files: left alone, silently.
    NotOurs,
    /// Ours, but its process may still run (or that cannot be told): kept, and reported
    /// when it cannot be told.
    Kept { pid: u32, reported: bool },
    /// Ours and its process is gone: removed.
    Stale { pid: u32 },
}

/// Decides about an entry named `name` whose own metadata (not following a link) is
/// `meta`: only a regular file with a single link, owned by this user, named by the full
/// pattern ([`owner_pid`]), of a process that no longer runs, is stale.
fn verdict(name: &str, meta: &std::fs::Metadata, alive: impl Fn(u32) -> Option<bool>) -> Verdict {
    let Some(pid) = owner_pid(name) else {
        return Verdict::NotOurs;
    };
    if !meta.file_type().is_file() {
        return Verdict::NotOurs;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != rustix::process::geteuid().as_raw() || meta.nlink() != 1 {
            return Verdict::NotOurs;
        }
    }
    match alive(pid) {
        Some(false) => Verdict::Stale { pid },
        Some(true) => Verdict::Kept {
            pid,
            reported: false,
        },
        None => Verdict::Kept {
            pid,
            reported: true,
        },
    }
}

/// Removes temporary files in `dir` left by processes that no longer run, and reports on
/// stderr each one removed, or kept because it cannot be told whether its process still
/// runs. Only entries for which every rule of [`verdict`] holds are touched; a symbolic
/// link is never followed.
pub fn clean_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if owner_pid(&name).is_none() {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        use std::io::Write as _;
        match verdict(&name, &meta, process_alive) {
            Verdict::Stale { pid } => {
                if std::fs::remove_file(&path).is_ok() {
                    let _ = writeln!(
                        std::io::stderr(),
                        "note: removed {}, a temporary file left by an interrupted run (process {pid})",
                        path.display()
                    );
                }
            }
            Verdict::Kept {
                pid,
                reported: true,
            } => {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {} is a temporary file of mcdropout process {pid}; remove it if that run was interrupted",
                    path.display()
                );
            }
            Verdict::Kept { .. } | Verdict::NotOurs => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_full_pattern_names_an_owner() {
        let prefix = temp_prefix(Path::new("out/model.st"));
        assert!(prefix.starts_with(".model.st.mcdropout-"), "{prefix}");
        let name = format!("{prefix}Ab12Cd.tmp");
        assert_eq!(owner_pid(&name), Some(std::process::id()));
        assert_eq!(owner_pid(".x.mcdropout-12345-zZ09aB.tmp"), Some(12345));
        // A file name that itself holds the marker: the last one counts.
        assert_eq!(
            owner_pid(".a.mcdropout-1-x.mcdropout-77-abcdef.tmp"),
            Some(77)
        );
        for not_ours in [
            "model.st",
            ".x.mcdropout-abc-zzzzzz.tmp",
            ".x.mcdropout-12-notes.tmp",      // random part of 5
            ".x.mcdropout-12-notes12.tmp",    // of 7
            ".x.mcdropout-12-note_1.tmp",     // not a letter or digit
            ".x.mcdropout-012-abcdef.tmp",    // leading zero
            ".x.mcdropout--12-abcdef.tmp",    // sign
            ".x.mcdropout-12-abcdef.tmp.bak", // suffix
            "x.mcdropout-12-abcdef.tmp",      // no leading dot
            "..mcdropout-12-abcdef.tmp",      // no file name
            ".mcdropout-12-abcdef.tmp",
            ".x.mcdropout-99999999999-abcdef.tmp", // beyond u32
            ".x.mcdropout-12-abcdéf.tmp",
        ] {
            assert_eq!(owner_pid(not_ours), None, "{not_ours}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_our_own_regular_files_of_dead_processes_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let name = ".m.st.mcdropout-4194305-abcdef.tmp";
        let file = dir.path().join(name);
        std::fs::write(&file, b"x").unwrap();
        let meta = std::fs::symlink_metadata(&file).unwrap();
        assert_eq!(
            verdict(name, &meta, |_| Some(false)),
            Verdict::Stale { pid: 4194305 }
        );
        let kept = Verdict::Kept {
            pid: 4194305,
            reported: false,
        };
        assert_eq!(verdict(name, &meta, |_| Some(true)), kept);
        assert_eq!(
            verdict(name, &meta, |_| None),
            Verdict::Kept {
                pid: 4194305,
                reported: true
            }
        );
        assert_eq!(
            verdict(".x.mcdropout-12-notes.tmp", &meta, |_| Some(false)),
            Verdict::NotOurs
        );
        // A folder, a symbolic link and a file with a second hard link are not ours.
        let folder = dir.path().join("d");
        std::fs::create_dir(&folder).unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        for other in [&folder, &link] {
            let m = std::fs::symlink_metadata(other).unwrap();
            assert_eq!(verdict(name, &m, |_| Some(false)), Verdict::NotOurs);
        }
        std::fs::hard_link(&file, dir.path().join("h")).unwrap();
        let m = std::fs::symlink_metadata(&file).unwrap();
        assert_eq!(verdict(name, &m, |_| Some(false)), Verdict::NotOurs);
        // Another user's file (needs root to make one).
        if rustix::process::geteuid().is_root() {
            let theirs = dir.path().join("theirs");
            std::fs::write(&theirs, b"x").unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            let m = std::fs::symlink_metadata(&theirs).unwrap();
            assert_eq!(verdict(name, &m, |_| Some(false)), Verdict::NotOurs);
        }
    }

    #[cfg(unix)]
    #[test]
    fn processes_are_told_apart() {
        assert_eq!(process_alive(std::process::id()), Some(true));
        assert_eq!(process_alive(1), Some(true)); // init runs (EPERM counts as running)
        // Pid 4194305 exceeds Linux's maximum pid; u32::MAX is no i32 pid at all.
        assert_eq!(process_alive(u32::MAX), Some(false));
        if cfg!(target_os = "linux") {
            assert_eq!(process_alive(4194305), Some(false));
        }
    }

    #[test]
    fn stale_files_of_dead_processes_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Pid 4194305 exceeds Linux's maximum pid, so no such process runs.
        let dead = dir.path().join(".m.st.mcdropout-4194305-abcXYZ.tmp");
        let mine = dir
            .path()
            .join(format!(".m.st{MARKER}{}-x1y2z3.tmp", std::process::id()));
        let other = dir.path().join("notes.tmp");
        let similar = dir.path().join(".m.st.mcdropout-4194305-notes.tmp");
        for p in [&dead, &mine, &other, &similar] {
            std::fs::write(p, b"x").unwrap();
        }
        clean_stale(dir.path());
        assert_eq!(!dead.exists(), cfg!(unix));
        assert!(mine.exists() && other.exists() && similar.exists());
    }

    #[test]
    fn pending_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".a.mcdropout-1-x.tmp");
        std::fs::write(&p, b"x").unwrap();
        register(&p);
        // Only this test's file: `remove_pending()` would also delete the temporary files
        // of writes other tests run in parallel in this process.
        assert_eq!(remove_pending_where(|q| q.starts_with(dir.path())), 1);
        assert!(!p.exists());
    }
}
