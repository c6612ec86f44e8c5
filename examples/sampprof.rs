use mcdropout::rng::{DropSampler, Purpose, stream};
use std::time::Instant;
fn main() {
    let s0 = DropSampler::new(9, 0.05);
    let s1 = DropSampler::new(100, 0.05);
    let mut out = Vec::with_capacity(64);
    let n = 4_573_000usize;
    let t = Instant::now();
    let mut tot = 0usize;
    for r in 0..n / 10000 + 1 {
        let mut rng = stream(1, Purpose::McMasks, r as u64);
        let (mut a, mut b) = (s0.start(&mut rng), s1.start(&mut rng));
        for _ in 0..10000 {
            out.clear();
            s0.sample(&mut a, &mut rng, &mut out);
            s1.sample(&mut b, &mut rng, &mut out);
            tot += out.len();
        }
    }
    let el = t.elapsed().as_secs_f64();
    println!(
        "{:.1} ns per pass (2 layers), {} drops; x10 = {:.2}s for 45.7M passes",
        el * 1e9 / n as f64,
        tot,
        el * 10.0
    );
}
