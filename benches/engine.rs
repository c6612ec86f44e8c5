//! Criterion benchmarks of the two hot paths (issue #2, acceptance 6):
//! (a) one training step (forward + backward + Adam) of a 13→50→1 ReLU net with dropout on
//!     the input and hidden layer, batch 128;
//! (b) MC-dropout inference of a 9→100→1 net (dropout 0.05 on input and hidden) on 4573
//!     points with T = 10 000, including the mean, variance and test log-likelihood, on all
//!     cores of the machine (rayon's global pool).
//!
//! Run: `cargo bench --bench engine`.

use criterion::{Criterion, criterion_group, criterion_main};
use mcdropout::metrics::{mc_log_likelihood, mean_var};
use mcdropout::nn::backprop::{Gradients, Masks, Tensors, TrainBuffers, backward, forward_train};
use mcdropout::nn::{Activation, Architecture, FlushDenormals, Init, Network, Real};
use mcdropout::predict::{McOptions, mc_map};
use mcdropout::prior::LossConvention;
use mcdropout::rng::{DropSampler, Purpose, stream};
use mcdropout::train::loss::squared_error;
use mcdropout::train::{Optimizer, OptimizerState};
use rand::Rng;
use std::hint::black_box;
use std::time::Duration;

fn train_step(c: &mut Criterion) {
    train_step_in::<f32>(c, "f32");
    train_step_in::<f64>(c, "f64");
}

fn train_step_in<T: Real>(c: &mut Criterion, name: &str) {
    let (rows, k) = (128, 13);
    let arch = Architecture::new(k, &[50], 1, Activation::Relu, 0.05).unwrap();
    let net = Network::init(arch, Init::GlorotUniform, 0.0, 1).unwrap();
    let mut rng = stream(1, Purpose::Split, 0);
    let x: Vec<T> = (0..rows * k)
        .map(|_| T::from_f64(rng.random_range(-2.0..2.0)))
        .collect();
    let y: Vec<T> = (0..rows)
        .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
        .collect();
    let samplers: Vec<DropSampler> = [k, 50].iter().map(|&u| DropSampler::new(u, 0.05)).collect();
    let mut mask_rng = stream(1, Purpose::TrainMasks, 0);
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut mask_rng)).collect();
    let (mut masks, mut buf, mut dout) = (Masks::default(), TrainBuffers::default(), Vec::new());
    let mut params = Tensors::<T>::from_network(&net);
    let mut grads = Gradients::<T>::zeros(&net);
    let mut opt = OptimizerState::<T>::new(Optimizer::default(), &net);
    let decay = [1e-4, 1e-4];
    // As in `train_network`: subnormals flushed to zero while training.
    let _ftz = FlushDenormals::new();
    c.bench_function(
        &format!("train_step 13-50-1 relu p=0.05 batch 128 {name}"),
        |b| {
            b.iter(|| {
                masks.draw(&samplers, &mut states, rows);
                let out = forward_train(&net.arch, &params, black_box(&x), rows, &masks, &mut buf);
                let loss = squared_error(LossConvention::Gal, out, &y, rows, &mut dout);
                backward(&net.arch, &params, &masks, &mut buf, &dout, &mut grads);
                opt.step(&mut params, &grads, &decay, 0.0);
                loss
            })
        },
    );
}

fn mc_inference(c: &mut Criterion) {
    let arch = Architecture::new(9, &[100], 1, Activation::Relu, 0.05).unwrap();
    let net = Network::init(arch, Init::GlorotUniform, 0.0, 1).unwrap();
    let mut rng = stream(2, Purpose::Split, 0);
    let x = ndarray::Array2::from_shape_fn((4573, 9), |_| rng.random_range(-2.0..2.0));
    let y: Vec<f64> = (0..4573).map(|_| rng.random_range(-1.0..1.0)).collect();
    let opts = McOptions::new(10_000, 3);
    let mut group = c.benchmark_group("mc_inference");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function("9-100-1 p=0.05, 4573 points, T=10000, mean+var+LL", |b| {
        b.iter(|| {
            let r = mc_map(&net, x.view(), &opts, |row, s| {
                let (m, v) = mean_var(s);
                (m, v, mc_log_likelihood(s, y[row], 1.0))
            })
            .unwrap();
            r.iter().map(|t| t.2).sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, train_step, mc_inference);
criterion_main!(benches);
