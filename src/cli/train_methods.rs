//! `mcdropout train --method concrete|ensemble` and `--heteroscedastic`: the models of
//! `mcdropout::methods`, with the same data handling and checks as the MC-dropout path.

use super::super::common::{
    CliError, CliResult, check_positive, fmt_seconds, invalid, not_applicable, note,
};
use super::{Task, TrainArgs};
use clap::ValueEnum;
use mcdropout::methods::{Method, MethodParams, io};
use mcdropout::model::Noise;
use std::time::Instant;

/// `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// MC dropout at a fixed rate.
    McDropout,
    /// Concrete dropout (learned rates).
    Concrete,
    /// Deep ensemble.
    Ensemble,
}

impl MethodArg {
    fn method(self) -> Method {
        match self {
            MethodArg::McDropout => Method::McDropout,
            MethodArg::Concrete => Method::Concrete,
            MethodArg::Ensemble => Method::Ensemble,
        }
    }
}

/// Whether `args` ask for a method model rather than the plain MC-dropout regressor.
pub fn is_method_run(args: &TrainArgs) -> bool {
    args.method != MethodArg::McDropout || args.heteroscedastic
}

/// Checks the method flags and builds the parameters.
fn params(args: &TrainArgs) -> CliResult<MethodParams> {
    let method = args.method.method();
    if args.task == Task::Classify {
        return Err(invalid(
            "--method",
            "Concrete dropout, heteroscedastic heads and ensembles are for regression (--task regress)",
        ));
    }
    not_applicable(
        &["loss", "optimizer", "momentum"],
        "these methods train the Gaussian negative log-likelihood with Adam",
    )?;
    let hetero = args.heteroscedastic || method == Method::Ensemble;
    if hetero {
        not_applicable(
            &["tau", "weight_decay", "tau_units"],
            "a heteroscedastic model learns its noise variance per input",
        )?;
    }
    if method == Method::Ensemble {
        not_applicable(&["dropout"], "ensemble members have no dropout")?;
    } else if args.members.is_some() {
        return Err(invalid("--members", "applies to --method ensemble only"));
    }
    let mut p = MethodParams::new(method);
    p.heteroscedastic = hetero;
    if let Some(m) = args.members {
        p.members = m;
    }
    if p.members < 1 {
        return Err(invalid(
            "--members",
            "an ensemble needs at least one member, got 0",
        ));
    }
    if method == Method::Concrete {
        if !(args.dropout > 0.0 && args.dropout < 1.0) {
            return Err(invalid(
                "--dropout",
                format!(
                    "the initial drop probability of Concrete dropout must be in (0, 1), got {}",
                    args.dropout
                ),
            ));
        }
        p.initial_dropout = args.dropout;
    }
    let noise = if hetero {
        Noise::Tau(1.0)
    } else {
        match (args.tau, args.weight_decay) {
            (Some(t), _) => {
                check_positive("--tau", t)?;
                Noise::Tau(t)
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "--weight-decay",
                    "does not apply to --method concrete: the decay depends on the learned rates; give --tau (or --heteroscedastic)",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "--tau",
                    "a homoscedastic model needs the noise precision --tau (or use --heteroscedastic to learn it)",
                ));
            }
        }
    };
    // Everything the MC-dropout path checks (widths, epochs, batch, lr, output path).
    let mut checked = args.params(noise);
    if method != Method::McDropout {
        checked.dropout = 0.05;
    }
    p.base = checked;
    if method == Method::McDropout {
        super::super::common::check_rate("--dropout", args.dropout)?;
    }
    check_positive("--length-scale", args.length_scale)?;
    check_positive("--lr", args.lr)?;
    if args.batch == 0 || args.epochs == 0 || args.hidden.is_empty() || args.hidden.contains(&0) {
        return Err(invalid(
            "--epochs",
            "--epochs, --batch and every --hidden width must be at least 1",
        ));
    }
    args.compute.validate()?;
    super::super::common::check_output_path("--out", &args.out, &[("--data", &args.data)])?;
    Ok(p)
}

/// Runs `mcdropout train` for a method model.
pub fn run(args: TrainArgs) -> CliResult<()> {
    let mut p = params(&args)?;
    let start = Instant::now();
    let compute = args.compute.clone();
    compute.run(|| {
        if args.target.contains(',') {
            return run_multi(&args, &p, start);
        }
        let fit = super::super::raw_table::load_for_fit(
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
        p.base.feature_names = Some(names.clone());
        p.base.target_name = Some(target.clone());
        let model = p.fit(x.view(), y.view()).map_err(|e| match e {
            mcdropout::Error::TooFewRows { .. }
            | mcdropout::Error::ConstantTarget { .. }
            | mcdropout::Error::Spread { .. } => {
                CliError::Msg(format!("{}: {e}", args.data.display()))
            }
            e => e.into(),
        })?;
        let mut model = model;
        model.encoding = fit.encoding.clone();
        io::save(&model, &args.out)?;
        let r = &model.report;
        note!(
            "trained {} ({}{} network{}) on {} rows × {} features → {target}",
            p.method.name(),
            if p.heteroscedastic {
                "heteroscedastic, "
            } else {
                ""
            },
            model.members.len(),
            if model.members.len() == 1 { "" } else { "s" },
            x.nrows(),
            names.len()
        );
        note!(
            "epochs {} ({} steps), final loss {:.6}, training time {}",
            r.epochs,
            r.steps,
            r.final_loss,
            fmt_seconds(r.seconds)
        );
        if p.method == Method::Concrete {
            note!(
                "learned drop probabilities per layer: {:?}",
                model.dropout_rates()[0]
            );
        }
        note!(
            "model written to {} ({} total)",
            args.out.display(),
            fmt_seconds(start.elapsed().as_secs_f64())
        );
        Ok(())
    })
}

/// `train --target a,b,… --method …`: one network (or ensemble) for several targets, with
/// the heteroscedastic head (D means and D log-variances).
fn run_multi(args: &TrainArgs, p: &MethodParams, start: Instant) -> CliResult<()> {
    if !p.heteroscedastic {
        return Err(invalid(
            "--heteroscedastic",
            format!(
                "--method {} with several targets needs the heteroscedastic head (add --heteroscedastic); a fixed-τ network for several targets is the plain MC-dropout regressor (no --method)",
                p.method.name()
            ),
        ));
    }
    let fit = super::super::raw_table::load_for_fit(
        &args.data,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
        &args.target,
        args.features.as_deref(),
    )?;
    let table = &fit.table;
    let (t, f) = super::multi::columns(table, &args.target, fit.features.as_deref())?;
    let x = table.select_columns(&f);
    let y = table.select_columns(&t);
    let names: Vec<String> = f.iter().map(|&i| table.column_name(i)).collect();
    let targets: Vec<String> = t.iter().map(|&i| table.column_name(i)).collect();
    let mut p = p.clone();
    p.base.feature_names = Some(names.clone());
    p.base.target_name = None;
    let model = p
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
    io::save_multi(&model, &args.out)?;
    let r = &model.report;
    note!(
        "trained {} (heteroscedastic, {} network{}) on {} rows × {} features → {} targets ({})",
        p.method.name(),
        model.members.len(),
        if model.members.len() == 1 { "" } else { "s" },
        x.nrows(),
        names.len(),
        targets.len(),
        targets.join(", ")
    );
    note!(
        "epochs {} ({} steps), final loss {:.6}, training time {}",
        r.epochs,
        r.steps,
        r.final_loss,
        fmt_seconds(r.seconds)
    );
    if p.method == Method::Concrete {
        note!(
            "learned drop probabilities per layer: {:?}",
            model.dropout_rates()[0]
        );
    }
    note!(
        "model written to {} ({} total)",
        args.out.display(),
        fmt_seconds(start.elapsed().as_secs_f64())
    );
    Ok(())
}
