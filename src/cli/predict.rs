//! `mcdropout predict`: MC-dropout predictions of a saved model for the rows of a file.

use super::common::{CliResult, Compute, not_applicable};
use clap::{Args, ValueEnum};
use mcdropout::predict::McOptions;
use mcdropout::{gp, model};
use std::path::PathBuf;

#[path = "predict_classify.rs"]
mod classify;
#[path = "predict_keys.rs"]
mod keys;
#[path = "predict_multi.rs"]
mod multi;
#[path = "predict_samples.rs"]
mod samples;
#[path = "predict_single.rs"]
mod single;
use super::task::{ModelTask, is_classifier};
use samples::SampleOutputs;

/// Arguments of `mcdropout predict` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(mut_arg("seed", |a| a.help("Seed of the dropout masks of the Monte-Carlo passes (the same seed gives the same predictions for any --threads; a GP's prediction uses no random numbers)")))]
pub struct PredictArgs {
    /// Model file written by `mcdropout train` or `mcdropout gp`.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Input rows: CSV or whitespace-separated (optional header line), or Parquet (scored part
    /// by part in bounded memory when written to --out).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Monte-Carlo samples (stochastic passes) T per row, ≥ 1.
    #[arg(long, value_name = "T", default_value_t = 10_000)]
    samples: usize,
    /// Level of the central predictive interval, in (0, 1).
    #[arg(
        long,
        value_name = "LEVEL",
        default_value_t = 0.95,
        allow_negative_numbers = true
    )]
    level: f64,
    /// Output format: CSV with a header line, a JSON array of objects, or Parquet
    /// [default: parquet when --out ends in .parquet or .pq, else csv].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Output file (written atomically; the folder must exist) [default: stdout].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Skip rows with empty, NaN or infinite cells instead of failing (reports how many).
    #[arg(long)]
    drop_missing: bool,
    #[command(flatten)]
    header: super::common::HeaderArg,
    #[command(flatten)]
    columns: super::raw_table::ScoreColumns,
    /// Take the model's features from the columns in order (every column except the
    /// target), ignoring the header's names. Without this flag a file with a header must
    /// name every feature of the model (in any order; other columns are ignored).
    #[arg(long)]
    by_position: bool,
    /// `auto` (by the model file), `regress`, or `classify`: class probabilities (columns
    /// p_<label> for every class, class, entropy, mutual_info, variation_ratio); a
    /// regression model is then an error.
    #[arg(long, value_enum, default_value_t = ModelTask::Auto)]
    task: ModelTask,
    #[command(flatten)]
    keys: keys::KeyColumn,
    #[command(flatten)]
    arrays: SampleOutputs,
    #[command(flatten)]
    compute: Compute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Json,
    Parquet,
}

impl PredictArgs {
    /// `--format`, or what the name of `--out` says.
    fn format(&self) -> Format {
        self.format.unwrap_or_else(|| {
            let by_name = self
                .out
                .as_deref()
                .and_then(|p| p.extension())
                .and_then(|e| e.to_str());
            match by_name {
                Some(e) if e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq") => {
                    Format::Parquet
                }
                _ => Format::Csv,
            }
        })
    }
}

/// Runs `mcdropout predict`.
pub fn run(args: PredictArgs) -> CliResult<()> {
    let mut opts = McOptions::new(args.samples, args.compute.seed);
    opts.level = args.level;
    opts.validate()?;
    args.compute.validate()?;
    args.arrays
        .validate(args.out.as_deref(), &args.data, &args.model)?;
    opts.keep_samples = args.arrays.wanted();
    opts.predictive_draws = args.arrays.draws_out.is_some();
    args.compute.run(|| {
        if is_classifier(args.task, &args.model)? {
            not_applicable(
                &["level"],
                "a classifier's output is class probabilities, with no interval",
            )?;
            return classify::run(&args, &opts);
        }
        if model::model_kind(&args.model)? == model::MULTI_KIND {
            return multi::run(&args, &opts);
        }
        if gp::model_kind(&args.model)? != gp::GP_KIND
            && mcdropout::methods::io::file_targets(&args.model)? > 1
        {
            return multi::run_methods(&args, &opts);
        }
        single::run(&args, &opts)
    })
}
