//! Temporary files of atomic writes: named so that they are recognisable
//! (`.<file>.mcdropout-<pid>-<random>.tmp` beside the output), registered while they exist
//! so that a SIGINT or SIGTERM handler can remove them ([`remove_pending`]), and, when a
//! run was killed outright (SIGKILL), removed by the next write into the same folder
//! ([`clean_stale`]) once their process is gone.

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

/// The process id in a temporary file name written by [`temp_prefix`].
pub(crate) fn owner_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') || !name.ends_with(".tmp") {
        return None;
    }
    let rest = &name[name.rfind(MARKER)? + MARKER.len()..];
    rest.split('-').next()?.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true // cannot tell: keep the file and report it
    }
}

/// Removes temporary files in `dir` left by processes that no longer run, and reports on
/// stderr each one removed, or kept because its process may still be running.
pub fn clean_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = owner_pid(&name) else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        use std::io::Write as _;
        if !process_alive(pid) {
            if std::fs::remove_file(&path).is_ok() {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: removed {}, a temporary file left by an interrupted run (process {pid})",
                    path.display()
                );
            }
        } else if pid != std::process::id() && !cfg!(target_os = "linux") {
            let _ = writeln!(
                std::io::stderr(),
                "note: {} is a temporary file of mcdropout process {pid}; remove it if that run was interrupted",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_carry_the_pid() {
        let prefix = temp_prefix(Path::new("out/model.st"));
        assert!(prefix.starts_with(".model.st.mcdropout-"), "{prefix}");
        let name = format!("{prefix}Ab12.tmp");
        assert_eq!(owner_pid(&name), Some(std::process::id()));
        assert_eq!(owner_pid(".x.mcdropout-12345-zz.tmp"), Some(12345));
        assert_eq!(owner_pid("model.st"), None);
        assert_eq!(owner_pid(".x.mcdropout-abc-zz.tmp"), None);
    }

    #[test]
    fn stale_files_of_dead_processes_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Pid 4194305 exceeds Linux's maximum pid, so no such process runs.
        let dead = dir.path().join(".m.st.mcdropout-4194305-abc.tmp");
        let mine = dir
            .path()
            .join(format!(".m.st{MARKER}{}-x.tmp", std::process::id()));
        let other = dir.path().join("notes.tmp");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        clean_stale(dir.path());
        assert_eq!(!dead.exists(), cfg!(target_os = "linux"));
        assert!(mine.exists() && other.exists());
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
