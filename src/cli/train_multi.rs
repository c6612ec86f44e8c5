//! `mcdropout train --target a,b,…`: one network for several targets.

use super::super::common::{CliError, CliResult, fmt_seconds, invalid, not_applicable, note};
use super::TrainArgs;
use mcdropout::data::Table;
use mcdropout::model::{Noise, save_multi};
use ndarray::Array2;
use std::time::Instant;

/// The target columns named by a comma-separated `--target` and the feature columns
/// (`--features`, or every other column), resolved against `table`.
pub(in crate::cli) fn columns(
    table: &Table,
    targets: &str,
    features: Option<&[String]>,
) -> CliResult<(Vec<usize>, Vec<usize>)> {
    let mut t = Vec::new();
    for spec in targets.split(',').map(str::trim) {
        if spec.is_empty() {
            return Err(invalid(
                "--target",
                format!("empty column name in {targets:?}"),
            ));
        }
        let i = table.column_index(spec)?;
        if t.contains(&i) {
            return Err(invalid(
                "--target",
                format!("column {:?} is listed twice", table.column_name(i)),
            ));
        }
        t.push(i);
    }
    let f: Vec<usize> = match features {
        None => (0..table.n_cols()).filter(|i| !t.contains(i)).collect(),
        Some(specs) => specs
            .iter()
            .map(|s| {
                let i = table.column_index(s)?;
                if t.contains(&i) {
                    return Err(invalid("--features", format!("{s:?} is also a target")));
                }
                Ok(i)
            })
            .collect::<CliResult<_>>()?,
    };
    if f.is_empty() {
        return Err(invalid(
            "--features",
            "no feature columns are left besides the targets",
        ));
    }
    Ok((t, f))
}

/// Trains and saves a several-target model.
pub(super) fn train(args: &TrainArgs, noise: Noise, start: Instant) -> CliResult<()> {
    not_applicable(
        &["tau_units"],
        "with several targets τ is always the noise precision of the standardised targets (they share no original units)",
    )?;
    let fit = super::super::raw_table::load_for_fit(
        &args.data,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
        &args.target,
        args.features.as_deref(),
    )?;
    let table = &fit.table;
    let (t, f) = columns(table, &args.target, fit.features.as_deref())?;
    let x = table.select_columns(&f);
    let y: Array2<f64> = table.select_columns(&t);
    let names: Vec<String> = f.iter().map(|&i| table.column_name(i)).collect();
    let targets: Vec<String> = t.iter().map(|&i| table.column_name(i)).collect();
    let mut params = args.params(noise);
    params.feature_names = Some(names.clone());
    let model = params
        .fit_multi(x.view(), y.view(), Some(targets.clone()))
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
    save_multi(&model, &args.out)?;
    let r = &model.report;
    note!(
        "trained on {} rows × {} features → {} targets ({}); hidden {:?}, dropout {}",
        x.nrows(),
        names.len(),
        targets.len(),
        targets.join(", "),
        args.hidden,
        args.dropout
    );
    note!(
        "epochs {} ({} steps), final loss {:.6}, training time {}",
        r.epochs,
        r.steps,
        r.final_loss,
        fmt_seconds(r.seconds)
    );
    let noise_std: Vec<String> = model
        .noise_var()
        .iter()
        .map(|v| format!("{:.4}", v.sqrt()))
        .collect();
    note!(
        "τ = {} in standardised units (noise std per target: {})",
        super::super::common::fmt_value(model.tau()),
        noise_std.join(", ")
    );
    note!(
        "model written to {} ({} total)",
        args.out.display(),
        fmt_seconds(start.elapsed().as_secs_f64())
    );
    Ok(())
}
