//! Kernel matrices and their Cholesky factors (faer), with jitter for matrices that are
//! positive semi-definite but numerically singular.

use super::columns::{ByDim, column};
use super::kernel::Kernel;
use super::prepared::Prepared;
use crate::error::{Error, Result};
use crate::limits::alloc::{try_mat, try_mem_buffer};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch};
use faer::linalg::cholesky::llt::inverse::{inverse, inverse_scratch};
use faer::linalg::matmul::triangular::{BlockStructure, matmul as tri_matmul};
use faer::linalg::triangular_inverse::invert_lower_triangular;
use faer::linalg::triangular_solve::solve_lower_triangular_in_place;
use faer::{Accum, Mat, MatRef, Par, dyn_stack::MemBuffer, dyn_stack::MemStack};

/// What the n × n buffers are called in an out-of-memory message.
const KERNEL_MATRIX: &str = "the n × n kernel matrix of a Gaussian process";
use rayon::prelude::*;

/// Jitter added to the diagonal, relative to its mean, when the plain factorisation fails:
/// 1e-10, 1e-9, …, 1e-4 (the last one changes predictions by at most ~1e-4 relative).
pub const JITTER_STEPS: [f64; 7] = [1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4];

/// Inputs as one row-major buffer: row `i` is `data[i*dim..(i+1)*dim]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// Row-major values.
    pub data: Vec<f64>,
    /// Dimension of every point.
    pub dim: usize,
}

impl Points {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

/// The parallelism handed to faer: all threads of the current rayon pool.
pub(crate) fn par() -> Par {
    match rayon::current_num_threads() {
        0 | 1 => Par::Seq,
        n => Par::rayon(n),
    }
}

/// k(a_i, b_j) as an `a.len() × b.len()` matrix (columns computed in parallel; each entry
/// is independent of the thread count); [`Error::OutOfMemory`] when the system refuses it.
pub fn cross_matrix(k: &Kernel, a: &Points, b: &Points) -> Result<Mat<f64>> {
    let (n, m) = (a.len(), b.len());
    let k = Prepared::new(k);
    let mut out = try_mat(
        n,
        m,
        "the kernel matrix between the training points and the points asked for",
    )?;
    // SE or Matérn: vectorised columns over the points laid out by dimension.
    let fast = k.columns().map(|st| (st, ByDim::new(&a.data, a.dim)));
    out.as_mut()
        .par_col_iter_mut()
        .enumerate()
        .for_each(|(j, mut col)| {
            let bj = b.row(j);
            match &fast {
                Some((st, ad)) => {
                    let (mut r2, mut v) = (vec![0.0; n], vec![0.0; n]);
                    column(*st, ad, 0, bj, &mut r2, &mut v);
                    col.iter_mut().zip(&v).for_each(|(c, &v)| *c = v);
                }
                _ => {
                    for i in 0..n {
                        col[i] = k.eval(a.row(i), bj);
                    }
                }
            }
        });
    Ok(out)
}

/// k(x_i, x_j) + `noise` δ_ij on and below the diagonal (columns computed in parallel),
/// zero above it: what a Cholesky factorisation reads, without the mirrored half.
pub(crate) fn gram_lower(k: &Kernel, x: &Points, noise: f64) -> Result<Mat<f64>> {
    let n = x.len();
    let mut out = try_mat(n, n, KERNEL_MATRIX)?;
    fill_gram_lower(k, x, noise, &mut out);
    Ok(out)
}

/// [`gram_lower`] written into `out` (n × n, any previous contents; every entry set).
pub(crate) fn fill_gram_lower(k: &Kernel, x: &Points, noise: f64, out: &mut Mat<f64>) {
    let n = x.len();
    let k = Prepared::new(k);
    let fast = k.columns().map(|st| (st, ByDim::new(&x.data, x.dim)));
    out.as_mut()
        .par_col_iter_mut()
        .enumerate()
        .for_each(|(j, mut col)| {
            let xj = x.row(j);
            for i in 0..j {
                col[i] = 0.0;
            }
            match &fast {
                Some((st, xd)) => {
                    let (mut r2, mut v) = (vec![0.0; n - j], vec![0.0; n - j]);
                    column(*st, xd, j, xj, &mut r2, &mut v);
                    for (i, &v) in (j..n).zip(&v) {
                        col[i] = v;
                    }
                }
                _ => {
                    for i in j..n {
                        col[i] = k.eval(x.row(i), xj);
                    }
                }
            }
            col[j] += noise;
        });
}

/// k(x_i, x_j) + `noise` δ_ij, computed on the lower triangle and mirrored (exactly
/// symmetric); [`Error::OutOfMemory`] when the system refuses it.
pub fn gram_matrix(k: &Kernel, x: &Points, noise: f64) -> Result<Mat<f64>> {
    let mut out = gram_lower(k, x, noise)?;
    let n = out.nrows();
    for j in 0..n {
        for i in 0..j {
            out[(i, j)] = out[(j, i)];
        }
    }
    Ok(out)
}

/// A lower Cholesky factor L (L Lᵀ = A + jitter·I) and the jitter that was needed.
#[derive(Debug, Clone)]
pub struct Cholesky {
    /// The lower-triangular factor (upper part zero).
    pub l: Mat<f64>,
    /// Jitter added to the diagonal (0 when none was needed).
    pub jitter: f64,
}

impl Cholesky {
    /// Factors the symmetric matrix `a` (lower triangle read). When it is not numerically
    /// positive definite, retries with [`JITTER_STEPS`] × mean(diag) added to the
    /// diagonal; if even the largest fails, [`Error::NotPositiveDefinite`] names the pivot.
    pub fn new(a: MatRef<'_, f64>) -> Result<Self> {
        let lower = || lower_copy(a);
        Self::factor_owned(lower_copy(a)?, &lower)
    }

    /// As [`new`](Self::new), factoring `a` (lower triangle read) in place: no copy of the
    /// n × n matrix is made unless the plain factorisation fails, when `rebuild()`
    /// must return the same lower triangle again for the next attempt.
    pub(crate) fn factor_owned(
        mut a: Mat<f64>,
        rebuild: &dyn Fn() -> Result<Mat<f64>>,
    ) -> Result<Self> {
        crate::limits::products::prepare()?;
        let n = a.nrows();
        let mut mem = try_mem_buffer(
            cholesky_in_place_scratch::<f64>(n, par(), Default::default()),
            "the scratch space of a Cholesky factorisation",
        )?;
        let mean_diag = (0..n).map(|i| a[(i, i)]).sum::<f64>() / n.max(1) as f64;
        let scale = if mean_diag.is_finite() && mean_diag > 0.0 {
            mean_diag
        } else {
            1.0
        };
        let mut last = 0;
        for (attempt, jitter) in std::iter::once(0.0)
            .chain(JITTER_STEPS.iter().map(|j| j * scale))
            .enumerate()
        {
            if attempt > 0 {
                a = rebuild()?;
            }
            match factor_in_place(&mut a, jitter, &mut mem) {
                Ok(()) => return Ok(Self { l: a, jitter }),
                Err(pivot) => last = pivot,
            }
        }
        Err(Error::NotPositiveDefinite {
            pivot: last,
            jitter: JITTER_STEPS[JITTER_STEPS.len() - 1] * scale,
        })
    }

    /// Solves L X = B in place.
    pub fn solve_lower(&self, b: &mut Mat<f64>) {
        solve_lower_triangular_in_place(self.l.as_ref(), b.as_mut(), par());
    }

    /// Solves (L Lᵀ) X = B in place.
    pub fn solve(&self, b: &mut Mat<f64>) {
        self.solve_lower(b);
        faer::linalg::triangular_solve::solve_upper_triangular_in_place(
            self.l.transpose(),
            b.as_mut(),
            par(),
        );
    }

    /// (L Lᵀ)⁻¹ (from the factor, never by inverting A directly);
    /// [`Error::OutOfMemory`] when the system refuses the n × n result.
    pub fn inverse(&self) -> Result<Mat<f64>> {
        let n = self.l.nrows();
        let mut out = try_mat(n, n, "the inverse of an n × n kernel matrix")?;
        let mut mem = try_mem_buffer(
            inverse_scratch::<f64>(n, par()),
            "the scratch space of a matrix inverse",
        )?;
        inverse(
            out.as_mut(),
            self.l.as_ref(),
            par(),
            MemStack::new(&mut mem),
        );
        // faer fills the lower triangle; mirror it.
        for j in 0..n {
            for i in 0..j {
                out[(i, j)] = out[(j, i)];
            }
        }
        Ok(out)
    }

    /// The lower triangle of (L Lᵀ)⁻¹, consuming the factor: the same arithmetic as
    /// [`inverse`](Self::inverse) (L⁻¹, then L⁻ᵀ L⁻¹ on the lower triangle), with L's
    /// storage reused for the result so that at most two n × n matrices are alive. The
    /// strict upper triangle of the result is unspecified. `l_inv` (n × n, any contents) is
    /// the scratch space for L⁻¹.
    pub(crate) fn into_inverse_lower(self, l_inv: &mut Mat<f64>) -> Mat<f64> {
        invert_lower_triangular(l_inv.as_mut(), self.l.as_ref(), par());
        let mut out = self.l;
        tri_matmul(
            out.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Replace,
            l_inv.adjoint(),
            BlockStructure::TriangularUpper,
            l_inv.as_ref(),
            BlockStructure::TriangularLower,
            1.0,
            par(),
        );
        out
    }

    /// ln det(L Lᵀ) = 2 Σ ln L_ii.
    pub fn log_det(&self) -> f64 {
        2.0 * (0..self.l.nrows())
            .map(|i| self.l[(i, i)].ln())
            .sum::<f64>()
    }
}

/// The lower triangle of `a` (upper part zero), column by column.
fn lower_copy(a: MatRef<'_, f64>) -> Result<Mat<f64>> {
    let n = a.nrows();
    let mut l = try_mat(n, n, "a copy of a matrix to factor")?;
    for j in 0..n {
        for i in j..n {
            l[(i, j)] = a[(i, j)];
        }
    }
    Ok(l)
}

/// One factorisation attempt of a + jitter·I, in place (lower triangle read, upper set to
/// zero), with faer's scratch space in `mem`; `Err(pivot)` when a pivot is not positive
/// or an entry is not finite.
fn factor_in_place(
    l: &mut Mat<f64>,
    jitter: f64,
    mem: &mut MemBuffer,
) -> std::result::Result<(), usize> {
    let n = l.nrows();
    if (0..n).any(|j| l.col(j).iter().skip(j).any(|v| !v.is_finite())) {
        let bad = (0..n)
            .find(|&i| (0..=i).any(|j| !l[(i, j)].is_finite()))
            .unwrap_or(0);
        return Err(bad);
    }
    for i in 0..n {
        l[(i, i)] += jitter;
    }
    cholesky_in_place(
        l.as_mut(),
        Default::default(),
        par(),
        MemStack::new(mem),
        Default::default(),
    )
    .map_err(|e| match e {
        faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index } => index,
    })?;
    for j in 0..n {
        for i in 0..j {
            l[(i, j)] = 0.0;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_matrix_names_the_pivot() {
        // [[1, 2], [2, 1]] has eigenvalues 3 and −1; the second pivot is 1 − 4 = −3, far
        // beyond any jitter (≤ 1e-4 × mean diagonal).
        let a = Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 2.0 });
        match Cholesky::new(a.as_ref()) {
            Err(Error::NotPositiveDefinite { pivot, .. }) => assert_eq!(pivot, 1),
            other => panic!("expected NotPositiveDefinite, got {other:?}"),
        }
    }

    #[test]
    fn singular_psd_matrix_gets_jitter() {
        // All-ones 3×3: rank one, positive semi-definite; needs jitter, which is reported.
        let a = Mat::from_fn(3, 3, |_, _| 1.0);
        let c = Cholesky::new(a.as_ref()).unwrap();
        assert!(c.jitter > 0.0 && c.jitter <= 1e-4);
    }
}
