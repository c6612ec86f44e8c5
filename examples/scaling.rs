//! Our side of the scaling table (issue 11, item 7; driven by `bench/perf/scaling.py`).
//! Run: `cargo run --release --example scaling -- train N WIDTH` (one epoch of Adam,
//! 13→WIDTH→1 ReLU, dropout 0.05, batch 128, f32, on N seeded rows) or
//! `cargo run --release --example scaling -- mc T POINTS` (MC inference of a 9→100→1 ReLU
//! net, dropout 0.05, T passes on POINTS rows, with mean, variance and test LL).
//! Prints `seconds <s>`: the best of 3 runs (after one warm-up), on the threads of the
//! global pool (`RAYON_NUM_THREADS`).

use mcdropout::metrics::{mc_log_likelihood, mean_var};
use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::predict::{McOptions, mc_map};
use mcdropout::train::{Regularisation, TrainConfig, train_network};
use ndarray::Array2;
use std::time::Instant;

fn best_of<F: FnMut()>(mut f: F) -> f64 {
    f();
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> usize { args[i].parse().expect("a positive integer") };
    let secs = match args.first().map(String::as_str) {
        Some("train") => {
            let (n, width) = (num(1), num(2));
            let x = Array2::from_shape_fn((n, 13), |(i, j)| {
                ((i * 31 + j * 7) % 97) as f64 / 48.0 - 1.0
            });
            let y = Array2::from_shape_fn((n, 1), |(i, _)| ((i * 13) % 29) as f64 / 14.0 - 1.0);
            let reg = Regularisation {
                kernel: vec![1e-4; 2],
                bias: 0.0,
            };
            let mut cfg = TrainConfig::default();
            cfg.epochs = 1;
            best_of(|| {
                let arch = Architecture::new(13, &[width], 1, Activation::Relu, 0.05).unwrap();
                let mut net = Network::init(arch, Init::GlorotUniform, 0.0, 1).unwrap();
                train_network(&mut net, x.view(), y.view(), &reg, &cfg, &mut |_, _| {}).unwrap();
            })
        }
        Some("mc") => {
            let (t, points) = (num(1), num(2));
            let arch = Architecture::new(9, &[100], 1, Activation::Relu, 0.05).unwrap();
            let net = Network::init(arch, Init::GlorotUniform, 0.0, 1).unwrap();
            let x = Array2::from_shape_fn((points, 9), |(i, j)| {
                ((i * 31 + j * 7) % 97) as f64 / 48.0 - 1.0
            });
            best_of(|| {
                mc_map(&net, x.view(), &McOptions::new(t, 1), |r, s| {
                    let (m, v) = mean_var(s);
                    (m, v, mc_log_likelihood(s, (r % 10) as f64 * 0.1, 1.0))
                })
                .unwrap();
            })
        }
        _ => panic!("usage: scaling train N WIDTH | scaling mc T POINTS"),
    };
    println!("seconds {secs:.6}");
}
