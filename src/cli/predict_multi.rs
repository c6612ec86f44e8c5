//! `mcdropout predict` with a several-target model: per target the mean, std, its two
//! parts and the interval, then the predictive covariance of every pair of targets.

use super::super::common::{CliResult, emit, invalid, model_x};
use super::super::parquet_out::{OutColumn, write_all};
use super::{Format, PredictArgs};
use mcdropout::model::load_multi;
use mcdropout::predict::McOptions;
use std::io::Write;

/// The column names: `<t>_mean, <t>_std, <t>_epistemic_std, <t>_aleatoric_std, <t>_lower,
/// <t>_upper` per target, then `cov_<a>_<b>` for every pair a < b.
fn columns(targets: &[String]) -> Vec<String> {
    let mut c = Vec::new();
    for t in targets {
        for s in super::single::COLUMNS {
            c.push(format!("{t}_{s}"));
        }
    }
    for a in 0..targets.len() {
        for b in a + 1..targets.len() {
            c.push(format!("cov_{}_{}", targets[a], targets[b]));
        }
    }
    c
}

/// Runs `predict` on a several-target model.
pub(super) fn run(args: &PredictArgs, opts: &McOptions) -> CliResult<()> {
    if args.arrays.wanted() {
        return Err(invalid(
            "--samples-out",
            "--samples-out and --draws-out are for single-target models; a several-target model's covariance is in the output",
        ));
    }
    let model = load_multi(&args.model)?;
    let (table, opts) = args.keys.apply(
        super::super::raw_table::load_for_model(
            &args.data,
            &args.model,
            args.drop_missing,
            args.header.rule(),
            &args.columns,
        )?,
        opts,
    )?;
    let x = model_x(
        &table,
        &model.feature_names,
        &model.target_names,
        args.by_position,
    )?;
    let p = model.predict_mc(x.view(), &opts)?;
    let d = model.d();
    let names = columns(&model.target_names);
    let rows: Vec<Vec<f64>> = (0..p.mean.nrows())
        .map(|i| {
            let mut r = Vec::with_capacity(names.len());
            for k in 0..d {
                r.extend([
                    p.mean[[i, k]],
                    p.std[[i, k]],
                    p.epistemic_cov[[i, k, k]].max(0.0).sqrt(),
                    p.aleatoric_var[k].sqrt(),
                    p.lower[[i, k]],
                    p.upper[[i, k]],
                ]);
            }
            for a in 0..d {
                for b in a + 1..d {
                    r.push(p.cov[[i, a, b]]);
                }
            }
            r
        })
        .collect();
    write_rows(args, &names, &rows)
}

/// Runs `predict` on a several-target method model (heteroscedastic head, Concrete
/// dropout, ensemble): the same columns, with each row's own aleatoric std (the mean
/// predicted variance) and the epistemic covariance between targets (the predicted noise
/// is diagonal, so it is the whole off-diagonal covariance).
pub(super) fn run_methods(args: &PredictArgs, opts: &McOptions) -> CliResult<()> {
    if args.arrays.wanted() {
        return Err(invalid(
            "--samples-out",
            "does not apply to a Concrete-dropout, heteroscedastic or ensemble model: its predictive is a mixture of Gaussians, reported by its moments",
        ));
    }
    let model = mcdropout::methods::io::load_multi(&args.model)?;
    let (table, opts) = args.keys.apply(
        super::super::raw_table::load_for_model(
            &args.data,
            &args.model,
            args.drop_missing,
            args.header.rule(),
            &args.columns,
        )?,
        opts,
    )?;
    let x = model_x(
        &table,
        &model.feature_names,
        &model.target_names,
        args.by_position,
    )?;
    let p = model.predict_mc(x.view(), &opts)?;
    let d = model.d();
    let names = columns(&model.target_names);
    let rows: Vec<Vec<f64>> = (0..p.mean.nrows())
        .map(|i| {
            let mut r = Vec::with_capacity(names.len());
            for k in 0..d {
                r.extend([
                    p.mean[[i, k]],
                    p.std[[i, k]],
                    p.epistemic_cov[[i, k, k]].max(0.0).sqrt(),
                    p.aleatoric_var[[i, k]].sqrt(),
                    p.lower[[i, k]],
                    p.upper[[i, k]],
                ]);
            }
            for a in 0..d {
                for b in a + 1..d {
                    r.push(p.epistemic_cov[[i, a, b]]);
                }
            }
            r
        })
        .collect();
    write_rows(args, &names, &rows)
}

/// Writes the rows as CSV, JSON or Parquet to `--out` (or stdout).
fn write_rows(args: &PredictArgs, names: &[String], rows: &[Vec<f64>]) -> CliResult<()> {
    emit(args.out.as_deref(), |w: &mut dyn Write| {
        match args.format() {
            Format::Parquet => {
                let columns = (0..names.len())
                    .map(|j| OutColumn::Numbers(rows.iter().map(|r| r[j]).collect()))
                    .collect();
                write_all(w, names, columns)?;
            }
            Format::Csv => {
                writeln!(w, "{}", names.join(","))?;
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|v| v.to_string()).collect();
                    writeln!(w, "{}", cells.join(","))?;
                }
            }
            Format::Json => {
                writeln!(w, "[")?;
                for (i, r) in rows.iter().enumerate() {
                    let obj: serde_json::Map<String, serde_json::Value> = names
                        .iter()
                        .cloned()
                        .zip(r.iter().map(|&v| v.into()))
                        .collect();
                    let sep = if i + 1 < rows.len() { "," } else { "" };
                    writeln!(w, "  {}{sep}", serde_json::Value::Object(obj))?;
                }
                writeln!(w, "]")?;
            }
        }
        Ok(())
    })
}
