//! Finite-difference checks of the hand-derived backpropagation (f64), for every activation,
//! dropout on and off, both loss conventions, with weight decay; and the identity between
//! the dropout-loss gradient and the gradient of −ELBO/(N τ) for the same masks (DESIGN §5).
//!
//! Tolerance: the five-point central difference with step h = 1e-4 has truncation error
//! O(h⁴ f⁽⁵⁾) ≈ 1e-16 and rounding error ≈ ε·|L|/h ≈ 1e-12·|L|, so for the gradient sizes
//! here (≥ 1e-5 in magnitude) a relative error below 1e-6 (the acceptance bound) holds with
//! a wide margin; gradients below 1e-8 in absolute value are compared against that floor.
//! The step is small enough that no ReLU pre-activation crosses zero for these seeds.

use mcdropout::elbo::neg_elbo_with_masks;
use mcdropout::nn::backprop::{Gradients, Masks, Tensors, TrainBuffers, backward, forward_train};
use mcdropout::nn::{Activation, Architecture, Init, Network, Real};
use mcdropout::prior::{LossConvention, Prior, TauUnits};
use mcdropout::rng::{Purpose, stream};
use mcdropout::train::loss::{decay_penalty, squared_error};
use rand::Rng;

const H: f64 = 1e-4;

fn data(rows: usize, k: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = stream(seed, Purpose::Split, 99);
    let x = (0..rows * k).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y = (0..rows * d).map(|_| rng.random_range(-1.0..1.0)).collect();
    (x, y)
}

fn net(act: Activation, p: f64, seed: u64) -> Network {
    net_with_outputs(act, p, seed, 2)
}

/// Two hidden layers; `outputs` = 1 exercises the fused one-output backward path.
fn net_with_outputs(act: Activation, p: f64, seed: u64, outputs: usize) -> Network {
    let mut arch = Architecture::new(4, &[6, 5], outputs, act, p).unwrap();
    if p > 0.0 {
        arch.dropout = vec![p, p * 0.5, p];
    }
    let mut net = Network::init(arch, Init::GlorotUniform, 0.0, seed).unwrap();
    // Non-zero biases so bias gradients are exercised away from the initial point.
    let mut rng = stream(seed, Purpose::Init, 7);
    for l in &mut net.layers {
        l.bias.mapv_inplace(|_| rng.random_range(-0.3..0.3));
    }
    net
}

fn masks_for(net: &Network, rows: usize, seed: u64) -> Masks {
    let samplers = net.drop_samplers();
    let mut m = Masks::default();
    let mut rng = stream(seed, Purpose::TrainMasks, 0);
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut rng)).collect();
    m.draw(&samplers, &mut states, rows);
    m
}

/// Calls `f(layer, is_bias, index, &mut param)` for every parameter.
fn for_each_param(net: &mut Network, f: &mut dyn FnMut(usize, bool, usize, &mut Network)) {
    for i in 0..net.layers.len() {
        for j in 0..net.layers[i].weights.len() {
            f(i, false, j, net);
        }
        for j in 0..net.layers[i].bias.len() {
            f(i, true, j, net);
        }
    }
}

fn param(net: &mut Network, i: usize, bias: bool, j: usize) -> &mut f64 {
    if bias {
        &mut net.layers[i].bias.as_slice_mut().unwrap()[j]
    } else {
        &mut net.layers[i].weights.as_slice_mut().unwrap()[j]
    }
}

/// The data-term gradient of one minibatch computed by the engine in float type `T`.
fn data_gradient<T: Real>(
    net: &Network,
    x: &[f64],
    y: &[f64],
    rows: usize,
    masks: &Masks,
    conv: LossConvention,
) -> Gradients<T> {
    let p = Tensors::<T>::from_network(net);
    let xt: Vec<T> = x.iter().map(|&v| T::from_f64(v)).collect();
    let yt: Vec<T> = y.iter().map(|&v| T::from_f64(v)).collect();
    let mut buf = TrainBuffers::default();
    let mut dout = Vec::new();
    let out = forward_train(&net.arch, &p, &xt, rows, masks, &mut buf).to_vec();
    squared_error(conv, &out, &yt, rows, &mut dout);
    let mut g = Gradients::<T>::zeros(net);
    backward(&net.arch, &p, masks, &mut buf, &dout, &mut g);
    g
}

/// Compares analytic and central-difference gradients; returns the max relative error.
fn compare(analytic: &Gradients, net: &mut Network, loss: &dyn Fn(&Network) -> f64) -> f64 {
    let mut worst: f64 = 0.0;
    for_each_param(net, &mut |i, bias, j, net| {
        let orig = *param(net, i, bias, j);
        let mut at = |delta: f64| {
            *param(net, i, bias, j) = orig + delta;
            loss(net)
        };
        let fd = (-at(2.0 * H) + 8.0 * at(H) - 8.0 * at(-H) + at(-2.0 * H)) / (12.0 * H);
        *param(net, i, bias, j) = orig;
        let a = if bias {
            analytic.bias[i][j]
        } else {
            analytic.weights[i][j]
        };
        let err = (a - fd).abs() / a.abs().max(fd.abs()).max(1e-8);
        if err > 1e-7 {
            eprintln!("layer {i} bias {bias} idx {j}: analytic {a:e} fd {fd:e}");
        }
        worst = worst.max(err);
    });
    worst
}

#[test]
fn backprop_matches_finite_differences() {
    let (rows, k) = (7, 4);
    let decay = [1e-2, 3e-2, 2e-2];
    let bias_decay = 5e-3;
    for (act, d) in [
        (Activation::Relu, 2),
        (Activation::Relu, 1),
        (Activation::Tanh, 2),
        (Activation::Tanh, 1),
        (Activation::Sigmoid, 2),
        (Activation::Identity, 2),
    ] {
        let (x, y) = data(rows, k, d, 3);
        for p in [0.0, 0.3] {
            for conv in [LossConvention::Gal, LossConvention::Halved] {
                let mut net = net_with_outputs(act, p, 11, d);
                let masks = masks_for(&net, rows, 5);
                let loss = |n: &Network| {
                    let mut buf = TrainBuffers::default();
                    let p = Tensors::from_network(n);
                    let out = forward_train(&n.arch, &p, &x, rows, &masks, &mut buf).to_vec();
                    squared_error(conv, &out, &y, rows, &mut Vec::new())
                        + decay_penalty(&p, &decay, bias_decay)
                };
                let mut g = data_gradient::<f64>(&net, &x, &y, rows, &masks, conv);
                // Add the weight-decay gradient 2λθ, as the optimiser does.
                for (i, l) in net.layers.iter().enumerate() {
                    g.weights[i]
                        .iter_mut()
                        .zip(l.weights.iter())
                        .for_each(|(g, w)| *g += 2.0 * decay[i] * w);
                    g.bias[i]
                        .iter_mut()
                        .zip(l.bias.iter())
                        .for_each(|(g, b)| *g += 2.0 * bias_decay * b);
                }
                let err = compare(&g, &mut net, &loss);
                assert!(
                    err < 1e-6,
                    "{act:?} d={d} p={p} {conv:?}: relative error {err:e}"
                );
            }
        }
    }
}

/// Layers wider than the column blocks (16) of the fused backward sweeps, with a
/// remainder (20 = 16 + 4, 33 = 2·16 + 1), for ReLU with one and two outputs; the same
/// tolerance as above.
#[test]
fn wide_layers_match_finite_differences() {
    let rows = 5;
    let decay = [1e-2, 2e-2, 3e-2];
    for d in [1, 2] {
        let (x, y) = data(rows, 4, d, 17);
        let mut arch = Architecture::new(4, &[20, 33], d, Activation::Relu, 0.2).unwrap();
        arch.dropout = vec![0.2, 0.3, 0.1];
        let mut net = Network::init(arch, Init::GlorotUniform, 0.05, 19).unwrap();
        let masks = masks_for(&net, rows, 23);
        let conv = LossConvention::Gal;
        let loss = |n: &Network| {
            let mut buf = TrainBuffers::default();
            let p = Tensors::from_network(n);
            let out = forward_train(&n.arch, &p, &x, rows, &masks, &mut buf).to_vec();
            squared_error(conv, &out, &y, rows, &mut Vec::new()) + decay_penalty(&p, &decay, 5e-3)
        };
        let mut g = data_gradient::<f64>(&net, &x, &y, rows, &masks, conv);
        for (i, l) in net.layers.iter().enumerate() {
            g.weights[i]
                .iter_mut()
                .zip(l.weights.iter())
                .for_each(|(g, w)| *g += 2.0 * decay[i] * w);
            // Bias decay keeps every gradient away from 0 (a dead unit's data gradient is
            // exactly 0, where the difference quotient's rounding, ~1e-12, would dominate
            // the relative error).
            g.bias[i]
                .iter_mut()
                .zip(l.bias.iter())
                .for_each(|(g, b)| *g += 2.0 * 5e-3 * b);
        }
        let err = compare(&g, &mut net, &loss);
        assert!(err < 1e-6, "d={d}: relative error {err:e}");
    }
}

/// The dropout loss with the halved squared error and λ_i = l²(1 − p_i)/(2Nτ), λ_b =
/// l²/(2Nτ) has the gradient of −ELBO/(Nτ) for the same masks, computed here by finite
/// differences of an independent implementation of −ELBO (the KL of DESIGN §5).
#[test]
fn dropout_gradient_equals_elbo_gradient() {
    let (n, k, d) = (9, 4, 2);
    let (x, y) = data(n, k, d, 8);
    for act in [Activation::Relu, Activation::Tanh] {
        let mut net = net(act, 0.2, 4);
        let mut prior = Prior::new(0.5, 2.0, n, 1.0, TauUnits::Gal).unwrap();
        prior.decay_biases = true;
        let masks = masks_for(&net, n, 6);
        let decay = prior.weight_decays(&net.arch.dropout);
        let mut g = data_gradient::<f64>(&net, &x, &y, n, &masks, LossConvention::Halved);
        for (i, l) in net.layers.iter().enumerate() {
            g.weights[i]
                .iter_mut()
                .zip(l.weights.iter())
                .for_each(|(g, w)| *g += 2.0 * decay[i] * w);
            g.bias[i]
                .iter_mut()
                .zip(l.bias.iter())
                .for_each(|(g, b)| *g += 2.0 * prior.bias_decay() * b);
        }
        let scale = n as f64 * prior.tau_network();
        let err = compare(&g, &mut net, &|nw| {
            neg_elbo_with_masks(nw, &prior, &x, &y, n, &masks) / scale
        });
        assert!(err < 1e-6, "{act:?}: relative error {err:e}");
    }
}

/// The f32 engine (the training default) computes the same gradients as the f64 engine
/// checked above, for every activation and path, up to single-precision rounding. Each
/// entry is a sum of at most rows × width = 7 × 6 products of O(1) factors, each rounded
/// a few times in f32, so |g32 − g64| ≤ 1e-4 · max|g64| (≈ 800 ε_f32) is a safe bound; a
/// wrong scale, mask or sign would be off by O(max|g|).
#[test]
fn f32_engine_matches_f64_engine() {
    let rows = 7;
    for (act, d) in [
        (Activation::Relu, 2),
        (Activation::Relu, 1),
        (Activation::Tanh, 1),
        (Activation::Sigmoid, 2),
        (Activation::Identity, 2),
    ] {
        let (x, y) = data(rows, 4, d, 21);
        for p in [0.0, 0.3] {
            let net = net_with_outputs(act, p, 13, d);
            let masks = masks_for(&net, rows, 8);
            let g64 = data_gradient::<f64>(&net, &x, &y, rows, &masks, LossConvention::Gal);
            let g32 = data_gradient::<f32>(&net, &x, &y, rows, &masks, LossConvention::Gal);
            let all = |g: &Gradients<f64>| -> Vec<f64> {
                g.weights.iter().chain(&g.bias).flatten().copied().collect()
            };
            let a64 = all(&g64);
            let a32: Vec<f64> = g32
                .weights
                .iter()
                .chain(&g32.bias)
                .flatten()
                .map(|v| v.to_f64())
                .collect();
            let scale = a64.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (i, (a, b)) in a64.iter().zip(&a32).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-4 * scale,
                    "{act:?} d={d} p={p} entry {i}: f64 {a:e}, f32 {b:e}"
                );
            }
        }
    }
}
