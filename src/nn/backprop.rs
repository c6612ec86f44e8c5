//! Training-mode forward pass with explicit dropout masks, and exact backpropagation.
//!
//! The masks are passed in (rather than drawn inside), so that the same masks can be used
//! by gradient checks and by the ELBO identity test.

use super::Activation;
use super::kernels;
use super::matmul::{gemm, gemm_nt, gemm_tn};
use super::network::{Network, weights_slice};
use crate::rng::{DropSampler, DropState};
use rand::Rng;

/// The dropout mask of one layer for a minibatch: kept units are scaled by
/// `scale = 1 / (1 − p)`, the units at the flat indices `row · fan_in + j` in `dropped` are
/// zeroed.
#[derive(Debug, Clone, Default)]
pub struct LayerMask {
    /// 1 / (1 − p).
    pub scale: f64,
    /// Flat indices (`row · fan_in + unit`) of the dropped units.
    pub dropped: Vec<u32>,
}

/// Dropout masks for one minibatch, one entry per layer (`None` for a layer whose rate
/// is 0).
#[derive(Debug, Clone, Default)]
pub struct Masks {
    /// One entry per layer.
    pub layers: Vec<Option<LayerMask>>,
}

impl Masks {
    /// Draws masks for `rows` rows, layer by layer, continuing each layer's drop process
    /// (`states`, one per layer, from [`DropSampler::start`]).
    pub fn draw<R: Rng>(
        &mut self,
        samplers: &[DropSampler],
        states: &mut [DropState],
        rng: &mut R,
        rows: usize,
    ) {
        self.layers.resize(samplers.len(), None);
        for ((slot, s), state) in self.layers.iter_mut().zip(samplers).zip(states.iter_mut()) {
            if s.rate() <= 0.0 {
                *slot = None;
                continue;
            }
            let m = slot.get_or_insert_with(LayerMask::default);
            m.scale = 1.0 / (1.0 - s.rate());
            m.dropped.clear();
            s.sample_rows(state, rng, rows, &mut m.dropped);
        }
    }

    /// All-keep masks (every rate treated as 0): the deterministic pass.
    pub fn none(n_layers: usize) -> Self {
        Self {
            layers: vec![None; n_layers],
        }
    }
}

impl LayerMask {
    /// Zeroes the dropped entries of `x`.
    #[inline]
    fn zero(&self, x: &mut [f64]) {
        for &i in &self.dropped {
            x[i as usize] = 0.0;
        }
    }
}

/// Buffers of one training step, reused across steps.
#[derive(Debug, Clone, Default)]
pub struct TrainBuffers {
    rows: usize,
    /// Masked input of each layer, `rows × fan_in`.
    inputs: Vec<Vec<f64>>,
    /// Output (after activation) of each layer, `rows × fan_out`.
    outputs: Vec<Vec<f64>>,
    delta: Vec<f64>,
    dh: Vec<f64>,
}

/// Gradients of every kernel and bias, laid out like the network.
#[derive(Debug, Clone)]
pub struct Gradients {
    /// dL/dW per layer, row-major `fan_in × fan_out`.
    pub weights: Vec<Vec<f64>>,
    /// dL/db per layer.
    pub bias: Vec<Vec<f64>>,
}

impl Gradients {
    /// Zero gradients shaped like `net`.
    pub fn zeros(net: &Network) -> Self {
        Self {
            weights: net
                .layers
                .iter()
                .map(|l| vec![0.0; l.weights.len()])
                .collect(),
            bias: net.layers.iter().map(|l| vec![0.0; l.bias.len()]).collect(),
        }
    }
}

impl TrainBuffers {
    /// The network output of the last [`forward_train`] call, `rows × n_outputs`.
    pub fn output(&self) -> &[f64] {
        self.outputs.last().map(|v| v.as_slice()).unwrap_or(&[])
    }
}

/// Forward pass in training mode: `x` is `rows × n_inputs` (row-major, standardised).
/// Returns the output, `rows × n_outputs`.
///
/// Element-wise work is fused: each layer's epilogue adds the bias, applies the activation
/// and writes, in the same sweep, the masked and scaled input of the next layer.
pub fn forward_train<'a>(
    net: &Network,
    x: &[f64],
    rows: usize,
    masks: &Masks,
    buf: &'a mut TrainBuffers,
) -> &'a [f64] {
    let n_layers = net.layers.len();
    buf.rows = rows;
    buf.inputs.resize(n_layers, Vec::new());
    buf.outputs.resize(n_layers, Vec::new());
    let mask = |i: usize| masks.layers.get(i).and_then(|m| m.as_ref());
    let input = &mut buf.inputs[0];
    input.resize(x.len(), 0.0);
    let s0 = mask(0).map_or(1.0, |m| m.scale);
    kernels::scale_copy(input, x, s0);
    if let Some(m) = mask(0) {
        m.zero(input);
    }
    for i in 0..n_layers {
        let layer = &net.layers[i];
        let (k, n) = layer.weights.dim();
        let out = &mut buf.outputs[i];
        out.resize(rows * n, 0.0);
        gemm(out, &buf.inputs[i], weights_slice(layer), rows, k, n, false);
        let b = layer.bias.as_slice().unwrap_or(&[]);
        let act = net.arch.activation_of(i);
        if i + 1 == n_layers {
            kernels::scale_add_rows(out, 1.0, b);
            act.apply(out);
            break;
        }
        let next = &mut buf.inputs[i + 1];
        next.resize(rows * n, 0.0);
        let s = mask(i + 1).map_or(1.0, |m| m.scale);
        if act == Activation::Relu {
            kernels::bias_relu_scale_copy(out, b, next, s);
        } else {
            kernels::scale_add_rows(out, 1.0, b);
            act.apply(out);
            kernels::scale_copy(next, out, s);
        }
        if let Some(m) = mask(i + 1) {
            m.zero(next);
        }
    }
    buf.output()
}

/// Backpropagates `dout` = dL/d(output) (`rows × n_outputs`) through the last
/// [`forward_train`] and writes dL/dW and dL/db (data term only; weight decay is added by
/// the optimiser) into `grads`.
///
/// Through each hidden layer, one fused sweep applies the mask (scale and zeros), the
/// activation's derivative and accumulates the bias gradient.
pub fn backward(
    net: &Network,
    masks: &Masks,
    buf: &mut TrainBuffers,
    dout: &[f64],
    grads: &mut Gradients,
) {
    let rows = buf.rows;
    let n_layers = net.layers.len();
    buf.delta.clear();
    buf.delta.extend_from_slice(dout);
    kernels::column_sums(&buf.delta, &mut grads.bias[n_layers - 1]);
    for i in (0..n_layers).rev() {
        let layer = &net.layers[i];
        let (k, n) = layer.weights.dim();
        gemm_tn(
            &mut grads.weights[i],
            &buf.inputs[i],
            &buf.delta,
            rows,
            k,
            n,
        );
        if i == 0 {
            break;
        }
        buf.dh.resize(rows * k, 0.0);
        let m = masks.layers.get(i).and_then(|m| m.as_ref());
        let s = m.map_or(1.0, |m| m.scale);
        let act = net.arch.activation_of(i - 1);
        if act == Activation::Relu && n == 1 {
            // dh = δ ⊗ w through the mask and the ReLU, with the bias gradient, in one
            // sweep; the dropped entries are then taken out of the sums and zeroed.
            let db = &mut grads.bias[i - 1];
            let w = weights_slice(layer);
            kernels::outer_relu_backprop_colsum(
                &mut buf.dh,
                &buf.delta,
                w,
                &buf.outputs[i - 1],
                s,
                db,
            );
            if let Some(m) = m {
                // Dropped positions are sorted: walk the row boundaries instead of dividing.
                let mut row_start = 0;
                for &pos in &m.dropped {
                    let pos = pos as usize;
                    while pos >= row_start + k {
                        row_start += k;
                    }
                    db[pos - row_start] -= buf.dh[pos];
                    buf.dh[pos] = 0.0;
                }
            }
        } else if act == Activation::Relu {
            gemm_nt(&mut buf.dh, &buf.delta, weights_slice(layer), rows, n, k);
            if let Some(m) = m {
                m.zero(&mut buf.dh);
            }
            let db = &mut grads.bias[i - 1];
            kernels::relu_backprop_scale_colsum(&mut buf.dh, &buf.outputs[i - 1], s, db);
        } else {
            gemm_nt(&mut buf.dh, &buf.delta, weights_slice(layer), rows, n, k);
            if let Some(m) = m {
                m.zero(&mut buf.dh);
            }
            kernels::scale(&mut buf.dh, s);
            act.backprop(&buf.outputs[i - 1], &mut buf.dh);
            kernels::column_sums(&buf.dh, &mut grads.bias[i - 1]);
        }
        std::mem::swap(&mut buf.delta, &mut buf.dh);
    }
}
