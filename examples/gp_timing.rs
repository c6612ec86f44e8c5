//! Times one log-marginal-likelihood evaluation (with gradient) on CO2-sized data.
use mcdropout::gp::{Points, log_marginal_likelihood, parse_kernel};
use std::time::Instant;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1891);
    let x = Points {
        data: (0..n).map(|i| i as f64 / n as f64 * 3.4 - 1.7).collect(),
        dim: 1,
    };
    let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.1).sin()).collect();
    for spec in ["se", "se+periodic"] {
        let k = parse_kernel(spec, 1).unwrap();
        for grad in [false, true] {
            let t = Instant::now();
            let (l, _, j) = log_marginal_likelihood(&k, -2.0, &x, &y, grad).unwrap();
            println!(
                "{spec} grad={grad}: {:.3} s (lml {l:.3}, jitter {j:e})",
                t.elapsed().as_secs_f64()
            );
        }
    }
}
