//! `mcdropout train --task classify`: fit a dropout classifier and save it.

use super::super::common::{CliError, CliResult, fmt_seconds, invalid, note};
use super::TrainArgs;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use mcdropout::classify::{ClassifierParams, save_classifier};
use mcdropout::data::Table;
use mcdropout::model::Noise;
use std::time::Instant;

/// What `train` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// A regression network (Gaussian likelihood, τ).
    Regress,
    /// A classifier (softmax, cross-entropy).
    Classify,
}

/// Checks the noise arguments of a classifier: no τ; an optional weight decay.
pub fn noise(args: &TrainArgs) -> CliResult<Noise> {
    if args.tau.is_some() {
        return Err(invalid(
            "--tau",
            "a classifier has no observation noise; leave out --tau (the weight decay follows \
             from the prior, or give --weight-decay)",
        ));
    }
    match args.weight_decay {
        Some(l) if !(l.is_finite() && l > 0.0) => Err(invalid(
            "--weight-decay",
            format!("must be a positive finite number, got {l}"),
        )),
        Some(l) => Ok(Noise::WeightDecay(l)),
        None => Ok(Noise::Tau(1.0)),
    }
}

/// Re-words label errors with the file and line of the offending row.
pub fn at_line(table: &Table, e: mcdropout::Error) -> CliError {
    let line = |row: usize| table.lines.get(row - 1).copied().unwrap_or(row);
    let file = table.path.display();
    match e {
        mcdropout::Error::NonIntegerLabel { column, row, value } => CliError::Msg(format!(
            "{file}:{}: label column {column}: {value} {}",
            line(row),
            mcdropout::error::label_problem(value)
        )),
        mcdropout::Error::UnseenClass { row, label, known } => CliError::Msg(format!(
            "{file}:{}: class {label} was never seen in training (the model knows classes {known})",
            line(row)
        )),
        e @ (mcdropout::Error::SingleClass { .. }
        | mcdropout::Error::TooFewRows { .. }
        | mcdropout::Error::Spread { .. }) => CliError::Msg(format!("{file}: {e}")),
        e => e.into(),
    }
}

/// Trains and saves a classifier.
pub fn train(args: &TrainArgs, noise: Noise, start: Instant) -> CliResult<()> {
    let fit = super::super::raw_table::load_for_fit(
        &args.data,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
        &args.target,
        args.features.as_deref(),
    )?;
    let table = &fit.table;
    let (x, y, names, target) = table.features_and_target(&args.target, fit.features.as_deref())?;
    let reg = args.params(Noise::Tau(1.0));
    let mut params = ClassifierParams::default();
    params.hidden = reg.hidden;
    params.activation = reg.activation;
    params.dropout = reg.dropout;
    params.length_scale = reg.length_scale;
    params.train = reg.train;
    params.weight_decay = match noise {
        Noise::WeightDecay(l) => Some(l),
        _ => None,
    };
    params.feature_names = Some(names.clone());
    params.target_name = Some(target.clone());
    let bar = ProgressBar::new(args.epochs as u64);
    if let Ok(style) =
        ProgressStyle::with_template("training {bar:40} epoch {pos}/{len} {msg} [{elapsed}<{eta}]")
    {
        bar.set_style(style);
    }
    let fitted = params.fit_with_progress(x.view(), y.view(), &mut |epoch, loss| {
        bar.set_position(epoch as u64);
        bar.set_message(format!("loss {loss:.4}"));
    });
    bar.finish_and_clear();
    let model = fitted.map_err(|e| at_line(table, e))?;
    let mut model = model;
    model.encoding = fit.encoding.clone();
    save_classifier(&model, &args.out)?;
    let lambdas = model.prior.weight_decays(&model.network.arch.dropout);
    let r = &model.report;
    note!(
        "trained a classifier on {} rows × {} features → {} ({} classes: {}); hidden {:?}, dropout {}",
        x.nrows(),
        names.len(),
        target,
        model.classes.len(),
        super::super::common::short_list(
            &model
                .classes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
        ),
        args.hidden,
        args.dropout
    );
    note!(
        "epochs {} ({} steps), final loss {:.6} (cross-entropy + weight decay), λ = {:.4e}, training time {}",
        r.epochs,
        r.steps,
        r.final_loss,
        lambdas[0],
        fmt_seconds(r.seconds)
    );
    note!(
        "model written to {} ({} total)",
        args.out.display(),
        fmt_seconds(start.elapsed().as_secs_f64())
    );
    Ok(())
}
