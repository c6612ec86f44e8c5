//! A register-blocked `c += a · b` for the small row-major products of training steps
//! (batch 128 × widths up to a few hundred), where a packed GEMM's set-up costs more than
//! the arithmetic. AVX-512F and AVX2+FMA paths, for `f32` and `f64`, and a portable one,
//! are chosen by [`crate::simd::level`]. Blocks of up to 4 rows × 2 (AVX-512) or 4 (AVX2)
//! vectors of columns keep their accumulators in registers for the whole inner dimension;
//! column remainders use masked loads and stores. One macro writes the four vector
//! kernels, so they cannot drift apart.
//!
//! **The same bits at every level.** Every element of the product is
//! `Σ_j a_ij b_jc` by fused multiply-adds in `j` order from zero, then stored (`overwrite`)
//! or added to `c` once; the portable kernel ([`gemm_acc_portable`]) does exactly that with
//! `mul_add`, so the three levels agree bit for bit (tested below).

#![allow(clippy::needless_range_loop)]

use super::real::Real;

#[cfg(mcdropout_x86)]
use std::arch::x86_64::*;

/// Writes `gemm_acc` for one instruction set and element type. The caller's module
/// defines `mask(valid_lanes)`, and the macros `ld!(ptr, mask)` and `st!(ptr, mask, v)`.
#[cfg(mcdropout_x86)]
macro_rules! blocked_gemm {
    (
        feature: $feat:literal,
        elem: $t:ty,
        vec: $v:ty,
        vecs: $vecs:expr,
        lanes: $lanes:expr,
        zero: $zero:ident,
        splat: $splat:ident,
        fma: $fma:ident,
        add: $add:ident $(,)?
    ) => {
        #[target_feature(enable = $feat)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn block<const R: usize>(
            c: *mut $t,
            a: *const $t,
            rs: usize,
            cs: usize,
            b: *const $t,
            r0: usize,
            c0: usize,
            w: usize,
            k: usize,
            n: usize,
            overwrite: bool,
        ) {
            let ms: [_; $vecs] = core::array::from_fn(|q| mask(w.saturating_sub(q * $lanes)));
            let mut acc: [[$v; $vecs]; R] = [[$zero(); $vecs]; R];
            for j in 0..k {
                // SAFETY (whole fn): the caller guarantees r0 + R ≤ m, c0 < n, and the
                // masks cover only columns < n; masked-off lanes are neither read nor
                // written.
                unsafe {
                    let bp = b.add(j * n + c0);
                    let bv: [$v; $vecs] = core::array::from_fn(|q| ld!(bp.add(q * $lanes), ms[q]));
                    for i in 0..R {
                        let av = $splat(*a.add((r0 + i) * rs + j * cs));
                        for q in 0..$vecs {
                            acc[i][q] = $fma(av, bv[q], acc[i][q]);
                        }
                    }
                }
            }
            for i in 0..R {
                for q in 0..$vecs {
                    unsafe {
                        let cp = c.add((r0 + i) * n + c0 + q * $lanes);
                        if overwrite {
                            st!(cp, ms[q], acc[i][q]);
                        } else {
                            st!(cp, ms[q], $add(ld!(cp, ms[q]), acc[i][q]));
                        }
                    }
                }
            }
        }

        #[target_feature(enable = $feat)]
        #[allow(clippy::too_many_arguments)]
        pub(super) unsafe fn gemm_acc(
            c: *mut $t,
            a: *const $t,
            rs: usize,
            cs: usize,
            b: *const $t,
            m: usize,
            k: usize,
            n: usize,
            overwrite: bool,
        ) {
            const WIDTH: usize = $vecs * $lanes;
            let mut r0 = 0;
            while r0 < m {
                let rows = (m - r0).min(4);
                let mut c0 = 0;
                while c0 < n {
                    let w = (n - c0).min(WIDTH);
                    // SAFETY: r0 + rows ≤ m and c0 + w ≤ n.
                    unsafe {
                        match rows {
                            4 => block::<4>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                            3 => block::<3>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                            2 => block::<2>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                            _ => block::<1>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        }
                    }
                    c0 += WIDTH;
                }
                r0 += rows;
            }
        }
    };
}

/// Writes the safe, run-time-dispatched entry point for one element type.
macro_rules! dispatch {
    ($name:ident, $t:ty, $avx512:ident, $avx2:ident) => {
        /// `c (m×n) += A (m×k) · b (k×n)` with `b`, `c` row-major and
        /// `A[i][j] = a[i·rs + j·cs]` (`rs = k, cs = 1` for a row-major `a`; `rs = 1,
        /// cs = m` for the transpose of a row-major k×m matrix). With `overwrite`,
        /// `c ← A · b` (c is not read). At the level [`crate::simd::level`] gives; the same
        /// bits at every level.
        #[inline]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            c: &mut [$t],
            a: &[$t],
            rs: usize,
            cs: usize,
            b: &[$t],
            m: usize,
            k: usize,
            n: usize,
            overwrite: bool,
        ) {
            assert!(m == 0 || k == 0 || a.len() > (m - 1) * rs + (k - 1) * cs);
            assert!(b.len() >= k * n && c.len() >= m * n);
            #[cfg(mcdropout_x86)]
            {
                use crate::simd::Level;
                let (cp, ap, bp) = (c.as_mut_ptr(), a.as_ptr(), b.as_ptr());
                match crate::simd::level() {
                    // SAFETY: a level is set only when the processor has it, and the
                    // slices hold the shapes (asserted).
                    Level::Avx512 => {
                        return unsafe {
                            $avx512::gemm_acc(cp, ap, rs, cs, bp, m, k, n, overwrite)
                        };
                    }
                    // SAFETY: as above.
                    Level::Avx2 => {
                        return unsafe { $avx2::gemm_acc(cp, ap, rs, cs, bp, m, k, n, overwrite) };
                    }
                    Level::Portable => {}
                }
            }
            gemm_acc_portable(c, a, rs, cs, b, m, k, n, overwrite);
        }
    };
}

dispatch!(gemm_acc_f64, f64, avx512_f64, avx2_f64);
dispatch!(gemm_acc_f32, f32, avx512_f32, avx2_f32);

/// Columns of one block of the portable kernel: its accumulators (4 rows of them) fit in
/// the vector registers of a 128-bit machine, which the compiler may use for them.
const PORTABLE_COLS: usize = 8;

/// The register-blocked product without intrinsics: every element `Σ_j a_ij b_jc` by
/// `mul_add` in `j` order from zero, then stored or added once — the vector kernels'
/// operations, so the same bits. Blocks of 4 rows × [`PORTABLE_COLS`] columns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_acc_portable<T: Real>(
    c: &mut [T],
    a: &[T],
    rs: usize,
    cs: usize,
    b: &[T],
    m: usize,
    k: usize,
    n: usize,
    overwrite: bool,
) {
    let mut r0 = 0;
    while r0 < m {
        let rows = (m - r0).min(4);
        let mut c0 = 0;
        while c0 < n {
            let w = (n - c0).min(PORTABLE_COLS);
            let mut acc = [[T::ZERO; PORTABLE_COLS]; 4];
            for j in 0..k {
                let brow = &b[j * n + c0..j * n + c0 + w];
                for (i, acc_i) in acc.iter_mut().enumerate().take(rows) {
                    let av = a[(r0 + i) * rs + j * cs];
                    for (s, &bv) in acc_i.iter_mut().zip(brow) {
                        *s = av.mul_add(bv, *s);
                    }
                }
            }
            for (i, acc_i) in acc.iter().enumerate().take(rows) {
                let crow = &mut c[(r0 + i) * n + c0..(r0 + i) * n + c0 + w];
                for (d, &s) in crow.iter_mut().zip(acc_i) {
                    *d = if overwrite { s } else { *d + s };
                }
            }
            c0 += w;
        }
        r0 += rows;
    }
}

#[cfg(mcdropout_x86)]
mod avx512_f64 {
    use super::*;
    #[inline(always)]
    fn mask(w: usize) -> __mmask8 {
        if w >= 8 {
            0xff
        } else {
            ((1u16 << w) - 1) as __mmask8
        }
    }
    macro_rules! ld {
        ($p:expr, $m:expr) => {
            _mm512_maskz_loadu_pd($m, $p)
        };
    }
    macro_rules! st {
        ($p:expr, $m:expr, $v:expr) => {
            _mm512_mask_storeu_pd($p, $m, $v)
        };
    }
    blocked_gemm!(feature: "avx512f", elem: f64, vec: __m512d, vecs: 2, lanes: 8,
        zero: _mm512_setzero_pd, splat: _mm512_set1_pd, fma: _mm512_fmadd_pd, add: _mm512_add_pd);
}

#[cfg(mcdropout_x86)]
mod avx512_f32 {
    use super::*;
    #[inline(always)]
    fn mask(w: usize) -> __mmask16 {
        if w >= 16 {
            0xffff
        } else {
            ((1u32 << w) - 1) as __mmask16
        }
    }
    macro_rules! ld {
        ($p:expr, $m:expr) => {
            _mm512_maskz_loadu_ps($m, $p)
        };
    }
    macro_rules! st {
        ($p:expr, $m:expr, $v:expr) => {
            _mm512_mask_storeu_ps($p, $m, $v)
        };
    }
    blocked_gemm!(feature: "avx512f", elem: f32, vec: __m512, vecs: 2, lanes: 16,
        zero: _mm512_setzero_ps, splat: _mm512_set1_ps, fma: _mm512_fmadd_ps, add: _mm512_add_ps);
}

#[cfg(mcdropout_x86)]
mod avx2_f64 {
    use super::*;
    #[inline(always)]
    fn mask(w: usize) -> __m256i {
        let lane = |i: usize| if i < w { -1i64 } else { 0 };
        // SAFETY: only builds a vector from integers (AVX is implied by the callers'
        // AVX2 feature).
        unsafe { _mm256_setr_epi64x(lane(0), lane(1), lane(2), lane(3)) }
    }
    macro_rules! ld {
        ($p:expr, $m:expr) => {
            _mm256_maskload_pd($p, $m)
        };
    }
    macro_rules! st {
        ($p:expr, $m:expr, $v:expr) => {
            _mm256_maskstore_pd($p, $m, $v)
        };
    }
    blocked_gemm!(feature: "avx2,fma", elem: f64, vec: __m256d, vecs: 4, lanes: 4,
        zero: _mm256_setzero_pd, splat: _mm256_set1_pd, fma: _mm256_fmadd_pd, add: _mm256_add_pd);
}

#[cfg(mcdropout_x86)]
mod avx2_f32 {
    use super::*;
    #[inline(always)]
    fn mask(w: usize) -> __m256i {
        let l = |i: usize| if i < w { -1i32 } else { 0 };
        // SAFETY: as in `avx2_f64`.
        unsafe { _mm256_setr_epi32(l(0), l(1), l(2), l(3), l(4), l(5), l(6), l(7)) }
    }
    macro_rules! ld {
        ($p:expr, $m:expr) => {
            _mm256_maskload_ps($p, $m)
        };
    }
    macro_rules! st {
        ($p:expr, $m:expr, $v:expr) => {
            _mm256_maskstore_ps($p, $m, $v)
        };
    }
    blocked_gemm!(feature: "avx2,fma", elem: f32, vec: __m256, vecs: 4, lanes: 8,
        zero: _mm256_setzero_ps, splat: _mm256_set1_ps, fma: _mm256_fmadd_ps, add: _mm256_add_ps);
}

#[cfg(test)]
mod tests {
    use crate::nn::real::Real;

    /// Against a plain f64 triple loop, for shapes with every kind of remainder, with `a`
    /// row-major and transposed, at the level in force (the suite runs at every level the
    /// processor has); and the portable kernel bit for bit the same. Tolerance: the inputs are exact in both types (multiples
    /// of 1/11, 1/13 rounded once), so the error is the summation's, k ≤ 130 terms of
    /// size ≤ 1: 130 · ε_T.
    fn check<T: Real>(eps: f64) {
        for &(m, k, n) in &[
            (1, 1, 1),
            (5, 3, 7),
            (128, 13, 50),
            (13, 128, 50),
            (7, 50, 17),
            (4, 9, 16),
            (9, 2, 33),
            (6, 16, 64),
        ] {
            let a: Vec<T> = (0..m * k)
                .map(|i| T::from_f64(((i * 37) % 11) as f64 / 11.0 - 0.5))
                .collect();
            let b: Vec<T> = (0..k * n)
                .map(|i| T::from_f64(((i * 17) % 13) as f64 / 13.0 - 0.5))
                .collect();
            let c0: Vec<T> = (0..m * n).map(|i| T::from_f64(i as f64 * 0.01)).collect();
            let mut want: Vec<f64> = c0.iter().map(|v| v.to_f64()).collect();
            for r in 0..m {
                for col in 0..n {
                    for j in 0..k {
                        want[r * n + col] += a[r * k + j].to_f64() * b[j * n + col].to_f64();
                    }
                }
            }
            let tol = 130.0 * eps * 2.0;
            let mut c = c0.clone();
            T::gemm_simd(&mut c, &a, k, 1, &b, m, k, n, false);
            for (x, y) in c.iter().zip(&want) {
                assert!((x.to_f64() - y).abs() < tol, "{m}x{k}x{n}: {x:?} vs {y}");
            }
            let at: Vec<T> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
            let mut c2 = c0.clone();
            T::gemm_simd(&mut c2, &at, 1, m, &b, m, k, n, false);
            for (x, y) in c2.iter().zip(&want) {
                assert!((x.to_f64() - y).abs() < tol, "transposed {m}x{k}x{n}");
            }
            // Overwrite: c is not read.
            let mut c3 = vec![T::from_f64(f64::NAN); m * n];
            T::gemm_simd(&mut c3, &a, k, 1, &b, m, k, n, true);
            for ((x, y), z) in c3.iter().zip(&want).zip(&c0) {
                assert!(
                    (x.to_f64() - (y - z.to_f64())).abs() < tol,
                    "overwrite {m}x{k}x{n}"
                );
            }
            // The portable kernel: the same bits as the level in force.
            let mut c4 = c0.clone();
            super::gemm_acc_portable(&mut c4, &a, k, 1, &b, m, k, n, false);
            assert!(
                c4.iter()
                    .zip(&c)
                    .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits()),
                "portable vs {} {m}x{k}x{n}",
                crate::simd::level()
            );
        }
    }

    #[test]
    fn matches_naive_product_f64() {
        check::<f64>(f64::EPSILON);
    }

    #[test]
    fn matches_naive_product_f32() {
        check::<f32>(f32::EPSILON as f64);
    }
}
