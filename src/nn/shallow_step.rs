//! The training step of Gal's network — one hidden ReLU (or tanh, or sigmoid) layer of at
//! most 64 units and one output, in `f32` — with the forward pass fused into one sweep over
//! blocks of four rows and the backward pass into one sweep over the rows plus one product
//! (AVX-512). The general path ([`super::backprop`]) sweeps the batch once per operation
//! (forwards the product, the epilogue, the zeroing of the drops, the output's dot
//! products; backwards the output weights' product, the masked outer product with the
//! bias gradient, the input weights' product) through buffers that together exceed L1;
//! here a block's hidden rows stay in registers from the product to the output.
//!
//! **The same bits as the general path.** Every element goes through the same operations
//! in the same order: the hidden pre-activation `Σ_j x_j W_jc` by fused multiply-adds in
//! `j` order from zero (as [`super::gemm_simd`]); the epilogue `v = z + b`,
//! `h = v > 0 ? v · s : 0` (tanh and the sigmoid: `a = act(v)` by the general path's own
//! kernel, `h = a · s`), then the drops set to zero; the output as [`super::kernels::dot`]
//! computes it (eight partial sums over chunks of eight, added in order, plus the tail's
//! products) plus the bias; backwards `dW₂ = Σ_r δ_r h_r` and `dW₁ = Σ_r x_r ⊗ dh_r` by
//! multiply-adds in row order from zero, `dh = h > 0 ? (δ s) w : 0` (tanh, sigmoid:
//! `dh = ((δ w, zero where dropped) · s) · (c₀ + a (c₁ − a))`) and `db₁ = Σ_r dh_r` by
//! additions in row order. So a model trained on a processor with AVX-512 is bit for
//! bit the model trained on one without (tested in `tests/shallow_step.rs` against the
//! general path).
//!
//! Measured: `examples/stepprof.rs` and `mcdropout bench` (BENCHMARKS.md, issue 11).

/// Units of the hidden layer handled (four vectors of 16 lanes).
pub const MAX_HIDDEN: usize = 64;

/// Rows of a batch handled (the register-blocked products take at most 512).
pub const MAX_ROWS: usize = 512;

/// Length of the buffer for the hidden layer between [`forward`] and [`backward`]: rows of
/// `h` rounded up to whole vectors (16 floats), from the buffer's first 64-byte boundary,
/// so that every row is written and read by aligned full-width accesses.
pub fn hidden_len(rows: usize, h: usize) -> usize {
    rows * h.div_ceil(16) * 16 + 16
}

/// Where the padded rows of a buffer of [`hidden_len`] start (elements), or `None` when
/// the buffer cannot be aligned.
fn hidden_offset(hm: &[f32]) -> Option<usize> {
    Some(hm.as_ptr().align_offset(64)).filter(|&o| o < 16)
}

/// The hidden layer's activation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Act {
    /// max(z, 0).
    Relu,
    /// tanh z, as [`super::kernels::smooth_scale_copy`] computes it.
    Tanh,
    /// 1 / (1 + e^{−z}), likewise.
    Sigmoid,
}

/// Where the rows of `hm` and (tanh, sigmoid) `hact` start: their first 64-byte
/// boundaries; for ReLU `hact` is not used (its end is returned). `None` when a buffer
/// cannot be aligned or is too short.
fn offsets(sh: Shape, hm: &[f32], hact: &[f32]) -> Option<(usize, usize)> {
    let off = hidden_offset(hm)?;
    let off_a = match sh.act {
        Act::Relu => hact.len(),
        _ if hact.len() >= hidden_len(sh.rows, sh.h) => hidden_offset(hact)?,
        _ => return None,
    };
    Some((off, off_a))
}

/// The shapes one block works on.
#[derive(Clone, Copy)]
pub struct Shape {
    /// The hidden layer's activation.
    pub act: Act,
    /// Rows of the batch.
    pub rows: usize,
    /// Inputs.
    pub k: usize,
    /// Hidden units, `1..=MAX_HIDDEN`.
    pub h: usize,
}

/// Fused training forward pass: `hm ← mask(act(x · W₁ + b₁) · s)` (`rows × h`, the
/// dropped flat positions `dropped` set to 0; in `hm`'s own padded layout, of
/// [`hidden_len`] floats, read back by [`backward`]; for tanh and the sigmoid also
/// `hact ← act(x · W₁ + b₁)`, likewise) and `out ← hm · w₂ + b₂` (`rows`).
/// `x` is the masked, scaled input (`rows × k`). Returns false (doing nothing) when the
/// processor has no AVX-512 or the shape is not handled.
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
    hact: &mut [f32],
    out: &mut [f32],
) -> bool {
    let Shape { rows, k, h, .. } = sh;
    if h == 0 || h > MAX_HIDDEN || k == 0 || rows > MAX_ROWS {
        return false;
    }
    assert!(x.len() >= rows * k && w1.len() >= k * h && b1.len() >= h && w2.len() >= h);
    assert!(hm.len() >= hidden_len(rows, h) && out.len() >= rows);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    let Some((off, off_a)) = offsets(sh, hm, hact) else {
        return false;
    };
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the feature is present; the slices hold the shapes (asserted), and the
        // kernel reads only lanes < h of each row of its inputs; `hm[off..]` (and for
        // tanh and the sigmoid `hact[off_a..]`) hold `rows` padded rows, 64-byte aligned.
        unsafe {
            avx512::forward(
                sh,
                x,
                w1,
                b1,
                s,
                dropped,
                w2,
                b2,
                &mut hm[off..],
                &mut hact[off_a..],
                out,
            )
        };
        return true;
    }
    let _ = (x, w1, b1, s, dropped, w2, b2, hm, hact, out, off, off_a);
    false
}

/// Fused backward pass through the network of [`forward`] (`hm` as [`forward`] left it):
/// from `delta` = dL/d(out) (`rows`), writes `dw1` (`k × h`), `db1` (`h`) and `dw2`
/// (`h`); `scratch` holds the hidden layer's gradient between the sweep over the rows and
/// the product for `dw1`.
/// Returns false (doing nothing) when [`forward`] would.
#[allow(clippy::too_many_arguments)]
pub fn backward(
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
) -> bool {
    let Shape { rows, k, h, .. } = sh;
    if h == 0 || h > MAX_HIDDEN || k == 0 || rows > MAX_ROWS {
        return false;
    }
    assert!(delta.len() >= rows && x.len() >= rows * k && hm.len() >= hidden_len(rows, h));
    assert!(w2.len() >= h && dw1.len() >= k * h && db1.len() >= h && dw2.len() >= h);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    let Some((off, off_a)) = offsets(sh, hm, hact) else {
        return false;
    };
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: as in `forward`.
        unsafe {
            avx512::backward(
                sh,
                delta,
                x,
                &hm[off..],
                &hact[off_a..],
                dropped,
                w2,
                s,
                dw1,
                db1,
                dw2,
                scratch,
            )
        };
        return true;
    }
    let _ = (
        delta, x, hm, hact, dropped, w2, s, dw1, db1, dw2, scratch, off, off_a,
    );
    false
}

#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)]
mod avx512 {
    use super::{Act, Shape};
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

    /// `$f::<N, NV>(args)` for a count `$n` of rows or inputs in `1..=5` (the rows of a
    /// block: four or the remainder; the inputs of a dW₁ block: at most five) and `$nv`
    /// vectors in `1..=4`, as constants.
    macro_rules! by_count_and_vectors {
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

    /// The drops (flat indices d = row · h + unit < rows · h ≤ 2¹⁵) as one bit set of units
    /// per row, in one pass without data-dependent branches. The row is ⌊d / h⌋ by a
    /// multiply-shift: with m = ⌈2³²/h⌉ = (2³² + e)/h, 0 ≤ e < h, d·m/2³² = d/h +
    /// d·e/(h·2³²), and d·e < 2³² makes the excess below 1/h, too small to reach the next
    /// integer from d/h (whose fraction is at most 1 − 1/h).
    fn kill_masks(sh: Shape, dropped: &[u32]) -> [u64; super::MAX_ROWS] {
        let mut kill = [0u64; super::MAX_ROWS];
        let m = (1u64 << 32).div_ceil(sh.h as u64);
        for &d in dropped {
            let row = ((u64::from(d) * m) >> 32) as usize;
            let unit = d as usize - row * sh.h;
            kill[row] |= 1u64 << unit;
        }
        kill
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
            finish::<R>(acc8s, r0, h, NV * L, hm, io, out);
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
            finish::<R>(acc8s, r0, sh.h, NV * L, hm, io, out);
        }
    }

    /// The output of the rows of a block from their partial sums: the eight partial sums
    /// added in order (q = 0, 1, …, 7), as `dot` does — for four rows at once after a
    /// 4 × 8 transpose (lane i: row i), otherwise one row at a time — then the tail's
    /// products (h mod 8 units) read back from the rows just stored (a full-width store
    /// forwards to the loads), `0 + d` and the bias, as `matvec_acc` and `scale_add_rows`
    /// do. (`dot` starts from −0 or 0 where this starts from the first partial sum: the
    /// same, as a sum of fused multiply-adds from +0 is never −0; the tail's sign of zero
    /// vanishes in `0 + d`.)
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn finish<const R: usize>(
        acc8s: [__m256; R],
        r0: usize,
        h: usize,
        stride: usize,
        hm: &[f32],
        io: &Io<'_>,
        out: &mut [f32],
    ) {
        let chunks = h / 8;
        let mut sum8 = [0f32; R];
        // SAFETY: rows r0..r0 + R of `hm` exist; lanes < h read.
        unsafe {
            if R == 4 {
                let t0 = _mm256_unpacklo_ps(acc8s[0], acc8s[1 % R]);
                let t1 = _mm256_unpackhi_ps(acc8s[0], acc8s[1 % R]);
                let t2 = _mm256_unpacklo_ps(acc8s[2 % R], acc8s[3 % R]);
                let t3 = _mm256_unpackhi_ps(acc8s[2 % R], acc8s[3 % R]);
                // u_a = (q = a for rows 0..4 | q = a + 4 for rows 0..4).
                let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
                let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
                let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
                let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
                let mut t = _mm256_castps256_ps128(u0);
                t = _mm_add_ps(t, _mm256_castps256_ps128(u1));
                t = _mm_add_ps(t, _mm256_castps256_ps128(u2));
                t = _mm_add_ps(t, _mm256_castps256_ps128(u3));
                t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u0));
                t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u1));
                t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u2));
                t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u3));
                _mm_storeu_ps(sum8.as_mut_ptr(), t);
            } else {
                for (i, a) in acc8s.iter().enumerate() {
                    let mut part = [0f32; 8];
                    _mm256_storeu_ps(part.as_mut_ptr(), *a);
                    sum8[i] = part.iter().copied().sum();
                }
            }
            for i in 0..R {
                let row = hm.as_ptr().add((r0 + i) * stride);
                let mut tail = 0f32;
                for c in chunks * 8..h {
                    tail += *row.add(c) * io.w2[c];
                }
                let c = 0.0f32 + (sum8[i] + tail);
                out[r0 + i] = c * 1.0 + io.b2;
            }
        }
    }

    /// One vector's floats on a 64-byte boundary (aligned full-width stores).
    #[derive(Clone, Copy)]
    #[repr(align(64))]
    struct Padded(#[allow(dead_code)] [f32; L]);

    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn backward(
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
            [0u64; super::MAX_ROWS]
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
        let blocks = k.div_ceil(5);
        let mut f0 = 0;
        for b in 0..blocks {
            let f = k / blocks + usize::from(b < k % blocks);
            // SAFETY: inputs f0..f0 + f < k; as above.
            unsafe { by_count_and_vectors!(input_block, f, nv, (sh, f0, x, scratch, dw1)) };
            f0 += f;
        }
    }

    /// The backward pass's read-only operands.
    struct Grad<'a> {
        delta: &'a [f32],
        hm: &'a [f32],
        hact: &'a [f32],
        kill: &'a [u64; super::MAX_ROWS],
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
