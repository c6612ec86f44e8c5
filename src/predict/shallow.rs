//! The Monte-Carlo engine's fast path for one hidden layer and one output (the networks of
//! Gal's UCI experiments), pass by pass with no block bookkeeping.
//!
//! For row `x` with input rate p₀ (scale s₀ = 1/(1 − p₀)) and hidden rate p₁ (s₁):
//! - shared by every pass: `z = x W₁`, the all-kept hidden layer `h = act(z s₀ + b₁)` and
//!   its products with the output weights `u_j = h_j w₂ⱼ`, summed: `Σ_j u_j`;
//! - a pass that drops no input: `ŷ = (Σ_j u_j − Σ_{j dropped} u_j) s₁ + b₂`, a cost of one
//!   subtraction per dropped hidden unit;
//! - a pass that drops inputs `D`: `z' = z − Σ_{i ∈ D} x_i W₁[i, :]`,
//!   `h' = act(z' s₀ + b₁)`, then `ŷ = (h' · w₂ − Σ_{j dropped} h'_j w₂ⱼ) s₁ + b₂`.
//!
//! The masks come from the same per-layer streams, pass by pass, as in the block engine
//! and the reference (`super::engine::reference_row_samples`), so the samples are the
//! same up to rounding.

use crate::nn::{Activation, Network, kernels};
use crate::rng::{DropSampler, Xoshiro256PlusPlus};

/// Buffers of the fast path, reused across rows.
#[derive(Debug, Default, Clone)]
pub(crate) struct ShallowBuffers {
    z: Vec<f64>,
    zt: Vec<f64>,
    d_in: Vec<u32>,
    d_h: Vec<u32>,
    /// Row 0: `u = h ∘ w₂` of the all-kept pass; row r > 0: `h' ∘ w₂` of the r-th pass of
    /// the block whose inputs were dropped.
    u_rows: Vec<f64>,
    /// Per pass of the block, its row of `u_rows`.
    which: Vec<u32>,
    /// Per pass of the block, `Σ_j u_j` before the hidden drops.
    v: Vec<f64>,
}

/// Whether the fast path applies: one hidden layer and one output unit.
pub(crate) fn applies(net: &Network) -> bool {
    net.layers.len() == 2 && net.n_outputs() == 1
}

/// Writes the `out.len()` sampled outputs of row `x`, `block` passes at a time. `samplers`,
/// `rngs` and `states` are the two layers' drop processes, already started for this row.
///
/// Per block the drops of both layers are drawn in one sweep each; the passes with
/// dropped inputs are recomputed one by one, and the hidden drops are then subtracted in
/// one branch-free loop over all of the block's drops (each pass reads its own row of
/// `u_rows`), so the cost per pass does not hinge on mispredicted branches.
#[allow(clippy::too_many_arguments)]
pub(crate) fn row_samples(
    net: &Network,
    x: &[f64],
    samplers: &[DropSampler],
    scale: &[f64],
    block: usize,
    rngs: &mut [Xoshiro256PlusPlus],
    states: &mut [crate::rng::DropState],
    buf: &mut ShallowBuffers,
    out: &mut [f64],
) {
    let (l1, l2) = (&net.layers[0], &net.layers[1]);
    let (k, h) = l1.weights.dim();
    let w1 = crate::nn::weights_of(net, 0);
    let w2 = crate::nn::weights_of(net, 1);
    let b1 = l1.bias.as_slice().unwrap_or(&[]);
    let b2 = l2.bias[0];
    let act = net.arch.activation_of(0);
    let (s0, s1) = (scale[0], scale[1]);
    buf.z.clear();
    buf.z.resize(h, 0.0);
    crate::nn::matmul::gemm(&mut buf.z, x, w1, 1, k, h, false);
    buf.zt.clear();
    buf.zt.extend_from_slice(&buf.z);
    epilogue(&mut buf.zt, s0, b1, act);
    buf.u_rows.clear();
    buf.u_rows.resize(h, 0.0);
    kernels::mul(&mut buf.u_rows, &buf.zt, w2);
    let base = kernels::dot(&buf.zt, w2);
    let (rng0, rng1) = rngs.split_at_mut(1);
    let (st0, st1) = states.split_at_mut(1);
    let (k32, h32) = (k as u32, h as u32);
    for out in out.chunks_mut(block.max(1)) {
        let b = out.len();
        buf.d_in.clear();
        samplers[0].sample_rows(&mut st0[0], &mut rng0[0], b, &mut buf.d_in);
        buf.d_h.clear();
        samplers[1].sample_rows(&mut st1[0], &mut rng1[0], b, &mut buf.d_h);
        buf.v.clear();
        buf.v.resize(b, base);
        buf.which.clear();
        buf.which.resize(b, 0);
        buf.u_rows.truncate(h);
        // Passes with dropped inputs: z' = z − Σ x_i W₁[i, :], then their own u row.
        let mut i = 0;
        while i < buf.d_in.len() {
            let pass = buf.d_in[i] / k32;
            buf.zt.clear();
            buf.zt.extend_from_slice(&buf.z);
            while i < buf.d_in.len() && buf.d_in[i] / k32 == pass {
                let unit = (buf.d_in[i] - pass * k32) as usize;
                if x[unit] != 0.0 {
                    kernels::sub_scaled(&mut buf.zt, x[unit], &w1[unit * h..(unit + 1) * h]);
                }
                i += 1;
            }
            epilogue(&mut buf.zt, s0, b1, act);
            let row = buf.u_rows.len() / h;
            buf.u_rows.resize((row + 1) * h, 0.0);
            kernels::mul(&mut buf.u_rows[row * h..], &buf.zt, w2);
            buf.v[pass as usize] = kernels::dot(&buf.zt, w2);
            buf.which[pass as usize] = row as u32;
        }
        // Hidden drops, all passes at once.
        for &pos in &buf.d_h {
            let pass = pos / h32;
            let j = (pos - pass * h32) as usize;
            let p = pass as usize;
            buf.v[p] -= buf.u_rows[buf.which[p] as usize * h + j];
        }
        out.iter_mut()
            .zip(&buf.v)
            .for_each(|(o, &v)| *o = v * s1 + b2);
    }
}

/// `x ← act(x · s + b)`, fused for ReLU.
#[inline]
pub(crate) fn epilogue(x: &mut [f64], s: f64, b: &[f64], act: Activation) {
    if act == Activation::Relu {
        kernels::scale_bias_relu(x, s, b);
    } else {
        x.iter_mut().zip(b).for_each(|(v, &bb)| *v = *v * s + bb);
        act.apply(x);
    }
}
