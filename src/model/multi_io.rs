//! Model files of several-target regressors: the same container as every model (safetensors
//! tensors, JSON metadata, CRC-32 seal; see `io.rs`) with kind [`MULTI_KIND`]. The number of
//! targets D is stored explicitly (`n_targets`) next to one mean, std and name per target.
//! Single-target files are untouched and load as before; a build that predates this kind
//! refuses such a file by its kind.

use super::io::{FORMAT_VERSION, load_network, read_file, save_network};
use super::multi::MultiRegressor;
use super::validate;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::nn::Architecture;
use crate::prior::Prior;
use crate::train::{TrainConfig, TrainReport};
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The `kind` of a several-target regression model file.
pub const MULTI_KIND: &str = "multi-regressor";

#[derive(Serialize, Deserialize)]
struct MultiMeta {
    format_version: u32,
    kind: String,
    crate_version: String,
    architecture: Architecture,
    x_mean: Vec<f64>,
    x_std: Vec<f64>,
    /// D.
    n_targets: usize,
    y_mean: Vec<f64>,
    y_std: Vec<f64>,
    /// τ in standardised units (the network's targets).
    prior: Prior,
    train: TrainConfig,
    report: TrainReport,
    feature_names: Vec<String>,
    /// The column encoding (format version 4; absent: the columns as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<crate::data::Encoding>,
    target_names: Vec<String>,
}

/// Writes a several-target model to `path` (atomically).
pub fn save_multi(model: &MultiRegressor, path: &Path) -> Result<()> {
    let meta = MultiMeta {
        format_version: FORMAT_VERSION,
        kind: MULTI_KIND.into(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        architecture: model.network.arch.clone(),
        x_mean: model.x_scaler.mean.to_vec(),
        x_std: model.x_scaler.std.to_vec(),
        n_targets: model.d(),
        y_mean: model.y_scaler.mean.to_vec(),
        y_std: model.y_scaler.std.to_vec(),
        prior: model.prior,
        train: model.train.clone(),
        report: model.report.clone(),
        feature_names: model.feature_names.clone(),
        encoding: model.encoding.clone(),
        target_names: model.target_names.clone(),
    };
    let json = serde_json::to_string(&meta).map_err(|e| Error::ModelFormat {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    save_network(&model.network, json, path)
}

/// Reads a model written by [`save_multi`], checked like every model file (checksum,
/// version, tensors) plus: D outputs, D target means, stds and names.
pub fn load_multi(path: &Path) -> Result<MultiRegressor> {
    load_multi_bytes(&read_file(path)?, path)
}

/// As [`load_multi`], on the bytes of a model file already read; `path` names it in
/// messages.
pub fn load_multi_bytes(bytes: &[u8], path: &Path) -> Result<MultiRegressor> {
    let (meta, network) = load_network(bytes, path)?;
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let kind = meta
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or("regressor");
    if kind != MULTI_KIND {
        return Err(Error::WrongModelKind {
            path: path.to_path_buf(),
            found: kind.into(),
            request: "it is not a several-target regression model".into(),
        });
    }
    let m: MultiMeta = serde_json::from_value(meta).map_err(|e| bad(format!("metadata: {e}")))?;
    let d = m.n_targets;
    if network.n_outputs() != d
        || m.y_mean.len() != d
        || m.y_std.len() != d
        || m.target_names.len() != d
    {
        return Err(bad(format!(
            "{d} targets, but {} network outputs, {} means, {} stds, {} names",
            network.n_outputs(),
            m.y_mean.len(),
            m.y_std.len(),
            m.target_names.len()
        )));
    }
    validate::scaler(&m.x_mean, &m.x_std, m.feature_names.len(), path)?;
    validate::names(&m.feature_names, &m.target_names, path)?;
    validate::scaler(&m.y_mean, &m.y_std, d, path)?;
    validate::prior(&m.prior, path)?;
    let encoding = crate::model::encoding_io::checked(m.encoding, &m.feature_names, path)?;
    let mut model = MultiRegressor::from_parts(
        network,
        Standardizer {
            mean: Array1::from(m.x_mean),
            std: Array1::from(m.x_std),
        },
        Standardizer {
            mean: Array1::from(m.y_mean),
            std: Array1::from(m.y_std),
        },
        m.prior,
        m.train,
        m.report,
        m.feature_names,
        m.target_names,
    )
    .map_err(|e| bad(e.to_string()))?;
    model.encoding = encoding;
    Ok(model)
}
