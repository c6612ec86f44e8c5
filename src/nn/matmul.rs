//! Row-major matrix products on plain slices: faer's `matmul` (single-threaded: parallelism
//! is applied one level up, over Monte-Carlo rows and grid configurations) for large
//! products; a register-blocked SIMD kernel for the small products of training steps; and
//! run-time-dispatched loops of [`super::kernels`] when one dimension is 1 (the output
//! layer of a regression net). Timings: `examples/gemmprof.rs`. The choice depends only on
//! the shapes and the processor, never on threads.

use super::kernels;
use super::real::Real;
use faer::{MatMut, MatRef};

/// Products up to this many multiply-adds (with a batch-sized outer dimension) use the
/// register-blocked SIMD kernel, which beats faer's packed GEMM at these sizes
/// (`examples/gemmprof.rs`); larger ones use faer.
const SMALL_WORK: usize = 1 << 18;

#[inline]
fn small(m: usize, k: usize, n: usize) -> bool {
    m * k * n <= SMALL_WORK && m <= 512
}

/// `c (m×n) ← a (m×k) · b (k×n)` (or `c += …` when `accumulate`), all row-major.
#[inline]
pub fn gemm<T: Real>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * n);
    if n == 1 {
        if !accumulate {
            c.iter_mut().for_each(|v| *v = T::ZERO);
        }
        kernels::matvec_acc(c, a, b, k);
        return;
    }
    if small(m, k, n) && T::gemm_simd(c, a, k, 1, b, m, k, n, !accumulate) {
        return;
    }
    let a = MatRef::from_row_major_slice(a, m, k);
    let b = MatRef::from_row_major_slice(b, k, n);
    let c = MatMut::from_row_major_slice_mut(c, m, n);
    T::faer_gemm(c, a, b, accumulate);
}

/// `c (k×n) ← aᵀ · b` where `a` is m×k and `b` is m×n, all row-major.
#[inline]
pub fn gemm_tn<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), m * n);
    debug_assert_eq!(c.len(), k * n);
    if n == 1 {
        // cᵀ (1×k) = bᵀ (1×m) · a (m×k): one row of the blocked kernel.
        if small(1, m, k) && T::gemm_simd(c, b, m, 1, a, 1, m, k, true) {
            return;
        }
        kernels::rows_weighted_sum(c, a, b, k);
        return;
    }
    // aᵀ as a strided view: element (i, r) of aᵀ is a[r·k + i].
    if small(k, m, n) && T::gemm_simd(c, a, 1, k, b, k, m, n, true) {
        return;
    }
    let a = MatRef::from_row_major_slice(a, m, k).transpose();
    let b = MatRef::from_row_major_slice(b, m, n);
    let c = MatMut::from_row_major_slice_mut(c, k, n);
    T::faer_gemm(c, a, b, false);
}

/// `c (m×k) ← a (m×n) · bᵀ` where `b` is k×n, all row-major.
#[inline]
pub fn gemm_nt<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * n);
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * k);
    if n == 1 {
        kernels::outer(c, a, b);
        return;
    }
    let a = MatRef::from_row_major_slice(a, m, n);
    let b = MatRef::from_row_major_slice(b, k, n).transpose();
    let c = MatMut::from_row_major_slice_mut(c, m, k);
    T::faer_gemm(c, a, b, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path (faer and the one-column loops) against a plain triple loop; tolerance:
    /// the sums differ only in association order (≤ 50 terms of size ≤ 1: 1e-13).
    #[test]
    fn products_match_naive_loops() {
        for &(m, k, n) in &[(7, 5, 3), (128, 13, 50), (9, 50, 1), (6, 1, 4), (1, 1, 1)] {
            let a: Vec<f64> = (0..m * k)
                .map(|i| ((i * 37) % 11) as f64 / 11.0 - 0.5)
                .collect();
            let b: Vec<f64> = (0..k * n)
                .map(|i| ((i * 17) % 13) as f64 / 13.0 - 0.5)
                .collect();
            let naive =
                |r: usize, c: usize| (0..k).map(|j| a[r * k + j] * b[j * n + c]).sum::<f64>();
            let mut c = vec![0.0; m * n];
            gemm(&mut c, &a, &b, m, k, n, false);
            for r in 0..m {
                for col in 0..n {
                    assert!((c[r * n + col] - naive(r, col)).abs() < 1e-13);
                }
            }
            // aᵀ b with a = the m×k matrix above read as "m rows", b' an m×n matrix.
            let b2: Vec<f64> = (0..m * n)
                .map(|i| ((i * 7) % 5) as f64 / 5.0 - 0.4)
                .collect();
            let mut t = vec![0.0; k * n];
            gemm_tn(&mut t, &a, &b2, m, k, n);
            for j in 0..k {
                for col in 0..n {
                    let want: f64 = (0..m).map(|r| a[r * k + j] * b2[r * n + col]).sum();
                    assert!((t[j * n + col] - want).abs() < 1e-13);
                }
            }
            // a (m×k) · b3ᵀ with b3 n×k.
            let b3: Vec<f64> = (0..n * k)
                .map(|i| ((i * 3) % 7) as f64 / 7.0 - 0.5)
                .collect();
            let mut u = vec![0.0; m * n];
            gemm_nt(&mut u, &a, &b3, m, k, n);
            for r in 0..m {
                for col in 0..n {
                    let want: f64 = (0..k).map(|j| a[r * k + j] * b3[col * k + j]).sum();
                    assert!((u[r * n + col] - want).abs() < 1e-13);
                }
            }
        }
    }
}
