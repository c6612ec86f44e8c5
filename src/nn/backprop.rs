//! Training-mode forward pass with explicit dropout masks, and exact backpropagation.
//!
//! The masks are passed in (rather than drawn inside), so that the same masks can be used
//! by gradient checks and by the ELBO identity test.

use super::kernels;
use super::matmul::{gemm, gemm_nt, gemm_tn};
use super::network::{Network, weights_slice};
use crate::rng::DropSampler;
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
    /// Draws masks for `rows` rows from `rng`, layer by layer and row by row.
    pub fn draw<R: Rng>(
        &mut self,
        samplers: &[DropSampler],
        rng: &mut R,
        rows: usize,
        drops: &mut Vec<u32>,
    ) {
        self.layers.resize(samplers.len(), None);
        for (slot, s) in self.layers.iter_mut().zip(samplers) {
            if s.rate() <= 0.0 {
                *slot = None;
                continue;
            }
            let k = s.units() as u32;
            let m = slot.get_or_insert_with(LayerMask::default);
            m.scale = 1.0 / (1.0 - s.rate());
            m.dropped.clear();
            for r in 0..rows as u32 {
                drops.clear();
                s.sample(rng, drops);
                m.dropped.extend(drops.iter().map(|&j| r * k + j));
            }
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
    /// `x ← x ∘ mask` (scale, then zero the dropped entries).
    #[inline]
    fn apply(&self, x: &mut [f64]) {
        kernels::scale(x, self.scale);
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
    for i in 0..n_layers {
        let layer = &net.layers[i];
        let (k, n) = layer.weights.dim();
        let (before, after) = buf.outputs.split_at_mut(i);
        let src: &[f64] = if i == 0 { x } else { &before[i - 1] };
        let input = &mut buf.inputs[i];
        input.clear();
        input.extend_from_slice(src);
        if let Some(m) = masks.layers.get(i).and_then(|m| m.as_ref()) {
            m.apply(input);
        }
        let out = &mut after[0];
        out.clear();
        out.resize(rows * n, 0.0);
        let b = layer.bias.as_slice().unwrap_or(&[]);
        for row in out.chunks_exact_mut(n) {
            row.copy_from_slice(b);
        }
        gemm(out, input, weights_slice(layer), rows, k, n, true);
        let act = net.arch.activation_of(i);
        act.apply(out);
    }
    buf.output()
}

/// Backpropagates `dout` = dL/d(output) (`rows × n_outputs`) through the last
/// [`forward_train`] and writes dL/dW and dL/db (data term only; weight decay is added by
/// the optimiser) into `grads`.
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
        kernels::column_sums(&buf.delta, &mut grads.bias[i]);
        if i == 0 {
            break;
        }
        buf.dh.clear();
        buf.dh.resize(rows * k, 0.0);
        gemm_nt(&mut buf.dh, &buf.delta, weights_slice(layer), rows, n, k);
        if let Some(m) = masks.layers.get(i).and_then(|m| m.as_ref()) {
            m.apply(&mut buf.dh);
        }
        net.arch
            .activation_of(i - 1)
            .backprop(&buf.outputs[i - 1], &mut buf.dh);
        std::mem::swap(&mut buf.delta, &mut buf.dh);
    }
}
