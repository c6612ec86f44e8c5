//! Gal's UCI protocol on a plain data file: seeded random (train, test) splits instead of
//! his index files, the default grids of [`super::grid`], and epochs from a target number
//! of optimiser steps. The protocol itself ([`crate::experiments::uci::run_dataset`]) is
//! reused unchanged.

use super::grid::{DEFAULT_TAU_STANDARDISED, GAL_DROPOUT_RATES};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::experiments::uci::UciDataset;
use crate::model::TargetTransform;
use crate::rng::{Purpose, stream};
use ndarray::{Array1, Array2};
use rand::seq::SliceRandom;

/// `n_splits` seeded random (train, test) splits of `n` rows, the test part a fraction
/// `test_fraction` of the rows (rounded, at least 1, leaving at least 2 for training).
/// Each training part is in shuffled order, so the protocol's validation part (its last
/// 20 %) is a random subset too. Split `k` depends only on `(seed, k)`.
pub fn random_splits(
    n: usize,
    n_splits: usize,
    test_fraction: f64,
    seed: u64,
) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::InvalidParameter {
            name: "--test-fraction".into(),
            reason: format!("must be in (0, 1), got {test_fraction}"),
        });
    }
    if n_splits == 0 {
        return Err(Error::InvalidParameter {
            name: "--random-splits".into(),
            reason: "must be at least 1, got 0".into(),
        });
    }
    let n_test = ((n as f64 * test_fraction).round() as usize).max(1);
    // The protocol trains on 80 % of the training part: keep at least 2 rows there.
    if n < n_test + 3 {
        return Err(Error::TooFewRows {
            needed: n_test + 3,
            got: n,
        });
    }
    Ok((0..n_splits)
        .map(|k| {
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut stream(seed, Purpose::Split, 0x0C1_0000 + k as u64));
            let (test, train) = order.split_at(n_test);
            (train.to_vec(), test.to_vec())
        })
        .collect())
}

/// A dataset for the protocol from a plain file's `(x, y)`: random splits as
/// [`random_splits`], 50 hidden units, Gal's dropout grid and the standardised τ grid
/// `tau_standardised` (default [`DEFAULT_TAU_STANDARDISED`] when empty) converted to target
/// units⁻² with the std of all of `y` — of `transform`(y) for a transformed target, the
/// units the network models (the protocol takes τ in target units; with `TauUnits::Standardised` each split's network then sees τ σ_split² ≈ the
/// standardised grid value), and as many epochs as give about `target_steps` optimiser
/// steps on the validation runs' 80 % of a training part in batches of `batch`.
#[allow(clippy::too_many_arguments)]
pub fn plain_dataset(
    name: &str,
    x: Array2<f64>,
    y: Array1<f64>,
    n_splits: usize,
    test_fraction: f64,
    seed: u64,
    target_steps: u64,
    batch: usize,
    tau_standardised: &[f64],
    transform: TargetTransform,
) -> Result<UciDataset> {
    let splits = random_splits(x.nrows(), n_splits, test_fraction, seed)?;
    let z = y.mapv(|v| transform.forward(v));
    let sd = Standardizer::fit_1d(z.view())?.std[0];
    let grid = if tau_standardised.is_empty() {
        &DEFAULT_TAU_STANDARDISED[..]
    } else {
        tau_standardised
    };
    let taus = grid.iter().map(|t| t / (sd * sd)).collect();
    let n_fit = (splits[0].0.len() as f64 * 0.8).round() as usize;
    let per_epoch = n_fit.div_ceil(batch.max(1)).max(1);
    let epochs = ((target_steps as f64 / per_epoch as f64).round() as usize).max(1);
    UciDataset::from_parts(
        name.to_owned(),
        x,
        y,
        splits,
        epochs,
        50,
        GAL_DROPOUT_RATES.to_vec(),
        taus,
    )
}
