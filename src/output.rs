//! Writing files atomically: into a temporary file in the target folder, then renamed, so
//! that a failure never leaves a partial output behind.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes what `fill` produces to `path` atomically. The folder must exist.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("output folder {} does not exist", dir.display()),
            ),
        });
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".mcdropout-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w).map_err(io)?;
        w.flush().map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
