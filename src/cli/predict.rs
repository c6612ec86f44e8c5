//! `mcdropout predict`: MC-dropout predictions of a saved model for the rows of a file.

use super::common::{CliResult, Compute, emit, model_x, not_applicable};
use clap::{Args, ValueEnum};
use mcdropout::predict::McOptions;
use mcdropout::{gp, model};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[path = "predict_classify.rs"]
mod classify;
#[path = "predict_keys.rs"]
mod keys;
#[path = "predict_multi.rs"]
mod multi;
#[path = "predict_samples.rs"]
mod samples;
use super::task::{ModelTask, is_classifier};
use samples::SampleOutputs;

/// Arguments of `mcdropout predict` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(mut_arg("seed", |a| a.help("Seed of the dropout masks of the Monte-Carlo passes (the same seed gives the same predictions for any --threads; a GP's prediction uses no random numbers)")))]
pub struct PredictArgs {
    /// Model file written by `mcdropout train` or `mcdropout gp`.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Input rows: CSV or whitespace-separated, optional header line.
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
    /// Output format: CSV with a header line, or a JSON array of objects.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[derive(Serialize)]
struct Row {
    mean: f64,
    std: f64,
    epistemic_std: f64,
    aleatoric_std: f64,
    lower: f64,
    upper: f64,
}

const COLUMNS: &str = "mean,std,epistemic_std,aleatoric_std,lower,upper";

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
        let is_gp = gp::model_kind(&args.model)? == gp::GP_KIND;
        if is_gp {
            not_applicable(
                &["samples", "key_column"],
                "a GP's predictive is Gaussian in closed form, without Monte-Carlo samples (so no masks to key by row)",
            )?;
        }
        let (table, opts) = args
            .keys
            .apply(super::raw_table::load_for_model(&args.data, &args.model, args.drop_missing, args.header.rule(), &args.columns)?, &opts)?;
        if !is_gp && mcdropout::methods::io::file_is_method_model(&args.model)? {
            if args.arrays.wanted() {
                return Err(super::common::invalid(
                    "--samples-out",
                    "does not apply to a Concrete-dropout, heteroscedastic or ensemble model: its predictive is a mixture of Gaussians, reported by its moments",
                ));
            }
            let model = mcdropout::methods::io::load(&args.model)?;
            let x = model_x(&table, &model.feature_names, std::slice::from_ref(&model.target_name), args.by_position)?;
            let pred = model.predict_mc(x.view(), &opts)?;
            let rows: Vec<Row> = (0..pred.mean.len())
                .map(|i| Row {
                    mean: pred.mean[i],
                    std: pred.std[i],
                    epistemic_std: pred.epistemic_var[i].max(0.0).sqrt(),
                    aleatoric_std: pred.aleatoric_var[i].sqrt(),
                    lower: pred.lower[i],
                    upper: pred.upper[i],
                })
                .collect();
            return emit(args.out.as_deref(), |w| match args.format {
                Format::Csv => write_csv(w, &rows),
                Format::Json => write_json(w, &rows),
            });
        }
        let pred = if is_gp {
            // A GP's predictive is Gaussian in closed form: --samples does not apply.
            if args.arrays.wanted() {
                return Err(super::common::invalid(
                    "--samples-out",
                    "a Gaussian process has no Monte-Carlo passes (its predictive is Gaussian in closed form)",
                ));
            }
            let model = gp::load_gp(&args.model)?;
            let x = model_x(&table, &model.feature_names, std::slice::from_ref(&model.target_name), args.by_position)?;
            model.predict(x.view(), args.level)?
        } else {
            let model = model::load(&args.model)?;
            let x = model_x(&table, &model.feature_names, std::slice::from_ref(&model.target_name), args.by_position)?;
            args.arrays.check_size(opts.samples, x.nrows(), 1)?;
            model.predict_mc(x.view(), &opts)?
        };
        let mut batch = mcdropout::output::Batch::new();
        if let (Some(path), Some(s)) = (&args.arrays.samples_out, &pred.samples) {
            samples::stage_npy(&mut batch, path, s)?;
        }
        if let (Some(path), Some(d)) = (&args.arrays.draws_out, &pred.draws) {
            samples::stage_npy(&mut batch, path, d)?;
        }
        let rows: Vec<Row> = (0..pred.mean.len())
            .map(|i| Row {
                mean: pred.mean[i],
                std: pred.std[i],
                epistemic_std: pred.epistemic_var[i].max(0.0).sqrt(),
                aleatoric_std: pred.aleatoric_var_at(i).sqrt(),
                lower: pred.lower[i],
                upper: pred.upper[i],
            })
            .collect();
        samples::emit_all(batch, args.out.as_deref(), |w| match args.format {
            Format::Csv => write_csv(w, &rows),
            Format::Json => write_json(w, &rows),
        })
    })
}

fn write_csv(w: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(w, "{COLUMNS}")?;
    for r in rows {
        writeln!(
            w,
            "{},{},{},{},{},{}",
            r.mean, r.std, r.epistemic_std, r.aleatoric_std, r.lower, r.upper
        )?;
    }
    Ok(())
}

fn write_json(w: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(w, "[")?;
    for (i, r) in rows.iter().enumerate() {
        let sep = if i + 1 < rows.len() { "," } else { "" };
        writeln!(w, "  {}{sep}", serde_json::to_string(r)?)?;
    }
    writeln!(w, "]")
}
