//! What an output path points at, decided before anything is written: a new or ordinary
//! file (replaced atomically), a special file such as `/dev/null` or a fifo (written
//! through, never replaced), a name of an open stream such as `/dev/stdout` (written at
//! the stream's position), a symbolic link (its target is written, the link stays), or
//! something that must be refused (a read-only file, a folder, a dangling link, an input
//! of the same command).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// How an output path is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A new file or an existing ordinary file: written to a temporary file in the same
    /// folder, then renamed over this path.
    Replace(PathBuf),
    /// An existing special file (character device, fifo, socket): opened and written in
    /// place; it is never replaced.
    WriteThrough(PathBuf),
    /// A name of one of this process's open files: `/dev/stdout`, `/dev/stderr`,
    /// `/dev/stdin`, `/dev/fd/N` or `/proc/self/fd/N`, whatever it resolves to (a pipe, a
    /// terminal or a file the shell redirected to). Written at the stream's position —
    /// standard output and error through the descriptor itself, other descriptors opened
    /// for appending — so a redirect keeps its meaning (`>` or `>>`): never truncated,
    /// never replaced.
    Stream(PathBuf),
}

/// Whether `path` is spelled as a name of an open file of this process (see
/// [`Target::Stream`]).
pub fn is_stream_name(path: &Path) -> bool {
    let Some(s) = path.to_str() else {
        return false;
    };
    let fd = s
        .strip_prefix("/dev/fd/")
        .or_else(|| s.strip_prefix("/proc/self/fd/"));
    matches!(s, "/dev/stdout" | "/dev/stderr" | "/dev/stdin")
        || fd.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn refuse(path: &Path, reason: impl Into<String>) -> Error {
    refuse_as(path, std::io::ErrorKind::InvalidInput, reason)
}

fn refuse_as(path: &Path, kind: std::io::ErrorKind, reason: impl Into<String>) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(kind, reason.into()),
    }
}

/// Decides how `path` is written, refusing a read-only file, a folder, a dangling
/// symbolic link and a missing output folder. A symbolic link resolves to its target, so
/// the link itself is kept.
pub fn resolve(path: &Path) -> Result<Target> {
    if cfg!(unix) && is_stream_name(path) {
        return Ok(Target::Stream(path.to_path_buf()));
    }
    let link = std::fs::symlink_metadata(path);
    let real = match &link {
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(p) => p,
            Err(_) => {
                return Err(refuse(
                    path,
                    "is a symbolic link to a file that does not exist; not writing through it (remove the link or point it at a file)",
                ));
            }
        },
        _ => path.to_path_buf(),
    };
    let meta = match std::fs::metadata(&real) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            check_folder(path, &real)?;
            return Ok(Target::Replace(real));
        }
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if meta.is_dir() {
        return Err(refuse_as(
            path,
            std::io::ErrorKind::IsADirectory,
            "is a folder, not a file",
        ));
    }
    if !meta.is_file() {
        return Ok(Target::WriteThrough(real));
    }
    if meta.permissions().readonly() {
        return Err(refuse_as(
            path,
            std::io::ErrorKind::PermissionDenied,
            "exists and is read-only; not replacing it (make it writable or remove it first)",
        ));
    }
    check_folder(path, &real)?;
    Ok(Target::Replace(real))
}

fn check_folder(path: &Path, real: &Path) -> Result<()> {
    let dir = folder_of(real);
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("output folder {} does not exist", dir.display()),
            ),
        });
    }
    Ok(())
}

/// The folder a file is written in (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether `a` and `b` name the same existing file (through links, `..` or hard links).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// Refuses an output `out` (given as `out_name` on the command line) that is one of the
/// `inputs` (each with its argument name): writing it would destroy the input. Special
/// files such as `/dev/stdin` are exempt only when they are not inputs themselves.
pub fn check_not_input(out_name: &str, out: &Path, inputs: &[(&str, &Path)]) -> Result<()> {
    for (name, input) in inputs {
        if same_file(out, input) {
            return Err(Error::InvalidParameter {
                name: out_name.into(),
                reason: format!(
                    "{} is the same file as the input {name} {}; writing it would destroy the input (choose another output file)",
                    out.display(),
                    input.display()
                ),
            });
        }
    }
    Ok(())
}
