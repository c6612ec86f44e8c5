//! The results files of a protocol run — results.json (every split and grid point),
//! summary.json (per dataset) and results.md (the table) — written the same way by
//! `mcdropout uci` and by the Python binding's Ray runner.

use super::protocol::{DatasetResult, MeanSe};
use super::report::markdown_table;
use crate::error::{Error, Result};
use crate::output::{Batch, Plan};
use serde::Serialize;
use std::path::Path;

/// What results.json records about a run besides its datasets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RunInfo {
    /// `net` or `gp`.
    pub model: String,
    /// Base seed.
    pub seed: u64,
    /// Epochs = n_epochs.txt × this.
    pub epochs_multiplier: f64,
    /// Monte-Carlo samples T.
    pub samples: usize,
    /// Hidden layers.
    pub layers: usize,
    /// Worker threads (or processes) that ran the jobs.
    pub jobs: usize,
    /// τ convention: `gal` or `standardised`.
    pub tau_units: String,
    /// Training float type: `f32` or `f64`.
    pub precision: String,
}

impl Default for RunInfo {
    fn default() -> Self {
        Self {
            model: "net".into(),
            seed: 0,
            epochs_multiplier: 100.0,
            samples: 10_000,
            layers: 1,
            jobs: 1,
            tau_units: "gal".into(),
            precision: "f32".into(),
        }
    }
}

#[derive(Serialize)]
struct Output<'a> {
    crate_version: &'static str,
    model: &'a str,
    seed: u64,
    epochs_multiplier: f64,
    samples: usize,
    layers: usize,
    jobs: usize,
    tau_units: &'a str,
    precision: &'a str,
    total_wall_seconds: f64,
    datasets: &'a [DatasetResult],
}

/// One dataset's headline figures (summary.json).
#[derive(Serialize)]
struct Summary<'a> {
    dataset: &'a str,
    n_splits: usize,
    rmse: MeanSe,
    mc_rmse: MeanSe,
    ll: MeanSe,
    wall_seconds: f64,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::InvalidParameter {
        name: "results".into(),
        reason: e.to_string(),
    })
}

/// The files [`write_results`] writes into its folder.
pub const RESULT_FILES: [&str; 3] = ["results.json", "summary.json", "results.md"];

/// Writes results.json, summary.json and results.md for `results` into the existing
/// folder `dir`: all three paths are checked first ([`Plan`]; a read-only results.md
/// means none is written), then staged and put in place together ([`Batch`]);
/// `total_wall_seconds` is the run's wall time so far.
pub fn write_results(
    dir: &Path,
    info: &RunInfo,
    total_wall_seconds: f64,
    results: &[DatasetResult],
) -> Result<()> {
    let out = Output {
        crate_version: env!("CARGO_PKG_VERSION"),
        model: &info.model,
        seed: info.seed,
        epochs_multiplier: info.epochs_multiplier,
        samples: info.samples,
        layers: info.layers,
        jobs: info.jobs,
        tau_units: &info.tau_units,
        precision: &info.precision,
        total_wall_seconds,
        datasets: results,
    };
    Plan::new().folder("out", dir, &RESULT_FILES).check()?;
    let mut batch = Batch::new();
    let text = json(&out)?;
    batch.add_bytes(&dir.join(RESULT_FILES[0]), text.as_bytes())?;
    let summary: Vec<Summary> = results
        .iter()
        .map(|r| Summary {
            dataset: &r.dataset,
            n_splits: r.n_splits,
            rmse: r.rmse,
            mc_rmse: r.mc_rmse,
            ll: r.ll,
            wall_seconds: r.wall_seconds,
        })
        .collect();
    let text = json(&summary)?;
    batch.add_bytes(&dir.join(RESULT_FILES[1]), text.as_bytes())?;
    let table = markdown_table(results);
    batch.add(&dir.join(RESULT_FILES[2]), |w| {
        writeln!(
            w,
            "{table}\ntotal wall time {total_wall_seconds:.1} s on {} threads",
            info.jobs
        )
    })?;
    batch.commit()
}
