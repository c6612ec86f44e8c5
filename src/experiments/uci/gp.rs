//! Exact GP regression through Gal's UCI splits: no grid search; per split the kernel's
//! hyper-parameters and the noise maximise the marginal likelihood on the whole training
//! part, then the test part is scored (RMSE of the predictive mean, exact Gaussian test
//! log-likelihood). Reported like the network protocol: mean ± standard error over splits.

use super::UciDataset;
use super::protocol::{DatasetResult, SplitResult, UciConfig};
use crate::error::Result;
use crate::gp::GpParams;
use ndarray::Axis;
use rayon::prelude::*;
use std::time::Instant;

/// Settings of the GP on the UCI protocol.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UciGpConfig {
    /// Kernel expression (default `se`: squared exponential with one length-scale per
    /// feature).
    pub kernel: String,
    /// Random restarts besides the default start (default 0).
    pub restarts: usize,
    /// L-BFGS iterations per start (default 100).
    pub max_iter: usize,
}

impl Default for UciGpConfig {
    fn default() -> Self {
        Self {
            kernel: "se".into(),
            restarts: 0,
            max_iter: 100,
        }
    }
}

/// Runs the GP on the splits of `cfg` (seed and split selection are used; the grid and
/// epochs are not). In each [`SplitResult`] `dropout` is 0, `tau` is 1/σ_n² (original
/// units) and `grid` is empty; `steps` counts L-BFGS iterations.
pub fn run_dataset_gp(
    ds: &UciDataset,
    cfg: &UciConfig,
    gp: &UciGpConfig,
    on_job: &(dyn Fn() + Sync),
) -> Result<DatasetResult> {
    let start = Instant::now();
    let splits = cfg.selected_splits(ds)?;
    let per_split: Vec<(SplitResult, u64)> = splits
        .par_iter()
        .map(|&k| {
            let t0 = Instant::now();
            let (train, test) = &ds.splits[k];
            let params = GpParams {
                kernel: gp.kernel.clone(),
                restarts: gp.restarts,
                max_iter: gp.max_iter,
                seed: cfg.seed ^ (k as u64),
                ..GpParams::default()
            };
            let (x, y) = (&ds.x, &ds.y);
            let model = params.fit(
                x.select(Axis(0), train).view(),
                y.select(Axis(0), train).view(),
            )?;
            let test_eval = model.evaluate(
                x.select(Axis(0), test).view(),
                y.select(Axis(0), test).view(),
                0.95,
            )?;
            on_job();
            Ok((
                SplitResult {
                    split: k,
                    grid: Vec::new(),
                    dropout: 0.0,
                    tau: test_eval.tau,
                    test: test_eval,
                    seed: params.seed,
                    seconds: t0.elapsed().as_secs_f64(),
                },
                model.report.iterations as u64,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(DatasetResult::from_splits(&ds.name, per_split, start))
}
