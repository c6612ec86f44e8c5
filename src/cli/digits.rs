//! `mcdropout digits`: the rotated-digit and FGSM experiments on the 8×8 digits.

use super::common::{CliResult, Compute, fmt_seconds, invalid, note};
use clap::Args;
use mcdropout::experiments::digits::{
    DigitsConfig, default_path, fgsm_figure, markdown, read_digits, rotation_figure, run_digits,
};
use mcdropout::output::{Batch, Plan};
use mcdropout::plot::{reliability_figure, render};
use std::path::PathBuf;
use std::time::Instant;

/// The figures written into `--out`, each as PNG and SVG.
const FIGURES: [&str; 3] = ["digits_rotation", "digits_fgsm", "digits_reliability"];

/// Arguments of `mcdropout digits` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(mut_arg("seed", |a| a.help("Seed of the train/test split, the network's initialisation, shuffling, training masks and Monte-Carlo passes")))]
pub struct DigitsArgs {
    /// The digits file (gzip or plain CSV, no header, 64 pixels 0–16 then the label)
    /// [default: $MCDROPOUT_DATA/digits/digits.csv.gz, else
    /// ../shared/data/digits/digits.csv.gz].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Folder for the figures (PNG and SVG), digits.md and digits.json (created if
    /// missing; its parent must exist).
    #[arg(long, value_name = "DIR", default_value = "digits-results")]
    out: PathBuf,
    /// Monte-Carlo samples T per image.
    #[arg(long, value_name = "T", default_value_t = 1000)]
    samples: usize,
    /// Training epochs.
    #[arg(long, value_name = "N", default_value_t = 600)]
    epochs: usize,
    /// Hidden layer widths.
    #[arg(
        long,
        value_name = "W1,W2,...",
        value_delimiter = ',',
        default_value = "256,256"
    )]
    hidden: Vec<usize>,
    /// Drop probability of the input pixels, in [0, 1).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    input_dropout: f64,
    /// Drop probability of the hidden units, in [0, 1).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.5,
        allow_negative_numbers = true
    )]
    dropout: f64,
    /// Kernel weight decay of the first layer (> 0).
    #[arg(
        long,
        value_name = "L",
        default_value_t = 1e-6,
        allow_negative_numbers = true
    )]
    weight_decay: f64,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout digits`.
pub fn run(args: DigitsArgs) -> CliResult<()> {
    let start = Instant::now();
    if args.samples == 0 {
        return Err(invalid("--samples", "must be at least 1, got 0"));
    }
    if args.epochs == 0 {
        return Err(invalid("--epochs", "must be at least 1, got 0"));
    }
    super::common::check_rate("--input-dropout", args.input_dropout)?;
    super::common::check_rate("--dropout", args.dropout)?;
    super::common::check_positive("--weight-decay", args.weight_decay)?;
    if args.hidden.is_empty() || args.hidden.contains(&0) {
        return Err(invalid(
            "--hidden",
            format!(
                "every hidden layer needs at least one unit, got {:?}",
                args.hidden
            ),
        ));
    }
    args.compute.validate()?;
    let files: Vec<String> = FIGURES
        .iter()
        .flat_map(|f| [format!("{f}.png"), format!("{f}.svg")])
        .chain(["digits.md".into(), "digits.json".into()])
        .collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let mut plan = Plan::new();
    plan.folder("--out", &args.out, &files);
    plan.check()?; // the folder before looking for the data
    let path = super::common::experiment_data(
        args.data.as_deref(),
        default_path(),
        "digits/digits.csv.gz",
    )?;
    plan.input("--data", &path).check()?;
    let data = read_digits(&path)?;
    note!("{}: {} images", path.display(), data.y.len());
    let mut cfg = DigitsConfig::default();
    cfg.seed = args.compute.seed;
    cfg.samples = args.samples;
    cfg.epochs = args.epochs;
    cfg.hidden = args.hidden.clone();
    cfg.input_dropout = args.input_dropout;
    cfg.hidden_dropout = args.dropout;
    cfg.weight_decay = args.weight_decay;
    let report = args.compute.run(|| {
        Ok(run_digits(&data, &cfg, &mut |stage| {
            note!("[{}] {stage}", fmt_seconds(start.elapsed().as_secs_f64()));
        })?)
    })?;
    let figures = [
        (FIGURES[0], rotation_figure(&report.rotation), (1100, 900)),
        (FIGURES[1], fgsm_figure(&report.fgsm), (1100, 450)),
        (
            FIGURES[2],
            reliability_figure(
                "digits test set: reliability",
                &[
                    ("deterministic", &report.deterministic.calibration),
                    ("MC dropout", &report.mc.calibration),
                ],
            ),
            (640, 560),
        ),
    ];
    super::common::make_out_folder(&args.out)?;
    let mut batch = Batch::new();
    for (name, fig, size) in &figures {
        for ext in ["png", "svg"] {
            let path = args.out.join(format!("{name}.{ext}"));
            batch.add_bytes(&path, &render(fig, &path, *size)?)?;
        }
    }
    let md = markdown(&report);
    super::common::finish_report(
        &args.out,
        "digits",
        "the figures",
        &md,
        &report,
        start,
        batch,
    )
}
