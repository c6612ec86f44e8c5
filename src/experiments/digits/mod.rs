//! The rotated-digit and adversarial experiments (the paper's Figure 4, there on MNIST;
//! here on the 8×8 UCI digits): a dropout MLP trained on a seeded split, deterministic vs
//! MC-dropout test scores, a "1" rotated from 0° to 180°, rotation as a distribution
//! shift (AUROC of entropy and of mutual information), and an FGSM sweep.

mod data;
mod fgsm;
mod report;
mod rotation;

pub use data::{Digits, PIXELS, SIDE, default_path, read_digits, rotate};
pub use fgsm::FgsmRow;
pub use report::{fgsm_figure, markdown, rotation_figure};
pub use rotation::{OodResult, RotationResult};

use crate::classify::{ClassifierParams, Scores};
use crate::error::{Error, Result};
use crate::predict::McOptions;
use crate::rng::{Purpose, stream};
use crate::train::TrainConfig;
use ndarray::Axis;
use rand::seq::SliceRandom;
use serde::Serialize;

/// Settings of the digits experiments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DigitsConfig {
    /// Seed of the split, initialisation, training and MC masks (default 0).
    pub seed: u64,
    /// Fraction of the images held out for testing (default 1/3).
    pub test_fraction: f64,
    /// Hidden widths (default 256, 256).
    pub hidden: Vec<usize>,
    /// Drop probability of the input pixels (default 0).
    pub input_dropout: f64,
    /// Drop probability before each hidden-fed layer (default 0.5).
    pub hidden_dropout: f64,
    /// Kernel weight decay of the first layer (default 1e-6).
    pub weight_decay: f64,
    /// Training epochs (default 600; batch 128, Adam lr 1e-3).
    pub epochs: usize,
    /// MC samples T per image (default 1000).
    pub samples: usize,
    /// MC samples T per image in the FGSM sweep and the all-test-images rotation curve
    /// (means over ~600 images need fewer passes per image; default 200).
    pub sweep_samples: usize,
    /// Rotation steps from 0° to 180° inclusive (default 12).
    pub rotation_steps: usize,
    /// Label of the rotated digit (default 1).
    pub rotated_label: i64,
    /// MC samples per rotation drawn in the scatter plots (default 100).
    pub scatter_points: usize,
    /// FGSM step sizes ε in pixel units (pixels are 0–16).
    pub epsilons: Vec<f64>,
    /// Calibration bins (default 15).
    pub bins: usize,
}

impl Default for DigitsConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            test_fraction: 1.0 / 3.0,
            hidden: vec![256, 256],
            input_dropout: 0.0,
            hidden_dropout: 0.5,
            weight_decay: 1e-6,
            epochs: 600,
            samples: 1000,
            sweep_samples: 200,
            rotation_steps: 12,
            rotated_label: 1,
            scatter_points: 100,
            epsilons: vec![0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0],
            bins: 15,
        }
    }
}

/// Everything the experiments measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DigitsReport {
    /// The settings.
    pub config: DigitsConfig,
    /// Training images.
    pub n_train: usize,
    /// Test images.
    pub n_test: usize,
    /// Training wall time (s).
    pub train_seconds: f64,
    /// Test scores of the deterministic pass.
    pub deterministic: Scores,
    /// Test scores of MC dropout.
    pub mc: Scores,
    /// The rotated digit.
    pub rotation: RotationResult,
    /// Unrotated vs 90°-rotated test images.
    pub ood: OodResult,
    /// The FGSM sweep.
    pub fgsm: Vec<FgsmRow>,
    /// Total wall time (s).
    pub seconds: f64,
}

/// Runs every digits experiment on `data`, calling `progress(message)` between stages.
pub fn run_digits(
    data: &Digits,
    cfg: &DigitsConfig,
    progress: &mut dyn FnMut(&str),
) -> Result<DigitsReport> {
    let start = std::time::Instant::now();
    if !(cfg.test_fraction > 0.0 && cfg.test_fraction < 1.0) {
        return Err(Error::InvalidParameter {
            name: "test fraction".into(),
            reason: format!("must be in (0, 1), got {}", cfg.test_fraction),
        });
    }
    if cfg.rotation_steps < 2 {
        return Err(Error::InvalidParameter {
            name: "rotation steps".into(),
            reason: "need at least 2 (0° and 180°)".into(),
        });
    }
    let n = data.y.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(cfg.seed, Purpose::Split, 0));
    let n_test = ((n as f64 * cfg.test_fraction).round() as usize).clamp(1, n - 1);
    let (test, train) = order.split_at(n_test);
    let (x_train, y_train) = (data.x.select(Axis(0), train), data.y.select(Axis(0), train));
    let (x_test, y_test) = (data.x.select(Axis(0), test), data.y.select(Axis(0), test));

    progress("training");
    let mut rates = vec![cfg.input_dropout];
    rates.extend(std::iter::repeat_n(cfg.hidden_dropout, cfg.hidden.len()));
    let params = ClassifierParams {
        hidden: cfg.hidden.clone(),
        dropout_per_layer: Some(rates),
        weight_decay: Some(cfg.weight_decay),
        // Pixels / 16 rather than per-pixel standardisation: rotation puts ink on pixels
        // that are almost always blank in training, whose tiny std would blow them up.
        fixed_input_scale: Some((0.0, 16.0)),
        train: TrainConfig {
            epochs: cfg.epochs,
            seed: cfg.seed,
            ..TrainConfig::default()
        },
        target_name: Some("digit".into()),
        ..ClassifierParams::default()
    };
    let model = params.fit(x_train.view(), y_train.view())?;
    let y_idx = model.label_indices(y_test.view())?;

    progress("test set: deterministic vs MC dropout");
    let opts = McOptions::new(cfg.samples, cfg.seed);
    let ev = model.evaluate(x_test.view(), y_test.view(), &opts, cfg.bins)?;

    progress("rotated digit");
    let rotation = rotation::rotated_digit(&model, x_test.view(), &y_test, cfg)?;
    progress("unrotated vs 90°-rotated test images");
    let ood = rotation::rotation_shift(&model, x_test.view(), &opts)?;
    progress("FGSM sweep");
    let fgsm = fgsm::sweep(&model, x_test.view(), &y_idx, cfg)?;
    Ok(DigitsReport {
        config: cfg.clone(),
        n_train: train.len(),
        n_test,
        train_seconds: model.report.seconds,
        deterministic: ev.deterministic,
        mc: ev.mc,
        rotation,
        ood,
        fgsm,
        seconds: start.elapsed().as_secs_f64(),
    })
}
