//! `mcdropout predict --samples-out / --draws-out`: the raw Monte-Carlo passes and the
//! predictive draws of every row as `.npy` arrays (float64, C order), as the Python
//! binding's `predict_distribution(..., return_samples=True)` returns them.

use super::super::common::{CliResult, check_output_path, invalid};
use clap::Args;
use mcdropout::output::write_atomic;
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
    #[arg(long, value_name = "FILE.npy")]
    pub samples_out: Option<PathBuf>,
    /// Write predictive draws ŷ_t + ε, ε ~ N(0, τ⁻¹), one per pass, as a T × N float64
    /// `.npy` array (regression networks only).
    #[arg(long, value_name = "FILE.npy")]
    pub draws_out: Option<PathBuf>,
}

impl SampleOutputs {
    /// Whether any array was asked for.
    pub fn wanted(&self) -> bool {
        self.samples_out.is_some() || self.draws_out.is_some()
    }

    /// Checks the paths (distinct from each other, from `--out` and from the inputs, in
    /// existing folders).
    pub fn validate(&self, out: Option<&Path>, data: &Path, model: &Path) -> CliResult<()> {
        for (name, path) in [
            ("--samples-out", &self.samples_out),
            ("--draws-out", &self.draws_out),
        ] {
            if let Some(p) = path {
                check_output_path(name, p, &[("--data", data), ("--model", model)])?;
                if Some(p.as_path()) == out {
                    return Err(invalid(name, format!("{} is also --out", p.display())));
                }
            }
        }
        if let (Some(a), Some(b)) = (&self.samples_out, &self.draws_out)
            && a == b
        {
            return Err(invalid(
                "--draws-out",
                format!("{} is also --samples-out", a.display()),
            ));
        }
        Ok(())
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

/// Writes `array` to `path` as `.npy`, atomically.
pub fn write_npy<S: Data<Elem = f64>, D: Dimension>(
    path: &Path,
    array: &ArrayBase<S, D>,
) -> CliResult<()> {
    Ok(write_atomic(path, |w| {
        array
            .write_npy(w)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })?)
}
