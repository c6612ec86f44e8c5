//! The fast gradient sign method (Goodfellow et al. 2015) against the deterministic net:
//! `x' = clip(x + ε sign(∇_x L(x, y)), 0, 16)`, with the gradient of the cross-entropy of
//! the deterministic pass at the true label; then the deterministic net's accuracy and
//! confidence next to MC dropout's accuracy, entropy and mutual information.

use super::DigitsConfig;
use crate::classify::Classifier;
use crate::classify::uncertainty::argmax;
use crate::error::Result;
use crate::predict::McOptions;
use ndarray::{ArrayView2, Zip};
use serde::Serialize;

/// Figures of one ε.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FgsmRow {
    /// Step size in pixel units (pixels are 0–16).
    pub eps: f64,
    /// Accuracy of the deterministic pass.
    pub det_accuracy: f64,
    /// Mean max-softmax probability of the deterministic pass.
    pub det_confidence: f64,
    /// Accuracy of MC dropout (argmax p̄).
    pub mc_accuracy: f64,
    /// Mean max p̄ of MC dropout.
    pub mc_confidence: f64,
    /// Mean MC predictive entropy (nats).
    pub mc_entropy: f64,
    /// Mean MC mutual information (nats).
    pub mc_mutual_info: f64,
}

/// Runs the sweep over `cfg.epsilons` on the test images `x` with class indices `y`.
pub fn sweep(
    model: &Classifier,
    x: ArrayView2<f64>,
    y: &[usize],
    cfg: &DigitsConfig,
) -> Result<Vec<FgsmRow>> {
    let grad = model.input_gradient(x, y)?;
    let opts = McOptions::new(cfg.sweep_samples, cfg.seed);
    let n = y.len() as f64;
    cfg.epsilons
        .iter()
        .map(|&eps| {
            let mut adv = x.to_owned();
            Zip::from(&mut adv).and(&grad).for_each(|a, &g| {
                *a = (*a + eps * g.signum() * f64::from(g != 0.0)).clamp(0.0, 16.0)
            });
            let det = model.predict_proba(adv.view())?;
            let mc = model.predict_mc(adv.view(), &opts)?;
            let (mut det_hits, mut det_conf, mut mc_hits, mut mc_conf) = (0.0, 0.0, 0.0, 0.0);
            for (i, &c) in y.iter().enumerate() {
                let d = det.row(i).to_vec();
                let k = argmax(&d);
                det_hits += f64::from(k == c);
                det_conf += d[k];
                mc_hits += f64::from(mc.class_index[i] == c);
                mc_conf += mc.probs[[i, mc.class_index[i]]];
            }
            Ok(FgsmRow {
                eps,
                det_accuracy: det_hits / n,
                det_confidence: det_conf / n,
                mc_accuracy: mc_hits / n,
                mc_confidence: mc_conf / n,
                mc_entropy: mc.entropy.mean().unwrap_or(f64::NAN),
                mc_mutual_info: mc.mutual_info.mean().unwrap_or(f64::NAN),
            })
        })
        .collect()
}
