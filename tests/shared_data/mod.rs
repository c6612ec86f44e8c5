//! Where tests find the shared data (`$MCDROPOUT_DATA`, else `../shared/data` next to the
//! crate), and what happens when it is absent: in CI (`CI` set) the test fails; elsewhere
//! it is skipped with the reason written straight to the terminal's stderr (a direct
//! write, which the test harness does not capture, unlike `eprintln!`).

use std::io::Write;
use std::path::PathBuf;

/// The shared data folder.
pub fn base() -> PathBuf {
    std::env::var_os("MCDROPOUT_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

/// `base()/rel` when every one of `needed` (relative to it) exists; otherwise fails in CI
/// and returns `None` elsewhere, after saying on the terminal which test is skipped and
/// why.
pub fn require(test: &str, rel: &str, needed: &[&str]) -> Option<PathBuf> {
    require_in(&base(), test, rel, needed)
}

/// [`require`] against an explicit base folder (what its own test uses).
pub fn require_in(
    base: &std::path::Path,
    test: &str,
    rel: &str,
    needed: &[&str],
) -> Option<PathBuf> {
    let dir = base.join(rel);
    let Some(missing) = needed.iter().map(|f| dir.join(f)).find(|p| !p.exists()) else {
        return Some(dir);
    };
    let reason = format!(
        "{} not found (set MCDROPOUT_DATA to the folder holding the shared data)",
        missing.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {reason}; CI is set, so missing data is a failure");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
    None
}
