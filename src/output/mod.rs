//! Writing output files without destroying anything: an ordinary file is written to a
//! recognisable temporary file in its folder, then renamed (a failure never leaves a
//! partial output); a special file (`/dev/null`, a fifo) is written through, never
//! replaced; a stream name (`/dev/stdout`, `/dev/fd/N`) is written at the stream's
//! position, whatever it resolves to; a symbolic link keeps pointing at its file, which is replaced;
//! a read-only file, a folder or a dangling link is refused. See [`target`] and
//! [`cleanup`]; [`Plan`] checks every path of a command together before any work, and
//! [`Batch`] puts several outputs in place together.

pub mod cleanup;
pub mod plan;
pub mod stage;
pub mod target;

use crate::error::{Error, Result};
pub use plan::Plan;
pub use stage::{Batch, Staged, stage};
use std::io::Write;
use std::path::Path;
pub use target::{Target, check_not_input, resolve, same_file};

/// Writes what `fill` produces to `path` (see the module documentation). The folder must
/// exist.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match resolve(path)? {
        Target::Replace(_) => stage(path, fill)?.commit(),
        // Streamed, not kept in memory: nothing is replaced, so nothing can be half-replaced.
        target => {
            let io = |source| Error::Io {
                path: path.to_path_buf(),
                source,
            };
            let file = stage::open_through(&target).map_err(io)?;
            let mut w = std::io::BufWriter::new(file);
            fill(&mut w).map_err(io)?;
            w.flush().map_err(io)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_with_ordinary_permissions_and_no_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_atomic(&path, |w| w.write_all(b"a,b\n1,2\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n1,2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_fill_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let missing = dir.path().join("no/such/out.csv");
        let e = write_atomic(&missing, |w| w.write_all(b"x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_through_links_kept_read_only_refused() {
        use std::os::unix::fs::PermissionsExt;
        write_atomic(Path::new("/dev/null"), |w| w.write_all(b"x")).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o444)).unwrap();
        let e = write_atomic(&real, |w| w.write_all(b"newer")).unwrap_err();
        assert!(e.to_string().contains("read-only"), "{e}");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let e = write_atomic(&dangling, |w| w.write_all(b"x")).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
