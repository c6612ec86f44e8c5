//! The fused forward pass: product, bias, activation, drops and the output for blocks of
//! four rows, by groups of columns (see [`crate::nn::shallow_step`] for why its bits are
//! the general path's).

#![allow(clippy::needless_range_loop)]

use super::{GROUP, L, Vector, drop_bits, dropped_lanes, lanes, padded};
use crate::nn::shallow_step::blocks::split;
use crate::nn::shallow_step::drops::kill_masks;
use crate::nn::shallow_step::output::finish;
use crate::nn::shallow_step::{Act, Shape};
use std::arch::x86_64::*;

/// The fused forward pass ([`crate::nn::shallow_step::forward`]) with `hm`, `hact` from
/// their first 64-byte boundaries.
///
/// # Safety
/// AVX2 and FMA; the slices hold the shapes; `hm` (and for tanh and the sigmoid `hact`)
/// hold `rows` rows of `⌈h/8⌉` vectors, 32-byte aligned.
#[target_feature(enable = "avx2,fma")]
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
    let Shape { k, h, .. } = sh;
    let nv = h.div_ceil(L);
    // W₁'s rows copied to aligned rows of `nv` vectors, zero beyond h, so that the product
    // reads whole aligned vectors (a row of h = 50 floats otherwise starts mid-vector and
    // ends in a masked load): on the stack when they fit in 16 KB, otherwise (k · nv > 512:
    // k > 64 at h = 64, k > 73 at h = 50) on the heap, an allocation small beside the
    // product's k · rows · nv multiply-adds. Copying moves no value.
    let mut stack = [const { std::mem::MaybeUninit::<Vector>::uninit() }; PAD_VECTORS];
    let mut heap = Vec::new();
    let wp: *mut f32 = if k * nv <= PAD_VECTORS {
        stack.as_mut_ptr().cast()
    } else {
        heap.resize(k * nv, Vector([0.0; L]));
        heap.as_mut_ptr().cast()
    };
    for j in 0..k {
        for q in 0..nv {
            // SAFETY: j < k and q < nv, so lane 0 is inside row j and the lanes loaded
            // are < h; the slot is one of the k · nv vectors at `wp`.
            unsafe {
                let v = _mm256_maskload_ps(w1.as_ptr().add(j * h + q * L), lanes(h, q));
                _mm256_store_ps(wp.add((j * nv + q) * L), v);
            }
        }
    }
    let (b1p, w2p) = (padded(b1, h), padded(w2, h));
    let kill = kill_masks(sh, dropped);
    let io = Io {
        wp,
        nv,
        b1: b1p.as_ptr().cast(),
        s,
        w2,
        w2p: w2p.as_ptr().cast(),
        b2,
    };
    let blocks = |f: &mut dyn FnMut(usize, usize)| {
        let mut r0 = 0;
        while r0 < sh.rows {
            let r = (sh.rows - r0).min(4);
            f(r0, r);
            r0 += r;
        }
    };
    if sh.act == Act::Relu {
        blocks(&mut |r0, r| {
            // SAFETY: rows r0..r0 + r exist; the caller checked the shapes; `wp` holds
            // k rows of nv vectors.
            unsafe {
                by_rows!(
                    relu_rows,
                    r,
                    (sh, r0, x, &io, &kill[r0..], &mut *hm, &mut *out)
                )
            }
        });
        return;
    }
    // tanh, sigmoid: the pre-activations of every row, the activation by the general
    // path's own kernel (the same values by construction), then drops and output.
    blocks(&mut |r0, r| {
        for (q0, g) in split(nv, GROUP) {
            // SAFETY: as above; `hact` holds `rows` rows of nv vectors.
            unsafe { by_count_and_vectors!(pre_group, r, g, (sh, r0, q0, x, &io, &mut *hact)) }
        }
    });
    let n = sh.rows * nv * L;
    crate::nn::kernels::smooth_scale_copy(&mut hact[..n], &mut hm[..n], s, sh.act == Act::Tanh);
    blocks(&mut |r0, r| {
        // SAFETY: as above.
        unsafe {
            by_rows!(
                drop_out_rows,
                r,
                (sh, r0, &io, &kill[r0..], &mut *hm, &mut *out)
            )
        }
    });
}

/// The forward pass's read-only operands.
struct Io<'a> {
    /// W₁'s padded rows, `nv` vectors each.
    wp: *const f32,
    /// Vectors of a padded row (of W₁ and of the hidden buffers).
    nv: usize,
    /// b₁ padded to `nv` vectors.
    b1: *const f32,
    /// The hidden layer's dropout scale.
    s: f32,
    /// w₂ as given (`h` floats).
    w2: &'a [f32],
    /// w₂ padded to `nv` vectors.
    w2p: *const f32,
    /// The output's bias.
    b2: f32,
}

/// Vectors of the aligned copy of W₁ on the stack (16 KB).
const PAD_VECTORS: usize = 512;

/// `x[r0..r0 + R] · W₁` in the vectors `q0..q0 + G` of the rows of a block, by fused
/// multiply-adds in input order from zero.
///
/// # Safety
/// AVX2 and FMA; rows r0..r0 + R exist, q0 + G ≤ nv.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn product<const R: usize, const G: usize>(
    sh: Shape,
    r0: usize,
    q0: usize,
    x: &[f32],
    io: &Io<'_>,
) -> [[__m256; G]; R] {
    let k = sh.k;
    // SAFETY (whole fn): rows r0..r0 + R < rows, j < k, vectors q0..q0 + G < nv of the
    // padded copy; the caller checked the lengths.
    unsafe {
        let xp = x.as_ptr().add(r0 * k);
        let wp = io.wp.add(q0 * L);
        let mut acc = [[_mm256_setzero_ps(); G]; R];
        for j in 0..k {
            let bv: [__m256; G] =
                core::array::from_fn(|g| _mm256_load_ps(wp.add((j * io.nv + g) * L)));
            for i in 0..R {
                let a = _mm256_broadcast_ss(&*xp.add(i * k + j));
                for g in 0..G {
                    acc[i][g] = _mm256_fmadd_ps(a, bv[g], acc[i][g]);
                }
            }
        }
        acc
    }
}

/// `v = z + b₁` for vector `q` (zero beyond h).
///
/// # Safety
/// AVX2 and FMA; q < nv.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn plus_bias(acc: __m256, io: &Io<'_>, q: usize) -> __m256 {
    // SAFETY: `b1` holds nv vectors.
    unsafe { _mm256_add_ps(acc, _mm256_load_ps(io.b1.add(q * L))) }
}

/// The next chunk (vector `q`) of `kernels::dot`'s eight partial sums of a row, if it is
/// a whole chunk (the tail's products are `finish`'s).
///
/// # Safety
/// AVX2 and FMA; q < nv.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot_step(acc8: __m256, hv: __m256, q: usize, h: usize, io: &Io<'_>) -> __m256 {
    if q < h / L {
        // SAFETY: `w2p` holds nv vectors.
        unsafe { _mm256_fmadd_ps(hv, _mm256_load_ps(io.w2p.add(q * L)), acc8) }
    } else {
        acc8
    }
}

/// ReLU: the rows of a block, group by group of columns, then their output.
///
/// # Safety
/// AVX2 and FMA; as [`product`]; `hm` holds padded rows.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn relu_rows<const R: usize>(
    sh: Shape,
    r0: usize,
    x: &[f32],
    io: &Io<'_>,
    kill: &[u64],
    hm: &mut [f32],
    out: &mut [f32],
) {
    let mut acc8s = [_mm256_setzero_ps(); R];
    for (q0, g) in split(io.nv, GROUP) {
        // SAFETY: q0 + g ≤ nv; as the caller's.
        unsafe {
            by_vectors!(
                relu_group::<R>,
                g,
                (sh, r0, q0, x, io, kill, &mut *hm, &mut acc8s)
            )
        }
    }
    // SAFETY: rows r0..r0 + R of `hm` and `out` exist.
    unsafe { finish::<R>(acc8s, r0, sh.h, io.nv * L, hm, io.w2, io.b2, out) }
}

/// ReLU: product, epilogue, drops and the output's partial sums `acc8s` for the vectors
/// `q0..q0 + G` of the rows of a block.
///
/// # Safety
/// AVX2 and FMA; as [`product`]; `hm` holds padded rows.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn relu_group<const R: usize, const G: usize>(
    sh: Shape,
    r0: usize,
    q0: usize,
    x: &[f32],
    io: &Io<'_>,
    kill: &[u64],
    hm: &mut [f32],
    acc8s: &mut [__m256; R],
) {
    // SAFETY (whole fn): as in `product`; `hm` holds padded rows.
    unsafe {
        let acc = product::<R, G>(sh, r0, q0, x, io);
        let sv = _mm256_set1_ps(io.s);
        let zero = _mm256_setzero_ps();
        for (i, acc_i) in acc.iter().enumerate() {
            let row = hm.as_mut_ptr().add((r0 + i) * io.nv * L + q0 * L);
            let bits = drop_bits(kill[i], q0);
            for g in 0..G {
                let v = plus_bias(acc_i[g], io, q0 + g);
                let on = _mm256_cmp_ps::<_CMP_GT_OQ>(v, zero);
                let alive = _mm256_andnot_ps(dropped_lanes(bits, g), on);
                // Zero beyond h (v is: its lanes are 0 + 0), and +0 where not alive.
                let hv = _mm256_and_ps(_mm256_mul_ps(v, sv), alive);
                _mm256_store_ps(row.add(g * L), hv);
                acc8s[i] = dot_step(acc8s[i], hv, q0 + g, sh.h, io);
            }
        }
    }
}

/// tanh, sigmoid: `v = x · W₁ + b₁` in the vectors `q0..q0 + G` of the rows of a block,
/// into `hact`.
///
/// # Safety
/// AVX2 and FMA; as [`product`]; `hact` holds padded rows.
#[target_feature(enable = "avx2,fma")]
unsafe fn pre_group<const R: usize, const G: usize>(
    sh: Shape,
    r0: usize,
    q0: usize,
    x: &[f32],
    io: &Io<'_>,
    hact: &mut [f32],
) {
    // SAFETY: as in `product`; `hact` holds padded rows.
    unsafe {
        let acc = product::<R, G>(sh, r0, q0, x, io);
        for (i, acc_i) in acc.iter().enumerate() {
            let row = hact.as_mut_ptr().add((r0 + i) * io.nv * L + q0 * L);
            for g in 0..G {
                _mm256_store_ps(row.add(g * L), plus_bias(acc_i[g], io, q0 + g));
            }
        }
    }
}

/// tanh, sigmoid: the drops set to zero in `hm` (`act(v) · s`), then the output, for the
/// rows of a block.
///
/// # Safety
/// AVX2 and FMA; rows r0..r0 + R exist; `hm` holds padded rows.
#[target_feature(enable = "avx2,fma")]
unsafe fn drop_out_rows<const R: usize>(
    sh: Shape,
    r0: usize,
    io: &Io<'_>,
    kill: &[u64],
    hm: &mut [f32],
    out: &mut [f32],
) {
    // SAFETY: `hm` holds padded rows.
    unsafe {
        let mut acc8s = [_mm256_setzero_ps(); R];
        for i in 0..R {
            let row = hm.as_mut_ptr().add((r0 + i) * io.nv * L);
            for q in 0..io.nv {
                let dead = dropped_lanes(drop_bits(kill[i], q), 0);
                let hv = _mm256_andnot_ps(dead, _mm256_load_ps(row.add(q * L)));
                _mm256_store_ps(row.add(q * L), hv);
                acc8s[i] = dot_step(acc8s[i], hv, q, sh.h, io);
            }
        }
        finish::<R>(acc8s, r0, sh.h, io.nv * L, hm, io.w2, io.b2, out);
    }
}
