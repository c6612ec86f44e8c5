//! `mcdropout evaluate --target a,b,…` with a several-target model: per-target RMSE, MC
//! RMSE, log-likelihood and coverage, and the joint log-likelihoods.

use super::super::common::{
    CliError, CliResult, emit, invalid, load_table, model_inputs, not_applicable,
};
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
    let (x, y) = inputs(args, &model.feature_names, &model.target_names)?;
    let e = model.evaluate(x.view(), y.view(), opts)?;
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
    let (x, y) = inputs(args, &model.feature_names, &model.target_names)?;
    let e = model.evaluate(x.view(), y.view(), opts)?;
    report(
        args,
        &e,
        "1 / mean predicted noise variance (standardised units)",
    )
}

/// The features and the D target columns named by `--target`, checked against the model.
fn inputs(
    args: &EvaluateArgs,
    feature_names: &[String],
    target_names: &[String],
) -> CliResult<(ndarray::Array2<f64>, ndarray::Array2<f64>)> {
    let table = load_table(&args.data, args.drop_missing)?;
    let specs: Vec<&str> = args.target.split(',').map(str::trim).collect();
    if specs.len() != target_names.len() {
        return Err(invalid(
            "--target",
            format!(
                "the model predicts {} targets ({}); give them all, comma-separated, got {}",
                target_names.len(),
                target_names.join(","),
                specs.len()
            ),
        ));
    }
    let (x, _) = model_inputs(&table, feature_names, None, args.by_position)?;
    let cols = specs
        .iter()
        .map(|s| table.column_index(s))
        .collect::<mcdropout::Result<Vec<_>>>()?;
    Ok((x, table.select_columns(&cols)))
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
