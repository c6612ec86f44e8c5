//! Times `Regressor::predict_mc` on a saved model and a `.npy` input matrix: the Rust
//! side of the Python binding's overhead benchmark (`bench/python/bench_binding.py`).
//!
//! `cargo run --release --example mc_timing -- MODEL X.npy T THREADS REPEATS` prints the
//! best and median wall time of REPEATS predictions and the mean of the predictive means
//! (to check that both sides computed the same thing).

use mcdropout::predict::McOptions;
use ndarray::Array2;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: mc_timing MODEL X.npy T THREADS REPEATS");
        std::process::exit(2);
    }
    let parse = |i: usize| -> usize {
        args[i].parse().unwrap_or_else(|_| {
            eprintln!("argument {i} ({:?}) is not a whole number", args[i]);
            std::process::exit(2)
        })
    };
    let (t, threads, repeats) = (parse(3), parse(4), parse(5).max(1));
    let model = mcdropout::model::load(std::path::Path::new(&args[1])).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let x: Array2<f64> = ndarray_npy::read_npy(&args[2]).unwrap_or_else(|e| {
        eprintln!("{}: {e}", args[2]);
        std::process::exit(1)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        });
    let opts = McOptions::new(t, 0);
    let mut times = Vec::with_capacity(repeats);
    let mut check = 0.0;
    for _ in 0..repeats {
        let start = Instant::now();
        let pred = pool
            .install(|| model.predict_mc(x.view(), &opts))
            .unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
        times.push(start.elapsed().as_secs_f64());
        check = pred.mean.mean().unwrap_or(f64::NAN);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "best {:.4} s, median {:.4} s, mean prediction {check:.12}",
        times[0],
        times[times.len() / 2]
    );
}
