//! The protocol cut into independent tasks, for schedulers outside this process (the Python
//! binding runs them as Ray tasks): a [`UciPlan`] lists the (split, grid point) jobs;
//! [`UciPlan::grid_point`] trains and validates one; [`UciPlan::retrain_test`] takes a
//! split's validated grid, picks the best pair and retrains and tests it; and
//! [`DatasetResult::from_split_results`] gathers the splits. [`super::run_dataset`] runs
//! exactly these functions on a rayon pool, so any scheduler that runs them with the same
//! configuration gets the same numbers: every seed is derived from (seed, split, grid
//! point), never from the order or place of execution.

use super::UciDataset;
use super::protocol::{DatasetResult, GridPoint, SplitResult, UciConfig};
use crate::error::{Error, Result};
use crate::model::{Evaluation, Noise, RegressorParams};
use crate::predict::McOptions;
use ndarray::Axis;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// A seed for (base, split, grid point); independent of scheduling. Point 0 is the
/// retrain on the whole training part; grid point `g` uses `g + 1`.
pub(crate) fn derive_seed(base: u64, split: usize, point: usize) -> u64 {
    let mut z = base ^ ((split as u64) << 32) ^ (point as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A grid point's validation with the optimiser steps it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPoint {
    /// The validation result.
    pub point: GridPoint,
    /// Optimiser steps of its training.
    pub steps: u64,
}

/// A split's result with the optimiser steps of its grid and retrain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredSplit {
    /// The split's result.
    pub split: SplitResult,
    /// Optimiser steps of all its trainings.
    pub steps: u64,
}

/// What a protocol run on one dataset will do: its splits, its (dropout, τ) grid and its
/// number of epochs, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct UciPlan<'a> {
    ds: &'a UciDataset,
    cfg: &'a UciConfig,
    /// The splits, in report order.
    pub splits: Vec<usize>,
    /// The grid, dropout-major: (dropout rate, τ).
    pub grid: Vec<(f64, f64)>,
    /// Epochs of every training: n_epochs.txt × the multiplier, rounded, at least 1.
    pub epochs: usize,
}

impl<'a> UciPlan<'a> {
    /// Checks `cfg` against `ds` (splits that exist, a non-empty grid, a positive epoch
    /// multiplier) and lays out the jobs.
    pub fn new(ds: &'a UciDataset, cfg: &'a UciConfig) -> Result<Self> {
        let splits = cfg.selected_splits(ds)?;
        // The network's size, before the list of hidden widths is built.
        let (h, layers) = (ds.n_hidden as f64, cfg.layers as f64);
        crate::limits::check_memory(
            &format!("{} hidden layers of {} units", cfg.layers, ds.n_hidden),
            ((layers - 1.0).max(0.0) * (h + 1.0) * h + (ds.x.ncols() as f64 + 2.0) * h + layers)
                * 32.0,
        )?;
        let rates = cfg.dropout_rates.as_ref().unwrap_or(&ds.dropout_rates);
        let taus = cfg.tau_values.as_ref().unwrap_or(&ds.tau_values);
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
        let grid = rates
            .iter()
            .flat_map(|&p| taus.iter().map(move |&t| (p, t)))
            .collect();
        let epochs = ((ds.n_epochs as f64 * cfg.epochs_multiplier).round() as usize).max(1);
        Ok(Self {
            ds,
            cfg,
            splits,
            grid,
            epochs,
        })
    }

    fn check(&self, split: usize) -> Result<()> {
        if split >= self.ds.splits.len() {
            return Err(Error::InvalidParameter {
                name: "split".into(),
                reason: format!(
                    "split {split} requested but {} has {} splits",
                    self.ds.name,
                    self.ds.splits.len()
                ),
            });
        }
        Ok(())
    }

    /// Trains grid point `g` of `split` on the first 80 % of the split's training indices
    /// (file order) and scores it by MC log-likelihood on the last 20 %.
    pub fn grid_point(&self, split: usize, g: usize) -> Result<ScoredPoint> {
        self.check(split)?;
        let &(p, tau) = self.grid.get(g).ok_or_else(|| Error::InvalidParameter {
            name: "grid point".into(),
            reason: format!("{g} requested but the grid has {} points", self.grid.len()),
        })?;
        let t0 = Instant::now();
        let train = &self.ds.splits[split].0;
        let cut = (train.len() as f64 * 0.8).round() as usize;
        let seed = derive_seed(self.cfg.seed, split, g + 1);
        let (e, steps) = self.fit_eval(&train[..cut], &train[cut..], p, tau, seed)?;
        Ok(ScoredPoint {
            point: GridPoint {
                dropout: p,
                tau,
                val_ll: e.ll,
                val_mc_rmse: e.mc_rmse,
                seed,
                seconds: t0.elapsed().as_secs_f64(),
            },
            steps,
        })
    }

    /// Picks the best of `points` (the whole grid of `split`, in grid order) by validation
    /// log-likelihood (the first on ties; NaN never wins), retrains it on the whole
    /// training part and tests it with T MC samples.
    pub fn retrain_test(&self, split: usize, points: &[ScoredPoint]) -> Result<ScoredSplit> {
        self.check(split)?;
        if points.len() != self.grid.len() {
            return Err(Error::InvalidParameter {
                name: "grid".into(),
                reason: format!(
                    "split {split}: {} validated points for a grid of {}",
                    points.len(),
                    self.grid.len()
                ),
            });
        }
        let t0 = Instant::now();
        let best = points
            .iter()
            .map(|s| &s.point)
            .fold(None::<&GridPoint>, |b, p| match b {
                Some(b) if b.val_ll >= p.val_ll || p.val_ll.is_nan() => Some(b),
                _ => Some(p),
            })
            .ok_or_else(|| Error::InvalidParameter {
                name: "grid".into(),
                reason: "empty".into(),
            })?;
        let seed = derive_seed(self.cfg.seed, split, 0);
        let (train, test) = &self.ds.splits[split];
        let (e, steps) = self.fit_eval(train, test, best.dropout, best.tau, seed)?;
        Ok(ScoredSplit {
            split: SplitResult {
                split,
                dropout: best.dropout,
                tau: best.tau,
                grid: points.iter().map(|s| s.point.clone()).collect(),
                test: e,
                seed,
                seconds: t0.elapsed().as_secs_f64(),
            },
            steps: steps + points.iter().map(|s| s.steps).sum::<u64>(),
        })
    }

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
            target_transform: self.cfg.target_transform,
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

impl DatasetResult {
    /// Mean ± standard error of the test figures over `splits` (in report order), with the
    /// dataset's wall time as measured by whoever ran the tasks.
    pub fn from_split_results(dataset: &str, splits: Vec<ScoredSplit>, wall_seconds: f64) -> Self {
        let mut r = Self::from_splits(
            dataset,
            splits.into_iter().map(|s| (s.split, s.steps)).collect(),
            Instant::now(),
        );
        r.wall_seconds = wall_seconds;
        r
    }
}

impl UciDataset {
    /// A dataset from its parts (as [`UciDataset::load`] reads them), checked: `y` has a
    /// value per row of `x`, every split index is a row, the grid is valid.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        name: String,
        x: ndarray::Array2<f64>,
        y: ndarray::Array1<f64>,
        splits: Vec<(Vec<usize>, Vec<usize>)>,
        n_epochs: usize,
        n_hidden: usize,
        dropout_rates: Vec<f64>,
        tau_values: Vec<f64>,
    ) -> Result<Self> {
        let bad = |reason: String| Error::InvalidParameter {
            name: "dataset".into(),
            reason,
        };
        if y.len() != x.nrows() {
            return Err(bad(format!("{} rows but {} targets", x.nrows(), y.len())));
        }
        if let Some(&i) = splits
            .iter()
            .flat_map(|(a, b)| a.iter().chain(b))
            .find(|&&i| i >= x.nrows())
        {
            return Err(bad(format!(
                "split row {i} out of range ({} rows)",
                x.nrows()
            )));
        }
        if n_epochs == 0 || n_hidden == 0 {
            return Err(bad("n_epochs and n_hidden must be positive".into()));
        }
        Ok(Self {
            name,
            x,
            y,
            splits,
            n_epochs,
            n_hidden,
            dropout_rates,
            tau_values,
            // Reported when the dataset was first read (before it was shipped here).
            warnings: Vec::new(),
        })
    }
}
