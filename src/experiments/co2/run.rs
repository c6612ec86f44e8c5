//! The paper's CO2 extrapolation experiment (Gal & Ghahramani 2016, Figure 2): train on the
//! earlier part of the series, predict the held-out later part, with a ReLU and a tanh
//! dropout network and two GPs (SE; SE + periodic).

use super::data::Co2Series;
use crate::error::{Error, Result};
use crate::gp::GpParams;
use crate::model::{McPrediction, Noise, RegressorParams};
use crate::nn::Activation;
use crate::predict::McOptions;
use crate::prior::TauUnits;
use ndarray::{Array1, Array2, ArrayView1};
use serde::Serialize;
use std::time::Instant;

/// Settings of the experiment.
///
/// Defaults (a preset that runs in a few minutes on two cores): hold out the last 15 % of
/// the weeks; networks of 4 hidden layers of 64 units, dropout p = 0.1 before every
/// hidden layer (not on the input), τ = 1 ppmv⁻² with τ entering λ in standardised units, length-scale l = 1e-2,
/// 1000 epochs of Adam, batch 128; T = 1000 MC samples; GPs started at noise variance 1e-3
/// (standardised units; from 0.1 the SE + periodic fit loses the seasonal component) and
/// a one-year period, 50 L-BFGS iterations, no restarts; predictions on 1500 grid points
/// (about 34 a year, so the seasonal cycle is drawn without aliasing). [`Co2Config::paper_size`] gives the paper's 4 × 1024 units.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Co2Config {
    /// Fraction of the series (the latest weeks) held out, in (0, 1).
    pub holdout: f64,
    /// Hidden layer widths of both networks.
    pub hidden: Vec<usize>,
    /// Dropout probability before every hidden layer (the input is not dropped).
    pub dropout: f64,
    /// Noise precision τ (ppmv⁻²).
    pub tau: f64,
    /// Training epochs.
    pub epochs: usize,
    /// MC samples.
    pub samples: usize,
    /// GP restarts besides the default start.
    pub gp_restarts: usize,
    /// Prediction grid size for the figure.
    pub grid: usize,
    /// Seed of everything.
    pub seed: u64,
}

impl Default for Co2Config {
    fn default() -> Self {
        Self {
            holdout: 0.15,
            hidden: vec![64; 4],
            dropout: 0.1,
            tau: 1.0,
            epochs: 1000,
            samples: 1000,
            gp_restarts: 0,
            grid: 1500,
            seed: 0,
        }
    }
}

impl Co2Config {
    /// The paper's networks: 4 hidden layers of 1024 units, p = 0.1 (slow here: hours).
    pub fn paper_size() -> Self {
        Self {
            hidden: vec![1024; 4],
            ..Self::default()
        }
    }
}

/// One model's predictions and held-out figures.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Co2Model {
    /// Name for tables and the figure.
    pub name: String,
    /// Predictive mean on the grid.
    pub mean: Vec<f64>,
    /// Predictive standard deviation on the grid.
    pub std: Vec<f64>,
    /// Held-out RMSE of the predictive mean.
    pub rmse: f64,
    /// Held-out mean test log-likelihood (MC for networks, exact Gaussian for GPs).
    pub ll: f64,
    /// Held-out coverage of the central 95 % interval.
    pub coverage: f64,
    /// Fitting and prediction wall time, seconds.
    pub seconds: f64,
}

/// The experiment's result.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Co2Result {
    /// Rows used (after dropping missing weeks).
    pub n: usize,
    /// Rows dropped for missing values.
    pub dropped: usize,
    /// Training rows (the earliest).
    pub n_train: usize,
    /// Time of the last training week (decimal years).
    pub train_end: f64,
    /// The series (decimal years, ppmv).
    pub year: Vec<f64>,
    /// The series' CO2 values.
    pub ppmv: Vec<f64>,
    /// Prediction grid (decimal years).
    pub grid: Vec<f64>,
    /// ReLU net, tanh net, SE GP, SE + periodic GP.
    pub models: Vec<Co2Model>,
}

fn column(v: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((v.len(), 1), |(i, _)| v[i])
}

/// Runs the four models; `progress(name)` is called before each.
pub fn run_co2(
    data: &Co2Series,
    cfg: &Co2Config,
    progress: &mut dyn FnMut(&str),
) -> Result<Co2Result> {
    if !(cfg.holdout > 0.0 && cfg.holdout < 1.0) {
        return Err(Error::InvalidParameter {
            name: "holdout".into(),
            reason: format!("must be in (0, 1), got {}", cfg.holdout),
        });
    }
    let n = data.year.len();
    let n_train = ((n as f64) * (1.0 - cfg.holdout)).round() as usize;
    if n_train < 10 || n_train >= n {
        return Err(Error::TooFewRows {
            needed: 10,
            got: n_train.min(n),
        });
    }
    let (t_tr, t_te) = data.year.split_at(n_train);
    let (y_tr, y_te) = data.ppmv.split_at(n_train);
    let (x_tr, x_te) = (column(t_tr), column(t_te));
    let y_tr = Array1::from(y_tr.to_vec());
    let y_te = Array1::from(y_te.to_vec());
    let (t0, t1) = (data.year[0], data.year[n - 1]);
    let grid: Vec<f64> = (0..cfg.grid)
        .map(|i| t0 + (t1 - t0) * i as f64 / (cfg.grid.max(2) - 1) as f64)
        .collect();
    let x_grid = column(&grid);
    let mut models = Vec::new();
    let mut opts = McOptions::new(cfg.samples, cfg.seed);
    opts.level = 0.95;
    for (name, act) in [
        ("ReLU dropout net", Activation::Relu),
        ("tanh dropout net", Activation::Tanh),
    ] {
        progress(name);
        let start = Instant::now();
        let mut p = RegressorParams {
            hidden: cfg.hidden.clone(),
            activation: act,
            dropout: cfg.dropout,
            noise: Noise::Tau(cfg.tau),
            tau_units: TauUnits::Standardised,
            ..RegressorParams::default()
        };
        // Dropout after every hidden layer, not on the single input: dropping time itself
        // would send a tenth of the passes to t = 0 (the training mean).
        let mut rates = vec![cfg.dropout; cfg.hidden.len() + 1];
        rates[0] = 0.0;
        p.dropout_per_layer = Some(rates);
        p.train.epochs = cfg.epochs;
        p.train.seed = cfg.seed;
        let m = p.fit(x_tr.view(), y_tr.view())?;
        let pred = m.predict_mc(x_grid.view(), &opts)?;
        let e = m.evaluate(x_te.view(), y_te.view(), &opts)?;
        models.push(entry(name, &pred, e.mc_rmse, e.ll, e.coverage, start));
    }
    // Time is standardised inside the GP with the training std: a one-year period is
    // 1/std in those units; start the periodic component there.
    let t_mean = t_tr.iter().sum::<f64>() / n_train as f64;
    let t_std = (t_tr.iter().map(|t| (t - t_mean).powi(2)).sum::<f64>() / n_train as f64).sqrt();
    for (name, kernel, init) in [
        ("GP, SE kernel", "se", None),
        (
            "GP, SE + periodic kernel",
            "se+periodic",
            Some(vec![0.0, 0.0, (0.01f64).ln(), 0.0, (1.0 / t_std).ln()]),
        ),
    ] {
        progress(name);
        let start = Instant::now();
        let p = GpParams {
            kernel: kernel.into(),
            init,
            restarts: cfg.gp_restarts,
            noise_var: 1e-3,
            max_iter: 50,
            seed: cfg.seed,
            ..GpParams::default()
        };
        let m = p.fit(x_tr.view(), y_tr.view())?;
        let pred = m.predict(x_grid.view(), 0.95)?;
        let e = m.evaluate(x_te.view(), y_te.view(), 0.95)?;
        models.push(entry(name, &pred, e.rmse, e.ll, e.coverage, start));
    }
    Ok(Co2Result {
        n,
        dropped: data.dropped,
        n_train,
        train_end: t_tr[n_train - 1],
        year: data.year.clone(),
        ppmv: data.ppmv.clone(),
        grid,
        models,
    })
}

fn entry(
    name: &str,
    p: &McPrediction,
    rmse: f64,
    ll: f64,
    coverage: f64,
    start: Instant,
) -> Co2Model {
    let v = |a: ArrayView1<f64>| a.to_vec();
    Co2Model {
        name: name.into(),
        mean: v(p.mean.view()),
        std: v(p.std.view()),
        rmse,
        ll,
        coverage,
        seconds: start.elapsed().as_secs_f64(),
    }
}
