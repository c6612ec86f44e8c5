//! The fused backward pass: sweeps over the rows by groups of columns (the hidden layer's
//! gradient, db₁, dW₂), then dW₁ by blocks of inputs and groups of columns (see
//! [`crate::nn::shallow_step`]).

#![allow(clippy::needless_range_loop)]

use super::{GROUP, INPUTS, L, drop_bits, dropped_lanes, padded, store_lanes};
use crate::nn::shallow_step::blocks::split;
use crate::nn::shallow_step::drops::kill_masks;
use crate::nn::shallow_step::{Act, MAX_ROWS, Shape};
use std::arch::x86_64::*;

/// The fused backward pass ([`crate::nn::shallow_step::backward`]) with `hm`, `hact` from
/// their first 64-byte boundaries.
///
/// # Safety
/// AVX2 and FMA; the slices hold the shapes; `hm` (and for tanh and the sigmoid `hact`)
/// hold `rows` rows of `⌈h/8⌉` vectors, 32-byte aligned, as [`super::forward`] wrote them.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
pub(in crate::nn::shallow_step) unsafe fn backward(
    sh: Shape,
    delta: &[f32],
    x: &[f32],
    hm: &[f32],
    hact: &[f32],
    dropped: &[u32],
    w2: &[f32],
    s: f32,
    dw1: &mut [f32],
    db1: &mut [f32],
    dw2: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let Shape { rows, k, h, .. } = sh;
    let nv = h.div_ceil(L);
    // Every element is written by `rows_group` before it is read: no zeroing.
    if scratch.len() < rows * nv * L {
        scratch.resize(rows * nv * L, 0.0);
    }
    let kill = if sh.act == Act::Relu {
        [0u64; MAX_ROWS]
    } else {
        kill_masks(sh, dropped)
    };
    let w2p = padded(w2, h);
    let g = Grad {
        delta,
        hm,
        hact,
        kill: &kill,
        w2p: w2p.as_ptr().cast(),
        s,
        nv,
    };
    for (q0, n) in split(nv, GROUP) {
        // SAFETY: the caller checked the shapes; `scratch` holds rows × nv vectors;
        // q0 + n ≤ nv.
        unsafe {
            match n {
                1 => rows_group::<1>(sh, q0, &g, db1, dw2, scratch),
                2 => rows_group::<2>(sh, q0, &g, db1, dw2, scratch),
                3 => rows_group::<3>(sh, q0, &g, db1, dw2, scratch),
                _ => rows_group::<4>(sh, q0, &g, db1, dw2, scratch),
            }
        }
    }
    // dW₁ = xᵀ dh by blocks of at most four inputs (13 = 4 + 3 + 3 + 3) by groups.
    for (f0, f) in split(k, INPUTS) {
        for (q0, n) in split(nv, GROUP) {
            // SAFETY: inputs f0..f0 + f < k, vectors q0..q0 + n < nv; as above.
            unsafe { by_count_and_vectors!(input_block, f, n, (sh, f0, q0, nv, x, scratch, dw1)) };
        }
    }
}

/// The backward pass's read-only operands.
struct Grad<'a> {
    /// dL/d(out), one per row.
    delta: &'a [f32],
    /// The masked hidden layer, padded rows.
    hm: &'a [f32],
    /// tanh, sigmoid: the activation, padded rows.
    hact: &'a [f32],
    /// tanh, sigmoid: the drop bits of each row.
    kill: &'a [u64; MAX_ROWS],
    /// w₂ padded to `nv` vectors.
    w2p: *const f32,
    /// The hidden layer's dropout scale.
    s: f32,
    /// Vectors of a padded row.
    nv: usize,
}

/// One sweep over the rows in the vectors `q0..q0 + G`: the hidden layer's gradient into
/// `scratch` (rows of `nv` vectors, zero beyond `h`) — ReLU `dh = hm > 0 ? (δ s) w₂ : 0`;
/// tanh, sigmoid `dh = ((δ w₂, zero where dropped) · s) · (c₀ + a (c₁ − a))` with `a` the
/// activation — `db₁ = Σ_r dh_r` and `dW₂ = Σ_r δ_r hm_r`.
///
/// # Safety
/// AVX2 and FMA; q0 + G ≤ nv; the slices hold the shapes (`scratch`: rows × nv vectors).
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_group<const G: usize>(
    sh: Shape,
    q0: usize,
    g: &Grad<'_>,
    db1: &mut [f32],
    dw2: &mut [f32],
    scratch: &mut [f32],
) {
    let Shape { rows, h, .. } = sh;
    // `Activation::derivative_coefficients`: tanh (1, 0), sigmoid (0, 1).
    let (c0, c1) = if sh.act == Act::Sigmoid {
        (0.0, 1.0)
    } else {
        (1.0, 0.0)
    };
    // SAFETY (whole fn): rows < rows, vectors q0..q0 + G < nv; the caller checked the
    // lengths (scratch: rows × nv × 8; hm, hact: padded rows, 32-byte aligned).
    unsafe {
        let zero = _mm256_setzero_ps();
        let (c0v, c1v, sv) = (_mm256_set1_ps(c0), _mm256_set1_ps(c1), _mm256_set1_ps(g.s));
        let wv: [__m256; G] = core::array::from_fn(|i| _mm256_load_ps(g.w2p.add((q0 + i) * L)));
        let mut db = [zero; G];
        let mut dw = [zero; G];
        for r in 0..rows {
            let d = g.delta[r];
            let dv = _mm256_set1_ps(d);
            let dsv = _mm256_set1_ps(d * g.s);
            let bits = drop_bits(g.kill[r], q0);
            for i in 0..G {
                let at = (r * g.nv + q0 + i) * L;
                let hv = _mm256_load_ps(g.hm.as_ptr().add(at));
                dw[i] = _mm256_fmadd_ps(dv, hv, dw[i]);
                let dh = if sh.act == Act::Relu {
                    let on = _mm256_cmp_ps::<_CMP_GT_OQ>(hv, zero);
                    _mm256_and_ps(_mm256_mul_ps(dsv, wv[i]), on)
                } else {
                    let g1 = _mm256_andnot_ps(dropped_lanes(bits, i), _mm256_mul_ps(dv, wv[i]));
                    let a = _mm256_load_ps(g.hact.as_ptr().add(at));
                    let slope = _mm256_add_ps(c0v, _mm256_mul_ps(a, _mm256_sub_ps(c1v, a)));
                    _mm256_mul_ps(_mm256_mul_ps(g1, sv), slope)
                };
                db[i] = _mm256_add_ps(db[i], dh);
                _mm256_storeu_ps(scratch.as_mut_ptr().add(at), dh);
            }
        }
        for i in 0..G {
            store_lanes(db1.as_mut_ptr().add((q0 + i) * L), db[i], h, q0 + i);
            store_lanes(dw2.as_mut_ptr().add((q0 + i) * L), dw[i], h, q0 + i);
        }
    }
}

/// `dW₁[f0..f0 + F]` in the vectors `q0..q0 + G` `= Σ_r x_r[f0..f0 + F] ⊗ dh_r`,
/// accumulated in registers over the rows in order, from zero.
///
/// # Safety
/// AVX2 and FMA; inputs f0..f0 + F < k, vectors q0..q0 + G < nv; `scratch` holds the
/// rows' gradients (rows × nv vectors).
#[target_feature(enable = "avx2,fma")]
unsafe fn input_block<const F: usize, const G: usize>(
    sh: Shape,
    f0: usize,
    q0: usize,
    nv: usize,
    x: &[f32],
    scratch: &[f32],
    dw1: &mut [f32],
) {
    let Shape { rows, k, h, .. } = sh;
    // SAFETY (whole fn): as in `rows_group`; inputs f0..f0 + F < k.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); G]; F];
        let (xp, gp) = (x.as_ptr().add(f0), scratch.as_ptr().add(q0 * L));
        for r in 0..rows {
            let g: [__m256; G] =
                core::array::from_fn(|i| _mm256_loadu_ps(gp.add((r * nv + i) * L)));
            for f in 0..F {
                let a = _mm256_broadcast_ss(&*xp.add(r * k + f));
                for i in 0..G {
                    acc[f][i] = _mm256_fmadd_ps(a, g[i], acc[f][i]);
                }
            }
        }
        for f in 0..F {
            for i in 0..G {
                let p = dw1.as_mut_ptr().add((f0 + f) * h + (q0 + i) * L);
                store_lanes(p, acc[f][i], h, q0 + i);
            }
        }
    }
}
