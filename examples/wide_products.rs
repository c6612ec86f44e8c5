//! The three 128×512×512 products of the wide net's training step (issue 11, item 3) on a
//! pool of 1 and of 2 threads, with a single-threaded busy gap of 0, 50 or 200 µs before
//! each product (as the step's element-wise work and Adam leave between its products):
//! how well the column-split products scale when the second worker is awake, and what
//! waking it costs after it has gone to sleep. Prints the best of 5 blocks of 100 products.
//! Run: `cargo run --release --example wide_products`.

use mcdropout::nn::matmul::{gemm, gemm_nt, gemm_tn};
use std::time::Instant;

/// Spins for `us` microseconds on the calling thread.
fn busy(us: f64) {
    let s = Instant::now();
    while s.elapsed().as_secs_f64() * 1e6 < us {
        std::hint::spin_loop();
    }
}
fn main() {
    let (m, k, n) = (128usize, 512usize, 512usize);
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let d: Vec<f32> = (0..m * n).map(|i| (i % 3) as f32 * 0.1).collect();
    let mut c = vec![0f32; m * n];
    let mut cw = vec![0f32; k * n];
    for threads in [1usize, 2, 1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            for gap in [0.0, 50.0, 200.0] {
                let mut best = [f64::INFINITY; 3];
                for _ in 0..5 {
                    let mut tt = [0f64; 3];
                    for _ in 0..100 {
                        busy(gap);
                        let s = Instant::now();
                        gemm(&mut c, &a, &b, m, k, n, false);
                        tt[0] += s.elapsed().as_secs_f64();
                        busy(gap);
                        let s = Instant::now();
                        gemm_tn(&mut cw, &a, &d, m, k, n);
                        tt[1] += s.elapsed().as_secs_f64();
                        busy(gap);
                        let s = Instant::now();
                        gemm_nt(&mut c, &d, &b, m, n, k);
                        tt[2] += s.elapsed().as_secs_f64();
                    }
                    for q in 0..3 {
                        best[q] = best[q].min(tt[q] * 1e4);
                    }
                }
                println!(
                    "threads {threads} gap {gap:5} us: gemm {:7.1} tn {:7.1} nt {:7.1} us",
                    best[0], best[1], best[2]
                );
            }
        });
    }
}
