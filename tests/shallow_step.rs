//! The fused training step of `nn::shallow_step` (one hidden ReLU, tanh or sigmoid layer of
//! ≤ 64 units, one output, f32) against the general path, bit for bit, at every SIMD level
//! that has a fused kernel: forward output, the masked hidden layer, and every gradient,
//! for shapes with every kind of remainder (rows not a multiple of 4, hidden widths not a
//! multiple of 16 or 8), inputs too many for the kernels' copies of W₁ on the stack, the
//! largest batch, with and without dropout on either layer. Equality is exact
//! because both paths apply the same operations in the same order to every element (module
//! docs). Each level's test is marked `ignore` (with the reason) on a processor without
//! that level, and checks that the fused kernel really ran. Off x86-64 there is no fused
//! kernel: only the portable test runs.
#![cfg_attr(not(mcdropout_x86), allow(dead_code, unused_imports))]

use mcdropout::nn::backprop::{
    Gradients, Masks, Tensors, TrainBuffers, backward, forward_train, forward_train_unfused,
};
use mcdropout::nn::shallow_step::Kernel;
use mcdropout::nn::{Activation, Architecture, FlushDenormals, Init, Network};
use mcdropout::rng::{DropSampler, Purpose, stream};
use mcdropout::simd::{self, Level};
use rand::Rng;
use std::sync::Mutex;

/// The level is global to the process: one test at a time sets it.
static LEVEL: Mutex<()> = Mutex::new(());

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[allow(clippy::too_many_arguments)]
fn check(
    kernel: Kernel,
    act: Activation,
    k: usize,
    h: usize,
    rows: usize,
    p_in: f64,
    p_hid: f64,
    seed: u64,
) {
    let arch = Architecture::new(k, &[h], 1, act, p_hid).unwrap();
    let net = Network::init(arch.clone(), Init::GlorotUniform, 0.0, seed).unwrap();
    let mut params = Tensors::<f32>::from_network(&net);
    let mut rng = stream(seed, Purpose::Init, 99);
    for b in params.bias.iter_mut().flatten() {
        *b = rng.random_range(-0.3..0.3);
    }
    let x: Vec<f32> = (0..rows * k).map(|_| rng.random_range(-2.0..2.0)).collect();
    let samplers = [DropSampler::new(k, p_in), DropSampler::new(h, p_hid)];
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut rng)).collect();
    let mut masks = Masks::default();
    masks.draw(&samplers, &mut states, rows);
    let (mut b1, mut b2) = (TrainBuffers::default(), TrainBuffers::default());
    let out1 = forward_train(&arch, &params, &x, rows, &masks, &mut b1).to_vec();
    let out2 = forward_train_unfused(&arch, &params, &x, rows, &masks, &mut b2).to_vec();
    let what = format!("{kernel:?} {act:?} k {k} h {h} rows {rows} p {p_in}/{p_hid}");
    assert_eq!(
        b1.fused_kernel(),
        Some(kernel),
        "{what}: the fused kernel did not run"
    );
    assert_eq!(b2.fused_kernel(), None, "{what}");
    assert_eq!(bits(&out1), bits(&out2), "output, {what}");
    let dout: Vec<f32> = (0..rows).map(|_| rng.random_range(-1.0..1.0)).collect();
    let (mut g1, mut g2) = (Gradients::zeros(&net), Gradients::zeros(&net));
    backward(&arch, &params, &masks, &mut b1, &dout, &mut g1);
    backward(&arch, &params, &masks, &mut b2, &dout, &mut g2);
    for l in 0..2 {
        assert_eq!(bits(&g1.weights[l]), bits(&g2.weights[l]), "dW{l}, {what}");
        assert_eq!(bits(&g1.bias[l]), bits(&g2.bias[l]), "db{l}, {what}");
    }
    // Not a vacuous comparison: with a full batch some hidden unit is active.
    if rows >= 61 && h >= 7 {
        assert!(
            g1.weights[0].iter().any(|&v| v != 0.0),
            "{what}: gradient all zero"
        );
        assert!(
            out1.iter().any(|&v| v != out1[0]),
            "{what}: constant output"
        );
    }
}

/// Every shape, activation, batch size and dropout pair, at `level` (whose fused kernel is
/// `kernel`).
fn fused_matches_general(level: Level, kernel: Kernel) {
    let _one = LEVEL.lock().unwrap_or_else(|e| e.into_inner());
    assert!(
        level.is_supported(),
        "the build found {level} on this processor, the run does not"
    );
    simd::set_level(level).unwrap();
    let _ftz = FlushDenormals::new();
    let mut seed = 0;
    let shapes = [
        (13, 50),
        (1, 1),
        (8, 64),
        (16, 50),
        (4, 17),
        (9, 33),
        (30, 8),
        (3, 7),
    ];
    // Then inputs too many for the kernels' aligned copies of W₁ on the stack (AVX-512:
    // k · ⌈h/16⌉ > 256; AVX2: k · ⌈h/8⌉ > 512), in batches small enough for the
    // register-blocked products, and the largest batch.
    let large: [(usize, usize, &[usize]); 4] = [
        (80, 50, &[1, 3, 61]),
        (72, 57, &[1, 61]),
        (4, 17, &[512]),
        (1, 64, &[512]),
    ];
    let all = shapes
        .iter()
        .map(|&(k, h)| (k, h, &[128, 1, 3, 61, 130][..]))
        .chain(large);
    for act in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        for (k, h, batches) in all.clone() {
            for &rows in batches {
                for &(p_in, p_hid) in &[(0.05, 0.05), (0.0, 0.3), (0.2, 0.0), (0.0, 0.0)] {
                    seed += 1;
                    check(kernel, act, k, h, rows, p_in, p_hid, seed);
                }
            }
        }
    }
}

#[test]
#[cfg(mcdropout_x86)]
#[cfg_attr(
    not(mcdropout_host_avx512),
    ignore = "this processor lacks AVX-512 (avx512f, avx512vl): the AVX-512 fused step cannot run here"
)]
fn avx512_fused_step_matches_general_path_bit_for_bit() {
    fused_matches_general(Level::Avx512, Kernel::Avx512);
}

#[test]
#[cfg(mcdropout_x86)]
#[cfg_attr(
    not(mcdropout_host_avx2),
    ignore = "this processor lacks AVX2 and FMA: the AVX2 fused step cannot run here"
)]
fn avx2_fused_step_matches_general_path_bit_for_bit() {
    fused_matches_general(Level::Avx2, Kernel::Avx2);
}

/// At the portable level no fused kernel is planned: the general path runs, and the
/// backward pass follows the forward pass's layout (the bug of issue 21: a forward pass
/// that fell back to the general path followed by a fused backward).
#[test]
fn portable_level_plans_no_fused_kernel_and_trains() {
    let _one = LEVEL.lock().unwrap_or_else(|e| e.into_inner());
    simd::set_level(Level::Portable).unwrap();
    let arch = Architecture::new(13, &[50], 1, Activation::Relu, 0.05).unwrap();
    let net = Network::init(arch.clone(), Init::GlorotUniform, 0.0, 3).unwrap();
    let params = Tensors::<f32>::from_network(&net);
    let x: Vec<f32> = (0..128 * 13)
        .map(|i| ((i % 7) as f32 - 3.0) / 3.0)
        .collect();
    let masks = Masks::none(2);
    let mut buf = TrainBuffers::default();
    forward_train(&arch, &params, &x, 128, &masks, &mut buf);
    assert_eq!(buf.fused_kernel(), None);
    let mut g = Gradients::zeros(&net);
    backward(&arch, &params, &masks, &mut buf, &[0.5; 128], &mut g);
    assert!(g.weights[0].iter().any(|&v| v != 0.0));
    simd::set_level(simd::native()).unwrap();
}
