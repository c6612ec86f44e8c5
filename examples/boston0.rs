//! Gal's Boston housing split 0 with the pair his grid search chose (p = 0.005, τ = 0.1),
//! 4000 epochs, T = 10 000: `cargo run --release --example boston0 [seed]`.
//!
//! Reads `$MCDROPOUT_DATA/UCI_Datasets/bostonHousing/data` (else `../shared/data/…`);
//! when it is missing or malformed, says which file and exits with status 2.
use mcdropout::data::{LoadOptions, read_table};
use mcdropout::model::{Noise, RegressorParams};
use mcdropout::predict::McOptions;
use ndarray::Axis;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn read_idx(p: &Path) -> Result<Vec<usize>, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    text.split_whitespace()
        .map(|s| match s.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 => Ok(v as usize),
            _ => Err(format!("{}: {s:?} is not a row index", p.display())),
        })
        .collect()
}

fn run() -> Result<(), String> {
    let seed: u64 = match std::env::args().nth(1) {
        None => 0,
        Some(s) => s
            .parse()
            .map_err(|_| format!("the seed must be a whole number, got {s:?}"))?,
    };
    let base = std::env::var_os("MCDROPOUT_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"));
    let root = base.join("UCI_Datasets/bostonHousing/data");
    if !root.join("data.txt").is_file() {
        return Err(format!(
            "{} not found: set MCDROPOUT_DATA to the folder holding UCI_Datasets/ (Gal's layout)",
            root.join("data.txt").display()
        ));
    }
    let t =
        read_table(&root.join("data.txt"), &LoadOptions::default()).map_err(|e| e.to_string())?;
    let tr = read_idx(&root.join("index_train_0.txt"))?;
    let te = read_idx(&root.join("index_test_0.txt"))?;
    if t.n_cols() != 14 || tr.iter().chain(&te).any(|&i| i >= t.n_rows()) {
        return Err(format!(
            "{}: expected 14 columns and row indices below {} (Boston housing)",
            root.display(),
            t.n_rows()
        ));
    }
    let x = t.data.slice(ndarray::s![.., 0..13]).to_owned();
    let y = t.data.column(13).to_owned();
    let mut params = RegressorParams::default();
    params.dropout = 0.005;
    params.noise = Noise::Tau(0.1);
    params.train.epochs = 4000;
    params.train.seed = seed;
    let start = std::time::Instant::now();
    let m = params
        .fit(x.select(Axis(0), &tr).view(), y.select(Axis(0), &tr).view())
        .map_err(|e| e.to_string())?;
    let fit_s = start.elapsed().as_secs_f64();
    let e = m
        .evaluate(
            x.select(Axis(0), &te).view(),
            y.select(Axis(0), &te).view(),
            &McOptions::new(10_000, seed),
        )
        .map_err(|e| e.to_string())?;
    println!(
        "seed {seed}: rmse {:.3} mc_rmse {:.3} ll {:.3} ll_gauss {:.3} cov {:.3} | fit {:.2}s ({} steps, {:.2} us/step) total {:.2}s",
        e.rmse,
        e.mc_rmse,
        e.ll,
        e.ll_gaussian,
        e.coverage,
        fit_s,
        m.report.steps,
        fit_s * 1e6 / m.report.steps as f64,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("boston0: {e}");
            ExitCode::from(2)
        }
    }
}
