//! `mcdropout evaluate`: held-out figures of a saved model.

use super::common::{CliError, CliResult, Compute, emit, load_table, model_inputs};
use clap::Args;
use mcdropout::model::{self, Evaluation};
use mcdropout::predict::McOptions;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `mcdropout evaluate` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Model file written by `mcdropout train`.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Labelled test data: CSV or whitespace-separated, optional header line.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Target column: a header name or a 0-based index.
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// Monte-Carlo samples (stochastic passes) T per row, ≥ 1.
    #[arg(long, value_name = "T", default_value_t = 10_000)]
    samples: usize,
    /// Level of the central predictive interval whose coverage is reported, in (0, 1).
    #[arg(
        long,
        value_name = "LEVEL",
        default_value_t = 0.95,
        allow_negative_numbers = true
    )]
    level: f64,
    /// Print the figures as a JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Skip rows with empty, NaN or infinite cells instead of failing (reports how many).
    #[arg(long)]
    drop_missing: bool,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout evaluate`.
pub fn run(args: EvaluateArgs) -> CliResult<()> {
    let mut opts = McOptions::new(args.samples, args.compute.seed);
    opts.level = args.level;
    opts.validate()?;
    args.compute.validate()?;
    args.compute.run(|| {
        let model = model::load(&args.model)?;
        let table = load_table(&args.data, args.drop_missing)?;
        let (x, y) = model_inputs(&table, &model, Some(&args.target))?;
        let y = y.ok_or_else(|| CliError::Msg("internal: no target column".into()))?;
        let eval = model.evaluate(x.view(), y.view(), &opts)?;
        if args.json {
            let json = serde_json::to_string_pretty(&eval)
                .map_err(|e| CliError::Msg(format!("cannot encode the result as JSON: {e}")))?;
            emit(None, |w| writeln!(w, "{json}"))
        } else {
            let title = format!(
                "{} on {} (target {})",
                args.model.display(),
                args.data.display(),
                model.target_name
            );
            emit(None, |w| write_table(w, &title, &eval))
        }
    })
}

/// The figures as an aligned two-column table.
pub fn write_table(w: &mut dyn Write, title: &str, e: &Evaluation) -> std::io::Result<()> {
    writeln!(w, "{title}")?;
    let coverage = format!("coverage of {}% interval", (e.level * 1e4).round() / 1e2);
    let rows = [
        ("RMSE (deterministic pass)", format!("{:.4}", e.rmse)),
        ("MC RMSE", format!("{:.4}", e.mc_rmse)),
        ("MC test log-likelihood", format!("{:.4}", e.ll)),
        ("Gaussian log-likelihood", format!("{:.4}", e.ll_gaussian)),
        (coverage.as_str(), format!("{:.4}", e.coverage)),
        ("mean predictive std", format!("{:.4}", e.mean_std)),
        ("τ (noise precision)", format!("{}", e.tau)),
        ("n (test rows)", e.n.to_string()),
        ("T (MC samples)", e.samples.to_string()),
    ];
    for (name, value) in rows {
        writeln!(w, "  {name:<28} {value:>12}")?;
    }
    Ok(())
}
