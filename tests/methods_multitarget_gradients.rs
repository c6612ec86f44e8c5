//! Finite-difference checks of the beyond-grid engine's gradients with D = 3 targets and
//! the heteroscedastic head (6 outputs: 3 means, 3 log-variances; loss = Σ_d Gaussian NLL
//! per point + the prior's decay + Concrete's regulariser), f64: weights, biases and the
//! logits of Concrete dropout's drop probabilities.
//!
//! Tolerance: central differences with h = 1e-5 have truncation error O(h²)·f''' ≈ 1e-10
//! and rounding error ≈ ε·|L|/h ≈ 1e-11 here; we require a relative error below 1e-6
//! (absolute 1e-8 for gradients near zero), far above both and far below any real bug.

use mcdropout::methods::engine::{
    MaskKind, Objective, Params, StepBuffers, StepNoise, logit, loss_and_grad,
};
use mcdropout::nn::{Activation, Architecture};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

struct Case {
    arch: Architecture,
    obj: Objective,
    params: Params<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    rows: usize,
    noise: StepNoise,
}

const D: usize = 3;

fn case(mask: MaskKind, hetero: bool, activation: Activation, seed: u64) -> Case {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let out = if hetero { 2 * D } else { D };
    let mut arch = Architecture::new(3, &[5, 4], out, activation, 0.2).unwrap();
    arch.dropout = vec![0.15, 0.3, 0.25];
    let rows = 7;
    let mut g = || rng.random_range(-1.0..1.0);
    let params = Params {
        weights: arch
            .sizes
            .windows(2)
            .map(|w| (0..w[0] * w[1]).map(|_| g()).collect())
            .collect(),
        bias: arch.sizes[1..]
            .iter()
            .map(|&n| (0..n).map(|_| 0.3 * g()).collect())
            .collect(),
        logit: arch.dropout.iter().map(|&p| logit(p)).collect(),
    };
    let x: Vec<f64> = (0..rows * 3).map(|_| g()).collect();
    let y: Vec<f64> = (0..rows * D).map(|_| g()).collect();
    let mut noise = StepNoise::default();
    noise.draw(
        &arch,
        mask,
        rows,
        &mut Xoshiro256PlusPlus::seed_from_u64(seed + 1),
    );
    Case {
        obj: Objective {
            mask,
            heteroscedastic: hetero,
            tau_net: 2.5,
            // A large length-scale and small N so that the prior's terms matter.
            length_scale: 0.7,
            n_train: 11,
            beta: 0.0,
        },
        arch,
        params,
        x,
        y,
        rows,
        noise,
    }
}

fn loss(c: &Case, p: &Params<f64>) -> f64 {
    let mut g = Params::zeros_like(p);
    let mut buf = StepBuffers::default();
    loss_and_grad(
        &c.arch, &c.obj, p, &c.x, &c.y, c.rows, &c.noise, &mut buf, &mut g,
    )
}

fn check(c: &Case) {
    let mut g = Params::zeros_like(&c.params);
    let mut buf = StepBuffers::default();
    loss_and_grad(
        &c.arch, &c.obj, &c.params, &c.x, &c.y, c.rows, &c.noise, &mut buf, &mut g,
    );
    let h = 1e-5;
    let close = |num: f64, ana: f64, what: &str| {
        let err = (num - ana).abs();
        assert!(
            err < 1e-8 || err / num.abs().max(ana.abs()) < 1e-6,
            "{what}: numerical {num}, analytic {ana}"
        );
    };
    for i in 0..c.params.weights.len() {
        for j in 0..c.params.weights[i].len() {
            let (mut a, mut b) = (c.params.clone(), c.params.clone());
            a.weights[i][j] += h;
            b.weights[i][j] -= h;
            close(
                (loss(c, &a) - loss(c, &b)) / (2.0 * h),
                g.weights[i][j],
                &format!("W{i}[{j}]"),
            );
        }
        for j in 0..c.params.bias[i].len() {
            let (mut a, mut b) = (c.params.clone(), c.params.clone());
            a.bias[i][j] += h;
            b.bias[i][j] -= h;
            close(
                (loss(c, &a) - loss(c, &b)) / (2.0 * h),
                g.bias[i][j],
                &format!("b{i}[{j}]"),
            );
        }
        if matches!(c.obj.mask, MaskKind::Concrete(_)) {
            let (mut a, mut b) = (c.params.clone(), c.params.clone());
            a.logit[i] += h;
            b.logit[i] -= h;
            let num = (loss(c, &a) - loss(c, &b)) / (2.0 * h);
            assert!(
                num.abs() > 1e-6,
                "the p gradient of layer {i} should not vanish"
            );
            close(num, g.logit[i], &format!("logit p{i}"));
        }
    }
}

#[test]
fn d3_heteroscedastic_concrete_gradients_including_drop_probabilities() {
    for (seed, t) in [(21, 0.5), (22, 0.3)] {
        check(&case(MaskKind::Concrete(t), true, Activation::Relu, seed));
    }
    check(&case(MaskKind::Concrete(0.1), true, Activation::Tanh, 25));
}

#[test]
fn d3_heteroscedastic_gradients_with_bernoulli_and_without_masks() {
    check(&case(MaskKind::Bernoulli, true, Activation::Relu, 23));
    check(&case(MaskKind::None, true, Activation::Tanh, 24));
}

#[test]
fn d3_heteroscedastic_loss_is_the_sum_over_targets_of_the_gaussian_nll() {
    // No masks and a vanishing prior: the objective is (1/M) Σ_r Σ_d [½ s_rd + ½ (y_rd −
    // μ_rd)² e^{−s_rd}], computed here directly from the network's 6 outputs.
    let mut c = case(MaskKind::None, true, Activation::Tanh, 29);
    c.obj.length_scale = 1e-300;
    let mut g = Params::zeros_like(&c.params);
    let mut buf = StepBuffers::default();
    let l = loss_and_grad(
        &c.arch, &c.obj, &c.params, &c.x, &c.y, c.rows, &c.noise, &mut buf, &mut g,
    );
    let mut direct = 0.0;
    for r in 0..c.rows {
        let mut h: Vec<f64> = c.x[r * 3..(r + 1) * 3].to_vec();
        for i in 0..3 {
            let (k, n) = (c.arch.sizes[i], c.arch.sizes[i + 1]);
            let mut o = c.params.bias[i].clone();
            for (a, &ha) in h.iter().enumerate().take(k) {
                for (b, ob) in o.iter_mut().enumerate().take(n) {
                    *ob += ha * c.params.weights[i][a * n + b];
                }
            }
            if i < 2 {
                o.iter_mut().for_each(|v| *v = v.tanh());
            }
            h = o;
        }
        for d in 0..D {
            let (mu, s) = (h[d], h[D + d]);
            direct += 0.5 * s + 0.5 * (c.y[r * D + d] - mu).powi(2) * (-s).exp();
        }
    }
    direct /= c.rows as f64;
    // Float precision: a few ulps of sums of order 1.
    assert!((l - direct).abs() < 1e-12, "{l} vs {direct}");
}
