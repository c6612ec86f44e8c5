//! The [`Encoding`] of a model's raw columns in its file: every model kind stores it in
//! its metadata under `encoding` (absent when the columns are taken as they are), and it
//! is checked at load against the model's feature names.

use std::path::Path;

use crate::data::Encoding;
use crate::error::{Error, Result};

/// Checks an encoding read from the model file `path` whose network inputs are
/// `feature_names`: the encoding must be valid and produce exactly those inputs.
pub(crate) fn checked(
    encoding: Option<Encoding>,
    feature_names: &[String],
    path: &Path,
) -> Result<Option<Encoding>> {
    let Some(enc) = encoding else {
        return Ok(None);
    };
    enc.check(path)?;
    if enc.output_names() != feature_names {
        return Err(Error::ModelFormat {
            path: path.to_path_buf(),
            reason: "the stored column encoding does not produce the model's feature names (edited or corrupted metadata)".into(),
        });
    }
    Ok(Some(enc))
}

/// The column encoding stored in the model file at `path`, of any model kind, checked as
/// at load (`None` for a model that takes its columns as they are).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::ModelFormat`] for a damaged
/// file or an encoding that does not match the model's feature names.
pub fn file_encoding(path: &Path) -> Result<Option<Encoding>> {
    let bytes = super::io::read_file(path)?;
    let meta = super::io::read_metadata(&bytes, path)?;
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let Some(value) = meta.get("encoding") else {
        return Ok(None);
    };
    let enc: Encoding = serde_json::from_value(value.clone())
        .map_err(|e| bad(format!("metadata: encoding: {e}")))?;
    let names: Vec<String> = meta
        .get("feature_names")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| bad(format!("metadata: feature_names: {e}")))?
        .unwrap_or_default();
    checked(Some(enc), &names, path)
}
