//! `mcdropout evaluate`: held-out figures of a saved model.

use super::common::{CliError, CliResult, Compute, emit, invalid, model_xy, not_applicable};
use clap::Args;
use mcdropout::gp;
use mcdropout::model::{self, Evaluation};
use mcdropout::predict::McOptions;
use std::io::Write;
use std::path::PathBuf;

#[path = "evaluate_classify.rs"]
mod classify;
#[path = "evaluate_multi.rs"]
mod multi;
use super::task::{ModelTask, is_classifier};

/// Arguments of `mcdropout evaluate` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(mut_arg("seed", |a| a.help("Seed of the dropout masks of the Monte-Carlo passes (and of the ELBO's mask samples); the same seed gives the same figures for any --threads. A GP's evaluation uses no random numbers")))]
pub struct EvaluateArgs {
    /// Model file written by `mcdropout train` or `mcdropout gp`.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Labelled test data: CSV or whitespace-separated (optional header line), or Parquet.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Target column: a header name or a 0-based index (for a several-target model, all
    /// its targets, comma-separated).
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
    header: super::common::HeaderArg,
    #[command(flatten)]
    columns: super::raw_table::ScoreColumns,
    /// Take the model's features from the columns in order (every column except the
    /// target), ignoring the header's names. Without this flag a file with a header must
    /// name every feature of the model (in any order; other columns are ignored).
    #[arg(long)]
    by_position: bool,
    /// Also report the model's ELBO on these data (networks only; DESIGN §5): expected
    /// log-likelihood minus KL, in the network's standardised units.
    #[arg(long)]
    elbo: bool,
    /// Mask samples per point for the ELBO's expected log-likelihood, ≥ 1.
    #[arg(long, value_name = "S", default_value_t = 10, requires = "elbo")]
    elbo_samples: usize,
    /// `auto` (by the model file), `regress`, or `classify`: accuracy, NLL, Brier, ECE and
    /// MCE of the deterministic pass and of MC dropout, with mean entropy and mutual
    /// information; a regression model is then an error.
    #[arg(long, value_enum, default_value_t = ModelTask::Auto)]
    task: ModelTask,
    /// Classifiers: number of equal-width confidence bins of ECE / MCE (bin b holds the
    /// confidences in (b/B, (b+1)/B]; ECE = Σ_b (n_b/N) |accuracy_b − confidence_b|).
    #[arg(long, value_name = "B", default_value_t = 15)]
    bins: usize,
    /// Classifiers: also write the reliability diagram (deterministic and MC) to this
    /// .png or .svg file.
    #[arg(long, value_name = "FILE")]
    reliability: Option<PathBuf>,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout evaluate`.
pub fn run(args: EvaluateArgs) -> CliResult<()> {
    let mut opts = McOptions::new(args.samples, args.compute.seed);
    opts.level = args.level;
    opts.validate()?;
    args.compute.validate()?;
    if args.elbo_samples == 0 {
        return Err(invalid("--elbo-samples", "must be at least 1"));
    }
    if args.bins == 0 {
        return Err(super::common::invalid(
            "--bins",
            "must be at least 1, got 0",
        ));
    }
    if let Some(path) = &args.reliability {
        super::common::check_output_path(
            "--reliability",
            path,
            &[("--data", &args.data), ("--model", &args.model)],
        )?;
    }
    args.compute.run(|| {
        if is_classifier(args.task, &args.model)? {
            not_applicable(
                &["level", "elbo", "elbo_samples"],
                "they apply to regression models; a classifier reports accuracy, NLL, Brier, ECE and MCE",
            )?;
            return classify::run(&args, &opts);
        }
        if mcdropout::model::model_kind(&args.model)? == mcdropout::model::MULTI_KIND {
            return multi::run(&args, &opts);
        }
        if gp::model_kind(&args.model)? != gp::GP_KIND
            && mcdropout::methods::io::file_targets(&args.model)? > 1
        {
            return multi::run_methods(&args, &opts);
        }
        not_applicable(
            &["reliability", "bins"],
            "the reliability diagram and calibration bins are for classifiers; this is a regression model",
        )?;
        let is_gp = gp::model_kind(&args.model)? == gp::GP_KIND;
        if is_gp {
            not_applicable(
                &["samples"],
                "a GP's predictive is Gaussian in closed form, without Monte-Carlo samples",
            )?;
        }
        let table = super::raw_table::load_for_model(&args.data, &args.model, args.drop_missing, args.header.rule(), &args.columns)?;
        let mut tau_label = TAU_LABEL;
        let mut transform = mcdropout::model::TargetTransform::None;
        let (eval, elbo, target_name) = if is_gp {
            if args.elbo {
                return Err(invalid(
                    "--elbo",
                    "the ELBO is reported for dropout networks; a GP model's fit is its log marginal likelihood (printed by `mcdropout gp`)",
                ));
            }
            let model = gp::load_gp(&args.model)?;
            let (x, y, used) = model_xy(&table, &model.feature_names, &model.target_name, &args.target, args.by_position)?;
            (model.evaluate(x.view(), y.view(), args.level)?, None, used)
        } else if mcdropout::methods::io::file_is_method_model(&args.model)? {
            let model = mcdropout::methods::io::load(&args.model)?;
            if model.heteroscedastic {
                // No single τ: the noise variance is predicted per input.
                tau_label = "1 / mean predicted noise var";
            }
            if args.elbo {
                let why = if model.heteroscedastic {
                    "the ELBO here is defined with a fixed noise precision τ; this model is heteroscedastic (its noise variance is predicted per input)"
                } else {
                    "the ELBO is reported for fixed-rate MC-dropout networks; this model was made by another method"
                };
                return Err(invalid("--elbo", why));
            }
            let (x, y, used) = model_xy(&table, &model.feature_names, &model.target_name, &args.target, args.by_position)?;
            (model.evaluate(x.view(), y.view(), &opts)?, None, used)
        } else {
            let model = model::load(&args.model)?;
            transform = model.target_transform;
            if !transform.is_none() {
                tau_label = "τ (noise precision of z)";
            }
            let (x, y, used) = model_xy(&table, &model.feature_names, &model.target_name, &args.target, args.by_position)?;
            let at_line = |e| super::train::transform_error(&table, e);
            let eval = model.evaluate(x.view(), y.view(), &opts).map_err(at_line)?;
            let elbo = if args.elbo {
                Some(model.elbo(x.view(), y.view(), args.elbo_samples, args.compute.seed).map_err(at_line)?)
            } else {
                None
            };
            (eval, elbo, used)
        };
        if args.json {
            let mut value = serde_json::to_value(&eval)
                .map_err(|e| CliError::Msg(format!("cannot encode the result as JSON: {e}")))?;
            if let (Some(e), Some(obj)) = (&elbo, value.as_object_mut()) {
                obj.insert("elbo".into(), e.elbo.into());
                obj.insert("elbo_expected_log_likelihood".into(), e.expected_log_likelihood.into());
                obj.insert("elbo_kl".into(), e.kl.into());
                obj.insert("elbo_samples".into(), e.samples.into());
            }
            if let (false, Some(obj)) = (transform.is_none(), value.as_object_mut()) {
                obj.insert("target_transform".into(), transform.name().into());
            }
            let json = serde_json::to_string_pretty(&value)
                .map_err(|e| CliError::Msg(format!("cannot encode the result as JSON: {e}")))?;
            emit(None, |w| writeln!(w, "{json}"))
        } else {
            let title = format!(
                "{} on {} (target {})",
                args.model.display(),
                args.data.display(),
                target_name
            );
            emit(None, |w| {
                write_table(w, &title, &eval, tau_label)?;
                if !transform.is_none() {
                    writeln!(
                        w,
                        "  target transform: {transform} (the network models z = {transform}({target_name}); figures in the units of {target_name}, log-likelihoods with the Jacobian)"
                    )?;
                }
                if let Some(e) = &elbo {
                    write_elbo(w, e)?;
                }
                Ok(())
            })
        }
    })
}

/// The row label of the noise precision in the evaluation table.
const TAU_LABEL: &str = "τ (noise precision)";

/// The figures as an aligned two-column table, the noise row labelled `tau_label` (a
/// heteroscedastic model has no single τ; its row is the inverse of the mean predicted
/// noise variance).
pub fn write_table(
    w: &mut dyn Write,
    title: &str,
    e: &Evaluation,
    tau_label: &str,
) -> std::io::Result<()> {
    writeln!(w, "{title}")?;
    let coverage = format!("coverage of {}% interval", (e.level * 1e4).round() / 1e2);
    let f4 = super::common::fmt_value;
    // A GP (no Monte-Carlo samples) has one exact Gaussian predictive: one RMSE, one
    // log-likelihood, no T.
    let rows: Vec<(&str, String)> = if e.samples == 0 {
        vec![
            ("RMSE", f4(e.rmse)),
            ("test log-likelihood", f4(e.ll)),
            (coverage.as_str(), f4(e.coverage)),
            ("mean predictive std", f4(e.mean_std)),
            (tau_label, f4(e.tau)),
            ("n (test rows)", e.n.to_string()),
        ]
    } else {
        vec![
            ("RMSE (deterministic pass)", f4(e.rmse)),
            ("MC RMSE", f4(e.mc_rmse)),
            ("MC test log-likelihood", f4(e.ll)),
            ("Gaussian log-likelihood", f4(e.ll_gaussian)),
            (coverage.as_str(), f4(e.coverage)),
            ("mean predictive std", f4(e.mean_std)),
            (tau_label, f4(e.tau)),
            ("n (test rows)", e.n.to_string()),
            ("T (MC samples)", e.samples.to_string()),
        ]
    };
    for (name, value) in rows {
        writeln!(w, "  {name:<28} {value:>12}")?;
    }
    Ok(())
}

/// The ELBO figures, below the evaluation table.
fn write_elbo(w: &mut dyn Write, e: &mcdropout::elbo::Elbo) -> std::io::Result<()> {
    let rows = [
        ("ELBO (standardised units)", format!("{:.4}", e.elbo)),
        (
            "  expected log-likelihood",
            format!("{:.4}", e.expected_log_likelihood),
        ),
        ("  KL(q ‖ p)", format!("{:.4}", e.kl)),
        ("  mask samples per point", e.samples.to_string()),
    ];
    for (name, value) in rows {
        writeln!(w, "  {name:<28} {value:>12}")?;
    }
    Ok(())
}
