//! A register-blocked `c += a · b` for the small row-major products of training steps
//! (batch 128 × widths up to a few hundred), where a packed GEMM's set-up costs more than
//! the arithmetic. AVX-512F and AVX2+FMA paths are chosen at run time; other processors
//! (and Miri) use faer. Blocks of 4 rows × 16 columns keep 8 accumulators in registers for
//! the whole inner dimension; column remainders use masked loads and stores.

#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// `c (m×n) += A (m×k) · b (k×n)` with `b`, `c` row-major and `A[i][j] = a[i·rs + j·cs]`
/// (`rs = k, cs = 1` for a row-major `a`; `rs = 1, cs = m` for the transpose of a
/// row-major k×m matrix). With `overwrite`, `c ← A · b` (c is not read). Returns false (doing nothing) when no SIMD path is available on
/// this processor.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn gemm_acc(
    c: &mut [f64],
    a: &[f64],
    rs: usize,
    cs: usize,
    b: &[f64],
    m: usize,
    k: usize,
    n: usize,
    overwrite: bool,
) -> bool {
    assert!(m == 0 || k == 0 || a.len() > (m - 1) * rs + (k - 1) * cs);
    assert!(b.len() >= k * n && c.len() >= m * n);
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the feature is present and the slices hold the shapes (asserted).
            unsafe {
                avx512::gemm_acc(
                    c.as_mut_ptr(),
                    a.as_ptr(),
                    rs,
                    cs,
                    b.as_ptr(),
                    m,
                    k,
                    n,
                    overwrite,
                )
            };
            return true;
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            unsafe {
                avx2::gemm_acc(
                    c.as_mut_ptr(),
                    a.as_ptr(),
                    rs,
                    cs,
                    b.as_ptr(),
                    m,
                    k,
                    n,
                    overwrite,
                )
            };
            return true;
        }
    }
    false
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::*;

    #[inline(always)]
    fn mask(w: usize) -> __mmask8 {
        if w >= 8 {
            0xff
        } else {
            ((1u16 << w) - 1) as __mmask8
        }
    }

    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn block<const R: usize>(
        c: *mut f64,
        a: *const f64,
        rs: usize,
        cs: usize,
        b: *const f64,
        r0: usize,
        c0: usize,
        w: usize,
        k: usize,
        n: usize,
        overwrite: bool,
    ) {
        let (m0, m1) = (mask(w), mask(w.saturating_sub(8)));
        let mut acc0 = [_mm512_setzero_pd(); R];
        let mut acc1 = [_mm512_setzero_pd(); R];
        for j in 0..k {
            // SAFETY (whole fn): caller guarantees r0 + R ≤ m, c0 < n, masks cover only
            // columns < n, and masked-off lanes are neither read nor written.
            unsafe {
                let bp = b.add(j * n + c0);
                let b0 = _mm512_maskz_loadu_pd(m0, bp);
                let b1 = _mm512_maskz_loadu_pd(m1, bp.add(8));
                for i in 0..R {
                    let av = _mm512_set1_pd(*a.add((r0 + i) * rs + j * cs));
                    acc0[i] = _mm512_fmadd_pd(av, b0, acc0[i]);
                    acc1[i] = _mm512_fmadd_pd(av, b1, acc1[i]);
                }
            }
        }
        for i in 0..R {
            unsafe {
                let cp = c.add((r0 + i) * n + c0);
                if overwrite {
                    _mm512_mask_storeu_pd(cp, m0, acc0[i]);
                    _mm512_mask_storeu_pd(cp.add(8), m1, acc1[i]);
                } else {
                    let c0v = _mm512_maskz_loadu_pd(m0, cp);
                    let c1v = _mm512_maskz_loadu_pd(m1, cp.add(8));
                    _mm512_mask_storeu_pd(cp, m0, _mm512_add_pd(c0v, acc0[i]));
                    _mm512_mask_storeu_pd(cp.add(8), m1, _mm512_add_pd(c1v, acc1[i]));
                }
            }
        }
    }

    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn gemm_acc(
        c: *mut f64,
        a: *const f64,
        rs: usize,
        cs: usize,
        b: *const f64,
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
                let w = (n - c0).min(16);
                // SAFETY: r0 + rows ≤ m and c0 + w ≤ n.
                unsafe {
                    match rows {
                        4 => block::<4>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        3 => block::<3>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        2 => block::<2>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        _ => block::<1>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                    }
                }
                c0 += 16;
            }
            r0 += rows;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::*;

    #[inline(always)]
    fn mask(w: usize) -> __m256i {
        let lane = |i: usize| if i < w { -1i64 } else { 0 };
        unsafe { _mm256_setr_epi64x(lane(0), lane(1), lane(2), lane(3)) }
    }

    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn block<const R: usize>(
        c: *mut f64,
        a: *const f64,
        rs: usize,
        cs: usize,
        b: *const f64,
        r0: usize,
        c0: usize,
        w: usize,
        k: usize,
        n: usize,
        overwrite: bool,
    ) {
        let ms = [
            mask(w),
            mask(w.saturating_sub(4)),
            mask(w.saturating_sub(8)),
            mask(w.saturating_sub(12)),
        ];
        let mut acc = [[_mm256_setzero_pd(); 4]; R];
        for j in 0..k {
            // SAFETY: as in the AVX-512 path; masked lanes are not accessed.
            unsafe {
                let bp = b.add(j * n + c0);
                let bv = [
                    _mm256_maskload_pd(bp, ms[0]),
                    _mm256_maskload_pd(bp.add(4), ms[1]),
                    _mm256_maskload_pd(bp.add(8), ms[2]),
                    _mm256_maskload_pd(bp.add(12), ms[3]),
                ];
                for i in 0..R {
                    let av = _mm256_set1_pd(*a.add((r0 + i) * rs + j * cs));
                    for q in 0..4 {
                        acc[i][q] = _mm256_fmadd_pd(av, bv[q], acc[i][q]);
                    }
                }
            }
        }
        for i in 0..R {
            for q in 0..4 {
                unsafe {
                    let cp = c.add((r0 + i) * n + c0 + 4 * q);
                    if overwrite {
                        _mm256_maskstore_pd(cp, ms[q], acc[i][q]);
                    } else {
                        let cv = _mm256_maskload_pd(cp, ms[q]);
                        _mm256_maskstore_pd(cp, ms[q], _mm256_add_pd(cv, acc[i][q]));
                    }
                }
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn gemm_acc(
        c: *mut f64,
        a: *const f64,
        rs: usize,
        cs: usize,
        b: *const f64,
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
                let w = (n - c0).min(16);
                // SAFETY: r0 + rows ≤ m and c0 + w ≤ n.
                unsafe {
                    match rows {
                        4 => block::<4>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        3 => block::<3>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        2 => block::<2>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                        _ => block::<1>(c, a, rs, cs, b, r0, c0, w, k, n, overwrite),
                    }
                }
                c0 += 16;
            }
            r0 += rows;
        }
    }
}

#[cfg(test)]
mod tests {
    /// Against a plain triple loop, for shapes with every kind of remainder; tolerance:
    /// the sums differ only in association order (k ≤ 130 terms of size ≤ 1: 1e-13).
    #[test]
    fn matches_naive_product() {
        for &(m, k, n) in &[
            (1, 1, 1),
            (5, 3, 7),
            (128, 13, 50),
            (13, 128, 50),
            (7, 50, 17),
            (4, 9, 16),
            (9, 2, 33),
        ] {
            let a: Vec<f64> = (0..m * k)
                .map(|i| ((i * 37) % 11) as f64 / 11.0 - 0.5)
                .collect();
            let b: Vec<f64> = (0..k * n)
                .map(|i| ((i * 17) % 13) as f64 / 13.0 - 0.5)
                .collect();
            let mut c: Vec<f64> = (0..m * n).map(|i| i as f64 * 0.01).collect();
            let mut want = c.clone();
            for r in 0..m {
                for col in 0..n {
                    for j in 0..k {
                        want[r * n + col] += a[r * k + j] * b[j * n + col];
                    }
                }
            }
            if super::gemm_acc(&mut c, &a, k, 1, &b, m, k, n, false) {
                for (x, y) in c.iter().zip(&want) {
                    assert!((x - y).abs() < 1e-13, "{m}x{k}x{n}: {x} vs {y}");
                }
            }
            // The same product with `a` given as the transpose of a row-major k×m matrix.
            let at: Vec<f64> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
            let mut c2: Vec<f64> = (0..m * n).map(|i| i as f64 * 0.01).collect();
            if super::gemm_acc(&mut c2, &at, 1, m, &b, m, k, n, false) {
                for (x, y) in c2.iter().zip(&want) {
                    assert!((x - y).abs() < 1e-13, "transposed {m}x{k}x{n}: {x} vs {y}");
                }
            }
        }
    }
}
