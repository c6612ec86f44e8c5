//! `mcdropout evaluate --target a,b,…` with a several-target model: per-target RMSE, MC
//! RMSE, log-likelihood and coverage, and the joint log-likelihoods.

use super::super::common::{CliError, CliResult, emit, model_xys, not_applicable};
use super::EvaluateArgs;
use mcdropout::model::load_multi;
use mcdropout::predict::McOptions;
use std::io::Write;

/// Runs `evaluate` on a several-target model.
pub(super) fn run(args: &EvaluateArgs, opts: &McOptions) -> CliResult<()> {
    not_applicable(
        &["elbo", "elbo_samples", "reliability", "bins"],
        "they apply to single-target networks and classifiers",
    )?;
    let model = load_multi(&args.model)?;
    let (x, y, used) = inputs(args, &model.feature_names, &model.target_names)?;
    let mut e = model.evaluate(x.view(), y.view(), opts)?;
    e.targets = e
        .targets
        .iter()
        .zip(&used)
        .map(|(m, u)| label(m, u))
        .collect();
    report(args, &e, "τ (standardised units)")
}

/// Runs `evaluate --target a,b,…` on a several-target method model (heteroscedastic head,
/// Concrete dropout, ensemble); the per-target log-likelihood is that target's marginal
/// mixture, the joint one the D-dimensional mixture of diagonal Gaussians.
pub(super) fn run_methods(args: &EvaluateArgs, opts: &McOptions) -> CliResult<()> {
    not_applicable(
        &["elbo", "elbo_samples", "reliability", "bins"],
        "they apply to fixed-τ single-target networks and classifiers; this model is heteroscedastic",
    )?;
    let model = mcdropout::methods::io::load_multi(&args.model)?;
    let (x, y, used) = inputs(args, &model.feature_names, &model.target_names)?;
    let mut e = model.evaluate(x.view(), y.view(), opts)?;
    e.targets = e
        .targets
        .iter()
        .zip(&used)
        .map(|(m, u)| label(m, u))
        .collect();
    report(
        args,
        &e,
        "1 / mean predicted noise variance (standardised units)",
    )
}

/// The features and the D target columns named by `--target` (matched to the model's
/// targets by name, in any order; see `Table::model_data`), in the model's order, and the
/// name of each column used.
fn inputs(
    args: &EvaluateArgs,
    feature_names: &[String],
    target_names: &[String],
) -> CliResult<(ndarray::Array2<f64>, ndarray::Array2<f64>, Vec<String>)> {
    let table = super::super::raw_table::load_for_model(
        &args.data,
        &args.model,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
    )?;
    model_xys(
        &table,
        feature_names,
        target_names,
        &args.target,
        args.by_position,
    )
}

/// The row label of each target: the model's name, and the column used when it differs
/// (only with `--by-position`).
fn label(model: &str, used: &str) -> String {
    if model == used {
        model.to_owned()
    } else {
        format!("{model} (column {used})")
    }
}

/// Prints the evaluation (table or `--json`).
fn report(
    args: &EvaluateArgs,
    e: &mcdropout::model::MultiEvaluation,
    tau_label: &str,
) -> CliResult<()> {
    if args.json {
        let json = serde_json::to_string_pretty(&e)
            .map_err(|err| CliError::Msg(format!("cannot encode the result as JSON: {err}")))?;
        return emit(None, |w| writeln!(w, "{json}"));
    }
    emit(None, |w: &mut dyn Write| {
        writeln!(
            w,
            "{} on {} ({} targets)",
            args.model.display(),
            args.data.display(),
            e.targets.len()
        )?;
        writeln!(
            w,
            "| target | RMSE (det.) | MC RMSE | MC log-likelihood | coverage of {:.0}% | mean std |",
            e.level * 100.0
        )?;
        writeln!(w, "|---|---|---|---|---|---|")?;
        for k in 0..e.targets.len() {
            writeln!(
                w,
                "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
                e.targets[k], e.rmse[k], e.mc_rmse[k], e.ll[k], e.coverage[k], e.mean_std[k]
            )?;
        }
        writeln!(w, "joint MC-mixture log-likelihood   {:.4}", e.ll_mixture)?;
        writeln!(w, "joint Gaussian log-likelihood     {:.4}", e.ll_gaussian)?;
        writeln!(w, "{tau_label}  {:.4}", e.tau)?;
        writeln!(w, "n (rows) {}, T (MC samples) {}", e.n, e.samples)
    })
}
