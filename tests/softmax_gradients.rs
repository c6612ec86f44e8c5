//! Finite-difference check of backpropagation through the softmax cross-entropy loss, with
//! dropout on and off and weight decay on kernels and biases (issue 5, acceptance 1).
//!
//! Tolerance: as in tests/gradients.rs — the five-point central difference with h = 1e-4
//! has truncation error O(h⁴ f⁽⁵⁾) ≈ 1e-16 and rounding error ≈ ε·|L|/h ≈ 1e-12·|L|; the
//! loss here is O(1), so a relative error below 1e-6 holds with a wide margin. Gradients
//! below 1e-8 in absolute value are compared against that floor. No ReLU pre-activation
//! crosses zero within ±2h for these seeds (else the check would fail loudly, not pass).

use mcdropout::nn::backprop::{Gradients, Masks, Tensors, TrainBuffers, backward, forward_train};
use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::rng::{Purpose, stream};
use mcdropout::train::loss::decay_penalty;
use mcdropout::train::softmax::softmax_cross_entropy;
use rand::Rng;

const H: f64 = 1e-4;

fn net(act: Activation, p: f64, classes: usize, seed: u64) -> Network {
    let mut arch = Architecture::new(4, &[6, 5], classes, act, p).unwrap();
    if p > 0.0 {
        arch.dropout = vec![p, p * 0.5, p];
    }
    let mut net = Network::init(arch, Init::GlorotUniform, 0.0, seed).unwrap();
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

fn param(net: &mut Network, i: usize, bias: bool, j: usize) -> &mut f64 {
    if bias {
        &mut net.layers[i].bias.as_slice_mut().unwrap()[j]
    } else {
        &mut net.layers[i].weights.as_slice_mut().unwrap()[j]
    }
}

#[test]
fn softmax_cross_entropy_backprop_matches_finite_differences() {
    let (rows, k) = (9, 4);
    let decay = [1e-2, 3e-2, 2e-2];
    let bias_decay = 5e-3;
    for act in [Activation::Relu, Activation::Tanh] {
        for classes in [2, 3, 5] {
            for p in [0.0, 0.3] {
                let mut rng = stream(17, Purpose::Split, classes as u64);
                let x: Vec<f64> = (0..rows * k).map(|_| rng.random_range(-2.0..2.0)).collect();
                let y: Vec<f64> = (0..rows).map(|r| (r % classes) as f64).collect();
                let mut net = net(act, p, classes, 11);
                let masks = masks_for(&net, rows, 5);
                let loss = |n: &Network| {
                    let mut buf = TrainBuffers::default();
                    let p = Tensors::from_network(n);
                    let out = forward_train(&n.arch, &p, &x, rows, &masks, &mut buf).to_vec();
                    softmax_cross_entropy(&out, &y, rows, &mut Vec::new())
                        + decay_penalty(&p, &decay, bias_decay)
                };
                let mut buf = TrainBuffers::default();
                let mut dout = Vec::new();
                let params = Tensors::from_network(&net);
                let out = forward_train(&net.arch, &params, &x, rows, &masks, &mut buf).to_vec();
                softmax_cross_entropy(&out, &y, rows, &mut dout);
                let mut g = Gradients::zeros(&net);
                backward(&net.arch, &params, &masks, &mut buf, &dout, &mut g);
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
                            let mut at = |d: f64| {
                                *param(&mut net, i, bias, j) = orig + d;
                                loss(&net)
                            };
                            let fd = (-at(2.0 * H) + 8.0 * at(H) - 8.0 * at(-H) + at(-2.0 * H))
                                / (12.0 * H);
                            *param(&mut net, i, bias, j) = orig;
                            let a = if bias { g.bias[i][j] } else { g.weights[i][j] };
                            let err = (a - fd).abs() / a.abs().max(fd.abs()).max(1e-8);
                            worst = worst.max(err);
                        }
                    }
                }
                assert!(
                    worst < 1e-6,
                    "{act:?} C={classes} p={p}: relative error {worst:e}"
                );
            }
        }
    }
}
