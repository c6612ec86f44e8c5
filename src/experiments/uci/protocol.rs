//! The protocol of Gal's `experiment.py`, per dataset: for every split, a grid search over
//! (dropout rate, τ) scored by validation log-likelihood on the last 20 % of the training
//! indices, a retrain on the whole training part with the best pair, and a test with T MC
//! samples. Reported: mean ± standard error (std with ddof 0 / √n_splits) over splits.

use super::UciDataset;
use super::published::{Published, lookup};
use crate::error::{Error, Result};
use crate::model::{Evaluation, Noise, RegressorParams};
use crate::predict::McOptions;
use crate::prior::TauUnits;
use crate::train::Precision;
use ndarray::Axis;
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// Settings of a protocol run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UciConfig {
    /// Epochs = n_epochs.txt × this (default 100, as published).
    pub epochs_multiplier: f64,
    /// MC samples for validation and test (default 10 000).
    pub samples: usize,
    /// Hidden layers of n_hidden.txt units (default 1).
    pub layers: usize,
    /// Base seed; every (split, configuration) derives its own.
    pub seed: u64,
    /// Which splits to run (default all).
    pub splits: Option<Vec<usize>>,
    /// Overrides of the grid files (for quick runs).
    pub dropout_rates: Option<Vec<f64>>,
    /// Overrides of the τ grid.
    pub tau_values: Option<Vec<f64>>,
    /// τ convention (default Gal's, to reproduce his numbers).
    pub tau_units: TauUnits,
    /// Float type of training (default f32, as Keras).
    pub precision: Precision,
}

impl Default for UciConfig {
    fn default() -> Self {
        Self {
            epochs_multiplier: 100.0,
            samples: 10_000,
            layers: 1,
            seed: 0,
            splits: None,
            dropout_rates: None,
            tau_values: None,
            tau_units: TauUnits::Gal,
            precision: Precision::F32,
        }
    }
}

impl UciConfig {
    /// The splits to run on `ds` (all unless [`UciConfig::splits`] says otherwise); a
    /// split the dataset does not have is an error naming `--splits`.
    pub fn selected_splits(&self, ds: &UciDataset) -> Result<Vec<usize>> {
        let splits: Vec<usize> = match &self.splits {
            Some(s) => s.clone(),
            None => (0..ds.splits.len()).collect(),
        };
        if let Some(&bad) = splits.iter().find(|&&k| k >= ds.splits.len()) {
            return Err(Error::InvalidParameter {
                name: "--splits".into(),
                reason: format!(
                    "split {bad} requested but {} has {} splits",
                    ds.name,
                    ds.splits.len()
                ),
            });
        }
        if let Some((i, &k)) = splits
            .iter()
            .enumerate()
            .find(|(i, k)| splits[..*i].contains(k))
        {
            return Err(Error::InvalidParameter {
                name: "--splits".into(),
                reason: format!(
                    "split {k} is listed twice (position {i}); each split may count once in the mean"
                ),
            });
        }
        Ok(splits)
    }
}

/// Mean and standard error over splits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanSe {
    /// Mean.
    pub mean: f64,
    /// Standard error: population std / √n.
    pub se: f64,
}

impl MeanSe {
    /// Of `v` (std with ddof 0, as Gal's scripts).
    pub fn of(v: &[f64]) -> Self {
        let n = v.len().max(1) as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        Self {
            mean,
            se: var.sqrt() / n.sqrt(),
        }
    }
}

/// One grid point's validation result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridPoint {
    /// Dropout rate.
    pub dropout: f64,
    /// τ.
    pub tau: f64,
    /// Validation MC log-likelihood.
    pub val_ll: f64,
    /// Validation MC RMSE.
    pub val_mc_rmse: f64,
    /// Seed used.
    pub seed: u64,
    /// Wall time (training + validation), seconds.
    pub seconds: f64,
}

/// One split's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitResult {
    /// Split index.
    pub split: usize,
    /// Every grid point.
    pub grid: Vec<GridPoint>,
    /// The chosen dropout rate.
    pub dropout: f64,
    /// The chosen τ.
    pub tau: f64,
    /// Test figures of the retrained net.
    pub test: Evaluation,
    /// Seed of the retrained net.
    pub seed: u64,
    /// Wall time of the retrain and test, seconds.
    pub seconds: f64,
}

/// One dataset's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetResult {
    /// Dataset name.
    pub dataset: String,
    /// Splits run.
    pub n_splits: usize,
    /// Deterministic-pass RMSE.
    pub rmse: MeanSe,
    /// MC RMSE.
    pub mc_rmse: MeanSe,
    /// MC test log-likelihood.
    pub ll: MeanSe,
    /// Wall time of the dataset, seconds.
    pub wall_seconds: f64,
    /// Training steps taken (all grid points and retrains).
    pub steps: u64,
    /// Per split.
    pub splits: Vec<SplitResult>,
}

impl DatasetResult {
    /// Gal's published figures for this dataset, when known.
    pub fn published(&self) -> Option<&'static Published> {
        lookup(&self.dataset)
    }
}

/// A seed for (base, split, grid point); independent of scheduling.
fn derive_seed(base: u64, split: usize, point: usize) -> u64 {
    let mut z = base ^ ((split as u64) << 32) ^ (point as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Job<'a> {
    ds: &'a UciDataset,
    cfg: &'a UciConfig,
    epochs: usize,
}

impl Job<'_> {
    fn fit_eval(
        &self,
        train: &[usize],
        test: &[usize],
        p: f64,
        tau: f64,
        seed: u64,
    ) -> Result<(Evaluation, u64)> {
        let mut params = RegressorParams {
            hidden: vec![self.ds.n_hidden; self.cfg.layers],
            dropout: p,
            noise: Noise::Tau(tau),
            tau_units: self.cfg.tau_units,
            ..RegressorParams::default()
        };
        params.train.epochs = self.epochs;
        params.train.seed = seed;
        params.train.precision = self.cfg.precision;
        let (x, y) = (&self.ds.x, &self.ds.y);
        let model = params.fit(
            x.select(Axis(0), train).view(),
            y.select(Axis(0), train).view(),
        )?;
        let eval = model.evaluate(
            x.select(Axis(0), test).view(),
            y.select(Axis(0), test).view(),
            &McOptions::new(self.cfg.samples, seed),
        )?;
        Ok((eval, model.report.steps))
    }
}

/// Runs the protocol on one dataset, in parallel on the current rayon pool; `on_job` is
/// called after every finished (split, grid point) and retrain. Results do not depend on
/// the number of threads.
pub fn run_dataset(
    ds: &UciDataset,
    cfg: &UciConfig,
    on_job: &(dyn Fn() + Sync),
) -> Result<DatasetResult> {
    let start = Instant::now();
    let splits = cfg.selected_splits(ds)?;
    // The network's size, before the list of hidden widths is built.
    let (h, layers) = (ds.n_hidden as f64, cfg.layers as f64);
    crate::limits::check_memory(
        &format!("{} hidden layers of {} units", cfg.layers, ds.n_hidden),
        ((layers - 1.0).max(0.0) * (h + 1.0) * h + (ds.x.ncols() as f64 + 2.0) * h + layers) * 32.0,
    )?;
    let rates = cfg
        .dropout_rates
        .clone()
        .unwrap_or_else(|| ds.dropout_rates.clone());
    let taus = cfg
        .tau_values
        .clone()
        .unwrap_or_else(|| ds.tau_values.clone());
    if rates.is_empty()
        || taus.is_empty()
        || cfg.epochs_multiplier.is_nan()
        || cfg.epochs_multiplier <= 0.0
    {
        return Err(Error::InvalidParameter {
            name: "grid".into(),
            reason: "the grid and the epoch multiplier must be non-empty and positive".into(),
        });
    }
    let grid: Vec<(f64, f64)> = rates
        .iter()
        .flat_map(|&p| taus.iter().map(move |&t| (p, t)))
        .collect();
    let epochs = ((ds.n_epochs as f64 * cfg.epochs_multiplier).round() as usize).max(1);
    let job = Job { ds, cfg, epochs };
    // Stage 1: every (split, grid point), trained on the first 80 % of the training
    // indices (file order), scored on the last 20 %.
    let pairs: Vec<(usize, usize)> = splits
        .iter()
        .flat_map(|&k| (0..grid.len()).map(move |g| (k, g)))
        .collect();
    let scored: Vec<(GridPoint, u64)> = pairs
        .par_iter()
        .map(|&(k, g)| {
            let t0 = Instant::now();
            let train = &ds.splits[k].0;
            let cut = (train.len() as f64 * 0.8).round() as usize;
            let (p, tau) = grid[g];
            let seed = derive_seed(cfg.seed, k, g + 1);
            let (e, steps) = job.fit_eval(&train[..cut], &train[cut..], p, tau, seed)?;
            on_job();
            Ok((
                GridPoint {
                    dropout: p,
                    tau,
                    val_ll: e.ll,
                    val_mc_rmse: e.mc_rmse,
                    seed,
                    seconds: t0.elapsed().as_secs_f64(),
                },
                steps,
            ))
        })
        .collect::<Result<_>>()?;
    // Stage 2: per split, the best pair by validation LL (first on ties), retrained on the
    // whole training part and tested.
    let per_split: Vec<(SplitResult, u64)> = splits
        .par_iter()
        .enumerate()
        .map(|(si, &k)| {
            let t0 = Instant::now();
            let points: Vec<GridPoint> = scored[si * grid.len()..(si + 1) * grid.len()]
                .iter()
                .map(|(p, _)| p.clone())
                .collect();
            let best = points
                .iter()
                .fold(None::<&GridPoint>, |b, p| match b {
                    Some(b) if b.val_ll >= p.val_ll || p.val_ll.is_nan() => Some(b),
                    _ => Some(p),
                })
                .ok_or_else(|| Error::InvalidParameter {
                    name: "grid".into(),
                    reason: "empty".into(),
                })?;
            let seed = derive_seed(cfg.seed, k, 0);
            let (train, test) = &ds.splits[k];
            let (e, steps) = job.fit_eval(train, test, best.dropout, best.tau, seed)?;
            on_job();
            let grid_steps: u64 = scored[si * grid.len()..(si + 1) * grid.len()]
                .iter()
                .map(|(_, s)| s)
                .sum();
            Ok((
                SplitResult {
                    split: k,
                    dropout: best.dropout,
                    tau: best.tau,
                    grid: points,
                    test: e,
                    seed,
                    seconds: t0.elapsed().as_secs_f64(),
                },
                steps + grid_steps,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(DatasetResult::from_splits(&ds.name, per_split, start))
}

impl DatasetResult {
    /// Mean ± standard error of the test figures over `per_split` (each with its
    /// optimiser steps), timed from `start`.
    pub(crate) fn from_splits(
        dataset: &str,
        per_split: Vec<(SplitResult, u64)>,
        start: Instant,
    ) -> Self {
        let col = |f: &dyn Fn(&SplitResult) -> f64| {
            MeanSe::of(&per_split.iter().map(|(s, _)| f(s)).collect::<Vec<_>>())
        };
        Self {
            dataset: dataset.to_owned(),
            n_splits: per_split.len(),
            rmse: col(&|s| s.test.rmse),
            mc_rmse: col(&|s| s.test.mc_rmse),
            ll: col(&|s| s.test.ll),
            wall_seconds: start.elapsed().as_secs_f64(),
            steps: per_split.iter().map(|(_, s)| s).sum(),
            splits: per_split.into_iter().map(|(s, _)| s).collect(),
        }
    }
}

/// Number of jobs (grid points + retrains) a run will do, for progress bars.
pub fn job_count(ds: &UciDataset, cfg: &UciConfig) -> usize {
    let splits = cfg.splits.as_ref().map_or(ds.splits.len(), |s| s.len());
    let g = cfg
        .dropout_rates
        .as_ref()
        .map_or(ds.dropout_rates.len(), |v| v.len())
        * cfg
            .tau_values
            .as_ref()
            .map_or(ds.tau_values.len(), |v| v.len());
    splits * (g + 1)
}
