//! Times training steps of the method engine (Concrete, Bernoulli, none) on kin8nm-like
//! shapes: `cargo run --release --example methods_step`.
use mcdropout::methods::{Method, MethodParams};
use ndarray::{Array1, Array2};
fn main() {
    let n = 5900;
    let x = Array2::from_shape_fn((n, 8), |(i, j)| ((i * 31 + j * 17) % 101) as f64 / 101.0);
    let y: Array1<f64> = x.rows().into_iter().map(|r| r.sum().sin()).collect();
    for m in [Method::Concrete, Method::Ensemble] {
        let mut p = MethodParams::new(m);
        p.members = 1;
        p.base.train.epochs = std::env::args().nth(1).map_or(50, |s| s.parse().unwrap());
        let t = std::time::Instant::now();
        let model = p.fit(x.view(), y.view()).unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "{:?}: {} steps, {:.1} µs/step",
            m,
            model.report.steps,
            s * 1e6 / model.report.steps as f64
        );
    }
}
