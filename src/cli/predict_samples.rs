//! `mcdropout predict --samples-out / --draws-out`: the raw Monte-Carlo passes and the
//! predictive draws of every row as `.npy` arrays (float64, C order), as the Python
//! binding's `predict_distribution(..., return_samples=True)` returns them.

use super::super::common::{CliResult, emit, invalid};
use clap::Args;
use mcdropout::output::{Batch, Plan};
use ndarray::{ArrayBase, Data, Dimension};
use ndarray_npy::WriteNpyExt;
use std::path::{Path, PathBuf};

/// Values (8 bytes each) a kept-samples array may hold: 2³⁰ values = 8 GiB.
const MAX_VALUES: u128 = 1 << 30;

/// Where to write the raw passes and predictive draws.
#[derive(Debug, Args)]
pub struct SampleOutputs {
    /// Write the raw stochastic outputs as a T × N float64 `.npy` array (row t, column i:
    /// pass t of input row i, in target units; for a classifier T × N × C softmax
    /// outputs). Bit-identical to the Python binding's `samples` for the same seed and T.
    /// For a model trained with --target-transform, g⁻¹ of each pass's output: in the
    /// target's units, the median of that pass's log-normal (not its mean).
    #[arg(long, value_name = "FILE.npy")]
    pub samples_out: Option<PathBuf>,
    /// Write predictive draws ŷ_t + ε, ε ~ N(0, τ⁻¹), one per pass, as a T × N float64
    /// `.npy` array (regression networks only; with --target-transform g⁻¹(ŷ_t + ε), in
    /// the target's units).
    #[arg(long, value_name = "FILE.npy")]
    pub draws_out: Option<PathBuf>,
}

impl SampleOutputs {
    /// Whether any array was asked for.
    pub fn wanted(&self) -> bool {
        self.samples_out.is_some() || self.draws_out.is_some()
    }

    /// Checks every output path together (`--out` too): writable, none of them the data
    /// or the model, no two the same file ([`Plan`]).
    pub fn validate(&self, out: Option<&Path>, data: &Path, model: &Path) -> CliResult<()> {
        let mut plan = Plan::new();
        plan.input("--data", data).input("--model", model);
        for (name, path) in [
            ("--out", out),
            ("--samples-out", self.samples_out.as_deref()),
            ("--draws-out", self.draws_out.as_deref()),
        ] {
            if let Some(p) = path {
                plan.output(name, p);
            }
        }
        Ok(plan.check()?)
    }

    /// Refuses arrays of more than 2³⁰ values before anything is computed.
    pub fn check_size(&self, samples: usize, rows: usize, outputs: usize) -> CliResult<()> {
        let values = samples as u128 * rows as u128 * outputs as u128;
        if self.wanted() && values > MAX_VALUES {
            let flag = if self.samples_out.is_some() {
                "--samples-out"
            } else {
                "--draws-out"
            };
            return Err(invalid(
                flag,
                format!(
                    "T × rows{} = {values} values ({:.1} GiB) exceeds the limit of 2^30 values (8 GiB); lower --samples or split the data",
                    if outputs > 1 { " × classes" } else { "" },
                    values as f64 * 8.0 / (1u64 << 30) as f64
                ),
            ));
        }
        Ok(())
    }
}

/// Stages `array` for `path` as `.npy` in `batch`.
pub fn stage_npy<S: Data<Elem = f64>, D: Dimension>(
    batch: &mut Batch,
    path: &Path,
    array: &ArrayBase<S, D>,
) -> CliResult<()> {
    Ok(batch.add(path, |w| {
        array
            .write_npy(w)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })?)
}

/// Stages what `fill` writes for `--out` after the arrays in `batch` and puts them all in
/// place together; without `--out` the arrays are put in place, then `fill` writes to
/// standard output.
pub fn emit_all(
    mut batch: Batch,
    out: Option<&Path>,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> CliResult<()> {
    match out {
        Some(path) => {
            batch.add(path, fill)?;
            Ok(batch.commit()?)
        }
        None => {
            batch.commit()?;
            emit(None, fill)
        }
    }
}
