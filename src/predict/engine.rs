//! The Monte-Carlo dropout engine: T stochastic passes per row, computed in blocks.
//!
//! For one input row the engine first runs the all-kept pass (no unit dropped, every unit
//! scaled by 1/(1 − p)) and keeps, per layer, its input `h_i` and the product `h_i W_i`.
//! A block of passes is then pushed through the layers together:
//! - a pass with no drop before layer `i` has exactly that input, so its pre-activation
//!   costs only its drops at layer `i`: `(h W − Σ_{j dropped} h_j W_j) / (1 − p) + b`
//!   (DESIGN §3, "sparse drops");
//! - the passes whose inputs already differ are gathered into one matrix, masked, and
//!   multiplied in a single matrix product (faer).
//!
//! Masks are drawn from the row's own stream, pass by pass and layer by layer (see
//! [`crate::rng`]), so the samples of a row are the same for any block size, chunking of
//! rows or number of threads. They equal a one-pass-at-a-time evaluation
//! ([`reference_row_samples`]) up to floating-point rounding: the engine scales by
//! 1/(1 − p) after the product instead of before, and subtracts dropped terms from a shared
//! product instead of omitting them.

use super::shallow::{self, ShallowBuffers, epilogue};
use crate::nn::matmul::gemm;
use crate::nn::{Network, kernels};
use crate::rng::{DropSampler, DropState, Purpose, Xoshiro256PlusPlus, stream_of};

/// Default number of passes per block: the changed-rows matrix of the widest layer stays
/// within about 256 KiB.
pub(crate) fn default_block(net: &Network) -> usize {
    let widest = net.arch.sizes.iter().copied().max().unwrap_or(1).max(1);
    (32_768 / widest).clamp(16, 1024)
}

/// Reusable buffers for one worker.
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspace {
    states: Vec<DropState>,
    /// Per layer, the dropped positions of the current block, flat (`pass · fan_in + unit`).
    drops: Vec<Vec<u32>>,
    /// Per layer, where each pass's drops start in `drops` (`block + 1` entries).
    offs: Vec<Vec<u32>>,
    base_in: Vec<Vec<f64>>,
    base_hw: Vec<Vec<f64>>,
    cur: Vec<f64>,
    cur_idx: Vec<u32>,
    prod: Vec<f64>,
    next: Vec<f64>,
    next_idx: Vec<u32>,
    shallow: ShallowBuffers,
}

/// The engine for one network.
#[derive(Debug, Clone)]
pub(crate) struct Engine<'a> {
    net: &'a Network,
    samplers: Vec<DropSampler>,
    scale: Vec<f64>,
    block: usize,
    /// One hidden layer and one output: use [`shallow`]'s pass-by-pass path.
    shallow: bool,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(net: &'a Network, block: usize) -> Self {
        Self {
            net,
            samplers: net.drop_samplers(),
            scale: net.arch.dropout.iter().map(|p| 1.0 / (1.0 - p)).collect(),
            block: block.max(1),
            shallow: shallow::applies(net),
        }
    }

    /// The same engine without the one-hidden-layer fast path (tests compare the two).
    #[cfg(test)]
    pub(crate) fn general(mut self) -> Self {
        self.shallow = false;
        self
    }

    /// Writes the `t` sampled outputs of row `x` (standardised, `n_inputs` values) into
    /// `out` (`t × n_outputs`, pass-major). The masks of layer `l` come from the stream
    /// `(seed, McMasks, row, l)`.
    pub(crate) fn row_samples(
        &self,
        x: &[f64],
        seed: u64,
        row: u64,
        t: usize,
        ws: &mut Workspace,
        out: &mut [f64],
    ) {
        let net = self.net;
        let n_layers = net.layers.len();
        let d = net.n_outputs();
        ws.states.resize_with(self.samplers.len(), Default::default);
        for (l, (s, st)) in self.samplers.iter().zip(&mut ws.states).enumerate() {
            s.restart(st, &mut layer_stream(seed, row, l));
        }
        if self.shallow {
            shallow::row_samples(
                net,
                x,
                &self.samplers,
                &self.scale,
                self.block,
                &mut ws.states,
                &mut ws.shallow,
                &mut out[..t],
            );
            return;
        }
        // The all-kept pass for this row: no unit dropped, kept units scaled by 1/(1 − p).
        // Every pass with no drop before layer i shares its input to layer i.
        ws.base_in.resize(n_layers + 1, Vec::new());
        ws.base_hw.resize(n_layers, Vec::new());
        ws.base_in[0].clear();
        ws.base_in[0].extend_from_slice(x);
        for i in 0..n_layers {
            let layer = &net.layers[i];
            let (k, n) = layer.weights.dim();
            let hw = &mut ws.base_hw[i];
            hw.clear();
            hw.resize(n, 0.0);
            gemm(hw, &ws.base_in[i], weights(net, i), 1, k, n, false);
            let next = &mut ws.base_in[i + 1];
            next.clear();
            let sc = self.scale[i];
            next.extend(hw.iter().zip(&layer.bias).map(|(v, b)| v * sc + b));
            net.arch.activation_of(i).apply(next);
        }
        ws.drops.resize(n_layers, Vec::new());
        ws.offs.resize(n_layers, Vec::new());
        let mut t0 = 0;
        while t0 < t {
            let b = self.block.min(t - t0);
            self.block_samples(b, ws, &mut out[t0 * d..(t0 + b) * d]);
            t0 += b;
        }
    }

    fn block_samples(&self, b: usize, ws: &mut Workspace, out: &mut [f64]) {
        let net = self.net;
        let n_layers = net.layers.len();
        let d = net.n_outputs();
        for (l, s) in self.samplers.iter().enumerate() {
            ws.drops[l].clear();
            s.sample_rows(&mut ws.states[l], b, &mut ws.drops[l]);
            pass_offsets(&ws.drops[l], s.units(), b, &mut ws.offs[l]);
        }
        ws.cur.clear();
        ws.cur_idx.clear();
        for i in 0..n_layers {
            let layer = &net.layers[i];
            let (k, n) = layer.weights.dim();
            let w = weights(net, i);
            let bias = layer.bias.as_slice().unwrap_or(&[]);
            let s = self.scale[i];
            let act = net.arch.activation_of(i);
            let drops = &ws.drops[i];
            let offs = &ws.offs[i];
            let of_pass = |bi: usize| &drops[offs[bi] as usize..offs[bi + 1] as usize];
            let nc = ws.cur_idx.len();
            if nc > 0 {
                // Mask the passes whose input already differs, then one product for all.
                for (c, &bi) in ws.cur_idx.iter().enumerate() {
                    let lo = bi as usize * k;
                    let row = &mut ws.cur[c * k..(c + 1) * k];
                    for &pos in of_pass(bi as usize) {
                        row[pos as usize - lo] = 0.0;
                    }
                }
                ws.prod.clear();
                ws.prod.resize(nc * n, 0.0);
                gemm(&mut ws.prod, &ws.cur, w, nc, k, n, false);
            }
            ws.next.clear();
            ws.next_idx.clear();
            let mut c = 0;
            for bi in 0..b {
                let lo = bi * k;
                if c < nc && ws.cur_idx[c] as usize == bi {
                    let start = ws.next.len();
                    ws.next.extend_from_slice(&ws.prod[c * n..(c + 1) * n]);
                    epilogue(&mut ws.next[start..], s, bias, act);
                    ws.next_idx.push(bi as u32);
                    c += 1;
                    continue;
                }
                let dropped = of_pass(bi);
                if dropped.is_empty() {
                    // Still the all-kept pass.
                    continue;
                }
                let h = &ws.base_in[i];
                if n == 1 {
                    // One output unit: scalar corrections, no vector-kernel dispatch.
                    let mut v = ws.base_hw[i][0];
                    for &j in dropped {
                        let j = j as usize - lo;
                        v -= h[j] * w[j];
                    }
                    let mut o = [v * s + bias[0]];
                    act.apply(&mut o);
                    ws.next.push(o[0]);
                } else {
                    let start = ws.next.len();
                    ws.next.extend_from_slice(&ws.base_hw[i]);
                    let row = &mut ws.next[start..];
                    for &j in dropped {
                        let j = j as usize - lo;
                        if h[j] != 0.0 {
                            kernels::sub_scaled(row, h[j], &w[j * n..(j + 1) * n]);
                        }
                    }
                    epilogue(row, s, bias, act);
                }
                ws.next_idx.push(bi as u32);
            }
            std::mem::swap(&mut ws.cur, &mut ws.next);
            std::mem::swap(&mut ws.cur_idx, &mut ws.next_idx);
        }
        let base_out = &ws.base_in[n_layers];
        let mut c = 0;
        for bi in 0..b {
            let dst = &mut out[bi * d..(bi + 1) * d];
            if c < ws.cur_idx.len() && ws.cur_idx[c] as usize == bi {
                dst.copy_from_slice(&ws.cur[c * d..(c + 1) * d]);
                c += 1;
            } else {
                dst.copy_from_slice(base_out);
            }
        }
    }
}

/// `offs[p]..offs[p + 1]` = the range of `drops` (sorted flat positions `pass · k + unit`)
/// that belong to pass `p`, for `b` passes. The pass of a position is found by a
/// floating-point multiply, corrected to the exact quotient.
fn pass_offsets(drops: &[u32], k: usize, b: usize, offs: &mut Vec<u32>) {
    offs.clear();
    offs.resize(b + 1, 0);
    let inv = 1.0 / k as f64;
    for &pos in drops {
        let mut q = (pos as f64 * inv) as usize;
        if q * k > pos as usize {
            q -= 1;
        } else if (q + 1) * k <= pos as usize {
            q += 1;
        }
        offs[q + 1] += 1;
    }
    for p in 0..b {
        offs[p + 1] += offs[p];
    }
}

/// The mask stream of layer `layer` for row `row`.
#[inline]
fn layer_stream(seed: u64, row: u64, layer: usize) -> Xoshiro256PlusPlus {
    stream_of(seed, Purpose::McMasks, row, layer as u64)
}

#[inline]
fn weights(net: &Network, i: usize) -> &[f64] {
    crate::nn::weights_of(net, i)
}

/// The reference: one pass at a time, each a plain masked forward pass
/// `h ← act((h ∘ z / (1 − p)) W + b)`, with the masks of row `row` drawn from the same
/// per-layer streams as the engine, one row of units at a time.
/// Used by tests to check the engine.
pub fn reference_row_samples(net: &Network, x: &[f64], seed: u64, row: u64, t: usize) -> Vec<f64> {
    let samplers = net.drop_samplers();
    let n_layers = net.layers.len();
    let mut out = Vec::with_capacity(t * net.n_outputs());
    let mut drops: Vec<Vec<u32>> = vec![Vec::new(); n_layers];
    let mut states: Vec<DropState> = samplers
        .iter()
        .enumerate()
        .map(|(l, s)| s.start(&mut layer_stream(seed, row, l)))
        .collect();
    for _ in 0..t {
        for (l, s) in samplers.iter().enumerate() {
            drops[l].clear();
            s.sample(&mut states[l], &mut drops[l]);
        }
        let mut h = x.to_vec();
        for (i, layer) in net.layers.iter().enumerate() {
            let s = 1.0 / (1.0 - net.arch.dropout[i]);
            let mut hm: Vec<f64> = h.iter().map(|v| v * s).collect();
            for &j in &drops[i] {
                hm[j as usize] = 0.0;
            }
            let (k, n) = layer.weights.dim();
            let mut z = vec![0.0; n];
            for (j, &hj) in hm.iter().enumerate().take(k) {
                for (o, zo) in z.iter_mut().enumerate() {
                    *zo += hj * layer.weights[[j, o]];
                }
            }
            z.iter_mut().zip(&layer.bias).for_each(|(v, b)| *v += b);
            net.arch.activation_of(i).apply(&mut z);
            h = z;
        }
        out.extend_from_slice(&h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Engine, Workspace};
    use crate::nn::{Activation, Architecture, Init, Network};

    /// The one-hidden-layer fast path and the general block engine give the same samples
    /// (up to rounding: they subtract dropped terms in different orders; 1e-12 relative
    /// bounds the few-ulp differences of sums of ~50 terms of size ≤ 10).
    #[test]
    fn fast_path_matches_block_engine() {
        for (act, p) in [(Activation::Relu, 0.05), (Activation::Tanh, 0.3)] {
            let arch = Architecture::new(7, &[50], 1, act, p).unwrap();
            let net = Network::init(arch, Init::GlorotUniform, 0.1, 3).unwrap();
            let x: Vec<f64> = (0..7).map(|i| i as f64 * 0.3 - 1.0).collect();
            let (fast, general) = (Engine::new(&net, 64), Engine::new(&net, 64).general());
            assert!(fast.shallow && !general.shallow);
            let (mut a, mut b) = (vec![0.0; 500], vec![0.0; 500]);
            fast.row_samples(&x, 9, 4, 500, &mut Workspace::default(), &mut a);
            general.row_samples(&x, 9, 4, 500, &mut Workspace::default(), &mut b);
            for (u, v) in a.iter().zip(&b) {
                assert!((u - v).abs() <= 1e-12 * (1.0 + v.abs()), "{u} vs {v}");
            }
            assert!(a.iter().any(|&u| u != a[0]), "dropout varies the samples");
        }
    }

    /// The fast path's cache of recomputed hidden rows changes nothing: the samples are bit
    /// for bit those of recomputing every pass (same operations in the same order), for a
    /// net small enough to be cached (9 inputs) with enough passes, blocks and input drops
    /// that sets repeat within and across blocks, and for the tanh path.
    #[test]
    fn fast_path_cache_is_bit_identical() {
        for (act, p) in [(Activation::Relu, 0.2), (Activation::Tanh, 0.1)] {
            let arch = Architecture::new(9, &[40], 1, act, p).unwrap();
            let net = Network::init(arch, Init::GlorotUniform, 0.1, 5).unwrap();
            let x: Vec<f64> = (0..9).map(|i| i as f64 * 0.25 - 1.0).collect();
            let engine = Engine::new(&net, 64);
            let (mut a, mut b) = (vec![0.0; 3000], vec![0.0; 3000]);
            let mut ws = Workspace::default();
            engine.row_samples(&x, 2, 7, 3000, &mut ws, &mut a);
            let mut ws = Workspace::default();
            ws.shallow.no_cache = true;
            engine.row_samples(&x, 2, 7, 3000, &mut ws, &mut b);
            let bits = |v: &[f64]| v.iter().map(|u| u.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b));
            assert!(a.iter().any(|&u| u != a[0]), "dropout varies the samples");
        }
    }
}
