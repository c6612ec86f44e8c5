//! Staged writes: a file's content goes to a temporary file beside it first ([`stage`]),
//! and only [`Staged::commit`] puts it in place. A [`Batch`] stages every file of a
//! command that writes several, then renames them all at the end, so a failure while
//! writing any of them leaves none behind.

use super::cleanup;
use super::target::{self, Target, resolve};
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One output, written but not yet in place.
pub struct Staged {
    /// The path as given (named in messages).
    shown: PathBuf,
    how: How,
}

enum How {
    /// Content in a temporary file, renamed over `real` by the commit.
    Temp {
        tmp: tempfile::NamedTempFile,
        real: PathBuf,
        _registered: Registered,
    },
    /// Content kept in memory for a special file or a stream, written by the commit.
    Through { target: Target, bytes: Vec<u8> },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes what `fill` produces for `path` without touching `path` itself: into a
/// temporary file beside it (named as [`cleanup`] says, registered for the signal
/// handler), or, for a special file or stream, into memory.
pub fn stage(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged> {
    let how = match resolve(path)? {
        Target::Replace(real) => {
            let tmp = temp_file(path, &real, fill)?;
            How::Temp {
                _registered: Registered(tmp.path().to_path_buf()),
                tmp,
                real,
            }
        }
        target => {
            let mut bytes = Vec::new();
            fill(&mut bytes).map_err(io(path))?;
            How::Through { target, bytes }
        }
    };
    Ok(Staged {
        shown: path.to_path_buf(),
        how,
    })
}

fn temp_file(
    path: &Path,
    real: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<tempfile::NamedTempFile> {
    let dir = target::folder_of(real);
    cleanup::clean_stale(dir);
    let mut builder = tempfile::Builder::new();
    let prefix = cleanup::temp_prefix(real);
    builder
        .prefix(&prefix)
        .rand_bytes(cleanup::RANDOM_LEN)
        .suffix(".tmp");
    // Temporary files are created private (0600); the output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io(path))?;
    cleanup::register(tmp.path());
    let written = (|| {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
        drop(w);
        tmp.as_file().sync_all()
    })();
    if let Err(e) = written {
        cleanup::unregister(tmp.path());
        return Err(io(path)(e));
    }
    Ok(tmp)
}

/// Opens a special file or stream for writing: standard output and error through their
/// descriptors, another stream name for appending (never truncated), a device or fifo as
/// it is.
pub(crate) fn open_through(target: &Target) -> std::io::Result<std::fs::File> {
    match target {
        Target::Stream(p) => open_stream(p),
        Target::WriteThrough(p) | Target::Replace(p) => std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(p),
    }
}

fn open_stream(p: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let s = p.to_str().unwrap_or_default();
        let fd = s.rsplit('/').next().unwrap_or_default();
        if s == "/dev/stdout" || fd == "1" {
            return Ok(std::io::stdout().as_fd().try_clone_to_owned()?.into());
        }
        if s == "/dev/stderr" || fd == "2" {
            return Ok(std::io::stderr().as_fd().try_clone_to_owned()?.into());
        }
    }
    std::fs::OpenOptions::new().append(true).open(p)
}

impl Staged {
    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Puts the content in place: renames the temporary file over the output, or writes
    /// the special file or stream.
    pub fn commit(self) -> Result<()> {
        let err = io(&self.shown);
        match self.how {
            How::Temp { tmp, real, .. } => tmp.persist(&real).map(|_| ()).map_err(|e| err(e.error)),
            How::Through { target, bytes } => {
                let mut file = open_through(&target).map_err(&err)?;
                file.write_all(&bytes)
                    .and_then(|()| file.flush())
                    .map_err(err)
            }
        }
    }
}

/// Keeps a temporary file registered for the signal handler while it exists: forgotten
/// when it was renamed or removed (the file itself is removed by `NamedTempFile`'s drop).
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        cleanup::unregister(&self.0);
    }
}

/// Several outputs of one command, staged one by one and put in place together by
/// [`Batch::commit`]. Dropping a batch without committing removes its temporary files.
#[derive(Default)]
pub struct Batch {
    staged: Vec<Staged>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stages what `fill` produces for `path` (see [`stage`]).
    pub fn add(
        &mut self,
        path: &Path,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        self.staged.push(stage(path, fill)?);
        Ok(())
    }

    /// Stages `bytes` for `path`.
    pub fn add_bytes(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.add(path, |w| w.write_all(bytes))
    }

    /// Puts every staged file in place: first the special files and streams (writing a
    /// device or a pipe can fail, a full disk or a closed reader), then the renames, each
    /// group in the order added. Renaming within a folder that was just written to
    /// practically never fails; if a step fails, the files before it are in place (the
    /// message lists them), it and the rest are not, and their temporary files are removed.
    pub fn commit(mut self) -> Result<()> {
        self.staged
            .sort_by_key(|s| matches!(s.how, How::Temp { .. }));
        let mut done: Vec<String> = Vec::new();
        let mut rest = self.staged.into_iter();
        while let Some(s) = rest.next() {
            let shown = s.path().display().to_string();
            if let Err(e) = s.commit() {
                if done.is_empty() {
                    return Err(e);
                }
                let not: Vec<String> = rest.map(|s| s.path().display().to_string()).collect();
                let (path, source) = match e {
                    Error::Io { path, source } => (path, source),
                    e => return Err(e),
                };
                let mut reason = format!(
                    "{}; already written by this run: {}",
                    crate::error::io_reason(&source),
                    done.join(", ")
                );
                if !not.is_empty() {
                    reason += &format!("; not written: {}", not.join(", "));
                }
                return Err(Error::Io {
                    path,
                    source: std::io::Error::new(source.kind(), reason),
                });
            }
            done.push(shown);
        }
        Ok(())
    }
}
