//! Row-major matrix products on plain slices: faer's `matmul` (single-threaded: parallelism
//! is applied one level up, over Monte-Carlo rows and grid configurations) for large
//! products; a register-blocked kernel for the small products of training steps (at every
//! SIMD level, the same bits: [`super::gemm_simd`]); and
//! run-time-dispatched loops of [`super::kernels`] when one dimension is 1 (the output
//! layer of a regression net). Timings: `examples/gemmprof.rs`. The choice depends only on
//! the shapes, never on threads or the SIMD level.
//!
//! Large products (wide layers) are split by columns of the result into a number of blocks
//! fixed by the shape alone ([`split_depth`]), computed by `rayon::join` in the current
//! pool: every block is the same single-threaded faer product whatever the number of
//! threads, so the result is bit for bit the same on 1 thread or many (issue 11, item 3).

use super::kernels;
use super::real::Real;
use faer::{MatMut, MatRef};

/// Products up to this many multiply-adds (with a batch-sized outer dimension) use the
/// register-blocked SIMD kernel, which beats faer's packed GEMM at these sizes
/// (`examples/gemmprof.rs`); larger ones use faer.
const SMALL_WORK: usize = 1 << 18;

/// Whether `m × k × n` takes the register-blocked kernel (so the fused training step of
/// [`super::shallow_step`], which sums in the same order, gives the same bits).
#[inline]
pub(crate) fn small(m: usize, k: usize, n: usize) -> bool {
    m * k * n <= SMALL_WORK && m <= 512
}

/// Multiply-adds per block above which a product is split in two (about 0.2 ms of one
/// core in f32: far above rayon's cost of a join, a few microseconds).
const SPLIT_WORK: usize = 1 << 23;

/// Column blocks are cut at multiples of this (faer's micro-kernel widths divide it).
const SPLIT_ALIGN: usize = 32;

/// How many times the product `m × k × n` is halved by columns: a function of the shape
/// only (never of the threads), at most 3 (8 blocks), each block at least `SPLIT_ALIGN`
/// columns wide and `SPLIT_WORK / 2` multiply-adds.
pub fn split_depth(m: usize, k: usize, n: usize) -> u32 {
    let mut depth = 0;
    let (mut cols, work_per_col) = (n, m * k);
    while depth < 3 && cols >= 2 * SPLIT_ALIGN && cols * work_per_col >= SPLIT_WORK {
        cols /= 2;
        depth += 1;
    }
    depth
}

/// `c ← a · b` (or `+=`) by faer, halved `depth` times by columns of `c` and `b`, the
/// halves in parallel. The cut points depend only on the shape.
fn faer_split<T: Real>(
    c: MatMut<'_, T>,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    accumulate: bool,
    depth: u32,
) {
    let n = c.ncols();
    if depth == 0 || n < 2 * SPLIT_ALIGN {
        T::faer_gemm(c, a, b, accumulate);
        return;
    }
    let mid = (n / 2).div_ceil(SPLIT_ALIGN) * SPLIT_ALIGN;
    let (c0, c1) = c.split_at_col_mut(mid);
    let (b0, b1) = b.split_at_col(mid);
    rayon::join(
        || faer_split(c0, a, b0, accumulate, depth - 1),
        || faer_split(c1, a, b1, accumulate, depth - 1),
    );
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
    if small(m, k, n) {
        T::gemm_simd(c, a, k, 1, b, m, k, n, !accumulate);
        return;
    }
    let a = MatRef::from_row_major_slice(a, m, k);
    let b = MatRef::from_row_major_slice(b, k, n);
    let c = MatMut::from_row_major_slice_mut(c, m, n);
    faer_split(c, a, b, accumulate, split_depth(m, k, n));
}

/// `c (k×n) ← aᵀ · b` where `a` is m×k and `b` is m×n, all row-major.
#[inline]
pub fn gemm_tn<T: Real>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), m * n);
    debug_assert_eq!(c.len(), k * n);
    if n == 1 {
        // cᵀ (1×k) = bᵀ (1×m) · a (m×k): one row of the blocked kernel.
        if small(1, m, k) {
            T::gemm_simd(c, b, m, 1, a, 1, m, k, true);
            return;
        }
        kernels::rows_weighted_sum(c, a, b, k);
        return;
    }
    // aᵀ as a strided view: element (i, r) of aᵀ is a[r·k + i].
    if small(k, m, n) {
        T::gemm_simd(c, a, 1, k, b, k, m, n, true);
        return;
    }
    let a = MatRef::from_row_major_slice(a, m, k).transpose();
    let b = MatRef::from_row_major_slice(b, m, n);
    let c = MatMut::from_row_major_slice_mut(c, k, n);
    faer_split(c, a, b, false, split_depth(k, m, n));
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
    faer_split(c, a, b, false, split_depth(m, n, k));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A product large enough to be split gives the same bits on 1 thread and on 2 (the
    /// blocks are fixed by the shape), and matches the unsplit faer product to rounding
    /// (1e-4 relative in f32: 512-term sums of terms ≤ 1, each block's own association
    /// order; in fact the blocks are the unsplit product's columns, usually bit-equal).
    #[test]
    fn split_products_do_not_depend_on_threads() {
        let (m, k, n) = (128, 512, 512);
        assert!(split_depth(m, k, n) >= 2, "the wide product is split");
        assert_eq!(split_depth(128, 13, 50), 0, "a small one is not");
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37) % 101) as f32 / 101.0 - 0.5)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 17) % 89) as f32 / 89.0 - 0.5)
            .collect();
        let bt: Vec<f32> = (0..m * n)
            .map(|i| ((i * 7) % 53) as f32 / 53.0 - 0.5)
            .collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut c = vec![0.0f32; m * n];
                gemm(&mut c, &a, &b, m, k, n, false);
                let mut t = vec![0.0f32; k * n];
                gemm_tn(&mut t, &a, &bt, m, k, n);
                let mut u = vec![0.0f32; m * k];
                gemm_nt(&mut u, &bt, &b, m, n, k);
                (c, t, u)
            })
        };
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (one, two) = (run(1), run(2));
        assert_eq!(bits(&one.0), bits(&two.0));
        assert_eq!(bits(&one.1), bits(&two.1));
        assert_eq!(bits(&one.2), bits(&two.2));
        let mut whole = vec![0.0f32; m * n];
        f32::faer_gemm(
            MatMut::from_row_major_slice_mut(&mut whole, m, n),
            MatRef::from_row_major_slice(&a, m, k),
            MatRef::from_row_major_slice(&b, k, n),
            false,
        );
        for (x, y) in one.0.iter().zip(&whole) {
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

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
