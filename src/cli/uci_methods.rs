//! `mcdropout uci --method concrete|ensemble`: the protocol without a (p, τ) grid
//! (`experiments::uci::run_dataset_method`), with progress per split and the results of
//! every finished dataset kept on disk.

use super::super::common::{
    CliResult, fmt_seconds, invalid, make_out_folder, not_applicable, note, thread_pool,
};
use super::UciArgs;
use clap::Args;
use mcdropout::experiments::uci::{MethodDatasetResult, MethodsConfig, run_dataset_method};
use mcdropout::methods::Method;
use mcdropout::train::Precision;
use std::time::Instant;

/// Settings of `--method concrete|ensemble`.
#[derive(Debug, Args)]
pub struct MethodArgs {
    /// Ensemble members M ≥ 1 (with --method ensemble).
    #[arg(long, value_name = "M", default_value_t = 5)]
    members: usize,
    /// Validation checkpoints per split at which the epoch count is chosen (with
    /// --method concrete|ensemble); 0 trains for Gal's full epoch count without choosing.
    #[arg(long, value_name = "C", default_value_t = 20)]
    checkpoints: usize,
    /// MC samples of each validation checkpoint (with --method concrete|ensemble).
    #[arg(long, value_name = "T", default_value_t = 100)]
    val_samples: usize,
    /// Prior length-scale l (with --method concrete|ensemble).
    #[arg(long, value_name = "L", default_value_t = 1e-2)]
    length_scale: f64,
    /// Candidate β of the β-NLL weighting of the heteroscedastic head's gradients (0: the
    /// plain Gaussian NLL), each validated like the epoch count (with --method
    /// concrete|ensemble) [default: 0].
    #[arg(long, value_name = "B,..", value_delimiter = ',')]
    beta_nll: Option<Vec<f64>>,
    /// Stop a validation run after this many checkpoints without a better validation
    /// log-likelihood (0: run to the end) (with --method concrete|ensemble).
    #[arg(long, value_name = "C", default_value_t = 5)]
    patience: usize,
}

impl MethodArgs {
    /// Fails when a method-only flag was given to the grid protocol or the GP.
    pub fn refuse_for_grid(&self) -> CliResult<()> {
        not_applicable(
            &[
                "members",
                "checkpoints",
                "val_samples",
                "length_scale",
                "beta_nll",
                "patience",
            ],
            "only with --method concrete or ensemble",
        )
    }
}

/// Runs the method protocol for `args` (method concrete or ensemble).
pub fn run(args: &UciArgs) -> CliResult<()> {
    let method: Method = args
        .method
        .as_deref()
        .unwrap_or("concrete")
        .parse()
        .map_err(|e: String| invalid("--method", e))?;
    if args.model == "gp" {
        return Err(invalid(
            "--model",
            "--model gp contradicts --method concrete|ensemble",
        ));
    }
    not_applicable(
        &[
            "grid_dropout",
            "grid_tau",
            "tau_units",
            "gp_kernel",
            "gp_restarts",
        ],
        "Concrete dropout and ensembles have no (p, τ) grid and learn the noise",
    )?;
    let m = &args.methods;
    if method != Method::Ensemble {
        not_applicable(&["members"], "--members is for --method ensemble")?;
    }
    if let Some(b) = m
        .beta_nll
        .iter()
        .flatten()
        .find(|b| !(0.0..=1.0).contains(*b))
    {
        return Err(invalid(
            "--beta-nll",
            format!("β must be in [0, 1], got {b}"),
        ));
    }
    if m.members < 1 {
        return Err(invalid(
            "--members",
            "an ensemble needs at least one member, got 0",
        ));
    }
    if args.samples == 0 {
        return Err(invalid("--samples", "must be at least 1, got 0"));
    }
    if m.val_samples == 0 {
        return Err(invalid("--val-samples", "must be at least 1, got 0"));
    }
    if args.jobs == Some(0) {
        return Err(invalid("--jobs", "must be at least 1"));
    }
    if args.epochs_multiplier.is_nan() || args.epochs_multiplier <= 0.0 {
        return Err(invalid("--epochs-multiplier", "must be positive"));
    }
    if !(m.length_scale.is_finite() && m.length_scale > 0.0) {
        return Err(invalid(
            "--length-scale",
            "must be a positive finite number",
        ));
    }
    let datasets = super::datasets_of(args)?;
    let names: Vec<String> = datasets.iter().map(|d| d.name.clone()).collect();
    super::uci_outputs::check(args, &names, &["results.json"])?;
    let pool = thread_pool(args.jobs)?;
    let start = Instant::now();
    let mut results: Vec<MethodDatasetResult> = Vec::new();
    for ds in &datasets {
        let mut cfg = MethodsConfig::new(method);
        cfg.members = if method == Method::Ensemble {
            m.members
        } else {
            1
        };
        cfg.select_epochs = m.checkpoints > 0;
        cfg.checkpoints = m.checkpoints.max(1);
        cfg.val_samples = m.val_samples;
        cfg.length_scale = m.length_scale;
        cfg.betas = m.beta_nll.clone().unwrap_or_else(|| vec![0.0]);
        cfg.patience = m.patience;
        cfg.base.epochs_multiplier = super::epochs_multiplier(args);
        cfg.base.samples = args.samples;
        cfg.base.layers = args.layers;
        cfg.base.seed = args.seed;
        cfg.base.splits = args.splits.clone().or_else(|| {
            args.max_splits
                .map(|k| (0..k.min(ds.splits.len())).collect())
        });
        cfg.base.precision = if args.precision == "f64" {
            Precision::F64
        } else {
            Precision::F32
        };
        let name = ds.name.clone();
        let r = pool.install(|| {
            run_dataset_method(ds, &cfg, &|s| {
                note!(
                    "[{}] {name} split {}: β {}, epochs {}, p {:?}, test LL {:.3}, MC RMSE {:.4}",
                    fmt_seconds(start.elapsed().as_secs_f64()),
                    s.split,
                    s.beta,
                    s.epochs,
                    s.dropout
                        .iter()
                        .map(|p| (p * 1e4).round() / 1e4)
                        .collect::<Vec<_>>(),
                    s.test.ll,
                    s.test.mc_rmse
                )
            })
        })?;
        note!(
            "{}: {} splits in {:.1} s, test LL {:.3} ± {:.3}, MC RMSE {:.4} ± {:.4}, {} steps",
            r.dataset,
            r.n_splits,
            r.wall_seconds,
            r.ll.mean,
            r.ll.se,
            r.mc_rmse.mean,
            r.mc_rmse.se,
            r.steps
        );
        results.push(r);
        if let Some(dir) = &args.out {
            write(dir, args, method, start.elapsed().as_secs_f64(), &results)?;
        }
    }
    let mut out = String::from(
        "| dataset | splits | MC RMSE | test LL | steps | wall |\n|---|---|---|---|---|---|\n",
    );
    for r in &results {
        out += &format!(
            "| {} | {} | {:.4} ± {:.4} | {:.3} ± {:.3} | {} | {:.0} s |\n",
            r.dataset,
            r.n_splits,
            r.mc_rmse.mean,
            r.mc_rmse.se,
            r.ll.mean,
            r.ll.se,
            r.steps,
            r.wall_seconds
        );
    }
    super::super::common::emit(None, |w| {
        write!(w, "{out}")?;
        writeln!(
            w,
            "total wall time {:.1} s, method {}",
            start.elapsed().as_secs_f64(),
            method.name()
        )
    })?;
    Ok(())
}

fn write(
    dir: &std::path::Path,
    args: &UciArgs,
    method: Method,
    total_s: f64,
    results: &[MethodDatasetResult],
) -> CliResult<()> {
    make_out_folder(dir)?;
    let json = serde_json::json!({
        "crate_version": env!("CARGO_PKG_VERSION"),
        "method": method.name(),
        "seed": args.seed,
        "epochs_multiplier": super::epochs_multiplier(args),
        "samples": args.samples,
        "members": args.methods.members,
        "checkpoints": args.methods.checkpoints,
        "val_samples": args.methods.val_samples,
        "length_scale": args.methods.length_scale,
        "beta_nll": args.methods.beta_nll,
        "patience": args.methods.patience,
        "precision": args.precision,
        "total_wall_seconds": total_s,
        "datasets": results,
    });
    let path = dir.join("results.json");
    let text = serde_json::to_string_pretty(&json).map_err(|e| invalid("--out", e.to_string()))?;
    mcdropout::output::write_atomic(&path, |w| w.write_all(text.as_bytes()))?;
    Ok(())
}
