//! The D-output training loss (D = 3) against finite differences of the Gaussian negative
//! log-likelihood written out here, independently of the engine's `squared_error`:
//!
//!   −log N(y; ŷ, τ⁻¹ I_D) / τ = ½‖y − ŷ‖² + (D / 2τ) log(2π/τ)
//!
//! so the gradient of (1/M) Σ_rows −log N / τ (the variational objective's data term over
//! N τ, DESIGN §5) is the engine's `Halved` gradient, and Gal's mean squared error over
//! M·D cells has 2/D times it.
//!
//! Tolerance: five-point central differences with h = 1e-4 have truncation error O(h⁴) ≈
//! 1e-16 and rounding error ≈ ε |L| / h ≈ 1e-11 for the |L| ≈ 1 here (the loss carries the
//! constant log(2π/τ) term); so |analytic − fd| ≤ 1e-6 · |gradient| + 1e-9 (the absolute
//! part 100 × the rounding error, for gradients near zero such as a dead ReLU unit's).

use mcdropout::nn::backprop::{Gradients, Masks, Tensors, TrainBuffers, backward, forward_train};
use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::prior::LossConvention;
use mcdropout::rng::{Purpose, stream};
use mcdropout::train::loss::squared_error;
use rand::Rng;

const H: f64 = 1e-4;
const D: usize = 3;
const TAU: f64 = 2.5;

fn neg_log_lik_over_tau(out: &[f64], y: &[f64], rows: usize) -> f64 {
    let two_pi = 2.0 * std::f64::consts::PI;
    out.chunks(D)
        .zip(y.chunks(D))
        .map(|(o, t)| {
            let log_n: f64 = o
                .iter()
                .zip(t)
                .map(|(&a, &b)| -0.5 * (two_pi / TAU).ln() - 0.5 * TAU * (b - a) * (b - a))
                .sum();
            -log_n / TAU
        })
        .sum::<f64>()
        / rows as f64
}

fn param(net: &mut Network, i: usize, bias: bool, j: usize) -> &mut f64 {
    if bias {
        &mut net.layers[i].bias.as_slice_mut().unwrap()[j]
    } else {
        &mut net.layers[i].weights.as_slice_mut().unwrap()[j]
    }
}

/// `seed` initialises the network (for ReLU the test relies on no pre-activation lying
/// within 2h of the kink, where a difference would measure no derivative).
fn check(hidden: &[usize], act: Activation, p: f64, seed: u64) {
    let (rows, k) = (6, 4);
    let mut rng = stream(17, Purpose::Split, 1);
    let x: Vec<f64> = (0..rows * k).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y: Vec<f64> = (0..rows * D).map(|_| rng.random_range(-1.5..1.5)).collect();
    let arch = Architecture::new(k, hidden, D, act, p).unwrap();
    let mut net = Network::init(arch, Init::GlorotUniform, 0.1, seed).unwrap();
    let samplers = net.drop_samplers();
    let mut masks = Masks::default();
    let mut mrng = stream(3, Purpose::TrainMasks, 0);
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut mrng)).collect();
    masks.draw(&samplers, &mut states, rows);
    let loss = |n: &Network| {
        let t = Tensors::<f64>::from_network(n);
        let out =
            forward_train(&n.arch, &t, &x, rows, &masks, &mut TrainBuffers::default()).to_vec();
        neg_log_lik_over_tau(&out, &y, rows)
    };
    for (conv, factor) in [
        (LossConvention::Halved, 1.0),
        (LossConvention::Gal, 2.0 / D as f64),
    ] {
        let t = Tensors::<f64>::from_network(&net);
        let mut buf = TrainBuffers::default();
        let out = forward_train(&net.arch, &t, &x, rows, &masks, &mut buf).to_vec();
        let mut dout = Vec::new();
        squared_error(conv, &out, &y, rows, &mut dout);
        let mut g = Gradients::<f64>::zeros(&net);
        backward(&net.arch, &t, &masks, &mut buf, &dout, &mut g);
        let mut worst: f64 = 0.0;
        for i in 0..net.layers.len() {
            for bias in [false, true] {
                let len = if bias {
                    net.layers[i].bias.len()
                } else {
                    net.layers[i].weights.len()
                };
                for j in 0..len {
                    let orig = *param(&mut net, i, bias, j);
                    let mut at = |delta: f64| {
                        *param(&mut net, i, bias, j) = orig + delta;
                        loss(&net)
                    };
                    let fd = factor * (-at(2.0 * H) + 8.0 * at(H) - 8.0 * at(-H) + at(-2.0 * H))
                        / (12.0 * H);
                    *param(&mut net, i, bias, j) = orig;
                    let a = if bias { g.bias[i][j] } else { g.weights[i][j] };
                    worst = worst.max((a - fd).abs() / (1e-6 * a.abs().max(fd.abs()) + 1e-9));
                }
            }
        }
        assert!(
            worst <= 1.0,
            "{hidden:?} {act:?} p={p} {conv:?}: worst error {worst:e} × the tolerance"
        );
    }
}

#[test]
fn three_output_loss_gradient_matches_the_gaussian_likelihood() {
    for p in [0.0, 0.3] {
        check(&[5], Activation::Tanh, p, 4);
        check(&[5, 4], Activation::Relu, p, 4);
        check(&[], Activation::Identity, p, 4);
    }
}
