//! Model files ⇄ bytes (for pickling): the library writes paths, so saving goes through
//! a private temporary folder; loading parses the bytes directly.

use crate::errors::to_py;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use std::path::Path;

fn tmp_io(e: std::io::Error) -> PyErr {
    PyOSError::new_err(format!("temporary model file: {e}"))
}

/// The bytes of the model file that `save` writes.
pub fn to_bytes(save: impl FnOnce(&Path) -> mcdropout::Result<()>) -> PyResult<Vec<u8>> {
    let dir = tempfile::tempdir().map_err(tmp_io)?;
    let path = dir.path().join("model.mcdropout");
    save(&path).map_err(to_py)?;
    std::fs::read(&path).map_err(tmp_io)
}

/// The model that `load` parses from the bytes of a model file (named "<pickled model>"
/// in messages).
pub fn from_bytes<T>(
    bytes: &[u8],
    load: impl FnOnce(&[u8], &Path) -> mcdropout::Result<T>,
) -> PyResult<T> {
    load(bytes, Path::new("<pickled model>")).map_err(to_py)
}
