//! `mcdropout active`: Bayesian active learning on the 8×8 digits.

use super::common::{CliResult, Compute, fmt_seconds, invalid, note};
use clap::Args;
use mcdropout::acquire::Acquisition;
use mcdropout::experiments::active::{ActiveConfig, active_figure, markdown, run_active};
use mcdropout::experiments::digits::{default_path, read_digits};
use mcdropout::output::{Batch, Plan};
use mcdropout::plot::active::render_bands;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `mcdropout active` (documented on the subcommand in `cli/mod.rs`).
///
/// Defaults and their reasons are in the subcommand's help (`cli/mod.rs`).
#[derive(Debug, Args)]
pub struct ActiveArgs {
    /// The digits file (gzip or plain CSV, no header, 64 pixels 0–16 then the label)
    /// [default: $MCDROPOUT_DATA/digits/digits.csv.gz, else
    /// ../shared/data/digits/digits.csv.gz].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Folder for active.md, active.json and active.png / active.svg (created if missing;
    /// its parent must exist).
    #[arg(long, value_name = "DIR", default_value = "active-results")]
    out: PathBuf,
    /// Acquisition functions: bald, variation-ratio, max-entropy, mean-std, random.
    #[arg(
        long,
        value_name = "F1,F2,...",
        value_delimiter = ',',
        default_value = "bald,variation-ratio,max-entropy,mean-std,random"
    )]
    functions: Vec<String>,
    /// Independent seeds (split, start set, initialisation, masks).
    #[arg(long, value_name = "N", default_value_t = 10)]
    seeds: usize,
    /// Labelled images per class at the start.
    #[arg(long, value_name = "N", default_value_t = 2)]
    start_per_class: usize,
    /// Images acquired per round (at least 1, at most the pool).
    #[arg(long, value_name = "N", default_value_t = 10)]
    batch: usize,
    /// Images acquired in total (at most the pool).
    #[arg(long, value_name = "N", default_value_t = 380)]
    budget: usize,
    /// Monte-Carlo passes T per image (pool scores and test predictions).
    #[arg(long, value_name = "T", default_value_t = 20)]
    samples: usize,
    /// Adam steps per training (the network is retrained from scratch every round).
    #[arg(long, value_name = "N", default_value_t = 500)]
    steps: usize,
    /// Hidden layer widths.
    #[arg(
        long,
        value_name = "W1,W2,...",
        value_delimiter = ',',
        default_value = "128"
    )]
    hidden: Vec<usize>,
    /// Drop probability of the hidden units, in [0, 1).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.5,
        allow_negative_numbers = true
    )]
    dropout: f64,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout active`.
pub fn run(args: ActiveArgs) -> CliResult<()> {
    let start = Instant::now();
    let functions = args
        .functions
        .iter()
        .map(|f| {
            let a: Acquisition = f
                .parse()
                .map_err(|e: mcdropout::Error| invalid("--functions", e.to_string()))?;
            if a.for_classifiers() {
                Ok(a)
            } else {
                Err(invalid(
                    "--functions",
                    format!("{a} does not apply to classifiers"),
                ))
            }
        })
        .collect::<CliResult<Vec<_>>>()?;
    super::common::check_rate("--dropout", args.dropout)?;
    if args.hidden.is_empty() || args.hidden.contains(&0) {
        return Err(invalid(
            "--hidden",
            format!(
                "every hidden layer needs at least one unit, got {:?}",
                args.hidden
            ),
        ));
    }
    for (name, v) in [
        ("--seeds", args.seeds),
        ("--samples", args.samples),
        ("--steps", args.steps),
        ("--start-per-class", args.start_per_class),
        ("--batch", args.batch),
        ("--budget", args.budget),
    ] {
        if v == 0 {
            return Err(invalid(name, "must be at least 1, got 0"));
        }
    }
    args.compute.validate()?;
    let mut plan = Plan::new();
    plan.folder(
        "--out",
        &args.out,
        &["active.png", "active.svg", "active.md", "active.json"],
    );
    plan.check()?; // the folder before looking for the data
    let path = super::common::experiment_data(
        args.data.as_deref(),
        default_path(),
        "digits/digits.csv.gz",
    )?;
    plan.input("--data", &path).check()?;
    let data = read_digits(&path)?;
    note!("{}: {} images", path.display(), data.y.len());
    let mut cfg = ActiveConfig::default();
    cfg.functions = functions;
    cfg.seeds = args.seeds;
    cfg.seed = args.compute.seed;
    cfg.start_per_class = args.start_per_class;
    cfg.batch = args.batch;
    cfg.budget = args.budget;
    cfg.samples = args.samples;
    cfg.steps = args.steps;
    cfg.hidden = args.hidden.clone();
    cfg.dropout = args.dropout;
    mcdropout::experiments::active::validate(&cfg, data.y.len()).map_err(|e| match e {
        mcdropout::Error::InvalidParameter { name, reason } => invalid(&name, reason),
        e => e.into(),
    })?;
    let report = args.compute.run(|| {
        Ok(run_active(&data, &cfg, &|done, total| {
            note!(
                "[{}] {done}/{total} curves",
                fmt_seconds(start.elapsed().as_secs_f64())
            );
        })?)
    })?;
    super::common::make_out_folder(&args.out)?;
    let panels = active_figure(&report);
    let mut batch = Batch::new();
    for ext in ["png", "svg"] {
        let path = args.out.join(format!("active.{ext}"));
        batch.add_bytes(&path, &render_bands(&panels, 1, &path, (1000, 650))?)?;
    }
    let md = markdown(&report);
    super::common::finish_report(
        &args.out,
        "active",
        "the figures",
        &md,
        &report,
        start,
        batch,
    )
}
