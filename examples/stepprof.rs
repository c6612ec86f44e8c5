//! One training step (13→50→1 ReLU, dropout 0.05, batch 128, Adam) split into masks,
//! forward, backward and Adam. Run:
//! `cargo run --release --example stepprof -- [f32|f64] [denormals] [relu|tanh|sigmoid] [wide]
//! [threads=N] [steps]`
//! (`denormals`: without flushing subnormals to zero, as `train_network` does; the
//! activation of the hidden layer, ReLU by default; `wide`: the 20→512→512→1 net of issue
//! 11 item 3, dropout 0.05 on every layer's input, instead of 13→50→1; `threads=N`: run in
//! a rayon pool of N threads (the wide products split over them); the number of steps,
//! 20 000 by default, 400 for `wide`).

use mcdropout::nn::backprop::{Gradients, Masks, Tensors, TrainBuffers, backward, forward_train};
use mcdropout::nn::{Activation, Architecture, FlushDenormals, Init, Network, Real};
use mcdropout::rng::{DropSampler, Purpose, stream};
use mcdropout::train::{Optimizer, OptimizerState};
use std::time::Instant;

fn run<T: Real>() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |w: &str| args.iter().any(|a| a == w);
    let _ftz = (!has("denormals")).then(FlushDenormals::new);
    let act = args
        .iter()
        .find_map(|a| a.parse::<Activation>().ok())
        .unwrap_or(Activation::Relu);
    let wide = has("wide");
    let n: usize =
        args.iter()
            .find_map(|a| a.parse().ok())
            .unwrap_or(if wide { 400 } else { 20000 });
    let (k_in, hidden): (usize, &[usize]) = if wide { (20, &[512, 512]) } else { (13, &[50]) };
    let blk = if wide { 20 } else { 500 };
    let arch = Architecture::new(k_in, hidden, 1, act, 0.05).unwrap();
    let net = Network::init(arch, Init::GlorotUniform, 0.0, 1).unwrap();
    let rows = 128;
    let x: Vec<T> = (0..rows * k_in)
        .map(|i| T::from_f64(((i * 7919) % 101) as f64 / 50.0 - 1.0))
        .collect();
    let y: Vec<T> = (0..rows)
        .map(|i| T::from_f64(((i * 31) % 17) as f64 / 8.0 - 1.0))
        .collect();
    let samplers: Vec<DropSampler> = std::iter::once(&k_in)
        .chain(hidden)
        .map(|&k| DropSampler::new(k, 0.05))
        .collect();
    let mut rng = stream(1, Purpose::TrainMasks, 0);
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut rng)).collect();
    let (mut masks, mut buf, mut dout) = (Masks::default(), TrainBuffers::default(), Vec::new());
    let mut p = Tensors::<T>::from_network(&net);
    let mut g = Gradients::<T>::zeros(&net);
    let mut opt = OptimizerState::<T>::new(Optimizer::default(), &net);
    let decay = vec![1e-4; hidden.len() + 1];
    let mut tm = [0f64; 4];
    let two_over_rows = T::from_f64(2.0 / rows as f64);
    // Best block of `blk` steps, timed without the per-phase clocks: robust to neighbours.
    let mut best = f64::INFINITY;
    for step in 0..n {
        if step % blk == 0 {
            let block = Instant::now();
            for _ in 0..blk {
                masks.draw(&samplers, &mut states, rows);
                let out = forward_train(&net.arch, &p, &x, rows, &masks, &mut buf);
                dout.clear();
                dout.extend(out.iter().zip(&y).map(|(&o, &y)| two_over_rows * (o - y)));
                backward(&net.arch, &p, &masks, &mut buf, &dout, &mut g);
                opt.step(&mut p, &g, &decay, 0.0);
            }
            best = best.min(block.elapsed().as_secs_f64() * 1e6 / blk as f64);
        }
        let t0 = Instant::now();
        masks.draw(&samplers, &mut states, rows);
        let t1 = Instant::now();
        let out = forward_train(&net.arch, &p, &x, rows, &masks, &mut buf);
        dout.clear();
        dout.extend(out.iter().zip(&y).map(|(&o, &y)| two_over_rows * (o - y)));
        let t2 = Instant::now();
        backward(&net.arch, &p, &masks, &mut buf, &dout, &mut g);
        let t3 = Instant::now();
        opt.step(&mut p, &g, &decay, 0.0);
        let t4 = Instant::now();
        tm[0] += (t1 - t0).as_secs_f64();
        tm[1] += (t2 - t1).as_secs_f64();
        tm[2] += (t3 - t2).as_secs_f64();
        tm[3] += (t4 - t3).as_secs_f64();
    }
    let us: Vec<f64> = tm.iter().map(|t| t * 1e6 / n as f64).collect();
    println!(
        "{act}: masks {:.2} fwd {:.2} bwd {:.2} adam {:.2} total {:.2} us; best block of {blk} \
         uninstrumented steps {best:.2} us/step",
        us[0],
        us[1],
        us[2],
        us[3],
        us.iter().sum::<f64>()
    );
}

fn main() {
    let threads = std::env::args()
        .find_map(|a| a.strip_prefix("threads=").map(|t| t.parse().unwrap()))
        .unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        if std::env::args().any(|a| a == "f64") {
            run::<f64>()
        } else {
            run::<f32>()
        }
    })
}
