//! The checksum of a model file (format version 2 and later): a CRC-32 of every byte of the
//! file, stored as eight lower-case hex digits in the first field, [`CHECKSUM_KEY`], of the
//! `mcdropout` JSON metadata (one metadata entry, so the header's layout is deterministic).
//!
//! The file is first serialised with the digits `00000000`; the CRC-32 of those bytes is
//! then written over them. To verify, the stored digits are read, replaced by `00000000`
//! in a copy of the header, and the CRC-32 recomputed: a single changed byte anywhere in
//! the file (header, metadata, tensors, padding) changes it.

use crate::error::{Error, Result};
use safetensors::tensor::TensorView;
use std::collections::HashMap;
use std::path::Path;

/// The safetensors metadata key of the checksum.
pub(crate) const CHECKSUM_KEY: &str = "mcdropout_crc32";
const PLACEHOLDER: &[u8; 8] = b"00000000";

/// Serialises `views` with `json` (a JSON object) as the `mcdropout` metadata, with the
/// checksum as its first field, sealed.
pub(crate) fn serialize_sealed(
    views: Vec<(String, TensorView<'_>)>,
    json: String,
    path: &Path,
) -> Result<Vec<u8>> {
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let rest = json
        .strip_prefix('{')
        .ok_or_else(|| bad("the metadata is not a JSON object".into()))?;
    let sep = if rest.trim_start().starts_with('}') {
        ""
    } else {
        ","
    };
    let placeholder = String::from_utf8_lossy(PLACEHOLDER);
    let json = format!("{{\"{CHECKSUM_KEY}\":\"{placeholder}\"{sep}{rest}");
    let meta = HashMap::from([(super::io::META_KEY.to_string(), json)]);
    let mut bytes = safetensors::serialize(views, Some(meta)).map_err(|e| bad(e.to_string()))?;
    let at = digits_at(&bytes).ok_or_else(|| bad("the checksum field was not written".into()))?;
    let crc = format!("{:08x}", crc32fast::hash(&bytes));
    bytes[at..at + 8].copy_from_slice(crc.as_bytes());
    Ok(bytes)
}

/// Whether the file carries a checksum, and if it does, whether it matches.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Seal {
    /// No checksum field (files of format version 1).
    Absent,
    /// The checksum matches every byte.
    Valid,
}

/// Verifies the checksum of the model file `bytes`: [`Seal::Absent`] when it has none, an
/// error naming `path` when it does not match.
pub(crate) fn verify(bytes: &[u8], path: &Path) -> Result<Seal> {
    let Some(at) = digits_at(bytes) else {
        return Ok(Seal::Absent);
    };
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let digits = &bytes[at..at + 8];
    let stored = digits
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        .then(|| std::str::from_utf8(digits).ok())
        .flatten()
        .and_then(|s| u32::from_str_radix(s, 16).ok())
        .ok_or_else(|| {
            bad("the checksum field is not 8 lower-case hex digits (corrupted?)".into())
        })?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&bytes[..at]);
    hasher.update(PLACEHOLDER);
    hasher.update(&bytes[at + 8..]);
    let actual = hasher.finalize();
    if actual != stored {
        return Err(bad(format!(
            "checksum mismatch (stored {stored:08x}, computed {actual:08x}): the file was changed or corrupted after it was written"
        )));
    }
    Ok(Seal::Valid)
}

/// Byte offset of the eight checksum digits inside the safetensors header of `bytes`: the
/// first `\"mcdropout_crc32\":\"` of the header (the field as it appears in the escaped
/// `mcdropout` metadata string; a user's text holding the same words is escaped twice, so
/// it cannot match).
fn digits_at(bytes: &[u8]) -> Option<usize> {
    let len = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(len).ok()?.checked_add(8)?;
    let header = bytes.get(8..end)?;
    let needle = format!("\\\"{CHECKSUM_KEY}\\\":\\\"");
    let pos = header
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())?;
    let at = 8 + pos + needle.len();
    (bytes.get(at + 8..at + 10) == Some(b"\\\"".as_slice())).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::Dtype;

    fn sealed() -> Vec<u8> {
        let data: Vec<u8> = [1.0f64, -2.5]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let view = TensorView::new(Dtype::F64, vec![2], &data).unwrap();
        serialize_sealed(
            vec![("t".into(), view)],
            "{\"a\":1,\"name\":\"\\\"mcdropout_crc32\\\":\\\"\"}".into(),
            Path::new("m.st"),
        )
        .unwrap()
    }

    #[test]
    fn every_single_byte_change_is_detected_or_unparseable() {
        let bytes = sealed();
        assert_eq!(verify(&bytes, Path::new("m.st")).unwrap(), Seal::Valid);
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                // Either the checksum field is gone (then the loader requires it for
                // version 2) or it no longer matches.
                match verify(&b, Path::new("m.st")) {
                    Ok(Seal::Absent) => {}
                    Ok(Seal::Valid) => panic!("byte {i} ^ {flip:#x} went unnoticed"),
                    Err(e) => assert!(e.to_string().contains("m.st"), "{e}"),
                }
            }
        }
    }

    #[test]
    fn file_without_checksum_is_absent() {
        let data = 1.0f64.to_le_bytes();
        let view = TensorView::new(Dtype::F64, vec![1], &data).unwrap();
        let bytes = safetensors::serialize(vec![("t".to_string(), view)], None).unwrap();
        assert_eq!(verify(&bytes, Path::new("m")).unwrap(), Seal::Absent);
    }
}
