//! `mcdropout evaluate` for classifiers: accuracy, NLL, Brier, ECE and MCE of the
//! deterministic pass and of MC dropout, and optionally the reliability diagram.

use super::super::common::{CliError, CliResult, emit, model_xy};
use super::super::train::at_line;
use super::EvaluateArgs;
use mcdropout::classify::{ClassEvaluation, load_classifier};
use mcdropout::plot::{reliability_figure, save};
use mcdropout::predict::McOptions;
use std::io::Write;

/// Evaluates a classifier and prints (or writes as JSON) the figures.
pub fn run(args: &EvaluateArgs, opts: &McOptions) -> CliResult<()> {
    let model = load_classifier(&args.model)?;
    let table = super::super::raw_table::load_for_model(
        &args.data,
        &args.model,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
    )?;
    let (x, y, used) = model_xy(
        &table,
        &model.feature_names,
        &model.target_name,
        &args.target,
        args.by_position,
    )?;
    let eval = model
        .evaluate(x.view(), y.view(), opts, args.bins)
        .map_err(|e| at_line(&table, e))?;
    if let Some(path) = &args.reliability {
        let fig = reliability_figure(
            &format!("reliability: {}", args.data.display()),
            &[
                ("deterministic", &eval.deterministic.calibration),
                ("MC dropout", &eval.mc.calibration),
            ],
        );
        save(&fig, path, (640, 560))?;
    }
    if args.json {
        let json = serde_json::to_string_pretty(&eval)
            .map_err(|e| CliError::Msg(format!("cannot encode the result as JSON: {e}")))?;
        emit(None, |w| writeln!(w, "{json}"))
    } else {
        let title = format!(
            "{} on {} (label {}, {} classes)",
            args.model.display(),
            args.data.display(),
            used,
            model.n_classes()
        );
        emit(None, |w| write_table(w, &title, &eval))
    }
}

/// The figures as a table with a column for each pass.
pub fn write_table(w: &mut dyn Write, title: &str, e: &ClassEvaluation) -> std::io::Result<()> {
    writeln!(w, "{title}")?;
    writeln!(
        w,
        "  {:<28} {:>13} {:>12}",
        "", "deterministic", "MC dropout"
    )?;
    let (d, m) = (&e.deterministic, &e.mc);
    let ece = format!("ECE ({} bins)", e.bins);
    let rows = [
        ("accuracy", d.accuracy, m.accuracy),
        ("NLL (nats)", d.nll, m.nll),
        ("Brier", d.brier, m.brier),
        (ece.as_str(), d.calibration.ece, m.calibration.ece),
        ("MCE", d.calibration.mce, m.calibration.mce),
    ];
    for (name, a, b) in rows {
        writeln!(w, "  {name:<28} {a:>13.4} {b:>12.4}")?;
    }
    writeln!(
        w,
        "  {:<28} {:>26.4}",
        "mean predictive entropy", e.mean_entropy
    )?;
    writeln!(
        w,
        "  {:<28} {:>26.4}",
        "mean mutual information", e.mean_mutual_info
    )?;
    writeln!(
        w,
        "  {:<28} {:>26.4}",
        "mean variation ratio", e.mean_variation_ratio
    )?;
    writeln!(w, "  {:<28} {:>26}", "n (test rows)", e.n)?;
    writeln!(w, "  {:<28} {:>26}", "T (MC samples)", e.samples)
}
