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
//! Within a row, passes that drop the same set of inputs share `h'` exactly, so for up to
//! [`CACHE_MAX_INPUTS`] inputs the recomputed rows are cached per row, keyed by the set
//! (a bit mask): with 9 inputs at p₀ = 0.05, 37 % of the passes drop an input but a row of
//! 10 000 passes meets only about a hundred distinct sets, so the recomputation all but
//! disappears. A cached row is computed by the same operations in the same order as an
//! uncached one, so the samples are bit for bit those of the uncached path.
//!
//! The masks come from the same per-layer streams, pass by pass, as in the block engine
//! and the reference (`super::engine::reference_row_samples`), so the samples are the
//! same up to rounding.

use crate::nn::{Activation, Network, kernels};
use crate::rng::DropSampler;

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
    /// Per pass of the block, `(which − pass) · h`: moves a flat hidden position onto the
    /// pass's row of `u_rows`.
    off: Vec<isize>,
    /// Per row of `u_rows`, `Σ_j u_j` (the cache's values).
    v_rows: Vec<f64>,
    /// Dropped-input set (bit mask) → its row of `u_rows` + 1 (0: not cached yet), for
    /// networks with at most [`CACHE_MAX_INPUTS`] inputs.
    slot: Vec<u32>,
    /// The sets cached for the current row (to clear `slot` cheaply).
    touched: Vec<u32>,
    /// Recompute every pass with dropped inputs (tests compare with the cache).
    #[cfg(test)]
    pub(crate) no_cache: bool,
}

/// Inputs up to which recomputed hidden rows are cached per row (a table of 2^k slots).
pub(crate) const CACHE_MAX_INPUTS: usize = 16;

/// Cached rows per input row at most (`u_rows` is then cleared and refilled; values do not
/// depend on it): bounds the cache at `CACHE_MAX_ROWS × hidden` floats.
const CACHE_MAX_ROWS: usize = 2048;

/// Whether the fast path applies: one hidden layer and one output unit.
pub(crate) fn applies(net: &Network) -> bool {
    net.layers.len() == 2 && net.n_outputs() == 1
}

/// Writes the `out.len()` sampled outputs of row `x`, `block` passes at a time. `samplers`
/// and `states` are the two layers' drop processes, already started for this row.
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
    buf.v_rows.clear();
    buf.v_rows.push(base);
    #[cfg(test)]
    let cache = k <= CACHE_MAX_INPUTS && !buf.no_cache;
    #[cfg(not(test))]
    let cache = k <= CACHE_MAX_INPUTS;
    if cache {
        buf.slot.resize(1 << k, 0);
        for &key in &buf.touched {
            buf.slot[key as usize] = 0;
        }
        buf.touched.clear();
    }
    let (st0, st1) = states.split_at_mut(1);
    let k32 = k as u32;
    for out in out.chunks_mut(block.max(1)) {
        let b = out.len();
        buf.d_in.clear();
        samplers[0].sample_rows(&mut st0[0], b, &mut buf.d_in);
        buf.d_h.clear();
        samplers[1].sample_rows(&mut st1[0], b, &mut buf.d_h);
        buf.v.clear();
        buf.v.resize(b, base);
        buf.which.clear();
        buf.which.resize(b, 0);
        if !cache || buf.v_rows.len() >= CACHE_MAX_ROWS {
            // Uncached (or a full cache): rows are kept for this block only.
            buf.u_rows.truncate(h);
            buf.v_rows.truncate(1);
            for &key in &buf.touched {
                buf.slot[key as usize] = 0;
            }
            buf.touched.clear();
        }
        // Passes with dropped inputs: z' = z − Σ x_i W₁[i, :], then their own u row
        // (looked up by the set of dropped inputs when cached).
        let mut i = 0;
        while i < buf.d_in.len() {
            let pass = buf.d_in[i] / k32;
            let (start, first, end) = (i, pass * k32, (pass + 1) * k32);
            let mut key = 0u32;
            while i < buf.d_in.len() && buf.d_in[i] < end {
                key |= 1 << ((buf.d_in[i] - first) & 31);
                i += 1;
            }
            let cached = if cache { buf.slot[key as usize] } else { 0 };
            let row = if cached > 0 {
                cached as usize - 1
            } else {
                buf.zt.clear();
                buf.zt.extend_from_slice(&buf.z);
                for &d in &buf.d_in[start..i] {
                    let unit = (d - pass * k32) as usize;
                    if x[unit] != 0.0 {
                        kernels::sub_scaled(&mut buf.zt, x[unit], &w1[unit * h..(unit + 1) * h]);
                    }
                }
                epilogue(&mut buf.zt, s0, b1, act);
                let row = buf.v_rows.len();
                buf.u_rows.resize((row + 1) * h, 0.0);
                kernels::mul(&mut buf.u_rows[row * h..], &buf.zt, w2);
                buf.v_rows.push(kernels::dot(&buf.zt, w2));
                if cache {
                    buf.slot[key as usize] = row as u32 + 1;
                    buf.touched.push(key);
                }
                row
            };
            buf.v[pass as usize] = buf.v_rows[row];
            buf.which[pass as usize] = row as u32;
        }
        // Hidden drops, all passes at once.
        buf.off.clear();
        buf.off.extend(
            buf.which
                .iter()
                .enumerate()
                .map(|(p, &r)| (r as isize - p as isize) * h as isize),
        );
        subtract_hidden_drops(&buf.d_h, h, &buf.off, &buf.u_rows, &buf.v, out);
        out.iter_mut().for_each(|o| *o = *o * s1 + b2);
    }
}

/// `out[p] ← v[p] − Σ_{pos ∈ drops of pass p} u[pos + off[p]]`, subtracting in the order of
/// `drops` (sorted flat positions `p · h + j`; `off[p]` moves pass p's positions onto its
/// row of `u`).
///
/// Branch-free: each drop is one load and one subtraction in place. Consecutive drops of
/// the same pass form a chain through memory (store, then load of the same `out[p]`), so
/// the passes are split in two halves walked side by side and two chains overlap. The pass
/// of a position is `⌊pos · m / 2⁴⁰⌋` with `m = ⌊2⁴⁰ / h⌋ + 1`, exact while `pos · h < 2⁴⁰`
/// (the error `pos (m − 2⁴⁰/h) / 2⁴⁰ < pos / 2⁴⁰ < 1/h` cannot carry past an integer);
/// longer blocks take an integer division.
fn subtract_hidden_drops(
    drops: &[u32],
    h: usize,
    off: &[isize],
    u: &[f64],
    v: &[f64],
    out: &mut [f64],
) {
    out.copy_from_slice(v);
    if (v.len() as u64) * (h as u64) * (h as u64) >= 1 << 40 {
        for &pos in drops {
            let p = pos as usize / h;
            out[p] -= u[(pos as isize + off[p]) as usize];
        }
        return;
    }
    let m = (1u64 << 40) / h as u64 + 1;
    let step = |pos: u32, out: &mut [f64]| {
        let p = ((pos as u64 * m) >> 40) as usize;
        out[p] -= u[(pos as isize + off[p]) as usize];
    };
    let half = v.len() / 2;
    let split = drops.partition_point(|&pos| (pos as usize) < half * h);
    let (da, db) = drops.split_at(split);
    let common = da.len().min(db.len());
    for (&pa, &pb) in da[..common].iter().zip(&db[..common]) {
        step(pa, out);
        step(pb, out);
    }
    for &pos in da[common..].iter().chain(&db[common..]) {
        step(pos, out);
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
