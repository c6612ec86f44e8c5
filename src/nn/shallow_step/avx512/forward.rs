//! The fused forward pass: product, bias, activation, drops and the output for blocks of
//! four rows (see [`crate::nn::shallow_step`] for why its bits are the general path's).

#![allow(clippy::needless_range_loop)]

use super::{L, Padded, lanes};
use crate::nn::shallow_step::drops::kill_masks;
use crate::nn::shallow_step::output::finish;
use crate::nn::shallow_step::{Act, Shape};
use std::arch::x86_64::*;

#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub(in crate::nn::shallow_step) unsafe fn forward(
    sh: Shape,
    x: &[f32],
    w1: &[f32],
    b1: &[f32],
    s: f32,
    dropped: &[u32],
    w2: &[f32],
    b2: f32,
    hm: &mut [f32],
    hact: &mut [f32],
    out: &mut [f32],
) {
    let nv = sh.h.div_ceil(L);
    // W₁'s rows copied to 64-byte-aligned rows of `nv` vectors (zero beyond h) when
    // they fit in 16 KB: a row of h = 50 floats otherwise starts mid-cache-line, and
    // most vector loads of it would span two lines. Copying moves no value.
    let mut pad = [const { std::mem::MaybeUninit::<Padded>::uninit() }; PAD_VECTORS];
    let (wp, ws) = if sh.k * nv <= PAD_VECTORS {
        for j in 0..sh.k {
            for q in 0..nv {
                // SAFETY: j < k, lanes masked to < h; the slot is in `pad`.
                unsafe {
                    let v =
                        _mm512_maskz_loadu_ps(lanes(sh.h, q), w1.as_ptr().add(j * sh.h + q * L));
                    _mm512_store_ps(pad[j * nv + q].as_mut_ptr().cast::<f32>(), v);
                }
            }
        }
        (pad.as_ptr().cast::<f32>(), nv * L)
    } else {
        (w1.as_ptr(), sh.h)
    };
    let kill = kill_masks(sh, dropped);
    let blocks = |f: &mut dyn FnMut(usize, usize)| {
        let mut r0 = 0;
        while r0 < sh.rows {
            let r = (sh.rows - r0).min(4);
            f(r0, r);
            r0 += r;
        }
    };
    let io = Io {
        wp,
        ws,
        b1,
        s,
        w2,
        b2,
    };
    if sh.act == Act::Relu {
        blocks(&mut |r0, r| {
            // SAFETY: rows r0..r0 + r exist; the caller checked the shapes; `wp`
            // holds k rows of stride `ws` whose first h lanes are written.
            unsafe {
                by_count_and_vectors!(
                    relu_block,
                    r,
                    nv,
                    (sh, r0, x, &io, &kill[r0..], &mut *hm, &mut *out)
                )
            }
        });
        return;
    }
    // tanh, sigmoid: the pre-activations of every row, the activation by the general
    // path's own kernel (the same values by construction), then drops and output.
    blocks(&mut |r0, r| {
        // SAFETY: as above; `hact` holds `rows` padded rows.
        unsafe { by_count_and_vectors!(pre_block, r, nv, (sh, r0, x, &io, &mut *hact)) }
    });
    let n = sh.rows * nv * L;
    crate::nn::kernels::smooth_scale_copy(&mut hact[..n], &mut hm[..n], s, sh.act == Act::Tanh);
    blocks(&mut |r0, r| {
        // SAFETY: as above.
        unsafe {
            by_count_and_vectors!(
                drop_out_block,
                r,
                nv,
                (sh, r0, &io, &kill[r0..], &mut *hm, &mut *out)
            )
        }
    });
}

/// The forward pass's read-only operands.
struct Io<'a> {
    /// W₁ rows (possibly the aligned copy) and their stride.
    wp: *const f32,
    ws: usize,
    b1: &'a [f32],
    s: f32,
    w2: &'a [f32],
    b2: f32,
}

/// Vectors of the aligned copy of W₁ (16 KB).
const PAD_VECTORS: usize = 256;

/// `x[r0..r0 + R] · W₁` for the rows of a block, by fused multiply-adds in input order
/// from zero.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn product<const R: usize, const NV: usize>(
    sh: Shape,
    r0: usize,
    x: &[f32],
    io: &Io<'_>,
) -> [[__m512; NV]; R] {
    let Shape { k, h, .. } = sh;
    let ms: [__mmask16; NV] = core::array::from_fn(|q| lanes(h, q));
    // SAFETY (whole fn): rows r0..r0 + R < rows, j < k, columns masked to < h; the
    // caller checked the lengths.
    unsafe {
        let xp = x.as_ptr();
        let mut acc = [[_mm512_setzero_ps(); NV]; R];
        for j in 0..k {
            let bv: [__m512; NV] = core::array::from_fn(|q| {
                _mm512_maskz_loadu_ps(ms[q], io.wp.add(j * io.ws + q * L))
            });
            for i in 0..R {
                let a = _mm512_set1_ps(*xp.add((r0 + i) * k + j));
                for q in 0..NV {
                    acc[i][q] = _mm512_fmadd_ps(a, bv[q], acc[i][q]);
                }
            }
        }
        acc
    }
}

/// `v = z + b₁` (zero beyond h).
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn plus_bias(acc: __m512, b1: &[f32], h: usize, q: usize) -> __m512 {
    // SAFETY: masked to lanes < h.
    unsafe {
        _mm512_add_ps(
            acc,
            _mm512_maskz_loadu_ps(lanes(h, q), b1.as_ptr().add(q * L)),
        )
    }
}

/// The next chunks of `kernels::dot`'s eight partial sums from vector `q` of a row.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn dot_step(acc8: __m256, hv: __m512, q: usize, chunks: usize, w2: &[f32]) -> __m256 {
    let mut acc8 = acc8;
    // SAFETY: chunks · 8 ≤ h ≤ w2.len().
    unsafe {
        if 2 * q < chunks {
            let lo = _mm512_castps512_ps256(hv);
            acc8 = _mm256_fmadd_ps(lo, _mm256_loadu_ps(w2.as_ptr().add(2 * q * 8)), acc8);
        }
        if 2 * q + 1 < chunks {
            let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(hv)));
            acc8 = _mm256_fmadd_ps(hi, _mm256_loadu_ps(w2.as_ptr().add((2 * q + 1) * 8)), acc8);
        }
    }
    acc8
}

/// ReLU: product, epilogue, drops and output for the rows of a block.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn relu_block<const R: usize, const NV: usize>(
    sh: Shape,
    r0: usize,
    x: &[f32],
    io: &Io<'_>,
    kill: &[u64],
    hm: &mut [f32],
    out: &mut [f32],
) {
    let h = sh.h;
    // SAFETY (whole fn): as in `product`; `hm` holds padded rows.
    unsafe {
        let acc = product::<R, NV>(sh, r0, x, io);
        let sv = _mm512_set1_ps(io.s);
        let zero = _mm512_setzero_ps();
        let chunks = h / 8;
        let mut acc8s = [_mm256_setzero_ps(); R];
        for (i, acc_i) in acc.iter().enumerate() {
            let row = hm.as_mut_ptr().add((r0 + i) * NV * L);
            let mut acc8 = _mm256_setzero_ps();
            for q in 0..NV {
                let v = plus_bias(acc_i[q], io.b1, h, q);
                let alive = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, zero)
                    & !((kill[i] >> (q * L)) as __mmask16);
                // Zero beyond h (v is: its lanes are 0 + 0).
                let hv = _mm512_maskz_mul_ps(alive, v, sv);
                _mm512_store_ps(row.add(q * L), hv);
                acc8 = dot_step(acc8, hv, q, chunks, io.w2);
            }
            acc8s[i] = acc8;
        }
        finish::<R>(acc8s, r0, h, NV * L, hm, io.w2, io.b2, out);
    }
}

/// tanh, sigmoid: `v = x · W₁ + b₁` for the rows of a block, into `hact`.
#[target_feature(enable = "avx512f")]
unsafe fn pre_block<const R: usize, const NV: usize>(
    sh: Shape,
    r0: usize,
    x: &[f32],
    io: &Io<'_>,
    hact: &mut [f32],
) {
    // SAFETY: as in `product`; `hact` holds padded rows.
    unsafe {
        let acc = product::<R, NV>(sh, r0, x, io);
        for (i, acc_i) in acc.iter().enumerate() {
            let row = hact.as_mut_ptr().add((r0 + i) * NV * L);
            for q in 0..NV {
                _mm512_store_ps(row.add(q * L), plus_bias(acc_i[q], io.b1, sh.h, q));
            }
        }
    }
}

/// tanh, sigmoid: the drops set to zero in `hm` (`act(v) · s`), then the output.
#[target_feature(enable = "avx512f")]
unsafe fn drop_out_block<const R: usize, const NV: usize>(
    sh: Shape,
    r0: usize,
    io: &Io<'_>,
    kill: &[u64],
    hm: &mut [f32],
    out: &mut [f32],
) {
    let chunks = sh.h / 8;
    // SAFETY: `hm` holds padded rows.
    unsafe {
        let mut acc8s = [_mm256_setzero_ps(); R];
        for i in 0..R {
            let row = hm.as_mut_ptr().add((r0 + i) * NV * L);
            let mut acc8 = _mm256_setzero_ps();
            for q in 0..NV {
                let keep = !((kill[i] >> (q * L)) as __mmask16);
                let hv = _mm512_maskz_mov_ps(keep, _mm512_load_ps(row.add(q * L)));
                _mm512_store_ps(row.add(q * L), hv);
                acc8 = dot_step(acc8, hv, q, chunks, io.w2);
            }
            acc8s[i] = acc8;
        }
        finish::<R>(acc8s, r0, sh.h, NV * L, hm, io.w2, io.b2, out);
    }
}
