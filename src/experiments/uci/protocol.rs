//! The protocol of Gal's `experiment.py`, per dataset: for every split, a grid search over
//! (dropout rate, τ) scored by validation log-likelihood on the last 20 % of the training
//! indices, a retrain on the whole training part with the best pair, and a test with T MC
//! samples. Reported: mean ± standard error (std with ddof 0 / √n_splits) over splits.

use super::UciDataset;
use super::published::{Published, lookup};
use super::tasks::{ScoredPoint, UciPlan};
use crate::error::{Error, Result};
use crate::model::{Evaluation, TargetTransform};
use crate::prior::TauUnits;
use crate::train::Precision;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
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
    /// The target transform of every network (default none; issue 23): the figures stay
    /// in the target's units, the log-likelihood with the Jacobian.
    pub target_transform: TargetTransform,
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
            target_transform: TargetTransform::None,
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// Runs the protocol on one dataset, in parallel on the current rayon pool; `on_job` is
/// called after every finished (split, grid point) and retrain. Results do not depend on
/// the number of threads: the jobs are those of [`UciPlan`], whose seeds depend only on
/// (seed, split, grid point).
pub fn run_dataset(
    ds: &UciDataset,
    cfg: &UciConfig,
    on_job: &(dyn Fn() + Sync),
) -> Result<DatasetResult> {
    let start = Instant::now();
    let plan = UciPlan::new(ds, cfg)?;
    let n_grid = plan.grid.len();
    // Stage 1: every (split, grid point), trained on the first 80 % of the training
    // indices (file order), scored on the last 20 %.
    let pairs: Vec<(usize, usize)> = plan
        .splits
        .iter()
        .flat_map(|&k| (0..n_grid).map(move |g| (k, g)))
        .collect();
    let scored: Vec<ScoredPoint> = pairs
        .par_iter()
        .map(|&(k, g)| {
            let s = plan.grid_point(k, g)?;
            on_job();
            Ok(s)
        })
        .collect::<Result<_>>()?;
    // Stage 2: per split, the best pair by validation LL (first on ties), retrained on the
    // whole training part and tested.
    let per_split: Vec<(SplitResult, u64)> = plan
        .splits
        .par_iter()
        .enumerate()
        .map(|(si, &k)| {
            let s = plan.retrain_test(k, &scored[si * n_grid..(si + 1) * n_grid])?;
            on_job();
            Ok((s.split, s.steps))
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
