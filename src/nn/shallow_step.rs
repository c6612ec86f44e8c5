//! The training step of Gal's network — one hidden ReLU layer of at most 64 units and one
//! output, in `f32` — with each pass fused into a single sweep over blocks of four rows
//! (AVX-512). The general path ([`super::backprop`]) makes five sweeps of the batch per
//! pass (the product, the epilogue, the zeroing of the drops, the output's dot products;
//! backwards the output weights' product, the masked outer product with the bias
//! gradient, the input weights' product) through buffers that together exceed L1; here a
//! block's hidden rows stay in registers from the product to the output.
//!
//! **The same bits as the general path.** Every element goes through the same operations
//! in the same order: the hidden pre-activation `Σ_j x_j W_jc` by fused multiply-adds in
//! `j` order from zero (as [`super::gemm_simd`]); the epilogue `v = z + b`,
//! `h = v > 0 ? v · s : 0`, then the drops set to zero; the output as [`super::kernels::dot`]
//! computes it (eight partial sums over chunks of eight, added in order, plus the tail's
//! products) plus the bias; backwards `dW₂ = Σ_r δ_r h_r` and `dW₁ = Σ_r x_r ⊗ dh_r` by
//! multiply-adds in row order from zero, `dh = h > 0 ? (δ s) w : 0` and `db₁ = Σ_r dh_r`
//! by additions in row order. So a model trained on a processor with AVX-512 is bit for
//! bit the model trained on one without (tested in `tests/shallow_step.rs` against the
//! general path).
//!
//! Measured: `examples/stepprof.rs` and `mcdropout bench` (BENCHMARKS.md, issue 11).

/// Units of the hidden layer handled (four vectors of 16 lanes).
pub const MAX_HIDDEN: usize = 64;

/// Rows of a batch handled (the register-blocked products take at most 512).
pub const MAX_ROWS: usize = 512;

/// The shapes one block works on.
#[derive(Clone, Copy)]
pub struct Shape {
    /// Rows of the batch.
    pub rows: usize,
    /// Inputs.
    pub k: usize,
    /// Hidden units, `1..=MAX_HIDDEN`.
    pub h: usize,
}

/// Fused training forward pass: `hm ← mask(max(x · W₁ + b₁, 0) · s)` (`rows × h`, the
/// dropped flat positions `dropped` set to 0) and `out ← hm · w₂ + b₂` (`rows`). `x` is the
/// masked, scaled input (`rows × k`). Returns false (doing nothing) when the processor has
/// no AVX-512 or the shape is not handled.
#[allow(clippy::too_many_arguments)]
pub fn forward(
    sh: Shape,
    x: &[f32],
    w1: &[f32],
    b1: &[f32],
    s: f32,
    dropped: &[u32],
    w2: &[f32],
    b2: f32,
    hm: &mut [f32],
    out: &mut [f32],
) -> bool {
    let Shape { rows, k, h } = sh;
    if h == 0 || h > MAX_HIDDEN || k == 0 || rows > MAX_ROWS {
        return false;
    }
    assert!(x.len() >= rows * k && w1.len() >= k * h && b1.len() >= h && w2.len() >= h);
    assert!(hm.len() >= rows * h && out.len() >= rows);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the feature is present; the slices hold the shapes (asserted), and the
        // kernel reads and writes only lanes < h of each row.
        unsafe { avx512::forward(sh, x, w1, b1, s, dropped, w2, b2, hm, out) };
        return true;
    }
    let _ = (x, w1, b1, s, dropped, w2, b2, hm, out);
    false
}

/// Fused backward pass through the network of [`forward`]: from `delta` = dL/d(out)
/// (`rows`), writes `dw1` (`k × h`), `db1` (`h`) and `dw2` (`h`); `scratch` holds the
/// hidden layer's gradient between the sweep over the rows and the product for `dw1`.
/// Returns false (doing nothing) when [`forward`] would.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    sh: Shape,
    delta: &[f32],
    x: &[f32],
    hm: &[f32],
    w2: &[f32],
    s: f32,
    dw1: &mut [f32],
    db1: &mut [f32],
    dw2: &mut [f32],
    scratch: &mut Vec<f32>,
) -> bool {
    let Shape { rows, k, h } = sh;
    if h == 0 || h > MAX_HIDDEN || k == 0 || rows > MAX_ROWS {
        return false;
    }
    assert!(delta.len() >= rows && x.len() >= rows * k && hm.len() >= rows * h);
    assert!(w2.len() >= h && dw1.len() >= k * h && db1.len() >= h && dw2.len() >= h);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: as in `forward`.
        unsafe { avx512::backward(sh, delta, x, hm, w2, s, dw1, db1, dw2, scratch) };
        return true;
    }
    let _ = (delta, x, hm, w2, s, dw1, db1, dw2, scratch);
    false
}

#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)]
mod avx512 {
    use super::Shape;
    use std::arch::x86_64::*;

    const L: usize = 16;

    #[inline(always)]
    fn lanes(h: usize, q: usize) -> __mmask16 {
        let w = h.saturating_sub(q * L);
        if w >= L {
            0xffff
        } else {
            ((1u32 << w) - 1) as __mmask16
        }
    }

    /// Inputs per block (1..=5) × vectors.
    macro_rules! by_inputs_and_vectors {
        ($f:ident, $n:expr, $nv:expr, ($($arg:expr),*)) => {
            match ($n, $nv) {
                (5, 1) => $f::<5, 1>($($arg),*),
                (5, 2) => $f::<5, 2>($($arg),*),
                (5, 3) => $f::<5, 3>($($arg),*),
                (5, 4) => $f::<5, 4>($($arg),*),
                (4, 1) => $f::<4, 1>($($arg),*),
                (4, 2) => $f::<4, 2>($($arg),*),
                (4, 3) => $f::<4, 3>($($arg),*),
                (4, 4) => $f::<4, 4>($($arg),*),
                (3, 1) => $f::<3, 1>($($arg),*),
                (3, 2) => $f::<3, 2>($($arg),*),
                (3, 3) => $f::<3, 3>($($arg),*),
                (3, 4) => $f::<3, 4>($($arg),*),
                (2, 1) => $f::<2, 1>($($arg),*),
                (2, 2) => $f::<2, 2>($($arg),*),
                (2, 3) => $f::<2, 3>($($arg),*),
                (2, 4) => $f::<2, 4>($($arg),*),
                (_, 1) => $f::<1, 1>($($arg),*),
                (_, 2) => $f::<1, 2>($($arg),*),
                (_, 3) => $f::<1, 3>($($arg),*),
                _ => $f::<1, 4>($($arg),*),
            }
        };
    }

    /// Rows per block: four, or the remainder.
    macro_rules! by_rows_and_vectors {
        ($f:ident, $rows:expr, $nv:expr, ($($arg:expr),*)) => {
            match ($rows, $nv) {
                (4, 1) => $f::<4, 1>($($arg),*),
                (4, 2) => $f::<4, 2>($($arg),*),
                (4, 3) => $f::<4, 3>($($arg),*),
                (4, 4) => $f::<4, 4>($($arg),*),
                (3, 1) => $f::<3, 1>($($arg),*),
                (3, 2) => $f::<3, 2>($($arg),*),
                (3, 3) => $f::<3, 3>($($arg),*),
                (3, 4) => $f::<3, 4>($($arg),*),
                (2, 1) => $f::<2, 1>($($arg),*),
                (2, 2) => $f::<2, 2>($($arg),*),
                (2, 3) => $f::<2, 3>($($arg),*),
                (2, 4) => $f::<2, 4>($($arg),*),
                (_, 1) => $f::<1, 1>($($arg),*),
                (_, 2) => $f::<1, 2>($($arg),*),
                (_, 3) => $f::<1, 3>($($arg),*),
                _ => $f::<1, 4>($($arg),*),
            }
        };
    }

    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn forward(
        sh: Shape,
        x: &[f32],
        w1: &[f32],
        b1: &[f32],
        s: f32,
        dropped: &[u32],
        w2: &[f32],
        b2: f32,
        hm: &mut [f32],
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
                        let v = _mm512_maskz_loadu_ps(
                            lanes(sh.h, q),
                            w1.as_ptr().add(j * sh.h + q * L),
                        );
                        _mm512_store_ps(pad[j * nv + q].as_mut_ptr().cast::<f32>(), v);
                    }
                }
            }
            (pad.as_ptr().cast::<f32>(), nv * L)
        } else {
            (w1.as_ptr(), sh.h)
        };
        // The drops (flat indices d = row · h + unit < rows · h ≤ 2¹⁵) as one bit set of
        // units per row, in one pass without data-dependent branches. The row is ⌊d / h⌋
        // by a multiply-shift: with m = ⌈2³²/h⌉ = (2³² + e)/h, 0 ≤ e < h,
        // d·m/2³² = d/h + d·e/(h·2³²), and d·e < 2³² makes the excess below 1/h, too
        // small to reach the next integer from d/h (whose fraction is at most 1 − 1/h).
        let mut kill = [0u64; super::MAX_ROWS];
        let m = (1u64 << 32).div_ceil(sh.h as u64);
        for &d in dropped {
            let row = ((u64::from(d) * m) >> 32) as usize;
            let unit = d as usize - row * sh.h;
            kill[row] |= 1u64 << unit;
        }
        let mut r0 = 0;
        while r0 < sh.rows {
            let r = (sh.rows - r0).min(4);
            // SAFETY: rows r0..r0 + r exist; the caller checked the shapes; `wp` holds k
            // rows of stride `ws` whose first h lanes are written.
            unsafe {
                by_rows_and_vectors!(
                    fwd_block,
                    r,
                    nv,
                    (sh, r0, x, wp, ws, b1, s, &kill[r0..], w2, b2, hm, out)
                )
            };
            r0 += r;
        }
    }

    /// Vectors of the aligned copy of W₁ (16 KB).
    const PAD_VECTORS: usize = 256;

    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn fwd_block<const R: usize, const NV: usize>(
        sh: Shape,
        r0: usize,
        x: &[f32],
        wp: *const f32,
        ws: usize,
        b1: &[f32],
        s: f32,
        kill: &[u64],
        w2: &[f32],
        b2: f32,
        hm: &mut [f32],
        out: &mut [f32],
    ) {
        let Shape { k, h, .. } = sh;
        let ms: [__mmask16; NV] = core::array::from_fn(|q| lanes(h, q));
        // SAFETY (whole fn): rows r0..r0 + R < rows, columns masked to < h, j < k; the
        // caller checked the slice lengths.
        unsafe {
            let xp = x.as_ptr();
            let mut acc = [[_mm512_setzero_ps(); NV]; R];
            for j in 0..k {
                let bv: [__m512; NV] =
                    core::array::from_fn(|q| _mm512_maskz_loadu_ps(ms[q], wp.add(j * ws + q * L)));
                for i in 0..R {
                    let a = _mm512_set1_ps(*xp.add((r0 + i) * k + j));
                    for q in 0..NV {
                        acc[i][q] = _mm512_fmadd_ps(a, bv[q], acc[i][q]);
                    }
                }
            }
            let sv = _mm512_set1_ps(s);
            let zero = _mm512_setzero_ps();
            // The tail (h mod 8 units) goes through a local copy written with a full-width
            // store: a load from a masked store's bytes cannot be forwarded and would
            // wait for the store to reach the cache.
            let mut local = [Padded([0f32; L]); R];
            let mut part = [[0f32; 8]; R];
            let chunks = h / 8;
            let tail_vec = chunks / 2;
            for (i, acc_i) in acc.iter().enumerate() {
                let row = hm.as_mut_ptr().add((r0 + i) * h);
                // `kernels::dot`'s eight partial sums over chunks of eight, from the
                // registers, chunk after chunk as the vectors are made.
                let mut acc8 = _mm256_setzero_ps();
                for q in 0..NV {
                    let v = _mm512_add_ps(
                        acc_i[q],
                        _mm512_maskz_loadu_ps(ms[q], b1.as_ptr().add(q * L)),
                    );
                    let alive = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, zero)
                        & !((kill[i] >> (q * L)) as __mmask16);
                    let hv = _mm512_maskz_mul_ps(alive, v, sv);
                    _mm512_mask_storeu_ps(row.add(q * L), ms[q], hv);
                    if 2 * q < chunks {
                        let lo = _mm512_castps512_ps256(hv);
                        acc8 =
                            _mm256_fmadd_ps(lo, _mm256_loadu_ps(w2.as_ptr().add(2 * q * 8)), acc8);
                    }
                    if 2 * q + 1 < chunks {
                        let hi =
                            _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(hv)));
                        acc8 = _mm256_fmadd_ps(
                            hi,
                            _mm256_loadu_ps(w2.as_ptr().add((2 * q + 1) * 8)),
                            acc8,
                        );
                    }
                    if q == tail_vec && chunks * 8 < h {
                        _mm512_store_ps(local[i].0.as_mut_ptr(), hv);
                    }
                }
                _mm256_storeu_ps(part[i].as_mut_ptr(), acc8);
            }
            // The partial sums added in order, then the tail's products, as `dot` does;
            // the rows' chains interleaved so their latencies overlap. (The sums start
            // from 0 where `Iterator::sum` may start from −0: the same, as a partial sum
            // of fused multiply-adds from +0 is never −0, and the tail's sign of zero
            // vanishes in `0 + d` below.)
            let mut sum8 = [0f32; R];
            for q in 0..8 {
                for i in 0..R {
                    sum8[i] += part[i][q];
                }
            }
            let mut tail = [0f32; R];
            for c in chunks * 8..h {
                for i in 0..R {
                    tail[i] += local[i].0[c - tail_vec * L] * w2[c];
                }
            }
            for i in 0..R {
                let c = 0.0f32 + (sum8[i] + tail[i]);
                out[r0 + i] = c * 1.0 + b2;
            }
        }
    }

    /// One vector's floats on a 64-byte boundary (aligned full-width stores).
    #[derive(Clone, Copy)]
    #[repr(align(64))]
    struct Padded([f32; L]);

    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn backward(
        sh: Shape,
        delta: &[f32],
        x: &[f32],
        hm: &[f32],
        w2: &[f32],
        s: f32,
        dw1: &mut [f32],
        db1: &mut [f32],
        dw2: &mut [f32],
        scratch: &mut Vec<f32>,
    ) {
        let Shape { rows, k, h } = sh;
        let nv = h.div_ceil(L);
        // Every element is written by `rows_pass` before it is read: no zeroing.
        if scratch.len() < rows * nv * L {
            scratch.resize(rows * nv * L, 0.0);
        }
        // SAFETY: the caller checked the shapes; `scratch` holds rows × nv vectors.
        unsafe {
            match nv {
                1 => rows_pass::<1>(sh, delta, hm, w2, s, db1, dw2, scratch),
                2 => rows_pass::<2>(sh, delta, hm, w2, s, db1, dw2, scratch),
                3 => rows_pass::<3>(sh, delta, hm, w2, s, db1, dw2, scratch),
                _ => rows_pass::<4>(sh, delta, hm, w2, s, db1, dw2, scratch),
            }
        }
        // dW₁ = xᵀ dh by blocks of at most five inputs, balanced (13 = 5 + 4 + 4).
        let blocks = k.div_ceil(5);
        let mut f0 = 0;
        for b in 0..blocks {
            let f = k / blocks + usize::from(b < k % blocks);
            // SAFETY: inputs f0..f0 + f < k; as above.
            unsafe { by_inputs_and_vectors!(input_block, f, nv, (sh, f0, x, scratch, dw1)) };
            f0 += f;
        }
    }

    /// One sweep over the rows: `dh = hm > 0 ? (δ s) w₂ : 0` into `scratch` (rows of
    /// `NV` vectors, zero beyond `h`), `db₁ = Σ_r dh_r`, `dW₂ = Σ_r δ_r hm_r`.
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn rows_pass<const NV: usize>(
        sh: Shape,
        delta: &[f32],
        hm: &[f32],
        w2: &[f32],
        s: f32,
        db1: &mut [f32],
        dw2: &mut [f32],
        scratch: &mut [f32],
    ) {
        let Shape { rows, h, .. } = sh;
        let ms: [__mmask16; NV] = core::array::from_fn(|q| lanes(h, q));
        // SAFETY (whole fn): rows < rows, lanes masked to < h; the caller checked the
        // lengths (scratch: rows × NV × 16).
        unsafe {
            let zero = _mm512_setzero_ps();
            let wv: [__m512; NV] =
                core::array::from_fn(|q| _mm512_maskz_loadu_ps(ms[q], w2.as_ptr().add(q * L)));
            let mut db = [zero; NV];
            let mut dw = [zero; NV];
            for r in 0..rows {
                let d = delta[r];
                let dv = _mm512_set1_ps(d);
                let dsv = _mm512_set1_ps(d * s);
                for q in 0..NV {
                    let hv = _mm512_maskz_loadu_ps(ms[q], hm.as_ptr().add(r * h + q * L));
                    dw[q] = _mm512_fmadd_ps(dv, hv, dw[q]);
                    let on = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(hv, zero);
                    let g = _mm512_maskz_mul_ps(on, dsv, wv[q]);
                    db[q] = _mm512_add_ps(db[q], g);
                    _mm512_storeu_ps(scratch.as_mut_ptr().add((r * NV + q) * L), g);
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
        let Shape { rows, k, h } = sh;
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
                    _mm512_mask_storeu_ps(
                        dw1.as_mut_ptr().add((f0 + f) * h + q * L),
                        ms[q],
                        acc[f][q],
                    );
                }
            }
        }
    }
}
