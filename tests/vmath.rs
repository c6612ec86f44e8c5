//! Accuracy of the vectorised tanh and sigmoid (`nn::vmath`, issue 11 item 4) against
//! libm over the whole range, stated as the largest error in units in the last place.
//!
//! `f32`: the reference is libm's `f64` function of the same input (its error, ≲ 1 `f64`
//! ulp, is 2⁻²⁹ of an `f32` ulp), so the measured error is the error against the exact
//! value to within 2⁻²⁹ ulp. Every one of the 2³² bit patterns is checked by the
//! `exhaustive_*` tests (about a minute each on one core of the development machine, so
//! they are `#[ignore]`d in the default run: `cargo test --release --test vmath --
//! --ignored`); the default run checks every 97th bit pattern (44 million inputs, every
//! binade and both signs) plus the edge cases.
//!
//! `f64`: no wider type, so the reference is libm's own `f64` function and the figure is
//! the distance from it (libm's error adds at most its own ≲ 1 ulp). The sweep covers
//! 2²⁴ bit patterns evenly spread over all 2⁶⁴ (every binade, both signs), 2²⁴ uniform
//! draws in [−25, 25] (where both functions vary), and the edge cases.
//!
//! The bounds asserted are the constants the library documents (`TANH_F32_MAX_ULP`, …):
//! the largest error found by these sweeps, rounded up to the next half ulp.

use mcdropout::nn::kernels;
use mcdropout::nn::vmath::{
    SIGMOID_F32_MAX_ULP, SIGMOID_F64_MAX_ULP, TANH_F32_MAX_ULP, TANH_F64_MAX_ULP,
    exp_nonpositive_f64,
};
use rayon::prelude::*;

/// The size of an `f32` ulp at the (exact, `f64`) value `y`: 2^(⌊log₂|y|⌋ − 23), at
/// least the subnormal spacing 2⁻¹⁴⁹.
fn ulp32(y: f64) -> f64 {
    let e = ((y.abs().to_bits() >> 52) & 0x7ff) as i32 - 1023;
    pow2((e - 23).max(-149))
}

/// 2^k for −1074 ≤ k ≤ 1023, exactly.
fn pow2(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

/// The size of an `f64` ulp at `y` (2⁻¹⁰⁷⁴ for subnormals and zero).
fn ulp64(y: f64) -> f64 {
    let e = ((y.abs().to_bits() >> 52) & 0x7ff) as i32 - 1023;
    pow2((e - 52).max(-1074))
}

fn sigmoid_ref(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        z.exp() / (1.0 + z.exp())
    }
}

/// Largest ulp error of `ours` (applied to a block of inputs, as the engine does) against
/// `reference`, over the bit patterns `start, start + step, …` below 2³²; NaN inputs must
/// give NaN.
fn sweep_f32(step: u64, ours: fn(&mut [f32]), reference: fn(f64) -> f64) -> (f64, f32) {
    const BLOCK: u64 = 1 << 20;
    let total = 1u64 << 32;
    let blocks = total.div_ceil(BLOCK * step);
    (0..blocks)
        .into_par_iter()
        .map(|b| {
            let lo = b * BLOCK * step;
            let x: Vec<f32> = (0..BLOCK)
                .map(|i| lo + i * step)
                .filter(|&u| u < total)
                .map(|u| f32::from_bits(u as u32))
                .collect();
            let mut y = x.clone();
            ours(&mut y);
            let mut worst = (0.0f64, 0.0f32);
            for (&xi, &yi) in x.iter().zip(&y) {
                if xi.is_nan() {
                    assert!(yi.is_nan(), "NaN input gave {yi}");
                    continue;
                }
                let r = reference(xi as f64);
                let err = (yi as f64 - r).abs() / ulp32(r);
                assert!(err.is_finite(), "x = {xi:e}: got {yi:e}, libm {r:e}");
                if err > worst.0 {
                    worst = (err, xi);
                }
            }
            worst
        })
        .reduce(|| (0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a })
}

fn sweep_f64(ours: fn(&mut [f64]), reference: fn(f64) -> f64) -> (f64, f64) {
    use rand::{Rng, SeedableRng};
    let n = 1usize << 24;
    let stride = u64::MAX / n as u64;
    let mut x: Vec<f64> = (0..n as u64)
        .map(|i| f64::from_bits(i.wrapping_mul(stride).wrapping_add(i)))
        .filter(|v| !v.is_nan())
        .collect();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
    x.extend((0..n).map(|_| rng.random_range(-25.0..25.0)));
    x.extend(edge_cases_f64());
    x.par_chunks(1 << 16)
        .map(|c| {
            let mut y = c.to_vec();
            ours(&mut y);
            let mut worst = (0.0f64, 0.0f64);
            for (&xi, &yi) in c.iter().zip(&y) {
                let r = reference(xi);
                let err = if r == yi {
                    0.0
                } else {
                    (yi - r).abs() / ulp64(r)
                };
                assert!(err.is_finite(), "x = {xi:e}: got {yi:e}, libm {r:e}");
                if err > worst.0 {
                    worst = (err, xi);
                }
            }
            worst
        })
        .reduce(|| (0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a })
}

fn edge_cases_f64() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        5e-324,
        1e-300,
        1e-8,
        0.5,
        0.55,
        0.625,
        1.0,
        18.0,
        19.1,
        22.0,
        36.7,
        37.0,
        708.0,
        709.8,
        744.0,
        745.1,
        746.0,
        1e10,
        f64::MAX,
        f64::INFINITY,
    ];
    let neg: Vec<f64> = v.iter().map(|x| -x).collect();
    v.extend(neg);
    v
}

#[test]
fn edge_cases_f32_exact_values() {
    let mut x = [
        0.0f32,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        1e-40,
        -1e-40,
    ];
    kernels::tanh(&mut x);
    assert_eq!(x[0].to_bits(), 0.0f32.to_bits());
    assert_eq!(x[1].to_bits(), (-0.0f32).to_bits(), "tanh(−0) = −0");
    assert_eq!((x[2], x[3]), (1.0, -1.0));
    assert!(x[4].is_nan());
    assert_eq!((x[5], x[6]), (1e-40, -1e-40), "tanh x = x for subnormal x");
    let mut s = [
        0.0f32,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        200.0,
        -200.0,
    ];
    kernels::sigmoid(&mut s);
    assert_eq!(&s[..3], &[0.5, 1.0, 0.0]);
    assert!(s[3].is_nan());
    assert_eq!((s[4], s[5]), (1.0, 0.0));
    let mut d = [0.0f64, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    kernels::tanh(&mut d);
    assert_eq!(d[1].to_bits(), (-0.0f64).to_bits());
    assert_eq!((d[0], d[2], d[3]), (0.0, 1.0, -1.0));
    assert!(d[4].is_nan());
}

#[test]
fn dense_sweep_f32_tanh() {
    let (err, at) = sweep_f32(97, kernels::tanh::<f32>, f64::tanh);
    eprintln!("tanh f32, every 97th bit pattern: max {err:.3} ulp at x = {at:e}");
    assert!(err <= TANH_F32_MAX_ULP, "{err} ulp at {at:e}");
}

#[test]
fn dense_sweep_f32_sigmoid() {
    let (err, at) = sweep_f32(97, kernels::sigmoid::<f32>, sigmoid_ref);
    eprintln!("sigmoid f32, every 97th bit pattern: max {err:.3} ulp at x = {at:e}");
    assert!(err <= SIGMOID_F32_MAX_ULP, "{err} ulp at {at:e}");
}

#[test]
#[ignore = "all 2^32 inputs, about a minute: cargo test --release --test vmath -- --ignored"]
fn exhaustive_f32_tanh() {
    let (err, at) = sweep_f32(1, kernels::tanh::<f32>, f64::tanh);
    eprintln!("tanh f32, all 2^32 bit patterns: max {err:.3} ulp at x = {at:e}");
    assert!(err <= TANH_F32_MAX_ULP, "{err} ulp at {at:e}");
}

#[test]
#[ignore = "all 2^32 inputs, about a minute: cargo test --release --test vmath -- --ignored"]
fn exhaustive_f32_sigmoid() {
    let (err, at) = sweep_f32(1, kernels::sigmoid::<f32>, sigmoid_ref);
    eprintln!("sigmoid f32, all 2^32 bit patterns: max {err:.3} ulp at x = {at:e}");
    assert!(err <= SIGMOID_F32_MAX_ULP, "{err} ulp at {at:e}");
}

#[test]
fn sweep_f64_tanh() {
    let (err, at) = sweep_f64(kernels::tanh::<f64>, f64::tanh);
    eprintln!("tanh f64: max {err:.3} ulp from libm at x = {at:e}");
    assert!(err <= TANH_F64_MAX_ULP, "{err} ulp at {at:e}");
}

#[test]
fn sweep_f64_sigmoid() {
    let (err, at) = sweep_f64(kernels::sigmoid::<f64>, sigmoid_ref);
    eprintln!("sigmoid f64: max {err:.3} ulp from libm at x = {at:e}");
    assert!(err <= SIGMOID_F64_MAX_ULP, "{err} ulp at {at:e}");
}

/// `exp_nonpositive_f64` (the exponential inside the sigmoid and the MC log-likelihood's
/// log-sum-exp) against libm's `exp` over [−750, 0] (uniform and a bit-pattern sweep of
/// the negative numbers): at most 1 ulp apart (measured; the bound asserted), exact at 0,
/// 0 below the subnormal range, NaN for NaN.
#[test]
fn exp_nonpositive_f64_within_one_ulp_of_libm() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
    let n = 1u64 << 22;
    let stride = (1u64 << 63) / n;
    let xs = (0..n)
        .map(|i| -f64::from_bits(i * stride + i))
        .chain((0..n).map(|_| rng.random_range(-750.0..=0.0)))
        .filter(|x| x.is_finite());
    let mut worst = (0.0f64, 0.0f64);
    for x in xs {
        let (ours, libm) = (exp_nonpositive_f64(x), x.exp());
        let err = if ours == libm {
            0.0
        } else {
            (ours - libm).abs() / ulp64(libm)
        };
        if err > worst.0 {
            worst = (err, x);
        }
    }
    eprintln!(
        "exp f64 on [-750, 0]: max {:.3} ulp from libm at x = {:e}",
        worst.0, worst.1
    );
    assert!(
        worst.0 <= mcdropout::nn::vmath::EXP_F64_MAX_ULP,
        "{} ulp at {:e}",
        worst.0,
        worst.1
    );
    assert_eq!(exp_nonpositive_f64(0.0), 1.0);
    assert_eq!(exp_nonpositive_f64(-800.0), 0.0);
    assert!(exp_nonpositive_f64(f64::NAN).is_nan());
}

/// The log-likelihood's sum of exponentials equals the plain libm sum to 1e-13 relative:
/// each of the 10 000 terms is within 1 ulp (above), and the eight partial sums reorder a
/// sum of positive terms (error ≤ 10⁴ · 2⁻⁵³ ≈ 1.1e-12 in the worst case, ~1e-14 typical;
/// the bound is 1e-12).
#[test]
fn gauss_exp_sum_matches_libm_sum() {
    let s: Vec<f64> = (0..10_000)
        .map(|i| ((i * 7919) % 1000) as f64 / 250.0 - 2.0)
        .collect();
    let (y, tau) = (0.3, 1.7);
    let m = s
        .iter()
        .map(|&v| -0.5 * tau * (y - v) * (y - v))
        .fold(f64::NEG_INFINITY, f64::max);
    let plain: f64 = s
        .iter()
        .map(|&v| (-0.5 * tau * (y - v) * (y - v) - m).exp())
        .sum();
    let ours = mcdropout::nn::reductions::gauss_exp_sum(&s, y, tau, m);
    assert!((ours - plain).abs() <= 1e-12 * plain, "{ours} vs {plain}");
}
