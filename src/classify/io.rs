//! Classifier model files: the same safetensors layout as regression models
//! (`layer{i}.weight`, `layer{i}.bias`, f64), with `kind: "classifier"` and the classes in
//! the JSON metadata.

use super::classifier::Classifier;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::FORMAT_VERSION;
use crate::model::io::{load_network, read_file, save_network};
use crate::model::validate;
use crate::nn::Architecture;
use crate::prior::Prior;
use crate::train::{TrainConfig, TrainReport};
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    kind: String,
    crate_version: String,
    architecture: Architecture,
    x_mean: Vec<f64>,
    x_std: Vec<f64>,
    classes: Vec<i64>,
    prior: Prior,
    train: TrainConfig,
    report: TrainReport,
    feature_names: Vec<String>,
    /// The column encoding (format version 4; absent: the columns as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<crate::data::Encoding>,
    target_name: String,
}

/// Writes `model` to `path` atomically.
pub fn save_classifier(model: &Classifier, path: &Path) -> Result<()> {
    let meta = Meta {
        format_version: FORMAT_VERSION,
        kind: "classifier".into(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        architecture: model.network.arch.clone(),
        x_mean: model.x_scaler.mean.to_vec(),
        x_std: model.x_scaler.std.to_vec(),
        classes: model.classes.clone(),
        prior: model.prior,
        train: model.train.clone(),
        report: model.report.clone(),
        feature_names: model.feature_names.clone(),
        encoding: model.encoding.clone(),
        target_name: model.target_name.clone(),
    };
    let json = serde_json::to_string(&meta).map_err(|e| Error::ModelFormat {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    save_network(&model.network, json, path)
}

/// Reads a classifier written by [`save_classifier`]. A regression model file is
/// [`Error::WrongModelKind`].
pub fn load_classifier(path: &Path) -> Result<Classifier> {
    load_classifier_bytes(&read_file(path)?, path)
}

/// As [`load_classifier`], on the bytes of a model file already read; `path` names it in
/// messages.
pub fn load_classifier_bytes(bytes: &[u8], path: &Path) -> Result<Classifier> {
    let (meta, network) = load_network(bytes, path)?;
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let kind = meta.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    if kind != "classifier" {
        return Err(Error::WrongModelKind {
            path: path.to_path_buf(),
            found: if kind == "regressor" {
                "regression".into()
            } else {
                kind.into()
            },
            request: "it has no class probabilities (train with --task classify)".into(),
        });
    }
    let meta: Meta = serde_json::from_value(meta).map_err(|e| bad(format!("metadata: {e}")))?;
    let n_in = network.n_inputs();
    if meta.x_mean.len() != n_in || meta.x_std.len() != n_in || meta.feature_names.len() != n_in {
        return Err(bad("standardisation does not match the input width".into()));
    }
    if meta.classes.len() != network.n_outputs() || meta.classes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad("the classes do not match the output layer".into()));
    }
    validate::scaler(&meta.x_mean, &meta.x_std, meta.feature_names.len(), path)?;
    validate::names(
        &meta.feature_names,
        std::slice::from_ref(&meta.target_name),
        path,
    )?;
    validate::prior(&meta.prior, path)?;
    Ok(Classifier {
        network,
        x_scaler: Standardizer {
            mean: Array1::from(meta.x_mean),
            std: Array1::from(meta.x_std),
        },
        classes: meta.classes,
        prior: meta.prior,
        train: meta.train,
        report: meta.report,
        encoding: crate::model::encoding_io::checked(meta.encoding, &meta.feature_names, path)?,
        feature_names: meta.feature_names,
        target_name: meta.target_name,
    })
}
