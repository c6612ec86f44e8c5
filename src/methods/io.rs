//! Model files of the method models (format version 3, CRC-32 sealed like every model
//! file): member 0's tensors under the usual names `layer{i}.weight` / `layer{i}.bias`,
//! member m > 0's under `member{m}.layer{i}.…`; the metadata records the method, the
//! head, every member's architecture (with its learned dropout rates) and the rest.

use super::model::MethodModel;
use super::multi::MultiMethodModel;
use super::params::Method;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::checksum::serialize_sealed;
use crate::model::io::{FORMAT_VERSION, check_bytes, le_bytes, load_network, read_file};
use crate::nn::{Architecture, Layer, Network};
use crate::train::{TrainConfig, TrainReport};
use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    kind: String,
    crate_version: String,
    method: Method,
    heteroscedastic: bool,
    architecture: Architecture,
    member_architectures: Vec<Architecture>,
    x_mean: Vec<f64>,
    x_std: Vec<f64>,
    y_mean: f64,
    y_std: f64,
    length_scale: f64,
    tau: Option<f64>,
    temperature: f64,
    train: TrainConfig,
    report: TrainReport,
    feature_names: Vec<String>,
    /// The column encoding (format version 4; absent: the columns as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<crate::data::Encoding>,
    target_name: String,
    /// D, written only for several-target files (absent: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n_targets: Option<usize>,
    /// Per-target names, means and stds (several-target files; `y_mean`, `y_std` then
    /// hold target 0's and `target_name` the comma-joined names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y_means: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y_stds: Option<Vec<f64>>,
}

/// Whether the metadata of a regressor file says a method model made it (another method
/// than MC dropout, a heteroscedastic head or several members).
pub fn is_method_model(meta: &serde_json::Value) -> bool {
    let method = meta
        .get("method")
        .and_then(|m| m.as_str())
        .unwrap_or("mc-dropout");
    method != "mc-dropout"
        || meta.get("heteroscedastic").and_then(|h| h.as_bool()) == Some(true)
        || meta.get("member_architectures").is_some()
}

/// An error when `meta` is a method model's (for loaders of plain MC-dropout regressors).
pub(crate) fn refuse_method_model(meta: &serde_json::Value, path: &Path) -> Result<()> {
    if is_method_model(meta) {
        let method = meta.get("method").and_then(|m| m.as_str()).unwrap_or("?");
        return Err(Error::WrongModelKind {
            path: path.to_path_buf(),
            found: format!("regressor made by --method {method}"),
            request:
                "it is not a plain MC-dropout regressor; load it with mcdropout::methods::io::load"
                    .into(),
        });
    }
    Ok(())
}

/// Whether the model file at `path` is a method model (see [`is_method_model`]).
pub fn file_is_method_model(path: &Path) -> Result<bool> {
    let bytes = read_file(path)?;
    Ok(is_method_model(&crate::model::io::read_metadata(
        &bytes, path,
    )?))
}

/// Writes `model` to `path` atomically.
pub fn save(model: &MethodModel, path: &Path) -> Result<()> {
    let meta = Meta {
        format_version: FORMAT_VERSION,
        kind: "regressor".into(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        method: model.method,
        heteroscedastic: model.heteroscedastic,
        architecture: model.members[0].arch.clone(),
        member_architectures: model.members.iter().map(|m| m.arch.clone()).collect(),
        x_mean: model.x_scaler.mean.to_vec(),
        x_std: model.x_scaler.std.to_vec(),
        y_mean: model.y_mean,
        y_std: model.y_std,
        length_scale: model.length_scale,
        tau: model.tau,
        temperature: model.temperature,
        train: model.train.clone(),
        report: model.report.clone(),
        feature_names: model.feature_names.clone(),
        encoding: model.encoding.clone(),
        target_name: model.target_name.clone(),
        n_targets: None,
        target_names: None,
        y_means: None,
        y_stds: None,
    };
    write_file(&meta, &model.members, path)
}

fn write_file(meta: &Meta, members: &[Network], path: &Path) -> Result<()> {
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let json = serde_json::to_string(&meta).map_err(|e| bad(e.to_string()))?;
    let mut bytes: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (m, net) in members.iter().enumerate() {
        let prefix = if m == 0 {
            String::new()
        } else {
            format!("member{m}.")
        };
        for (i, l) in net.layers.iter().enumerate() {
            bytes.push((
                format!("{prefix}layer{i}.weight"),
                l.weights.shape().to_vec(),
                le_bytes(l.weights.iter()),
            ));
            bytes.push((
                format!("{prefix}layer{i}.bias"),
                vec![l.bias.len()],
                le_bytes(l.bias.iter()),
            ));
        }
    }
    let views = bytes
        .iter()
        .map(|(name, shape, b)| Ok((name.clone(), TensorView::new(Dtype::F64, shape.clone(), b)?)))
        .collect::<std::result::Result<Vec<_>, safetensors::SafeTensorError>>()
        .map_err(|e| bad(e.to_string()))?;
    let sealed = serialize_sealed(views, json, path)?;
    crate::output::write_atomic(path, |w| w.write_all(&sealed))
}

/// Reads a model file of any method (a plain MC-dropout file loads as a homoscedastic
/// `mc-dropout` method model).
pub fn load(path: &Path) -> Result<MethodModel> {
    load_bytes(&read_file(path)?, path)
}

/// As [`load`], on the bytes of a model file already read; `path` names it in messages.
pub fn load_bytes(bytes: &[u8], path: &Path) -> Result<MethodModel> {
    let meta = check_bytes(bytes, path)?;
    if !is_method_model(&meta) {
        let r = crate::model::load_bytes(bytes, path)?;
        return Ok(MethodModel {
            method: Method::McDropout,
            heteroscedastic: false,
            members: vec![r.network.clone()],
            x_scaler: r.x_scaler.clone(),
            y_mean: r.y_mean,
            y_std: r.y_std,
            length_scale: r.prior.length_scale,
            tau: Some(r.tau()),
            temperature: 0.1,
            train: r.train.clone(),
            report: r.report.clone(),
            feature_names: r.feature_names.clone(),
            encoding: r.encoding.clone(),
            target_name: r.target_name.clone(),
        });
    }
    let (meta, members) = load_method(bytes, meta, path)?;
    if let Some(d) = meta.n_targets.filter(|&d| d != 1) {
        return Err(Error::WrongModelKind {
            path: path.to_path_buf(),
            found: format!("{} model with {d} targets", meta.method.name()),
            request: "load it with mcdropout::methods::io::load_multi".into(),
        });
    }
    Ok(MethodModel {
        method: meta.method,
        heteroscedastic: meta.heteroscedastic,
        members,
        x_scaler: Standardizer {
            mean: Array1::from(meta.x_mean),
            std: Array1::from(meta.x_std),
        },
        y_mean: meta.y_mean,
        y_std: meta.y_std,
        length_scale: meta.length_scale,
        tau: meta.tau,
        temperature: meta.temperature,
        train: meta.train,
        report: meta.report,
        encoding: crate::model::encoding_io::checked(meta.encoding, &meta.feature_names, path)?,
        feature_names: meta.feature_names,
        target_name: meta.target_name,
    })
}

/// The metadata and networks of a method model file, checked.
fn load_method(bytes: &[u8], meta: serde_json::Value, path: &Path) -> Result<(Meta, Vec<Network>)> {
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let (_, first) = load_network(bytes, path)?;
    let meta: Meta = serde_json::from_value(meta).map_err(|e| bad(format!("metadata: {e}")))?;
    let d = meta.n_targets.unwrap_or(1);
    if d == 0 || d > first.n_outputs() {
        return Err(bad(format!("n_targets {d} is out of range")));
    }
    if d > 1 {
        let names = meta.target_names.as_ref().map_or(0, Vec::len);
        let means = meta.y_means.as_ref().map_or(0, Vec::len);
        let stds = meta.y_stds.as_ref().map_or(0, Vec::len);
        if names != d || means != d || stds != d {
            return Err(bad(format!(
                "{d} targets but {names} target names, {means} means and {stds} stds"
            )));
        }
        for (&m, &s) in meta
            .y_means
            .iter()
            .flatten()
            .zip(meta.y_stds.iter().flatten())
        {
            crate::model::validate::finite("a target mean", m, path)?;
            crate::model::validate::positive("a target standard deviation", s, path)?;
        }
        if meta.tau.is_some() {
            return Err(bad(
                "a several-target method model is heteroscedastic".into()
            ));
        }
    }
    let outputs = if meta.heteroscedastic { 2 * d } else { d };
    let n_in = first.n_inputs();
    if meta.x_mean.len() != n_in || meta.x_std.len() != n_in || meta.feature_names.len() != n_in {
        return Err(bad("standardisation does not match the input width".into()));
    }
    if meta.member_architectures.is_empty() || meta.member_architectures[0] != first.arch {
        return Err(bad("member architectures do not match the file's".into()));
    }
    crate::model::validate::scaler(&meta.x_mean, &meta.x_std, n_in, path)?;
    let targets = match &meta.target_names {
        Some(t) if t.len() > 1 => t.clone(),
        _ => vec![meta.target_name.clone()],
    };
    crate::model::validate::names(&meta.feature_names, &targets, path)?;
    crate::model::validate::finite("the target mean", meta.y_mean, path)?;
    crate::model::validate::positive("the target standard deviation", meta.y_std, path)?;
    if meta.heteroscedastic == meta.tau.is_some() {
        return Err(bad(
            "a model has either a heteroscedastic head or a τ".into()
        ));
    }
    if let Some(t) = meta.tau {
        crate::model::validate::positive("τ", t, path)?;
    }
    let st = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("{e}")))?;
    let mut members = vec![first];
    for (m, arch) in meta.member_architectures.iter().enumerate().skip(1) {
        arch.validate().map_err(|e| bad(e.to_string()))?;
        crate::model::validate::widths(&arch.sizes, path)?;
        if arch.sizes[0] != n_in {
            return Err(bad(format!("member {m} has another input width")));
        }
        let mut layers = Vec::new();
        for (i, w) in arch.sizes.windows(2).enumerate() {
            let read = |name: String, shape: &[usize]| -> Result<Vec<f64>> {
                let t = st.tensor(&name).map_err(|e| bad(format!("{name}: {e}")))?;
                if t.dtype() != Dtype::F64 || t.shape() != shape {
                    return Err(bad(format!("{name}: expected f64 {shape:?}")));
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
            let weights = read(format!("member{m}.layer{i}.weight"), &[w[0], w[1]])?;
            let bias = read(format!("member{m}.layer{i}.bias"), &[w[1]])?;
            layers.push(Layer {
                weights: Array2::from_shape_vec((w[0], w[1]), weights)
                    .map_err(|e| bad(e.to_string()))?,
                bias: Array1::from(bias),
            });
        }
        members.push(Network {
            arch: arch.clone(),
            layers,
        });
    }
    if members.iter().any(|m| m.n_outputs() != outputs) {
        return Err(bad(format!(
            "a {} network has {outputs} outputs",
            if meta.heteroscedastic {
                "heteroscedastic"
            } else {
                "fixed-τ"
            }
        )));
    }
    Ok((meta, members))
}

/// Writes a several-target method model to `path` atomically (the method file format with
/// `n_targets`, `target_names`, `y_means` and `y_stds` added; a D = 1 model writes the
/// same fields, and [`load`] refuses a file with D ≥ 2 by name).
pub fn save_multi(model: &MultiMethodModel, path: &Path) -> Result<()> {
    let meta = Meta {
        format_version: FORMAT_VERSION,
        kind: "regressor".into(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        method: model.method,
        heteroscedastic: model.heteroscedastic,
        architecture: model.members[0].arch.clone(),
        member_architectures: model.members.iter().map(|m| m.arch.clone()).collect(),
        x_mean: model.x_scaler.mean.to_vec(),
        x_std: model.x_scaler.std.to_vec(),
        y_mean: model.y_scaler.mean[0],
        y_std: model.y_scaler.std[0],
        length_scale: model.length_scale,
        tau: model.tau,
        temperature: model.temperature,
        train: model.train.clone(),
        report: model.report.clone(),
        feature_names: model.feature_names.clone(),
        encoding: model.encoding.clone(),
        target_name: model.target_names.join(","),
        n_targets: Some(model.d()),
        target_names: Some(model.target_names.clone()),
        y_means: Some(model.y_scaler.mean.to_vec()),
        y_stds: Some(model.y_scaler.std.to_vec()),
    };
    write_file(&meta, &model.members, path)
}

/// Reads a method model file with any number of targets (a single-target file, of any
/// method, loads with D = 1).
pub fn load_multi(path: &Path) -> Result<MultiMethodModel> {
    load_multi_bytes(&read_file(path)?, path)
}

/// As [`load_multi`], on the bytes of a model file already read; `path` names it in
/// messages.
pub fn load_multi_bytes(bytes: &[u8], path: &Path) -> Result<MultiMethodModel> {
    let meta = check_bytes(bytes, path)?;
    if !is_method_model(&meta) {
        let m = load_bytes(bytes, path)?;
        return Ok(MultiMethodModel {
            method: m.method,
            heteroscedastic: m.heteroscedastic,
            members: m.members,
            x_scaler: m.x_scaler,
            y_scaler: Standardizer {
                mean: Array1::from(vec![m.y_mean]),
                std: Array1::from(vec![m.y_std]),
            },
            length_scale: m.length_scale,
            tau: m.tau,
            temperature: m.temperature,
            train: m.train,
            report: m.report,
            encoding: crate::model::encoding_io::checked(m.encoding, &m.feature_names, path)?,
            feature_names: m.feature_names,
            target_names: vec![m.target_name],
        });
    }
    let (meta, members) = load_method(bytes, meta, path)?;
    let (names, means, stds) = match meta.n_targets {
        Some(d) if d > 1 => (
            meta.target_names.unwrap_or_default(),
            meta.y_means.unwrap_or_default(),
            meta.y_stds.unwrap_or_default(),
        ),
        _ => (vec![meta.target_name], vec![meta.y_mean], vec![meta.y_std]),
    };
    Ok(MultiMethodModel {
        method: meta.method,
        heteroscedastic: meta.heteroscedastic,
        members,
        x_scaler: Standardizer {
            mean: Array1::from(meta.x_mean),
            std: Array1::from(meta.x_std),
        },
        y_scaler: Standardizer {
            mean: Array1::from(means),
            std: Array1::from(stds),
        },
        length_scale: meta.length_scale,
        tau: meta.tau,
        temperature: meta.temperature,
        train: meta.train,
        report: meta.report,
        encoding: crate::model::encoding_io::checked(meta.encoding, &meta.feature_names, path)?,
        feature_names: meta.feature_names,
        target_names: names,
    })
}

/// The number of targets D recorded in the model file at `path` (1 for any file that
/// does not record it).
pub fn file_targets(path: &Path) -> Result<usize> {
    let bytes = read_file(path)?;
    let meta = crate::model::io::read_metadata(&bytes, path)?;
    Ok(meta
        .get("n_targets")
        .and_then(serde_json::Value::as_u64)
        .map_or(1, |d| d as usize))
}
