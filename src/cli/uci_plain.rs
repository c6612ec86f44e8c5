//! `mcdropout uci --data FILE --target COL`: Gal's protocol on a plain data file with
//! seeded random splits (no hand-built folder layout).

use super::common::{CliResult, note};
use clap::Args;
use mcdropout::experiments::uci::UciDataset;
use mcdropout::search::DEFAULT_TARGET_STEPS;
use std::path::PathBuf;

/// The plain-file options of `mcdropout uci`.
#[derive(Debug, Args)]
pub struct PlainArgs {
    /// A plain data file (CSV or whitespace with optional header, or Parquet) instead of --root: the
    /// protocol runs on --random-splits seeded random splits, with Gal's dropout grid and
    /// τ grid 1,2,…,128 in standardised units (--tau-units defaults to standardised here;
    /// the results list τ in target units⁻²), 50 hidden units and epochs from
    /// --target-steps (--epochs-multiplier defaults to 1 here).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["root", "dataset", "all"], requires = "target")]
    pub data: Option<PathBuf>,
    /// Target column of --data: a header name or a 0-based index.
    #[arg(long, value_name = "COLUMN", requires = "data")]
    pub target: Option<String>,
    /// Feature columns of --data [default: every column except the target].
    #[arg(
        long,
        value_name = "C1,C2,...",
        value_delimiter = ',',
        requires = "data"
    )]
    pub features: Option<Vec<String>>,
    #[command(flatten)]
    pub header: super::common::HeaderArg,
    #[command(flatten)]
    pub columns: super::raw_table::FitColumns,
    /// Number of seeded random splits of --data.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "data")]
    pub random_splits: usize,
    /// Fraction of the rows of --data in each split's test part.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.1,
        allow_negative_numbers = true,
        requires = "data"
    )]
    pub test_fraction: f64,
    /// Optimiser steps per validation training of --data, from which the epochs follow.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_TARGET_STEPS, requires = "data")]
    pub target_steps: u64,
    /// Every network models log y (`log`, targets > 0) or log(1 + y) (`log1p`, ≥ 0), as
    /// `train --target-transform`: RMSE, log-likelihood (with the Jacobian) and coverage
    /// stay in the target's units, and the standardised τ grid is relative to the std of
    /// the transformed target. Only with --data and the MC-dropout protocol.
    #[arg(long, value_enum, default_value_t = super::train::TransformArg::None, requires = "data")]
    pub target_transform: super::train::TransformArg,
}

/// The dataset of `--data`, split as the options say (seeded by `seed`).
/// `grid_tau` (standardised units) replaces the default τ grid.
pub fn load(
    args: &PlainArgs,
    data: &std::path::Path,
    seed: u64,
    grid_tau: Option<&[f64]>,
) -> CliResult<UciDataset> {
    let target = args.target.as_deref().unwrap_or("");
    // The encoding (categories, imputed means) is fitted on the whole file, before the
    // splits: it uses no target, but imputed means see the test rows' features.
    let fit = super::raw_table::load_for_fit(
        data,
        false,
        args.header.rule(),
        &args.columns,
        target,
        args.features.as_deref(),
    )?;
    let (x, y, _, _) = fit
        .table
        .features_and_target(target, fit.features.as_deref())?;
    let transform = args.target_transform.transform();
    transform
        .check_target(y.view(), target)
        .map_err(|e| super::train::transform_error(&fit.table, e))?;
    let name = data
        .file_stem()
        .map_or_else(|| "data".to_owned(), |s| s.to_string_lossy().into_owned());
    let ds = mcdropout::search::plain::plain_dataset(
        &name,
        x,
        y,
        args.random_splits,
        args.test_fraction,
        seed,
        args.target_steps,
        128,
        grid_tau.unwrap_or(&[]),
        transform,
    )?;
    note!(
        "{name}: {} rows, {} random splits ({} test rows each), {} epochs per training",
        ds.x.nrows(),
        ds.splits.len(),
        ds.splits[0].1.len(),
        ds.n_epochs
    );
    Ok(ds)
}
