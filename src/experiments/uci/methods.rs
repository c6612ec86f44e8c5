//! The UCI protocol for the beyond-grid methods (Concrete dropout, heteroscedastic heads,
//! deep ensembles): no (p, τ) grid. On each split the one remaining choice, the number of
//! epochs (at most Gal's n_epochs.txt × multiplier), is made as Gal's protocol makes its
//! choices: one network of the method is trained on the first 80 % of the training
//! indices, scored by validation MC log-likelihood every `max/checkpoints` epochs, and the
//! best checkpoint's epoch count (first on ties) is used to retrain the method (all its
//! members) on the whole training part, which is then tested with T MC samples.

use super::UciDataset;
use super::protocol::{MeanSe, UciConfig};
use super::tasks::derive_seed;
use crate::error::{Error, Result};
use crate::methods::{Method, MethodParams};
use crate::model::{Evaluation, Noise};
use crate::predict::McOptions;
use ndarray::Axis;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Settings of a method protocol run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MethodsConfig {
    /// The method.
    pub method: Method,
    /// Heteroscedastic head (always for ensembles).
    pub heteroscedastic: bool,
    /// Ensemble members.
    pub members: usize,
    /// Choose the epoch count on the validation part (default true); false trains for
    /// the maximum.
    pub select_epochs: bool,
    /// Validation checkpoints (default 20).
    pub checkpoints: usize,
    /// MC samples of each validation checkpoint (default 100).
    pub val_samples: usize,
    /// τ of a homoscedastic model (original units).
    pub tau: Option<f64>,
    /// Prior length-scale (default 1e-2, as Gal's grid).
    pub length_scale: f64,
    /// Candidate β of the β-NLL weighting, each validated (default [0], the plain NLL).
    pub betas: Vec<f64>,
    /// Early stopping of a validation run after this many checkpoints without a better
    /// validation LL (0: never; default 5).
    pub patience: usize,
    /// Shared settings (epochs, T, layers, seed, splits, precision).
    pub base: UciConfig,
}

impl MethodsConfig {
    /// Defaults for `method` (Concrete and ensembles heteroscedastic, M = 5).
    pub fn new(method: Method) -> Self {
        let p = MethodParams::new(method);
        Self {
            method,
            heteroscedastic: p.heteroscedastic,
            members: p.members,
            select_epochs: true,
            checkpoints: 20,
            val_samples: 100,
            tau: None,
            length_scale: 1e-2,
            betas: vec![0.0],
            patience: 5,
            base: UciConfig::default(),
        }
    }
}

/// One validation checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// β of the run.
    pub beta: f64,
    /// Epochs trained.
    pub epoch: usize,
    /// Validation mixture log-likelihood.
    pub val_ll: f64,
    /// Validation MC RMSE.
    pub val_mc_rmse: f64,
}

/// One split's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodSplit {
    /// Split index.
    pub split: usize,
    /// Validation curve (empty without epoch selection).
    pub checkpoints: Vec<Checkpoint>,
    /// Epochs of the final training.
    pub epochs: usize,
    /// β of the final training.
    pub beta: f64,
    /// Learned (Concrete) or fixed drop probabilities of member 0, per layer.
    pub dropout: Vec<f64>,
    /// Test figures.
    pub test: Evaluation,
    /// Optimiser steps (validation run + final members).
    pub steps: u64,
    /// Seed of the final training.
    pub seed: u64,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// One dataset's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodDatasetResult {
    /// Dataset name.
    pub dataset: String,
    /// Method name.
    pub method: String,
    /// Heteroscedastic head.
    pub heteroscedastic: bool,
    /// Members.
    pub members: usize,
    /// Splits run.
    pub n_splits: usize,
    /// Deterministic-pass RMSE.
    pub rmse: MeanSe,
    /// MC RMSE.
    pub mc_rmse: MeanSe,
    /// Test log-likelihood.
    pub ll: MeanSe,
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// Optimiser steps.
    pub steps: u64,
    /// Per split.
    pub splits: Vec<MethodSplit>,
}

impl MethodsConfig {
    fn params(&self, ds: &UciDataset, epochs: usize, seed: u64, members: usize) -> MethodParams {
        let mut p = MethodParams::new(self.method);
        p.heteroscedastic = self.heteroscedastic;
        p.members = members;
        p.beta = self.betas[0];
        p.base.hidden = vec![ds.n_hidden; self.base.layers];
        p.base.length_scale = self.length_scale;
        p.base.noise = Noise::Tau(self.tau.unwrap_or(1.0));
        p.base.tau_units = self.base.tau_units;
        p.base.train.epochs = epochs;
        p.base.train.seed = seed;
        p.base.train.precision = self.base.precision;
        p
    }

    /// Runs split `split` of `ds`.
    pub fn run_split(&self, ds: &UciDataset, split: usize) -> Result<MethodSplit> {
        let t0 = Instant::now();
        if self.betas.is_empty() {
            return Err(Error::InvalidParameter {
                name: "--beta-nll".into(),
                reason: "give at least one β".into(),
            });
        }
        let max_epochs =
            ((ds.n_epochs as f64 * self.base.epochs_multiplier).round() as usize).max(1);
        let (train, test) = &ds.splits[split];
        let (x, y) = (&ds.x, &ds.y);
        let mut checkpoints = Vec::new();
        let mut steps = 0;
        let (epochs, beta) = if self.select_epochs {
            let cut = (train.len() as f64 * 0.8).round() as usize;
            let (tr, va) = (&train[..cut], &train[cut..]);
            let (xv, yv) = (x.select(Axis(0), va), y.select(Axis(0), va));
            let (xt, yt) = (x.select(Axis(0), tr), y.select(Axis(0), tr));
            let every = (max_epochs / self.checkpoints.max(1)).max(1);
            let batches = cut.div_ceil(128.min(cut).max(1)) as u64;
            for (c, &beta) in self.betas.iter().enumerate() {
                let seed = derive_seed(self.base.seed, split, c + 1);
                let mut p = self.params(ds, max_epochs, seed, 1);
                p.beta = beta;
                let opts = McOptions::new(self.val_samples, seed);
                let (mut best, mut since, mut last) = (f64::NEG_INFINITY, 0usize, 0usize);
                let r =
                    p.fit_checkpointed(xt.view(), yt.view(), Some(every), &mut |epoch, model| {
                        let e = model.evaluate(xv.view(), yv.view(), &opts);
                        let (ll, r) = e.map_or((f64::NAN, f64::NAN), |e| (e.ll, e.mc_rmse));
                        checkpoints.push(Checkpoint {
                            beta,
                            epoch,
                            val_ll: ll,
                            val_mc_rmse: r,
                        });
                        last = epoch;
                        if ll > best {
                            (best, since) = (ll, 0);
                        } else {
                            since += 1;
                        }
                        // Early stopping: no better validation LL for `patience` checkpoints.
                        if self.patience > 0 && since >= self.patience {
                            return Err(Error::Interrupted);
                        }
                        Ok(())
                    });
                match r {
                    Ok(_) | Err(Error::Interrupted) => steps += last as u64 * batches,
                    Err(e) => return Err(e),
                }
            }
            checkpoints
                .iter()
                .fold(None::<&Checkpoint>, |b, c| match b {
                    Some(b) if b.val_ll >= c.val_ll || c.val_ll.is_nan() => Some(b),
                    _ => Some(c),
                })
                .filter(|c| c.val_ll.is_finite())
                .map_or((max_epochs, self.betas[0]), |c| (c.epoch, c.beta))
        } else {
            (max_epochs, self.betas[0])
        };
        let seed = derive_seed(self.base.seed, split, 0);
        let mut p = self.params(ds, epochs, seed, self.members);
        p.beta = beta;
        let model = p.fit(
            x.select(Axis(0), train).view(),
            y.select(Axis(0), train).view(),
        )?;
        steps += model.report.steps;
        let test_eval = model.evaluate(
            x.select(Axis(0), test).view(),
            y.select(Axis(0), test).view(),
            &McOptions::new(self.base.samples, seed),
        )?;
        Ok(MethodSplit {
            split,
            checkpoints,
            epochs,
            beta,
            dropout: model.members[0].arch.dropout.clone(),
            test: test_eval,
            steps,
            seed,
            seconds: t0.elapsed().as_secs_f64(),
        })
    }
}

/// Runs the method protocol on `ds` (splits in parallel on the current rayon pool; the
/// numbers do not depend on the thread count: every seed comes from (seed, split)).
/// `on_split` is called after each split.
pub fn run_dataset_method(
    ds: &UciDataset,
    cfg: &MethodsConfig,
    on_split: &(dyn Fn(&MethodSplit) + Sync),
) -> Result<MethodDatasetResult> {
    let start = Instant::now();
    let splits = cfg.base.selected_splits(ds)?;
    if cfg.base.epochs_multiplier.is_nan() || cfg.base.epochs_multiplier <= 0.0 {
        return Err(Error::InvalidParameter {
            name: "--epochs-multiplier".into(),
            reason: "must be positive".into(),
        });
    }
    let per: Vec<MethodSplit> = splits
        .par_iter()
        .map(|&k| {
            let s = cfg.run_split(ds, k)?;
            on_split(&s);
            Ok(s)
        })
        .collect::<Result<_>>()?;
    let col = |f: &dyn Fn(&MethodSplit) -> f64| MeanSe::of(&per.iter().map(f).collect::<Vec<_>>());
    Ok(MethodDatasetResult {
        dataset: ds.name.clone(),
        method: cfg.method.name().into(),
        heteroscedastic: cfg.heteroscedastic,
        members: cfg.members,
        n_splits: per.len(),
        rmse: col(&|s| s.test.rmse),
        mc_rmse: col(&|s| s.test.mc_rmse),
        ll: col(&|s| s.test.ll),
        wall_seconds: start.elapsed().as_secs_f64(),
        steps: per.iter().map(|s| s.steps).sum(),
        splits: per,
    })
}
