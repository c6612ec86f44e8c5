//! Log marginal likelihood of CO2 GPs at hand-picked parameters (diagnostics).
use mcdropout::experiments::co2::load_co2;
use mcdropout::gp::GpParams;
use ndarray::{Array1, Array2};
fn main() {
    let d = load_co2(std::path::Path::new("/work/shared/data/co2/co2.csv")).unwrap();
    let n = 1891;
    let x = Array2::from_shape_fn((n, 1), |(i, _)| d.year[i]);
    let y = Array1::from(d.ppmv[..n].to_vec());
    let m = x.column(0).mean().unwrap();
    let s = x.column(0).std(0.0);
    println!("t std {s}");
    let p = (1.0 / s).ln();
    for (spec, init, noise, opt) in [
        ("se", vec![0.0, 0.0], 0.1, false),
        (
            "se+periodic",
            vec![0.0, 0.0, (0.01f64).ln(), 0.0, p],
            0.001,
            false,
        ),
        (
            "se+periodic",
            vec![0.0, 0.0, (0.01f64).ln(), 0.0, p],
            0.001,
            true,
        ),
        (
            "se+periodic",
            vec![0.0, 0.0, (0.01f64).ln(), 0.0, p],
            0.1,
            true,
        ),
    ] {
        let mut g = GpParams::default();
        g.kernel = spec.into();
        g.init = Some(init);
        g.noise_var = noise;
        g.optimise = opt;
        g.restarts = 0;
        let t = std::time::Instant::now();
        let f = g.fit(x.view(), y.view()).unwrap();
        println!(
            "{spec} opt={opt}: lml {:.2} iters {} evals {} {:.1}s {:?}",
            f.report.log_marginal_likelihood,
            f.report.iterations,
            f.report.evaluations,
            t.elapsed().as_secs_f64(),
            f.parameters()
        );
    }
    let _ = m;
}
