//! `mcdropout bandit`: the wheel bandit of Riquelme, Tucker & Snoek (ICLR 2018).

use super::common::{CliResult, Compute, fmt_seconds, invalid, note};
use clap::Args;
use mcdropout::experiments::bandit::{BanditConfig, bandit_figure, markdown, run_bandit};
use mcdropout::output::{Batch, Plan};
use mcdropout::plot::bandit::render_bandit_figure;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `mcdropout bandit` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
pub struct BanditArgs {
    /// Exploration parameters δ of the wheel, each in (0, 1).
    #[arg(
        long,
        value_name = "D1,D2,...",
        value_delimiter = ',',
        default_value = "0.5,0.7,0.9,0.95,0.99",
        allow_negative_numbers = true
    )]
    deltas: Vec<f64>,
    /// Policies to run: uniform, linear-ts, dropout-ts, greedy.
    #[arg(
        long,
        value_name = "P1,P2,...",
        value_delimiter = ',',
        default_value = "uniform,linear-ts,dropout-ts,greedy"
    )]
    policies: Vec<String>,
    /// Decisions per run.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    horizon: usize,
    /// Independent runs per δ (each with its own contexts, rewards and policy seeds).
    #[arg(long, value_name = "N", default_value_t = 10)]
    seeds: usize,
    /// Decisions between retraining the dropout networks.
    #[arg(long, value_name = "N", default_value_t = 50)]
    train_every: usize,
    /// Minibatch steps per retraining.
    #[arg(long, value_name = "N", default_value_t = 100)]
    steps: usize,
    /// Drop probability of the hidden units, in [0, 1).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.2,
        allow_negative_numbers = true
    )]
    dropout: f64,
    /// Hidden layer widths of the dropout networks.
    #[arg(
        long,
        value_name = "W1,W2,...",
        value_delimiter = ',',
        default_value = "50"
    )]
    hidden: Vec<usize>,
    /// One dropout network for all arms, input [x, one-hot(arm)], one mask set per
    /// decision shared by the arms (default: one network per arm).
    #[arg(long)]
    shared_network: bool,
    /// Adam learning rate of the dropout networks.
    #[arg(
        long,
        value_name = "LR",
        default_value_t = 0.01,
        allow_negative_numbers = true
    )]
    lr: f64,
    /// Folder for bandit.md, bandit.json and bandit.png / bandit.svg (created if missing;
    /// its parent must exist).
    #[arg(long, value_name = "DIR", default_value = "bandit-results")]
    out: PathBuf,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout bandit`.
pub fn run(args: BanditArgs) -> CliResult<()> {
    let start = Instant::now();
    if let Some(d) = args.deltas.iter().find(|d| !(**d > 0.0 && **d < 1.0)) {
        return Err(invalid(
            "--deltas",
            format!("every δ must be in (0, 1), got {d}"),
        ));
    }
    for (name, v) in [
        ("--horizon", args.horizon),
        ("--seeds", args.seeds),
        ("--train-every", args.train_every),
        ("--steps", args.steps),
    ] {
        if v == 0 {
            return Err(invalid(name, "must be at least 1, got 0"));
        }
    }
    super::common::check_rate("--dropout", args.dropout)?;
    super::common::check_positive("--lr", args.lr)?;
    if args.hidden.is_empty() || args.hidden.contains(&0) {
        return Err(invalid(
            "--hidden",
            format!(
                "every hidden layer needs at least one unit, got {:?}",
                args.hidden
            ),
        ));
    }
    Plan::new()
        .folder(
            "--out",
            &args.out,
            &["bandit.png", "bandit.svg", "bandit.md", "bandit.json"],
        )
        .check()?;
    args.compute.validate()?;
    if let Some(p) = args
        .policies
        .iter()
        .find(|p| !mcdropout::experiments::bandit::POLICIES.contains(&p.as_str()))
    {
        return Err(invalid(
            "--policies",
            format!(
                "unknown policy {p:?} (expected some of uniform, linear-ts, dropout-ts, greedy)"
            ),
        ));
    }
    let mut cfg = BanditConfig::default();
    cfg.deltas = args.deltas.clone();
    cfg.horizon = args.horizon;
    cfg.policies = args.policies.clone();
    cfg.seeds = args.seeds;
    cfg.seed = args.compute.seed;
    cfg.dropout.train_every = args.train_every;
    cfg.dropout.steps = args.steps;
    cfg.dropout.dropout = args.dropout;
    cfg.dropout.hidden = args.hidden.clone();
    cfg.dropout.lr = args.lr;
    cfg.dropout.shared = args.shared_network;
    cfg.shared_network = args.shared_network;
    let report = args.compute.run(|| {
        Ok(run_bandit(&cfg, &|done, total| {
            if done % 20 == 0 || done == total {
                note!(
                    "[{}] {done}/{total} runs",
                    fmt_seconds(start.elapsed().as_secs_f64())
                );
            }
        })?)
    })?;
    super::common::make_out_folder(&args.out)?;
    let panels = bandit_figure(&report);
    let mut batch = Batch::new();
    for ext in ["png", "svg"] {
        let path = args.out.join(format!("bandit.{ext}"));
        batch.add_bytes(&path, &render_bandit_figure(&panels, &path)?)?;
    }
    let md = markdown(&report);
    super::common::finish_report(
        &args.out,
        "bandit",
        "the figures",
        &md,
        &report,
        start,
        batch,
    )
}
