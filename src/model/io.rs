//! Model files: weights as safetensors tensors (`layer{i}.weight`, `layer{i}.bias`, f64),
//! everything else as JSON in the safetensors metadata under the key `mcdropout`.

use super::checksum::{Seal, serialize_sealed, verify};
use super::regressor::Regressor;
use super::transform::TargetTransform;
use super::validate;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::nn::{Architecture, Layer, Network};
use crate::prior::Prior;
use crate::train::{TrainConfig, TrainReport};
use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the model file format this build writes. Version 2 added a CRC-32 checksum
/// of the whole file (see `checksum.rs`); version-1 files (no checksum) still load, with a
/// note on stderr. Version 3 added the `method` field (which method made the model:
/// `mc-dropout`, `concrete` or `ensemble`; absent in older files, which are all MC-dropout
/// regressors) and the method models of `crate::methods`. Version 4 added the
/// `target_transform` field of a regressor (`none`, `log`, `log1p`; absent in older files:
/// none). Versions 1 to 4 are read.
pub const FORMAT_VERSION: u32 = 4;

/// The oldest model file format version this build reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

pub(crate) const META_KEY: &str = "mcdropout";

#[derive(Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    kind: String,
    crate_version: String,
    architecture: Architecture,
    x_mean: Vec<f64>,
    x_std: Vec<f64>,
    y_mean: f64,
    y_std: f64,
    prior: Prior,
    train: TrainConfig,
    report: TrainReport,
    feature_names: Vec<String>,
    /// The column encoding (format version 4; absent: the columns as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<crate::data::Encoding>,
    target_name: String,
    /// The method that made the model (format version 3; absent before: MC dropout).
    #[serde(default = "mc_dropout_name")]
    method: String,
    /// The target transform (format version 4; absent before, and in files of other
    /// kinds: none).
    #[serde(default)]
    target_transform: TargetTransform,
}

fn mc_dropout_name() -> String {
    "mc-dropout".into()
}

/// Writes `model` to `path` (atomically: a temporary file in the same folder, then renamed).
pub fn save(model: &Regressor, path: &Path) -> Result<()> {
    let bytes = to_bytes(model, path)?;
    crate::output::write_atomic(path, |w| w.write_all(&bytes))
}

/// The bytes [`save`] writes, for a caller that stages several outputs together
/// ([`crate::output::Batch`]); `path` names the file in messages.
pub fn to_bytes(model: &Regressor, path: &Path) -> Result<Vec<u8>> {
    let meta = Meta {
        format_version: FORMAT_VERSION,
        kind: "regressor".into(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        architecture: model.network.arch.clone(),
        x_mean: model.x_scaler.mean.to_vec(),
        x_std: model.x_scaler.std.to_vec(),
        y_mean: model.y_mean,
        y_std: model.y_std,
        prior: model.prior,
        train: model.train.clone(),
        report: model.report.clone(),
        feature_names: model.feature_names.clone(),
        encoding: model.encoding.clone(),
        target_name: model.target_name.clone(),
        method: mc_dropout_name(),
        target_transform: model.target_transform,
    };
    let json = serde_json::to_string(&meta).map_err(|e| Error::ModelFormat {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    network_bytes(&model.network, json, path)
}

/// Writes `network`'s tensors with `json` as the `mcdropout` metadata to `path`
/// (atomically). Shared by every model kind.
pub(crate) fn save_network(network: &Network, json: String, path: &Path) -> Result<()> {
    let sealed = network_bytes(network, json, path)?;
    crate::output::write_atomic(path, |w| w.write_all(&sealed))
}

/// The sealed safetensors bytes of `network` with `json` as its metadata.
fn network_bytes(network: &Network, json: String, path: &Path) -> Result<Vec<u8>> {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = network
        .layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            [
                (
                    format!("layer{i}.weight"),
                    l.weights.shape().to_vec(),
                    le_bytes(l.weights.iter()),
                ),
                (
                    format!("layer{i}.bias"),
                    vec![l.bias.len()],
                    le_bytes(l.bias.iter()),
                ),
            ]
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, b)| Ok((name.clone(), TensorView::new(Dtype::F64, shape.clone(), b)?)))
        .collect::<std::result::Result<Vec<_>, safetensors::SafeTensorError>>()
        .map_err(|e| Error::ModelFormat {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    serialize_sealed(views, json, path)
}

pub(crate) fn le_bytes<'a>(v: impl Iterator<Item = &'a f64>) -> Vec<u8> {
    v.flat_map(|x| x.to_le_bytes()).collect()
}

/// Reads a model written by [`save`]. A truncated or corrupted file, a file of another
/// format version, or one whose tensors do not match its architecture is an error.
pub fn load(path: &Path) -> Result<Regressor> {
    load_bytes(&read_file(path)?, path)
}

/// As [`load`], on the bytes of a model file already read; `path` names it in messages.
pub fn load_bytes(bytes: &[u8], path: &Path) -> Result<Regressor> {
    let (meta, network) = load_network(bytes, path)?;
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let kind = meta.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    if kind != "regressor" {
        return Err(Error::WrongModelKind {
            path: path.to_path_buf(),
            found: kind.into(),
            request: "it is not a regression model (`predict` and `evaluate` use it with --task auto or classify)".into(),
        });
    }
    crate::methods::io::refuse_method_model(&meta, path)?;
    let meta: Meta = serde_json::from_value(meta).map_err(|e| bad(format!("metadata: {e}")))?;
    let n_in = network.n_inputs();
    if meta.x_mean.len() != n_in || meta.x_std.len() != n_in || meta.feature_names.len() != n_in {
        return Err(bad("standardisation does not match the input width".into()));
    }
    if network.n_outputs() != 1 {
        return Err(bad(format!(
            "a regression network has one output, this one has {}",
            network.n_outputs()
        )));
    }
    validate::scaler(&meta.x_mean, &meta.x_std, meta.feature_names.len(), path)?;
    validate::names(
        &meta.feature_names,
        std::slice::from_ref(&meta.target_name),
        path,
    )?;
    validate::finite("the target mean", meta.y_mean, path)?;
    validate::positive("the target standard deviation", meta.y_std, path)?;
    validate::prior(&meta.prior, path)?;
    Ok(Regressor {
        network,
        x_scaler: Standardizer {
            mean: Array1::from(meta.x_mean),
            std: Array1::from(meta.x_std),
        },
        y_mean: meta.y_mean,
        y_std: meta.y_std,
        prior: meta.prior,
        train: meta.train,
        report: meta.report,
        encoding: crate::model::encoding_io::checked(meta.encoding, &meta.feature_names, path)?,
        feature_names: meta.feature_names,
        target_name: meta.target_name,
        target_transform: meta.target_transform,
    })
}

/// The kind of model stored in `path` (`"regressor"`, `"classifier"` or `"gp"`), read
/// from its metadata alone (files written before kinds existed are regressors). Every
/// loader then validates the whole file.
pub fn model_kind(path: &Path) -> Result<String> {
    let bytes = read_file(path)?;
    Ok(read_metadata(&bytes, path)?
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or("regressor")
        .to_owned())
}

/// The bytes of a model file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The JSON metadata of a model file of any kind.
pub(crate) fn read_metadata(bytes: &[u8], path: &Path) -> Result<serde_json::Value> {
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| bad(format!("{e} (truncated or corrupted?)")))?;
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(META_KEY))
        .ok_or_else(|| bad("no mcdropout metadata (not written by mcdropout?)".into()))?;
    serde_json::from_str(json).map_err(|e| bad(format!("metadata: {e}")))
}

/// Fails with [`Error::ModelVersion`] unless the metadata's format version is one this
/// build reads; a file of the current version must carry a valid checksum, a version-1
/// file (written before checksums) loads with a note on stderr.
fn check_version(meta: &serde_json::Value, seal: Seal, path: &Path) -> Result<()> {
    let found = meta
        .get("format_version")
        .and_then(|v| v.as_u64())
        .map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX));
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&found) {
        return Err(Error::ModelVersion {
            path: path.to_path_buf(),
            found,
            expected: FORMAT_VERSION,
        });
    }
    if seal == Seal::Absent {
        if found >= 2 {
            return Err(Error::ModelFormat {
                path: path.to_path_buf(),
                reason: format!(
                    "format version {found} but no checksum (truncated or edited by hand?)"
                ),
            });
        }
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "note: {}: model format version {found} has no checksum, so corruption cannot be detected; save it again to upgrade it to version {FORMAT_VERSION}",
            path.display()
        );
    }
    Ok(())
}

/// The metadata of the model file `bytes` of any kind, after checking the checksum and
/// the format version.
pub(crate) fn check_bytes(bytes: &[u8], path: &Path) -> Result<serde_json::Value> {
    let seal = verify(bytes, path)?;
    let meta = read_metadata(bytes, path)?;
    check_version(&meta, seal, path)?;
    Ok(meta)
}

/// Reads and checks a model file's metadata (format version, architecture) and network.
/// Shared by every model kind; the caller parses the rest of the metadata.
pub(crate) fn load_network(bytes: &[u8], path: &Path) -> Result<(serde_json::Value, Network)> {
    let version = check_bytes(bytes, path)?;
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    if version.get("kind").and_then(|k| k.as_str()) == Some(crate::gp::GP_KIND) {
        return Err(Error::WrongModelKind {
            path: path.to_path_buf(),
            found: "Gaussian-process (GP)".into(),
            request: "it is not a classifier or a dropout network: a GP does regression in closed form (`predict` and `evaluate` read it with --task auto or regress; in Python, GaussianProcess.load)".into(),
        });
    }
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| bad(format!("{e} (truncated or corrupted?)")))?;
    let architecture: Architecture = version
        .get("architecture")
        .cloned()
        .ok_or_else(|| bad("metadata: no architecture".into()))
        .and_then(|a| serde_json::from_value(a).map_err(|e| bad(format!("metadata: {e}"))))?;
    validate::widths(&architecture.sizes, path)?;
    architecture.validate().map_err(|e| bad(e.to_string()))?;
    let sizes = &architecture.sizes;
    let mut layers = Vec::new();
    for (i, w) in sizes.windows(2).enumerate() {
        let read = |name: String, shape: &[usize]| -> Result<Vec<f64>> {
            let t = st.tensor(&name).map_err(|e| bad(format!("{name}: {e}")))?;
            if t.dtype() != Dtype::F64 || t.shape() != shape {
                return Err(bad(format!(
                    "{name}: expected f64 {shape:?}, found {:?} {:?}",
                    t.dtype(),
                    t.shape()
                )));
            }
            let v: Vec<f64> = t
                .data()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            if v.iter().any(|x| !x.is_finite()) {
                return Err(bad(format!("{name}: non-finite values")));
            }
            Ok(v)
        };
        let weights = read(format!("layer{i}.weight"), &[w[0], w[1]])?;
        let bias = read(format!("layer{i}.bias"), &[w[1]])?;
        layers.push(Layer {
            weights: Array2::from_shape_vec((w[0], w[1]), weights)
                .map_err(|e| bad(e.to_string()))?,
            bias: Array1::from(bias),
        });
    }
    Ok((
        version,
        Network {
            arch: architecture,
            layers,
        },
    ))
}
