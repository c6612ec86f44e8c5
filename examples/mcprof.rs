use mcdropout::metrics::{mc_log_likelihood, mean_var};
use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::predict::{McOptions, mc_map};
use std::time::Instant;
fn main() {
    let threads: usize = std::env::args().nth(1).map_or(2, |s| s.parse().unwrap());
    let arch = Architecture::new(9, &[100], 1, Activation::Relu, 0.05).unwrap();
    let net = Network::init(arch, Init::GlorotUniform, 0.0, 1).unwrap();
    let x = ndarray::Array2::from_shape_fn((4573, 9), |(i, j)| {
        ((i * 31 + j * 7) % 97) as f64 / 48.0 - 1.0
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let s = Instant::now();
    let r = pool
        .install(|| {
            mc_map(&net, x.view(), &McOptions::new(10_000, 1), |r, s| {
                let (m, v) = mean_var(s);
                (m, v, mc_log_likelihood(s, (r % 10) as f64 * 0.1, 1.0))
            })
        })
        .unwrap();
    let ll: f64 = r.iter().map(|t| t.2).sum::<f64>() / r.len() as f64;
    println!(
        "threads {threads}: {:.3} s (ll {ll:.4})",
        s.elapsed().as_secs_f64()
    );
}
