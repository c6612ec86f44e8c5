//! The fused backward pass: one sweep over the rows (the hidden layer's gradient, db₁,
//! dW₂), then dW₁ by blocks of inputs (see [`crate::nn::shallow_step`]).

#![allow(clippy::needless_range_loop)]

use super::{L, lanes};
use crate::nn::shallow_step::blocks::split;
use crate::nn::shallow_step::drops::kill_masks;
use crate::nn::shallow_step::{Act, Shape};
use std::arch::x86_64::*;

#[target_feature(enable = "avx512f")]
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
    // Every element is written by `rows_pass` before it is read: no zeroing.
    if scratch.len() < rows * nv * L {
        scratch.resize(rows * nv * L, 0.0);
    }
    let kill = if sh.act == Act::Relu {
        [0u64; crate::nn::shallow_step::MAX_ROWS]
    } else {
        kill_masks(sh, dropped)
    };
    let g = Grad {
        delta,
        hm,
        hact,
        kill: &kill,
        w2,
        s,
    };
    // SAFETY: the caller checked the shapes; `scratch` holds rows × nv vectors.
    unsafe {
        match nv {
            1 => rows_pass::<1>(sh, &g, db1, dw2, scratch),
            2 => rows_pass::<2>(sh, &g, db1, dw2, scratch),
            3 => rows_pass::<3>(sh, &g, db1, dw2, scratch),
            _ => rows_pass::<4>(sh, &g, db1, dw2, scratch),
        }
    }
    // dW₁ = xᵀ dh by blocks of at most five inputs, balanced (13 = 5 + 4 + 4).
    for (f0, f) in split(k, 5) {
        // SAFETY: inputs f0..f0 + f < k; as above.
        unsafe { by_count_and_vectors!(input_block, f, nv, (sh, f0, x, scratch, dw1)) };
    }
}

/// The backward pass's read-only operands.
struct Grad<'a> {
    delta: &'a [f32],
    hm: &'a [f32],
    hact: &'a [f32],
    kill: &'a [u64; crate::nn::shallow_step::MAX_ROWS],
    w2: &'a [f32],
    s: f32,
}

/// One sweep over the rows: the hidden layer's gradient into `scratch` (rows of `NV`
/// vectors, zero beyond `h`) — ReLU `dh = hm > 0 ? (δ s) w₂ : 0`; tanh, sigmoid
/// `dh = ((δ w₂, zero where dropped) · s) · (c₀ + a (c₁ − a))` with `a` the activation —
/// `db₁ = Σ_r dh_r` and `dW₂ = Σ_r δ_r hm_r`.
#[target_feature(enable = "avx512f")]
unsafe fn rows_pass<const NV: usize>(
    sh: Shape,
    g: &Grad<'_>,
    db1: &mut [f32],
    dw2: &mut [f32],
    scratch: &mut [f32],
) {
    let Shape { rows, h, .. } = sh;
    let ms: [__mmask16; NV] = core::array::from_fn(|q| lanes(h, q));
    // `Activation::derivative_coefficients`: tanh (1, 0), sigmoid (0, 1).
    let (c0, c1) = if sh.act == Act::Sigmoid {
        (0.0, 1.0)
    } else {
        (1.0, 0.0)
    };
    // SAFETY (whole fn): rows < rows, lanes masked to < h; the caller checked the
    // lengths (scratch: rows × NV × 16; hm, hact: padded rows).
    unsafe {
        let zero = _mm512_setzero_ps();
        let (c0v, c1v, sv) = (_mm512_set1_ps(c0), _mm512_set1_ps(c1), _mm512_set1_ps(g.s));
        let wv: [__m512; NV] =
            core::array::from_fn(|q| _mm512_maskz_loadu_ps(ms[q], g.w2.as_ptr().add(q * L)));
        let mut db = [zero; NV];
        let mut dw = [zero; NV];
        for r in 0..rows {
            let d = g.delta[r];
            let dv = _mm512_set1_ps(d);
            let dsv = _mm512_set1_ps(d * g.s);
            for q in 0..NV {
                let hv = _mm512_load_ps(g.hm.as_ptr().add((r * NV + q) * L));
                dw[q] = _mm512_fmadd_ps(dv, hv, dw[q]);
                let dh = if sh.act == Act::Relu {
                    let on = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(hv, zero);
                    _mm512_maskz_mul_ps(on, dsv, wv[q])
                } else {
                    let keep = !((g.kill[r] >> (q * L)) as __mmask16);
                    let g1 = _mm512_maskz_mul_ps(keep, dv, wv[q]);
                    let a = _mm512_load_ps(g.hact.as_ptr().add((r * NV + q) * L));
                    let slope = _mm512_add_ps(c0v, _mm512_mul_ps(a, _mm512_sub_ps(c1v, a)));
                    _mm512_mul_ps(_mm512_mul_ps(g1, sv), slope)
                };
                db[q] = _mm512_add_ps(db[q], dh);
                _mm512_storeu_ps(scratch.as_mut_ptr().add((r * NV + q) * L), dh);
            }
        }
        for q in 0..NV {
            _mm512_mask_storeu_ps(db1.as_mut_ptr().add(q * L), ms[q], db[q]);
            _mm512_mask_storeu_ps(dw2.as_mut_ptr().add(q * L), ms[q], dw[q]);
        }
    }
}

/// `dW₁[f0..f0 + F] = Σ_r x_r[f0..f0 + F] ⊗ dh_r`, accumulated in registers over the
/// rows in order, from zero.
#[target_feature(enable = "avx512f")]
unsafe fn input_block<const F: usize, const NV: usize>(
    sh: Shape,
    f0: usize,
    x: &[f32],
    scratch: &[f32],
    dw1: &mut [f32],
) {
    let Shape { rows, k, h, .. } = sh;
    let ms: [__mmask16; NV] = core::array::from_fn(|q| lanes(h, q));
    // SAFETY (whole fn): as in `rows_pass`; inputs f0..f0 + F < k.
    unsafe {
        let mut acc = [[_mm512_setzero_ps(); NV]; F];
        let (xp, gp) = (x.as_ptr(), scratch.as_ptr());
        for r in 0..rows {
            let g: [__m512; NV] =
                core::array::from_fn(|q| _mm512_loadu_ps(gp.add((r * NV + q) * L)));
            for f in 0..F {
                let a = _mm512_set1_ps(*xp.add(r * k + f0 + f));
                for q in 0..NV {
                    acc[f][q] = _mm512_fmadd_ps(a, g[q], acc[f][q]);
                }
            }
        }
        for f in 0..F {
            for q in 0..NV {
                _mm512_mask_storeu_ps(dw1.as_mut_ptr().add((f0 + f) * h + q * L), ms[q], acc[f][q]);
            }
        }
    }
}
