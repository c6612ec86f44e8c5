//! Gal's Boston housing split 0 with the pair his grid search chose (p = 0.005, τ = 0.1),
//! 4000 epochs, T = 10 000: `cargo run --release --example boston0 [seed]`.
use mcdropout::data::{LoadOptions, read_table};
use mcdropout::model::{Noise, RegressorParams};
use mcdropout::predict::McOptions;
use ndarray::Axis;
use std::path::PathBuf;

fn read_idx(p: &PathBuf) -> Vec<usize> {
    std::fs::read_to_string(p)
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse::<f64>().unwrap() as usize)
        .collect()
}

fn main() {
    let seed: u64 = std::env::args().nth(1).map_or(0, |s| s.parse().unwrap());
    let root = PathBuf::from(std::env::var("MCDROPOUT_DATA").unwrap_or("../shared/data".into()))
        .join("UCI_Datasets/bostonHousing/data");
    let t = read_table(&root.join("data.txt"), &LoadOptions::default()).unwrap();
    let tr = read_idx(&root.join("index_train_0.txt"));
    let te = read_idx(&root.join("index_test_0.txt"));
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
        .unwrap();
    let fit_s = start.elapsed().as_secs_f64();
    let e = m
        .evaluate(
            x.select(Axis(0), &te).view(),
            y.select(Axis(0), &te).view(),
            &McOptions::new(10_000, seed),
        )
        .unwrap();
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
}
