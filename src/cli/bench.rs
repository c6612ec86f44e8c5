//! `mcdropout bench`: the cost of one complete training run and one T-sample MC
//! evaluation per UCI dataset (split 0), with the cost per optimiser step and per pass.

use super::common::{CliResult, emit, invalid};
use clap::Args;
use mcdropout::model::{Noise, RegressorParams};
use mcdropout::predict::McOptions;
use ndarray::Axis;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `mcdropout bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folder in the layout of Gal's UCI_Datasets.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Datasets (comma-separated) [default: the eight of ../shared/data].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    dataset: Vec<String>,
    /// Epochs = n_epochs.txt × this (100 as published).
    #[arg(long, value_name = "M", default_value_t = 100.0)]
    epochs_multiplier: f64,
    /// Monte-Carlo samples T.
    #[arg(long, value_name = "T", default_value_t = 10_000)]
    samples: usize,
    /// Worker threads for the MC evaluation [default: all cores]; training is one thread.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// Runs `mcdropout bench`.
pub fn run(args: BenchArgs) -> CliResult<()> {
    if args.samples == 0 {
        return Err(invalid("--samples", "must be at least 1"));
    }
    if args.epochs_multiplier.is_nan() || args.epochs_multiplier <= 0.0 {
        return Err(invalid("--epochs-multiplier", "must be positive"));
    }
    let datasets = super::uci::load_datasets(&args.root, &args.dataset)?;
    let pool = super::common::thread_pool(args.threads)?;
    let mut rows = Vec::new();
    for ds in &datasets {
        let (train, test) = &ds.splits[0];
        let mut params = RegressorParams::default();
        params.hidden = vec![ds.n_hidden];
        params.dropout = ds.dropout_rates[ds.dropout_rates.len() / 2];
        params.noise = Noise::Tau(ds.tau_values[ds.tau_values.len() / 2]);
        params.train.epochs =
            ((ds.n_epochs as f64 * args.epochs_multiplier).round() as usize).max(1);
        let t0 = Instant::now();
        let model = params.fit(
            ds.x.select(Axis(0), train).view(),
            ds.y.select(Axis(0), train).view(),
        )?;
        let train_s = t0.elapsed().as_secs_f64();
        let (xt, yt) = (ds.x.select(Axis(0), test), ds.y.select(Axis(0), test));
        let t1 = Instant::now();
        let e = pool
            .install(|| model.evaluate(xt.view(), yt.view(), &McOptions::new(args.samples, 0)))?;
        let mc_s = t1.elapsed().as_secs_f64();
        let passes = (args.samples * test.len()) as f64;
        rows.push(format!(
            "| {} | {} | {} | {:.2} | {:.2} | {} | {:.3} | {:.1} | {:.3} |",
            ds.name,
            train.len(),
            model.report.steps,
            train_s,
            train_s * 1e6 / model.report.steps as f64,
            test.len(),
            mc_s,
            mc_s * 1e9 / passes,
            e.ll
        ));
    }
    let threads = pool.current_num_threads();
    emit(None, |w| {
        writeln!(
            w,
            "| dataset | train rows | steps | train s | µs/step | test rows | MC s (T = {}, {threads} threads) | ns/pass | test LL |",
            args.samples
        )?;
        writeln!(w, "|---|---|---|---|---|---|---|---|---|")?;
        for r in &rows {
            writeln!(w, "{r}")?;
        }
        Ok(())
    })
}
