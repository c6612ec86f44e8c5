//! Training-mode forward pass with explicit dropout masks, and exact backpropagation.
//!
//! The masks are passed in (rather than drawn inside), so that the same masks can be used
//! by gradient checks and by the ELBO identity test.

use super::Activation;
use super::kernels;
use super::matmul::{gemm, gemm_nt, gemm_tn};
use super::network::{Architecture, Network};
use super::real::Real;
use crate::rng::{DropSampler, DropState};
use fused::{fused_backward, fused_forward};

mod fused;

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
    pub fn draw(&mut self, samplers: &[DropSampler], states: &mut [DropState], rows: usize) {
        self.layers.resize(samplers.len(), None);
        for ((slot, s), state) in self.layers.iter_mut().zip(samplers).zip(states.iter_mut()) {
            if s.rate() <= 0.0 {
                *slot = None;
                continue;
            }
            let m = slot.get_or_insert_with(LayerMask::default);
            m.scale = 1.0 / (1.0 - s.rate());
            m.dropped.clear();
            s.sample_rows(state, rows, &mut m.dropped);
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
    fn zero<T: Real>(&self, x: &mut [T]) {
        for &i in &self.dropped {
            x[i as usize] = T::ZERO;
        }
    }
}

/// Buffers of one training step, reused across steps.
#[derive(Debug, Clone, Default)]
pub struct TrainBuffers<T = f64> {
    rows: usize,
    /// Masked input of each layer, `rows × fan_in`.
    inputs: Vec<Vec<T>>,
    /// Output of each layer, `rows × fan_out`: after the activation, except for ReLU
    /// hidden layers, which keep the pre-activation without bias (the backward pass reads
    /// their masked output, the next layer's input, instead).
    outputs: Vec<Vec<T>>,
    delta: Vec<T>,
    dh: Vec<T>,
    /// The fused step's plan of the last forward pass (`None`: the general path ran), so
    /// that the backward pass follows the same decision and buffer layout.
    fused: Option<crate::nn::shallow_step::Plan>,
}

/// Per-layer kernels (row-major `fan_in × fan_out`) and biases in one float type, laid
/// out like a [`Network`]: the parameters the training engine updates, their gradients
/// and the optimiser's moments.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensors<T = f64> {
    /// Per layer, row-major `fan_in × fan_out`.
    pub weights: Vec<Vec<T>>,
    /// Per layer, `fan_out`.
    pub bias: Vec<Vec<T>>,
}

/// Gradients dL/dW and dL/db, laid out like the network.
pub type Gradients<T = f64> = Tensors<T>;

impl<T: Real> Tensors<T> {
    /// Zeros shaped like `net`.
    pub fn zeros(net: &Network) -> Self {
        Self {
            weights: net
                .layers
                .iter()
                .map(|l| vec![T::ZERO; l.weights.len()])
                .collect(),
            bias: net
                .layers
                .iter()
                .map(|l| vec![T::ZERO; l.bias.len()])
                .collect(),
        }
    }

    /// The parameters of `net`, rounded to `T`.
    ///
    /// ```
    /// use mcdropout::nn::backprop::Tensors;
    /// use mcdropout::nn::{Activation, Architecture, Init, Network};
    /// let arch = Architecture::new(3, &[8], 1, Activation::Relu, 0.1).unwrap();
    /// let mut net = Network::init(arch, Init::GlorotUniform, 0.0, 42).unwrap();
    /// let p = Tensors::<f32>::from_network(&net);
    /// assert_eq!(p.weights[0].len(), 3 * 8);
    /// p.write_to(&mut net); // back in f64, rounded to the nearest f32
    /// ```
    pub fn from_network(net: &Network) -> Self {
        Self {
            weights: net
                .layers
                .iter()
                .map(|l| l.weights.iter().map(|&v| T::from_f64(v)).collect())
                .collect(),
            bias: net
                .layers
                .iter()
                .map(|l| l.bias.iter().map(|&v| T::from_f64(v)).collect())
                .collect(),
        }
    }

    /// Writes these parameters into `net` (same shapes), widened to `f64`.
    pub fn write_to(&self, net: &mut Network) {
        for ((layer, w), b) in net.layers.iter_mut().zip(&self.weights).zip(&self.bias) {
            layer
                .weights
                .iter_mut()
                .zip(w)
                .for_each(|(d, s)| *d = s.to_f64());
            layer
                .bias
                .iter_mut()
                .zip(b)
                .for_each(|(d, s)| *d = s.to_f64());
        }
    }
}

impl<T: Real> TrainBuffers<T> {
    /// The network output of the last [`forward_train`] call, `rows × n_outputs`.
    pub fn output(&self) -> &[T] {
        self.outputs.last().map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// The fused kernel of [`super::shallow_step`] that ran the last forward pass (and
    /// will run its backward pass), or `None` for the general path.
    pub fn fused_kernel(&self) -> Option<super::shallow_step::Kernel> {
        self.fused.map(|p| p.kernel())
    }
}

/// Forward pass in training mode: `x` is `rows × n_inputs` (row-major, standardised).
/// Returns the output, `rows × n_outputs`.
///
/// Element-wise work is fused: each layer's epilogue adds the bias, applies the activation
/// and writes, in the same sweep, the masked and scaled input of the next layer.
pub fn forward_train<'a, T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    x: &[T],
    rows: usize,
    masks: &Masks,
    buf: &'a mut TrainBuffers<T>,
) -> &'a [T] {
    forward_train_in(arch, params, x, rows, masks, buf, true)
}

/// [`forward_train`] without the fused kernel of [`super::shallow_step`]: the reference
/// the fused path is tested against (bit for bit).
#[doc(hidden)]
pub fn forward_train_unfused<'a, T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    x: &[T],
    rows: usize,
    masks: &Masks,
    buf: &'a mut TrainBuffers<T>,
) -> &'a [T] {
    forward_train_in(arch, params, x, rows, masks, buf, false)
}

fn forward_train_in<'a, T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    x: &[T],
    rows: usize,
    masks: &Masks,
    buf: &'a mut TrainBuffers<T>,
    fused: bool,
) -> &'a [T] {
    buf.rows = rows;
    let input = input_buffer(arch, buf);
    input.resize(x.len(), T::ZERO);
    kernels::scale_copy(input, x, first_scale(masks));
    forward_after_input(arch, params, rows, masks, buf, fused)
}

/// The first layer's dropout scale `1 / (1 − p)` (1 without dropout).
fn first_scale<T: Real>(masks: &Masks) -> T {
    T::from_f64(
        masks
            .layers
            .first()
            .and_then(|m| m.as_ref())
            .map_or(1.0, |m| m.scale),
    )
}

/// [`forward_train`] on the rows `idx` of the row-major table `table` (`n × n_inputs`):
/// the minibatch is gathered straight into the first layer's scaled input (no copy of its
/// own). The same numbers as [`forward_train`] on the gathered rows.
pub fn forward_train_rows<'a, T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    table: &[T],
    idx: &[usize],
    masks: &Masks,
    buf: &'a mut TrainBuffers<T>,
) -> &'a [T] {
    let k = arch.sizes[0];
    let rows = idx.len();
    buf.rows = rows;
    let s0 = first_scale(masks);
    let input = input_buffer(arch, buf);
    input.resize(rows * k, T::ZERO);
    kernels::gather_scale(input, table, idx, k, s0);
    forward_after_input(arch, params, rows, masks, buf, true)
}

/// Sizes the per-layer buffers and returns the first layer's input buffer.
fn input_buffer<'b, T: Real>(arch: &Architecture, buf: &'b mut TrainBuffers<T>) -> &'b mut Vec<T> {
    let n_layers = arch.n_layers();
    buf.inputs.resize(n_layers, Vec::new());
    buf.outputs.resize(n_layers, Vec::new());
    &mut buf.inputs[0]
}

/// The forward pass once the first layer's input (scaled) is in `buf.inputs[0]`.
fn forward_after_input<'a, T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    rows: usize,
    masks: &Masks,
    buf: &'a mut TrainBuffers<T>,
    fused: bool,
) -> &'a [T] {
    let n_layers = arch.n_layers();
    let mask = |i: usize| masks.layers.get(i).and_then(|m| m.as_ref());
    if let Some(m) = mask(0) {
        m.zero(&mut buf.inputs[0]);
    }
    buf.fused = if fused {
        fused::plan::<T>(arch, rows)
    } else {
        None
    };
    if let Some(plan) = buf.fused
        && fused_forward(&plan, params, masks, buf)
    {
        return buf.output();
    }
    buf.fused = None;
    for i in 0..n_layers {
        let (k, n) = (arch.sizes[i], arch.sizes[i + 1]);
        let out = &mut buf.outputs[i];
        out.resize(rows * n, T::ZERO);
        gemm(out, &buf.inputs[i], &params.weights[i], rows, k, n, false);
        let b = &params.bias[i];
        let act = arch.activation_of(i);
        if i + 1 == n_layers {
            kernels::scale_add_rows(out, T::ONE, b);
            act.apply(out);
            break;
        }
        let next = &mut buf.inputs[i + 1];
        next.resize(rows * n, T::ZERO);
        let s = T::from_f64(mask(i + 1).map_or(1.0, |m| m.scale));
        if act == Activation::Relu {
            kernels::bias_relu_scale_copy(out, b, next, s);
        } else if matches!(act, Activation::Tanh | Activation::Sigmoid) {
            kernels::bias_smooth_scale_copy(out, b, next, s, act == Activation::Tanh);
        } else {
            kernels::scale_add_rows(out, T::ONE, b);
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
/// activation's derivative and accumulates the bias gradient. The fused step of
/// [`super::shallow_step`] runs exactly when the forward pass ran it (its plan is kept in
/// `buf`), so after [`forward_train_unfused`] this is the general path throughout.
pub fn backward<T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    masks: &Masks,
    buf: &mut TrainBuffers<T>,
    dout: &[T],
    grads: &mut Gradients<T>,
) {
    backward_in(arch, params, masks, buf, dout, grads);
}

fn backward_in<T: Real>(
    arch: &Architecture,
    params: &Tensors<T>,
    masks: &Masks,
    buf: &mut TrainBuffers<T>,
    dout: &[T],
    grads: &mut Gradients<T>,
) {
    let rows = buf.rows;
    let n_layers = arch.n_layers();
    buf.delta.clear();
    buf.delta.extend_from_slice(dout);
    kernels::column_sums(&buf.delta, &mut grads.bias[n_layers - 1]);
    // The forward pass's decision: its buffers are laid out for it.
    if let Some(plan) = buf.fused
        && fused_backward(&plan, params, masks, buf, grads)
    {
        return;
    }
    for i in (0..n_layers).rev() {
        let (k, n) = (arch.sizes[i], arch.sizes[i + 1]);
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
        buf.dh.resize(rows * k, T::ZERO);
        let m = masks.layers.get(i).and_then(|m| m.as_ref());
        let s = T::from_f64(m.map_or(1.0, |m| m.scale));
        let act = arch.activation_of(i - 1);
        let w = &params.weights[i];
        // For ReLU, the derivative and the mask are read off the layer's masked, scaled
        // input `hm = h ∘ z · s` (s ≥ 1): `hm > 0` exactly where the unit was kept and
        // active, so one branch-free sweep applies both.
        let hm = &buf.inputs[i];
        if act == Activation::Relu && n == 1 {
            // dh = δ ⊗ w through the mask and the ReLU, with the bias gradient, in one
            // sweep.
            kernels::outer_relu_backprop_colsum(
                &mut buf.dh,
                &buf.delta,
                w,
                hm,
                s,
                &mut grads.bias[i - 1],
            );
        } else if act == Activation::Relu {
            gemm_nt(&mut buf.dh, &buf.delta, w, rows, n, k);
            kernels::relu_backprop_scale_colsum(&mut buf.dh, hm, s, &mut grads.bias[i - 1]);
        } else if matches!(act, Activation::Tanh | Activation::Sigmoid) {
            // Zero the (few) dropped entries, then one sweep: scale, derivative, bias
            // gradient.
            gemm_nt(&mut buf.dh, &buf.delta, w, rows, n, k);
            if let Some(m) = m {
                m.zero(&mut buf.dh);
            }
            let (c0, c1) = act.derivative_coefficients::<T>();
            let h = &buf.outputs[i - 1];
            kernels::smooth_backprop_scale_colsum(
                &mut buf.dh,
                h,
                s,
                c0,
                c1,
                &mut grads.bias[i - 1],
            );
        } else {
            gemm_nt(&mut buf.dh, &buf.delta, w, rows, n, k);
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
