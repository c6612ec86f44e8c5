//! GP model files: the same container as network models (safetensors with JSON metadata
//! under the key `mcdropout`), with model kind `"gp"`: tensors `x_train` (n × d,
//! standardised) and `y_train` (n, standardised); the kernel expression, its
//! log-parameters, the noise variance and the standardisation in the metadata. Loading
//! re-factors the kernel matrix.

use super::exact::Posterior;
use super::linalg::Points;
use super::model::{GpModel, GpReport};
use super::parse::parse_kernel;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::FORMAT_VERSION;
use crate::model::checksum::serialize_sealed;
use crate::model::io::{check_bytes, read_file};
use crate::model::validate;
use ndarray::Array1;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model kind of GP files.
pub const GP_KIND: &str = "gp";

#[derive(Serialize, Deserialize)]
struct Meta {
    format_version: u32,
    kind: String,
    crate_version: String,
    kernel: String,
    kernel_log_params: Vec<f64>,
    noise_var: f64,
    x_mean: Vec<f64>,
    x_std: Vec<f64>,
    y_mean: f64,
    y_std: f64,
    feature_names: Vec<String>,
    /// The column encoding (format version 4; absent: the columns as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<crate::data::Encoding>,
    target_name: String,
    report: GpReport,
}

/// Writes `model` to `path` (atomically).
pub fn save_gp(model: &GpModel, path: &Path) -> Result<()> {
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let post = &model.posterior;
    let meta = Meta {
        format_version: FORMAT_VERSION,
        kind: GP_KIND.into(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        kernel: model.kernel_spec.clone(),
        kernel_log_params: post.kernel.params(),
        noise_var: post.noise,
        x_mean: model.x_scaler.mean.to_vec(),
        x_std: model.x_scaler.std.to_vec(),
        y_mean: model.y_mean,
        y_std: model.y_std,
        feature_names: model.feature_names.clone(),
        encoding: model.encoding.clone(),
        target_name: model.target_name.clone(),
        report: model.report.clone(),
    };
    let json = serde_json::to_string(&meta).map_err(|e| bad(e.to_string()))?;
    let le = |v: &[f64]| -> Vec<u8> { v.iter().flat_map(|x| x.to_le_bytes()).collect() };
    let xb = le(&post.x.data);
    let yb = le(&model.y_train);
    let views = (|| {
        Ok::<_, safetensors::SafeTensorError>(vec![
            (
                "x_train".to_string(),
                TensorView::new(Dtype::F64, vec![post.x.len(), post.x.dim], &xb)?,
            ),
            (
                "y_train".to_string(),
                TensorView::new(Dtype::F64, vec![model.y_train.len()], &yb)?,
            ),
        ])
    })()
    .map_err(|e| bad(e.to_string()))?;
    let bytes = serialize_sealed(views, json, path)?;
    crate::output::write_atomic(path, |w| w.write_all(&bytes))
}

/// The model kind recorded in a model file (the same reader as
/// [`crate::model::model_kind`]).
pub use crate::model::model_kind;

/// Reads a GP model written by [`save_gp`].
pub fn load_gp(path: &Path) -> Result<GpModel> {
    load_gp_bytes(&read_file(path)?, path)
}

/// As [`load_gp`], on the bytes of a model file already read; `path` names it in messages.
pub fn load_gp_bytes(bytes: &[u8], path: &Path) -> Result<GpModel> {
    let value = check_bytes(bytes, path)?;
    let bad = |reason: String| Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let meta: Meta = serde_json::from_value(value).map_err(|e| bad(format!("metadata: {e}")))?;
    if meta.kind != GP_KIND {
        return Err(bad(format!(
            "model kind {:?}, expected {GP_KIND:?}",
            meta.kind
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
    validate::positive("the noise variance", meta.noise_var, path)?;
    for (i, &p) in meta.kernel_log_params.iter().enumerate() {
        validate::finite(&format!("kernel log-parameter {i}"), p, path)?;
    }
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| bad(format!("{e} (truncated or corrupted?)")))?;
    let read = |name: &str| -> Result<(Vec<usize>, Vec<f64>)> {
        let t = st.tensor(name).map_err(|e| bad(format!("{name}: {e}")))?;
        if t.dtype() != Dtype::F64 {
            return Err(bad(format!("{name}: expected f64, found {:?}", t.dtype())));
        }
        let v: Vec<f64> = t
            .data()
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(bad(format!("{name}: non-finite values")));
        }
        Ok((t.shape().to_vec(), v))
    };
    let (xs, x) = read("x_train")?;
    let (ys, y) = read("y_train")?;
    let d = meta.x_mean.len();
    if xs.len() != 2
        || xs[1] != d
        || ys != [xs[0]]
        || meta.x_std.len() != d
        || meta.feature_names.len() != d
    {
        return Err(bad(format!(
            "tensor shapes x_train {xs:?}, y_train {ys:?} do not match {d} features"
        )));
    }
    crate::limits::check_gp_points(xs[0]).map_err(|e| validate::in_file(e, path))?;
    let mut kernel = parse_kernel(&meta.kernel, d).map_err(|e| bad(e.to_string()))?;
    if meta.kernel_log_params.len() != kernel.n_params() {
        return Err(bad(
            "kernel parameter count does not match the kernel".into()
        ));
    }
    kernel.set_params(&meta.kernel_log_params);
    let posterior = Posterior::new(kernel, meta.noise_var, Points { data: x, dim: d }, &y)?;
    Ok(GpModel {
        posterior,
        y_train: y,
        x_scaler: Standardizer {
            mean: Array1::from(meta.x_mean),
            std: Array1::from(meta.x_std),
        },
        y_mean: meta.y_mean,
        y_std: meta.y_std,
        kernel_spec: meta.kernel,
        encoding: crate::model::encoding_io::checked(meta.encoding, &meta.feature_names, path)?,
        feature_names: meta.feature_names,
        target_name: meta.target_name,
        report: meta.report,
    })
}
