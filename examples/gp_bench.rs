//! Exact GP fit + predict timing, for comparison with `bench/sklearn/bench.py` (same data
//! files, same kernel: se (σ² · SE-ARD) with the noise variance, same initial values and
//! iteration cap, no restarts).
//!
//! `cargo run --release --example gp_bench -- DIR MAX_ITER REPEATS`
use mcdropout::data::{LoadOptions, read_table};
use mcdropout::gp::GpParams;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map(String::as_str).unwrap_or("/tmp/gpbench"));
    let max_iter: usize = args.get(2).map_or(Ok(50), |s| s.parse())?;
    let repeats: usize = args.get(3).map_or(Ok(3), |s| s.parse())?;
    let opts = LoadOptions::default();
    let tr = read_table(&dir.join("train.csv"), &opts)?;
    let te = read_table(&dir.join("test.csv"), &opts)?;
    let (x, y, _, _) = tr.features_and_target("y", None)?;
    let (xt, yt, _, _) = te.features_and_target("y", None)?;
    println!("threads {}", rayon::current_num_threads());
    for rep in 0..repeats {
        let mut p = GpParams::default();
        p.restarts = 0;
        p.max_iter = max_iter;
        let t0 = Instant::now();
        let m = p.fit(x.view(), y.view())?;
        let t1 = Instant::now();
        let pred = m.predict(xt.view(), 0.95)?;
        let t2 = Instant::now();
        let rmse = mcdropout::metrics::rmse(&pred.mean.to_vec(), &yt.to_vec());
        let n = y.len() as f64;
        // sklearn reports the LML of the normalised targets; ours is in the same units.
        let _ = n;
        println!(
            "repeat {rep}: fit {:.3} s ({} iterations, {} evaluations), predict {:.3} s, total {:.3} s; LML {:.3}, test RMSE {rmse:.4}",
            (t1 - t0).as_secs_f64(),
            m.report.iterations,
            m.report.evaluations,
            (t2 - t1).as_secs_f64(),
            (t2 - t0).as_secs_f64(),
            m.report.log_marginal_likelihood
        );
    }
    Ok(())
}
