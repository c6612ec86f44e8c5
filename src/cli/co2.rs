//! `mcdropout co2`: the paper's CO2 extrapolation experiment (its Figure 2).

use super::common::{CliError, CliResult, Compute, emit, fmt_seconds, invalid, note};
use clap::Args;
use mcdropout::experiments::co2::{Co2Config, load_co2, run_co2};
use mcdropout::output::{Batch, Plan};
use mcdropout::plot::render_co2_figure;
use std::path::PathBuf;

/// The files written into `--out`.
const FILES: [&str; 3] = ["co2.png", "co2.svg", "co2.json"];

/// Arguments of `mcdropout co2` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(mut_arg("seed", |a| a.help("Seed of the networks' initialisation, shuffling, training masks and Monte-Carlo passes and of the GPs' restarts (the hold-out is the latest weeks, not random)")))]
pub struct Co2Args {
    /// The series: CSV with a header, date YYYYMMDD and ppmv [default:
    /// $MCDROPOUT_DATA/co2/co2.csv, else ../shared/data/co2/co2.csv].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Folder for co2.png, co2.svg and co2.json (created if missing; its parent must
    /// exist) [default: .].
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// Fraction of the series (the latest weeks) held out, in (0, 1).
    #[arg(long, value_name = "F", default_value_t = 0.15)]
    holdout: f64,
    /// Training epochs of the networks.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    epochs: usize,
    /// Monte-Carlo samples T.
    #[arg(long, value_name = "T", default_value_t = 1000)]
    samples: usize,
    /// The paper's networks: 4 hidden layers of 1024 units (default: 4 × 64; the paper's size takes hours here).
    #[arg(long)]
    paper_size: bool,
    #[command(flatten)]
    compute: Compute,
}

/// Runs `mcdropout co2`.
pub fn run(args: Co2Args) -> CliResult<()> {
    if !(args.holdout > 0.0 && args.holdout < 1.0) {
        return Err(invalid(
            "--holdout",
            format!("must be in (0, 1), got {}", args.holdout),
        ));
    }
    if args.epochs == 0 {
        return Err(invalid("--epochs", "must be at least 1"));
    }
    if args.samples == 0 {
        return Err(invalid("--samples", "must be at least 1"));
    }
    let mut plan = Plan::new();
    plan.folder("--out", &args.out, &FILES);
    plan.check()?; // the folder before looking for the data
    let default = std::env::var_os("MCDROPOUT_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
        .join("co2/co2.csv");
    let path = super::common::experiment_data(args.data.as_deref(), default, "co2/co2.csv")?;
    plan.input("--data", &path).check()?;
    let mut cfg = if args.paper_size {
        Co2Config::paper_size()
    } else {
        Co2Config::default()
    };
    cfg.holdout = args.holdout;
    cfg.epochs = args.epochs;
    cfg.samples = args.samples;
    cfg.seed = args.compute.seed;
    args.compute.run(|| {
        let data = load_co2(&path)?;
        note!(
            "{}: dropped {} week{} with an empty cell; {} remain",
            path.display(),
            data.dropped,
            if data.dropped == 1 { "" } else { "s" },
            data.year.len()
        );
        let result = run_co2(&data, &cfg, &mut |name| note!("fitting {name} ..."))?;
        note!(
            "trained on the first {} weeks ({:.2}–{:.2}), held out the last {} ({:.0} %)",
            result.n_train,
            result.year[0],
            result.train_end,
            result.n - result.n_train,
            100.0 * cfg.holdout
        );
        let json =
            serde_json::to_string_pretty(&result).map_err(|e| CliError::Msg(e.to_string()))?;
        let mut batch = Batch::new();
        super::common::make_out_folder(&args.out)?;
        for name in &FILES[..2] {
            let path = args.out.join(name);
            batch.add_bytes(&path, &render_co2_figure(&result, &path)?)?;
        }
        batch.add_bytes(&args.out.join(FILES[2]), json.as_bytes())?;
        batch.commit()?;
        note!(
            "wrote co2.png, co2.svg and co2.json to {}",
            args.out.display()
        );
        emit(None, |w| {
            writeln!(
                w,
                "| model | held-out RMSE | held-out LL | 95 % coverage | time |"
            )?;
            writeln!(w, "|---|---|---|---|---|")?;
            for m in &result.models {
                writeln!(
                    w,
                    "| {} | {:.3} | {:.3} | {:.3} | {} |",
                    m.name,
                    m.rmse,
                    m.ll,
                    m.coverage,
                    fmt_seconds(m.seconds)
                )?;
            }
            Ok(())
        })
    })
}
