//! `mcdropout gp`: fit an exact Gaussian-process regression to a data file and save it.

use super::common::{CliError, CliResult, Compute, check_output_path, fmt_seconds, invalid, note};
use clap::Args;
use mcdropout::gp::{GpParams, parse_kernel, save_gp};
use std::path::PathBuf;

/// Arguments of `mcdropout gp` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  mcdropout gp --data co2.csv --target ppmv --kernel se+periodic --out co2.gp"
)]
#[command(mut_arg("seed", |a| a.help("Seed of the random restarts' starting points of the hyper-parameter search")))]
pub struct GpArgs {
    /// Training data: CSV or whitespace-separated (optional header line), or Parquet.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Target column: a header name or a 0-based index.
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// Feature columns (names or 0-based indices, comma-separated) [default: every column
    /// except the target].
    #[arg(long, value_name = "C1,C2,...", value_delimiter = ',')]
    features: Option<Vec<String>>,
    /// Kernel expression: names joined by + and *, with parentheses; names: se (rbf),
    /// matern32, matern52, periodic, linear, white, constant, arccos0, arccos1.
    #[arg(long, value_name = "EXPR", default_value = "se")]
    kernel: String,
    /// Random restarts of the marginal-likelihood optimiser besides the default start.
    #[arg(long, value_name = "R", default_value_t = 2)]
    restarts: usize,
    /// L-BFGS iterations per start, ≥ 1.
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_iter: usize,
    /// Output model file (written atomically; the folder must exist).
    #[arg(long, value_name = "MODEL")]
    out: PathBuf,
    /// Skip rows with empty, NaN or infinite cells instead of failing (reports how many).
    #[arg(long)]
    drop_missing: bool,
    #[command(flatten)]
    header: super::common::HeaderArg,
    #[command(flatten)]
    columns: super::raw_table::FitColumns,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout gp`.
pub fn run(args: GpArgs) -> CliResult<()> {
    // Check the kernel and the output before reading data.
    parse_kernel(&args.kernel, 1)?;
    if args.max_iter == 0 {
        return Err(invalid("--max-iter", "must be at least 1"));
    }
    check_output_path("--out", &args.out, &[("--data", &args.data)])?;
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
        let mut params = GpParams::default();
        params.kernel = args.kernel.clone();
        params.restarts = args.restarts;
        params.max_iter = args.max_iter;
        params.seed = args.compute.seed;
        params.feature_names = Some(names);
        params.target_name = Some(target);
        let began = std::time::Instant::now();
        let n = x.nrows();
        let mut progress = |k: usize, of: usize| {
            note!(
                "[{}] fitting on {n} rows: starting point {k} of {of}",
                fmt_seconds(began.elapsed().as_secs_f64())
            );
        };
        let model = params
            .fit_with_progress(x.view(), y.view(), &mut progress)
            .map_err(|e| match e {
            mcdropout::Error::TooFewRows { .. }
            | mcdropout::Error::ConstantTarget { .. }
            | mcdropout::Error::Spread { .. } => {
                CliError::Msg(format!("{}: {e}", args.data.display()))
            }
            e => e.into(),
        })?;
        let mut model = model;
        model.encoding = fit.encoding.clone();
        save_gp(&model, &args.out)?;
        let r = &model.report;
        note!(
            "fitted GP ({}) on {} rows in {}: log marginal likelihood {:.4} (standardised units), {} L-BFGS iterations over {} starts",
            args.kernel,
            x.nrows(),
            fmt_seconds(r.seconds),
            r.log_marginal_likelihood,
            r.iterations,
            r.starts
        );
        if r.jitter > 0.0 {
            note!("note: the kernel matrix needed jitter {:e} on its diagonal", r.jitter);
        }
        for (name, v) in model.parameters() {
            note!("  {name:<28} {v:.6}");
        }
        note!("noise variance (target units): {:.6}; saved {}", model.noise_var(), args.out.display());
        Ok(())
    })
}
