//! `mcdropout predict` for classifiers: per row, the MC-dropout mean probability of every
//! class, the predicted class and the uncertainty measures.

use super::super::common::{CliResult, model_x};
use super::{Format, PredictArgs};
use mcdropout::classify::{ClassPrediction, load_classifier};
use mcdropout::predict::McOptions;
use std::io::Write;

/// Runs the prediction and writes columns `p_<label>…, class, entropy, mutual_info,
/// variation_ratio`.
pub fn run(args: &PredictArgs, opts: &McOptions) -> CliResult<()> {
    let model = load_classifier(&args.model)?;
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
        std::slice::from_ref(&model.target_name),
        args.by_position,
    )?;
    if args.arrays.draws_out.is_some() {
        return Err(super::super::common::invalid(
            "--draws-out",
            "predictive draws ŷ + N(0, τ⁻¹) are for regression networks; a classifier's passes are written by --samples-out",
        ));
    }
    args.arrays
        .check_size(opts.samples, x.nrows(), model.n_classes())?;
    let pred = model.predict_mc(x.view(), &opts)?;
    let mut batch = mcdropout::output::Batch::new();
    if let (Some(path), Some(s)) = (&args.arrays.samples_out, &pred.prob_samples) {
        super::samples::stage_npy(&mut batch, path, s)?;
    }
    let names: Vec<String> = model.classes.iter().map(|c| format!("p_{c}")).collect();
    super::samples::emit_all(batch, args.out.as_deref(), |w| match args.format() {
        Format::Csv => write_csv(w, &names, &pred),
        Format::Json => write_json(w, &names, &pred),
        Format::Parquet => write_parquet(w, &names, &pred),
    })
}

fn write_csv(w: &mut dyn Write, names: &[String], p: &ClassPrediction) -> std::io::Result<()> {
    writeln!(
        w,
        "{},class,entropy,mutual_info,variation_ratio",
        names.join(",")
    )?;
    for (i, row) in p.probs.rows().into_iter().enumerate() {
        for v in row {
            write!(w, "{v},")?;
        }
        writeln!(
            w,
            "{},{},{},{}",
            p.labels[i], p.entropy[i], p.mutual_info[i], p.variation_ratio[i]
        )?;
    }
    Ok(())
}

fn write_json(w: &mut dyn Write, names: &[String], p: &ClassPrediction) -> std::io::Result<()> {
    writeln!(w, "[")?;
    let n = p.labels.len();
    for (i, row) in p.probs.rows().into_iter().enumerate() {
        let mut obj = serde_json::Map::new();
        for (name, v) in names.iter().zip(row) {
            obj.insert(name.clone(), (*v).into());
        }
        obj.insert("class".into(), p.labels[i].into());
        obj.insert("entropy".into(), p.entropy[i].into());
        obj.insert("mutual_info".into(), p.mutual_info[i].into());
        obj.insert("variation_ratio".into(), p.variation_ratio[i].into());
        let sep = if i + 1 < n { "," } else { "" };
        writeln!(w, "  {}{sep}", serde_json::Value::Object(obj))?;
    }
    writeln!(w, "]")
}

fn write_parquet(w: &mut dyn Write, names: &[String], p: &ClassPrediction) -> std::io::Result<()> {
    use super::super::parquet_out::{OutColumn, write_all};
    let mut all: Vec<String> = names.to_vec();
    all.extend(["class", "entropy", "mutual_info", "variation_ratio"].map(String::from));
    let mut columns: Vec<OutColumn> = p
        .probs
        .columns()
        .into_iter()
        .map(|c| OutColumn::Numbers(c.to_vec()))
        .collect();
    columns.push(OutColumn::Integers(p.labels.clone()));
    columns.push(OutColumn::Numbers(p.entropy.to_vec()));
    columns.push(OutColumn::Numbers(p.mutual_info.to_vec()));
    columns.push(OutColumn::Numbers(p.variation_ratio.to_vec()));
    write_all(w, &all, columns)
}
