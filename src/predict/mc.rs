//! Running the engine over many rows in parallel, deterministically.

use super::engine::{Engine, Workspace, default_block};
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use crate::nn::Network;
use ndarray::ArrayView2;
use rayon::prelude::*;

/// Settings of Monte-Carlo dropout prediction.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct McOptions {
    /// Number of stochastic passes T (default 10 000, as in Gal's experiments).
    pub samples: usize,
    /// Seed of the masks (each row has its own stream keyed by `(seed, row)`).
    pub seed: u64,
    /// Passes pushed through the network together; `None` picks a cache-sized block.
    /// Results do not depend on it.
    pub block: Option<usize>,
    /// Rows per parallel task (default 8). Results do not depend on it.
    pub chunk_rows: usize,
    /// Keep the raw T × N samples.
    pub keep_samples: bool,
    /// Also draw predictive samples ŷ_t + N(0, τ⁻¹) (T × N).
    pub predictive_draws: bool,
    /// Level of the central interval (default 0.95).
    pub level: f64,
    /// Stops the prediction early with [`Error::Interrupted`] when set (checked before
    /// every chunk of rows). Default `None`.
    pub cancel: Option<Cancel>,
    /// Stable per-row keys of the mask (and predictive-draw) streams, one per input row:
    /// row `r` draws from the streams keyed by `(seed, row_keys[r])`, so its numbers do not
    /// depend on its position, on how the rows are split into batches or on which machine
    /// scores them. `None` (the default) keys row `r` by its position `r`.
    pub row_keys: Option<std::sync::Arc<[u64]>>,
}

impl Default for McOptions {
    fn default() -> Self {
        Self {
            samples: 10_000,
            seed: 0,
            block: None,
            chunk_rows: 8,
            keep_samples: false,
            predictive_draws: false,
            level: 0.95,
            cancel: None,
            row_keys: None,
        }
    }
}

impl McOptions {
    /// `T` passes with seed `seed`, other settings default.
    pub fn new(samples: usize, seed: u64) -> Self {
        Self {
            samples,
            seed,
            ..Self::default()
        }
    }

    /// The stream key of row `r`: its entry of `row_keys`, or `r`.
    pub fn key_of(&self, r: usize) -> u64 {
        self.row_keys.as_ref().map_or(r as u64, |k| k[r])
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        if self.samples == 0 {
            return Err(Error::InvalidParameter {
                name: "--samples".into(),
                reason: "the number of Monte-Carlo samples T must be at least 1".into(),
            });
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(Error::InvalidParameter {
                name: "--level".into(),
                reason: format!("the interval level must be in (0, 1), got {}", self.level),
            });
        }
        if self.chunk_rows == 0 || self.block == Some(0) {
            return Err(Error::InvalidParameter {
                name: "chunk size".into(),
                reason: "rows per task and passes per block must be positive".into(),
            });
        }
        Ok(())
    }
}

/// Runs T passes for every row of `x` (standardised) and maps each row's samples
/// (`T × n_outputs`, pass-major, in the network's units) through `f(row, samples)`, in
/// parallel on the current rayon pool. The output is in row order and does not depend on
/// the number of threads, `chunk_rows` or `block`.
pub fn mc_map<R, F>(net: &Network, x: ArrayView2<f64>, opts: &McOptions, f: F) -> Result<Vec<R>>
where
    R: Send,
    F: Fn(usize, &[f64]) -> R + Sync,
{
    opts.validate()?;
    if x.ncols() != net.n_inputs() {
        return Err(Error::Shape(format!(
            "the model expects {} features, the data has {}",
            net.n_inputs(),
            x.ncols()
        )));
    }
    if let Some(keys) = &opts.row_keys
        && keys.len() != x.nrows()
    {
        return Err(Error::Shape(format!(
            "{} row keys for {} rows",
            keys.len(),
            x.nrows()
        )));
    }
    let engine = Engine::new(net, opts.block.unwrap_or_else(|| default_block(net)));
    let t = opts.samples;
    let d = net.n_outputs();
    let n = x.nrows();
    let chunks: Vec<Vec<R>> = (0..n.div_ceil(opts.chunk_rows))
        .into_par_iter()
        .map_init(
            || (Workspace::default(), vec![0.0; t * d], Vec::new()),
            |(ws, out, row), c| {
                if crate::cancel::check(&opts.cancel).is_err() {
                    return Vec::new();
                }
                let rows = c * opts.chunk_rows..((c + 1) * opts.chunk_rows).min(n);
                rows.map(|r| {
                    row.clear();
                    row.extend(x.row(r).iter());
                    engine.row_samples(row, opts.seed, opts.key_of(r), t, ws, out);
                    f(r, out)
                })
                .collect()
            },
        )
        .collect();
    // A chunk skipped after cancellation is empty: report the interruption, never a
    // shortened result.
    crate::cancel::check(&opts.cancel)?;
    Ok(chunks.into_iter().flatten().collect())
}
