//! Choosing the dropout rate p and the noise precision τ on a user's own data: a seeded
//! validation part (or K folds), a grid search scored by validation MC log-likelihood
//! (Gal's dropout grid and a standardised τ grid by default), widened when the best value
//! sits on the grid's edge, and a final training on every row with the winner.
//!
//! ```
//! use mcdropout::search::{SearchConfig, search};
//! use ndarray::{Array1, Array2};
//! let x = Array2::from_shape_fn((60, 1), |(i, _)| i as f64 / 60.0);
//! let y: Array1<f64> = x.column(0).mapv(|v| (6.0 * v).sin());
//! let mut cfg = SearchConfig::default();
//! cfg.dropout_rates = vec![0.01];
//! cfg.tau_values = vec![4.0, 16.0];
//! cfg.epochs = mcdropout::search::Epochs::Fixed(5);
//! cfg.samples = 50;
//! let (model, report) = search(x.view(), y.view(), &cfg).unwrap();
//! assert!(report.points.len() >= 2);
//! assert_eq!(model.network.arch.dropout[0], report.best.dropout);
//! ```

pub mod grid;
pub mod plain;
pub mod report;
pub mod split;

pub use grid::{DEFAULT_TAU_STANDARDISED, Edge, GAL_DROPOUT_RATES};
pub use split::{Validation, parts};

use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::{Noise, Regressor, RegressorParams};
use crate::predict::McOptions;
use crate::prior::TauUnits;
use crate::rng::{Purpose, stream_of};
use ndarray::{ArrayView1, ArrayView2, Axis};
use rand::RngCore;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The default target number of optimiser steps per training: about what Gal's 4000 epochs
/// give on the small UCI sets where his protocol was tuned (yacht 8 000, Boston 12 000 in
/// the validation runs), whereas a fixed 40 epochs is only 160 steps on a 500-row set.
pub const DEFAULT_TARGET_STEPS: u64 = 10_000;

/// How many epochs every training of the search runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Epochs {
    /// Exactly this many.
    Fixed(usize),
    /// As many as give this many optimiser steps on the validation runs' training part
    /// (rounded, at least 1); the final training on all rows uses the same epochs, as
    /// Gal's protocol does (so it takes proportionally more steps).
    Steps(u64),
}

/// Settings of a search.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SearchConfig {
    /// The network and training settings; its `dropout`, `noise` and `train.epochs` are
    /// set by the search.
    pub base: RegressorParams,
    /// Dropout rates to try (default Gal's 0.005, 0.01, 0.05, 0.1).
    pub dropout_rates: Vec<f64>,
    /// τ values to try, in the units of `base.tau_units`: with
    /// [`TauUnits::Standardised`] (the default here) the noise precision of the
    /// standardised target, τ σ_y²; with [`TauUnits::Gal`] τ in target units⁻², used as
    /// given (Gal's convention). Default [`DEFAULT_TAU_STANDARDISED`].
    pub tau_values: Vec<f64>,
    /// Validation part or folds (default a 20 % holdout).
    pub validation: Validation,
    /// Epochs of every training (default [`DEFAULT_TARGET_STEPS`] steps).
    pub epochs: Epochs,
    /// At most this many widening rounds (default 3; 0 keeps the grid as given).
    pub max_widenings: usize,
    /// MC samples T for scoring (default 10 000, as Gal's protocol).
    pub samples: usize,
    /// Seed of the split, every training and every MC pass.
    pub seed: u64,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            base: RegressorParams {
                tau_units: TauUnits::Standardised,
                ..RegressorParams::default()
            },
            dropout_rates: GAL_DROPOUT_RATES.to_vec(),
            tau_values: DEFAULT_TAU_STANDARDISED.to_vec(),
            validation: Validation::default(),
            epochs: Epochs::Steps(DEFAULT_TARGET_STEPS),
            max_widenings: 3,
            samples: 10_000,
            seed: 0,
        }
    }
}

/// One evaluated grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPoint {
    /// Dropout rate p.
    pub dropout: f64,
    /// τ as in the grid (units of [`SearchReport::tau_units`]).
    pub tau: f64,
    /// Validation MC log-likelihood per point (mean over every validation row).
    pub val_ll: f64,
    /// Validation MC RMSE (over every validation row).
    pub val_rmse: f64,
    /// Wall time of its trainings and scoring, seconds.
    pub seconds: f64,
    /// 0 for the initial grid, k for the k-th widening.
    pub round: usize,
}

/// What a search did and chose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    /// Rows of the data.
    pub n_rows: usize,
    /// How grid points were scored.
    pub validation: Validation,
    /// Units of the τ column (`standardised` or `gal`).
    pub tau_units: TauUnits,
    /// Epochs of every training.
    pub epochs: usize,
    /// How the epochs were chosen.
    pub epochs_rule: Epochs,
    /// MC samples of the scoring.
    pub samples: usize,
    /// Seed.
    pub seed: u64,
    /// Every point, in evaluation order.
    pub points: Vec<SearchPoint>,
    /// The final dropout axis, ascending.
    pub dropout_grid: Vec<f64>,
    /// The final τ axis, ascending.
    pub tau_grid: Vec<f64>,
    /// Widening rounds done.
    pub widenings: usize,
    /// The winner (highest validation log-likelihood; the first in grid order on ties).
    pub best: SearchPoint,
    /// The winner's τ in target units⁻² for the final model (what `train --tau` takes
    /// with the same `--tau-units`), and its noise std in target units.
    pub tau_original: f64,
    /// Noise std in target units, 1/√τ_original.
    pub noise_std: f64,
    /// Axes on which the winner still sits at an edge after the last widening (then a
    /// wider grid, or more widenings, may do better).
    pub on_edge: Vec<String>,
    /// Optimiser steps over the whole search and the final training.
    pub steps: u64,
    /// Wall time of the search and the final training, seconds.
    pub seconds: f64,
}

fn bad(name: &str, reason: String) -> Error {
    Error::InvalidParameter {
        name: name.into(),
        reason,
    }
}

impl SearchConfig {
    /// Checks the grid and settings (before any training).
    pub fn validate(&self) -> Result<()> {
        if self.dropout_rates.is_empty() {
            return Err(bad("--grid-dropout", "the dropout grid is empty".into()));
        }
        if let Some(p) = self
            .dropout_rates
            .iter()
            .find(|p| !(**p >= 0.0 && **p < 1.0))
        {
            return Err(bad(
                "--grid-dropout",
                format!("a dropout rate must be in [0, 1), got {p}"),
            ));
        }
        if self.tau_values.is_empty() {
            return Err(bad("--grid-tau", "the τ grid is empty".into()));
        }
        if let Some(t) = self
            .tau_values
            .iter()
            .find(|t| !(t.is_finite() && **t > 0.0))
        {
            return Err(bad(
                "--grid-tau",
                format!("τ must be a positive finite number, got {t}"),
            ));
        }
        if self.samples == 0 {
            return Err(bad(
                "--samples",
                "the number of Monte-Carlo samples T must be at least 1".into(),
            ));
        }
        match self.epochs {
            Epochs::Fixed(0) => Err(bad("--epochs", "must be at least 1, got 0".into())),
            Epochs::Steps(0) => Err(bad("--target-steps", "must be at least 1, got 0".into())),
            _ => self.base.train.validate(),
        }
    }

    /// The epochs for a training part of `n_train` rows.
    pub fn epochs_for(&self, n_train: usize) -> usize {
        match self.epochs {
            Epochs::Fixed(e) => e,
            Epochs::Steps(s) => {
                let per_epoch = n_train.div_ceil(self.base.train.batch_size.max(1)).max(1);
                ((s as f64 / per_epoch as f64).round() as usize).max(1)
            }
        }
    }

    /// The τ in target units⁻² that `grid_tau` means for targets with std `y_std`.
    pub fn tau_in_target_units(&self, grid_tau: f64, y_std: f64) -> f64 {
        match self.base.tau_units {
            TauUnits::Standardised => grid_tau / (y_std * y_std),
            _ => grid_tau,
        }
    }

    /// The standard deviation (ddof 0) of the targets `y` as the network sees them: of
    /// g(y) under the base's target transform g.
    fn target_std(&self, y: ArrayView1<f64>) -> Result<f64> {
        let t = self.base.target_transform;
        Ok(Standardizer::fit_1d(y.mapv(|v| t.forward(v)).view())?.std[0])
    }

    fn params(&self, p: f64, tau: f64, epochs: usize, seed: u64, y_std: f64) -> RegressorParams {
        let mut params = self.base.clone();
        params.dropout = p;
        params.dropout_per_layer = None;
        params.noise = Noise::Tau(self.tau_in_target_units(tau, y_std));
        params.train.epochs = epochs;
        params.train.seed = seed;
        params
    }
}

/// The seed of a (point, fold): depends only on the base seed and the values, so adding
/// points by widening never changes the numbers of the others.
fn point_seed(seed: u64, p: f64, tau: f64, fold: usize) -> u64 {
    stream_of(
        seed,
        Purpose::Init,
        p.to_bits() ^ tau.to_bits().rotate_left(29),
        fold as u64 + 1,
    )
    .next_u64()
}

/// Scores one grid point over every fold: (LL per validation row, RMSE, steps).
fn score(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    folds: &[(Vec<usize>, Vec<usize>)],
    cfg: &SearchConfig,
    epochs: usize,
    (p, tau): (f64, f64),
) -> Result<(f64, f64, u64)> {
    let (mut ll, mut sq, mut n, mut steps) = (0.0, 0.0, 0usize, 0u64);
    for (k, (train, val)) in folds.iter().enumerate() {
        let seed = point_seed(cfg.seed, p, tau, k);
        let yt = y.select(Axis(0), train);
        let y_std = cfg.target_std(yt.view())?;
        let model = cfg
            .params(p, tau, epochs, seed, y_std)
            .fit(x.select(Axis(0), train).view(), yt.view())?;
        let e = model.evaluate(
            x.select(Axis(0), val).view(),
            y.select(Axis(0), val).view(),
            &McOptions::new(cfg.samples, seed),
        )?;
        ll += e.ll * val.len() as f64;
        sq += e.mc_rmse * e.mc_rmse * val.len() as f64;
        n += val.len();
        steps += model.report.steps;
    }
    Ok((ll / n as f64, (sq / n as f64).sqrt(), steps))
}

/// Searches (p, τ) on `(x, y)` as [`SearchConfig`] says, then trains on every row with
/// the winner. Results do not depend on the number of threads.
pub fn search(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    cfg: &SearchConfig,
) -> Result<(Regressor, SearchReport)> {
    search_with_progress(x, y, cfg, &|_| {})
}

/// As [`search`], calling `on_point(point)` after every scored grid point.
pub fn search_with_progress(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    cfg: &SearchConfig,
    on_point: &(dyn Fn(&SearchPoint) + Sync),
) -> Result<(Regressor, SearchReport)> {
    let start = Instant::now();
    cfg.validate()?;
    if y.len() != x.nrows() {
        return Err(Error::Shape(format!(
            "{} input rows but {} targets",
            x.nrows(),
            y.len()
        )));
    }
    crate::data::check_finite(x, "inputs")?;
    crate::data::check_finite_1d(y, "targets")?;
    let target_name = cfg.base.target_name.as_deref().unwrap_or("y");
    cfg.base.target_transform.check_target(y, target_name)?;
    let folds = parts(x.nrows(), cfg.validation, cfg.seed)?;
    let epochs = cfg.epochs_for(folds[0].0.len());
    let mut p_axis = grid::Axis::new(&cfg.dropout_rates, grid::MIN_DROPOUT, grid::MAX_DROPOUT);
    let mut t_axis = grid::Axis::new(&cfg.tau_values, grid::MIN_TAU, grid::MAX_TAU);
    let mut points: Vec<SearchPoint> = Vec::new();
    let mut steps = 0u64;
    let mut round = 0;
    let best = loop {
        // The grid's points not scored yet, dropout-major.
        let todo: Vec<(f64, f64)> = p_axis
            .values()
            .iter()
            .flat_map(|&p| t_axis.values().iter().map(move |&t| (p, t)))
            .filter(|&(p, t)| !points.iter().any(|s| s.dropout == p && s.tau == t))
            .collect();
        let scored: Vec<(SearchPoint, u64)> = todo
            .par_iter()
            .map(|&(p, t)| {
                let t0 = Instant::now();
                let (val_ll, val_rmse, s) = score(x, y, &folds, cfg, epochs, (p, t))?;
                let point = SearchPoint {
                    dropout: p,
                    tau: t,
                    val_ll,
                    val_rmse,
                    seconds: t0.elapsed().as_secs_f64(),
                    round,
                };
                on_point(&point);
                Ok((point, s))
            })
            .collect::<Result<_>>()?;
        for (pt, s) in scored {
            points.push(pt);
            steps += s;
        }
        let best = best_point(&points, p_axis.values(), t_axis.values());
        if round == cfg.max_widenings {
            break best;
        }
        let added = p_axis.widen(best.dropout).len() + t_axis.widen(best.tau).len();
        if added == 0 {
            break best;
        }
        round += 1;
    };
    let mut on_edge = Vec::new();
    if p_axis.values().len() > 1 && p_axis.edge_of(best.dropout).is_some() {
        on_edge.push(format!(
            "dropout {} is at the edge of the grid",
            best.dropout
        ));
    }
    if t_axis.values().len() > 1 && t_axis.edge_of(best.tau).is_some() {
        on_edge.push(format!("τ {} is at the edge of the grid", best.tau));
    }
    let y_std = cfg.target_std(y)?;
    let model = cfg
        .params(best.dropout, best.tau, epochs, cfg.seed, y_std)
        .fit(x, y)?;
    steps += model.report.steps;
    let tau_original = model.tau();
    let report = SearchReport {
        n_rows: x.nrows(),
        validation: cfg.validation,
        tau_units: cfg.base.tau_units,
        epochs,
        epochs_rule: cfg.epochs,
        samples: cfg.samples,
        seed: cfg.seed,
        points,
        dropout_grid: p_axis.values().to_vec(),
        tau_grid: t_axis.values().to_vec(),
        widenings: round,
        best,
        tau_original,
        noise_std: 1.0 / tau_original.sqrt(),
        on_edge,
        steps,
        seconds: start.elapsed().as_secs_f64(),
    };
    Ok((model, report))
}

/// The point of the current grid with the highest validation log-likelihood; ties go to
/// the first in grid order (dropout-major, ascending); NaN never wins.
fn best_point(points: &[SearchPoint], ps: &[f64], ts: &[f64]) -> SearchPoint {
    let mut best: Option<&SearchPoint> = None;
    for &p in ps {
        for &t in ts {
            if let Some(s) = points.iter().find(|s| s.dropout == p && s.tau == t) {
                match best {
                    Some(b) if b.val_ll >= s.val_ll || s.val_ll.is_nan() => {}
                    _ => best = Some(s),
                }
            }
        }
    }
    best.unwrap_or(&points[0]).clone()
}
