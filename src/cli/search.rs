//! `mcdropout search`: choose the dropout rate and τ on a data file, then train on all of
//! it with the winner.

use super::common::{CliError, CliResult, Compute, emit, invalid, note};
use clap::Args;
use mcdropout::model;
use mcdropout::output::{Batch, Plan};
use mcdropout::prior::TauUnits;
use mcdropout::search::{
    DEFAULT_TARGET_STEPS, Epochs, GAL_DROPOUT_RATES, SearchConfig, Validation, report,
    search_with_progress,
};
use mcdropout::train::Precision;
use std::path::PathBuf;

/// Arguments of `mcdropout search` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  mcdropout dataset diabetes --out diabetes.csv\n  mcdropout search --data diabetes.csv --target progression --out diabetes.model"
)]
#[command(mut_arg("seed", |a| a.help("Seed of the validation split, every training and every Monte-Carlo pass; the final model is what `train --seed S` gives with the chosen p and τ")))]
pub struct SearchArgs {
    /// Data: CSV or whitespace-separated (optional header line), or Parquet.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Target column: a header name or a 0-based index.
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// Feature columns (names or 0-based indices, comma-separated) [default: every column
    /// except the target].
    #[arg(long, value_name = "C1,C2,...", value_delimiter = ',')]
    features: Option<Vec<String>>,
    /// Hidden layer widths, comma-separated.
    #[arg(
        long,
        value_name = "W1,W2,...",
        value_delimiter = ',',
        default_value = "50"
    )]
    hidden: Vec<usize>,
    /// Dropout rates to try [default: Gal's 0.005,0.01,0.05,0.1].
    #[arg(
        long,
        value_name = "P,..",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    grid_dropout: Option<Vec<f64>>,
    /// τ values to try, in --tau-units [default with standardised units: 1,2,4,…,128, i.e.
    /// a noise std from 100 % down to 9 % of the target's std; Gal's eight UCI τ grids,
    /// converted to standardised units, lie between 1.6 and 172].
    #[arg(
        long,
        value_name = "TAU,..",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    grid_tau: Option<Vec<f64>>,
    /// Units of the τ grid. `standardised` (recommended, the default here): τ is the noise
    /// precision of the standardised target, 1/(noise std / target std)², so one grid
    /// suits any dataset, and the same τ enters the weight decay and the likelihood (the
    /// consistent form, DESIGN §2). `gal`: τ in target units⁻², put into the weight decay
    /// as given, as Gal's code does (only to reproduce his grids); it needs a grid made
    /// for the dataset's scale, so --grid-tau is then required.
    #[arg(long, value_name = "UNITS", default_value = "standardised", value_parser = ["standardised", "gal"])]
    tau_units: String,
    /// Fraction of the rows held out (seeded random) to score each grid point.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.2,
        allow_negative_numbers = true,
        conflicts_with = "folds"
    )]
    validation_fraction: f64,
    /// Score each grid point by K-fold cross-validation instead (K trainings per point).
    #[arg(long, value_name = "K")]
    folds: Option<usize>,
    /// Epochs of every training; by default chosen to give --target-steps optimiser steps.
    #[arg(long, value_name = "N", conflicts_with = "target_steps")]
    epochs: Option<usize>,
    /// Optimiser steps per validation training, from which the epochs follow
    /// (≈ steps / ⌈rows / batch⌉). 10 000 is about what Gal's 4000 epochs give on the
    /// small UCI sets where his protocol was tuned; a fixed 40 epochs would be 160 steps
    /// on a 500-row set.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_TARGET_STEPS)]
    target_steps: u64,
    /// Minibatch size (≥ 1).
    #[arg(long, value_name = "B", default_value_t = 128)]
    batch: usize,
    /// At most this many rounds of widening the grid when the best point sits on its edge
    /// (each round adds one value beyond that edge of p and/or τ); 0 keeps the grid.
    #[arg(long, value_name = "N", default_value_t = 3)]
    max_widenings: usize,
    /// Monte-Carlo samples T per validation row (as Gal's protocol).
    #[arg(long, value_name = "T", default_value_t = 10_000)]
    samples: usize,
    /// Float type of the training arithmetic: f32 (default) or f64.
    #[arg(long, value_name = "TYPE", default_value = "f32", value_parser = ["f32", "f64"])]
    precision: String,
    /// Skip rows with empty, NaN or infinite cells instead of failing (reports how many).
    #[arg(long)]
    drop_missing: bool,
    #[command(flatten)]
    header: super::common::HeaderArg,
    #[command(flatten)]
    columns: super::raw_table::FitColumns,
    /// Search and train on a log scale of the target: `log` (every target > 0) or `log1p`
    /// (every target ≥ 0), as `train --target-transform`: the validation log-likelihood
    /// and RMSE are in the original units of the target (the log-likelihood with the
    /// Jacobian), and a standardised τ is relative to the std of the transformed target.
    #[arg(long, value_enum, default_value_t = super::train::TransformArg::None)]
    target_transform: super::train::TransformArg,
    #[command(flatten)]
    compute: Compute,
    /// Where to write the model trained on all rows with the winner (atomically).
    #[arg(long, value_name = "MODEL")]
    out: PathBuf,
    /// Where to write the JSON report of the search [default: MODEL.search.json].
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

impl SearchArgs {
    fn config(&self) -> CliResult<SearchConfig> {
        let mut cfg = SearchConfig::default();
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(invalid(
                "--hidden",
                format!(
                    "every hidden layer needs at least one unit, got {:?}",
                    self.hidden
                ),
            ));
        }
        cfg.base.hidden = self.hidden.clone();
        cfg.base.target_transform = self.target_transform.transform();
        cfg.base.train.batch_size = self.batch;
        if self.batch == 0 {
            return Err(invalid(
                "--batch",
                "the batch size must be at least 1, got 0",
            ));
        }
        cfg.base.train.precision = if self.precision == "f64" {
            Precision::F64
        } else {
            Precision::F32
        };
        cfg.base.tau_units = if self.tau_units == "gal" {
            if self.grid_tau.is_none() {
                return Err(invalid(
                    "--grid-tau",
                    "with --tau-units gal, τ is in target units⁻² and depends on the target's scale: give --grid-tau (or use --tau-units standardised, whose default grid suits any dataset)",
                ));
            }
            TauUnits::Gal
        } else {
            TauUnits::Standardised
        };
        cfg.dropout_rates = self
            .grid_dropout
            .clone()
            .unwrap_or(GAL_DROPOUT_RATES.to_vec());
        if let Some(t) = &self.grid_tau {
            cfg.tau_values = t.clone();
        }
        cfg.validation = match self.folds {
            Some(k) => Validation::Folds(k),
            None => Validation::Holdout(self.validation_fraction),
        };
        cfg.epochs = match self.epochs {
            Some(e) => Epochs::Fixed(e),
            None => Epochs::Steps(self.target_steps),
        };
        cfg.max_widenings = self.max_widenings;
        cfg.samples = self.samples;
        cfg.seed = self.compute.seed;
        cfg.validate()?;
        if let Validation::Holdout(f) = cfg.validation
            && !(f > 0.0 && f < 1.0)
        {
            return Err(invalid(
                "--validation-fraction",
                format!("must be in (0, 1), got {f}"),
            ));
        }
        if let Validation::Folds(k) = cfg.validation
            && k < 2
        {
            return Err(invalid(
                "--folds",
                format!("K-fold cross-validation needs K ≥ 2, got {k}"),
            ));
        }
        Ok(cfg)
    }
}

/// Runs `mcdropout search`.
pub fn run(args: SearchArgs) -> CliResult<()> {
    let cfg = args.config()?;
    args.compute.validate()?;
    let report_path = args.report.clone().unwrap_or_else(|| {
        let mut s = args.out.clone().into_os_string();
        s.push(".search.json");
        PathBuf::from(s)
    });
    let report_flag = if args.report.is_some() {
        "--report"
    } else {
        "--report (default MODEL.search.json)"
    };
    Plan::new()
        .input("--data", &args.data)
        .output("--out", &args.out)
        .output(report_flag, &report_path)
        .check()?;
    args.compute.run(|| {
        let fit = super::raw_table::load_for_fit(
            &args.data,
            args.drop_missing,
            args.header.rule(),
            &args.columns,
            &args.target,
            args.features.as_deref(),
        )?;
        let table = &fit.table;
        let (x, y, names, target) =
            table.features_and_target(&args.target, fit.features.as_deref())?;
        let mut cfg = cfg.clone();
        cfg.base.feature_names = Some(names);
        cfg.base.target_name = Some(target.clone());
        note!(
            "searching p × τ on {} rows × {} features → {target} ({} widening rounds at most)",
            x.nrows(),
            x.ncols(),
            cfg.max_widenings
        );
        let (model, rep) = search_with_progress(x.view(), y.view(), &cfg, &|p| {
            note!(
                "  p {} τ {}: val LL {:.4}, val RMSE {:.4} ({:.2} s)",
                p.dropout,
                p.tau,
                p.val_ll,
                p.val_rmse,
                p.seconds
            );
        })
        .map_err(|e| match e {
            mcdropout::Error::TooFewRows { .. }
            | mcdropout::Error::ConstantTarget { .. }
            | mcdropout::Error::Spread { .. } => {
                CliError::Msg(format!("{}: {e}", args.data.display()))
            }
            e => super::train::transform_error(table, e),
        })?;
        let json = serde_json::to_string_pretty(&rep)
            .map_err(|e| CliError::Msg(format!("cannot encode the report: {e}")))?;
        // The model and the report are staged together: a failure writing either leaves
        // neither (a report going to a device or stream is written before the renames).
        let mut batch = Batch::new();
        let mut model = model;
        model.encoding = fit.encoding.clone();
        batch.add_bytes(&args.out, &model::to_bytes(&model, &args.out)?)?;
        batch.add(&report_path, |w| writeln!(w, "{json}"))?;
        batch.commit()?;
        let table = report::markdown(&rep);
        emit(None, |w| write!(w, "{table}"))?;
        note!(
            "model written to {}, report to {}",
            args.out.display(),
            report_path.display()
        );
        Ok(())
    })
}
