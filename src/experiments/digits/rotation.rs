//! A digit rotated from 0° to 180°, and rotation by 90° as a distribution shift.

use super::DigitsConfig;
use super::data::{PIXELS, rotate};
use crate::classify::Classifier;
use crate::classify::metrics::{aupr, auroc};
use crate::error::{Error, Result};
use crate::predict::McOptions;
use ndarray::{Array1, Array2, ArrayView2};
use serde::Serialize;

/// The rotated digit: per angle, the MC uncertainty and, for the top classes, the
/// softmax inputs (logits) and outputs of the first `scatter_points` passes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationResult {
    /// Index of the image in the test set.
    pub test_index: usize,
    /// The unrotated image (64 pixels).
    pub image: Vec<f64>,
    /// Angles in degrees.
    pub angles: Vec<f64>,
    /// Labels of the top classes: the four with the largest p̄ summed over the angles.
    pub top_classes: Vec<i64>,
    /// Predicted label (argmax p̄) per angle.
    pub predicted: Vec<i64>,
    /// p̄ of each top class per angle (`angles × top classes`).
    pub mean_probs: Vec<Vec<f64>>,
    /// Predictive entropy per angle.
    pub entropy: Vec<f64>,
    /// Mutual information per angle.
    pub mutual_info: Vec<f64>,
    /// Pearson correlation of the mutual information with the angle.
    pub mi_angle_correlation: f64,
    /// Mean mutual information over the rotated angles (all but 0°).
    pub mi_rotated_mean: f64,
    /// Mean predictive entropy over all test images rotated by each angle.
    pub all_entropy: Vec<f64>,
    /// Mean mutual information over all test images rotated by each angle.
    pub all_mutual_info: Vec<f64>,
    /// Logits of the top classes: `[class][angle]` → samples.
    pub logit_scatter: Vec<Vec<Vec<f64>>>,
    /// Softmax outputs of the top classes: `[class][angle]` → samples.
    pub prob_scatter: Vec<Vec<Vec<f64>>>,
}

/// Classes shown in the scatter plots.
const TOP_CLASSES: usize = 4;

/// Pearson correlation of two equally long series (NaN if either is constant).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// Rotates the test image of `cfg.rotated_label` to which the deterministic pass gives
/// that label the highest probability (the clearest example), and, for comparison, every
/// test image (mean entropy and mutual information per angle, `cfg.sweep_samples`
/// passes per image).
pub fn rotated_digit(
    model: &Classifier,
    x_test: ArrayView2<f64>,
    y_test: &Array1<f64>,
    cfg: &DigitsConfig,
) -> Result<RotationResult> {
    let want = cfg.rotated_label as f64;
    let candidates: Vec<usize> = (0..y_test.len()).filter(|&i| y_test[i] == want).collect();
    let first = *candidates.first().ok_or_else(|| Error::InvalidParameter {
        name: "rotated digit".into(),
        reason: format!("no test image has label {}", cfg.rotated_label),
    })?;
    let det = model.predict_proba(x_test)?;
    let want_idx = model.classes.binary_search(&cfg.rotated_label).unwrap_or(0);
    let idx = candidates
        .iter()
        .copied()
        .max_by(|&a, &b| det[[a, want_idx]].total_cmp(&det[[b, want_idx]]))
        .unwrap_or(first);
    let image = x_test.row(idx).to_vec();
    let k = cfg.rotation_steps;
    let angles: Vec<f64> = (0..k).map(|i| 180.0 * i as f64 / (k - 1) as f64).collect();
    let rotated = Array2::from_shape_vec(
        (k, PIXELS),
        angles.iter().flat_map(|&a| rotate(&image, a)).collect(),
    )
    .map_err(|e| Error::Shape(e.to_string()))?;
    let mut opts = McOptions::new(cfg.samples, cfg.seed);
    opts.keep_samples = true;
    let mc = model.predict_mc(rotated.view(), &opts)?;
    let (logits, probs) = match (&mc.logit_samples, &mc.prob_samples) {
        (Some(l), Some(p)) => (l, p),
        _ => return Err(Error::Shape("MC samples were not kept".into())),
    };
    let c = model.n_classes();
    let mass = |j: usize| (0..k).map(|a| mc.probs[[a, j]]).sum::<f64>();
    let mut top: Vec<usize> = (0..c).collect();
    top.sort_by(|&a, &b| mass(b).total_cmp(&mass(a)));
    top.truncate(TOP_CLASSES.min(c));
    let pts = cfg.scatter_points.min(cfg.samples);
    let scatter = |s: &ndarray::Array3<f64>| -> Vec<Vec<Vec<f64>>> {
        top.iter()
            .map(|&j| {
                (0..k)
                    .map(|a| (0..pts).map(|t| s[[t, a, j]]).collect())
                    .collect()
            })
            .collect()
    };
    let mutual_info = mc.mutual_info.to_vec();
    let sweep = McOptions::new(cfg.sweep_samples, cfg.seed);
    let (mut all_entropy, mut all_mutual_info) = (Vec::new(), Vec::new());
    for &a in &angles {
        let rot = rotate_all(x_test, a)?;
        let p = model.predict_mc(rot.view(), &sweep)?;
        all_entropy.push(p.entropy.mean().unwrap_or(f64::NAN));
        all_mutual_info.push(p.mutual_info.mean().unwrap_or(f64::NAN));
    }
    Ok(RotationResult {
        mi_rotated_mean: mutual_info[1..].iter().sum::<f64>() / (k - 1) as f64,
        all_entropy,
        all_mutual_info,
        test_index: idx,
        image,
        mi_angle_correlation: correlation(&angles, &mutual_info),
        top_classes: top.iter().map(|&j| model.classes[j]).collect(),
        predicted: mc.labels.clone(),
        mean_probs: (0..k)
            .map(|a| top.iter().map(|&j| mc.probs[[a, j]]).collect())
            .collect(),
        entropy: mc.entropy.to_vec(),
        mutual_info,
        logit_scatter: scatter(logits),
        prob_scatter: scatter(probs),
        angles,
    })
}

/// How well the uncertainty separates the test images (negatives) from the same images
/// rotated by 90° (positives).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OodResult {
    /// AUROC of the predictive entropy.
    pub auroc_entropy: f64,
    /// AUROC of the mutual information.
    pub auroc_mutual_info: f64,
    /// AUPR (average precision) of the predictive entropy.
    pub aupr_entropy: f64,
    /// AUPR of the mutual information.
    pub aupr_mutual_info: f64,
    /// Mean entropy, unrotated / rotated.
    pub mean_entropy: (f64, f64),
    /// Mean mutual information, unrotated / rotated.
    pub mean_mutual_info: (f64, f64),
}

/// MC uncertainty of the test images and of the same images rotated by 90°.
pub fn rotation_shift(
    model: &Classifier,
    x_test: ArrayView2<f64>,
    opts: &McOptions,
) -> Result<OodResult> {
    let rotated = rotate_all(x_test, 90.0)?;
    let a = model.predict_mc(x_test, opts)?;
    let b = model.predict_mc(rotated.view(), opts)?;
    let (ea, eb) = (a.entropy.to_vec(), b.entropy.to_vec());
    let (ma, mb) = (a.mutual_info.to_vec(), b.mutual_info.to_vec());
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    Ok(OodResult {
        auroc_entropy: auroc(&ea, &eb)?,
        auroc_mutual_info: auroc(&ma, &mb)?,
        aupr_entropy: aupr(&ea, &eb)?,
        aupr_mutual_info: aupr(&ma, &mb)?,
        mean_entropy: (mean(&ea), mean(&eb)),
        mean_mutual_info: (mean(&ma), mean(&mb)),
    })
}

/// Every row of `x` (8×8 images) rotated by `degrees`.
fn rotate_all(x: ArrayView2<f64>, degrees: f64) -> Result<Array2<f64>> {
    Array2::from_shape_vec(
        x.dim(),
        x.rows()
            .into_iter()
            .flat_map(|r| rotate(&r.to_vec(), degrees))
            .collect(),
    )
    .map_err(|e| Error::Shape(e.to_string()))
}
