//! Exact GP regression (DESIGN §6) on standardised data: the posterior and the log
//! marginal likelihood with its gradient.
//!
//! With K = k(X, X) + σ_n² I = L Lᵀ and α = K⁻¹ y:
//!
//! - mean(x*) = k(x*, X) α,
//! - var(x*) = k(x*, x*) − ‖L⁻¹ k(X, x*)‖², clamped at 0 (rounding can make the
//!   difference of two nearly equal numbers slightly negative; a variance is never),
//! - ln p(y | X, θ) = −½ yᵀα − Σ ln L_ii − (n/2) ln 2π,
//! - ∂ ln p / ∂θ_j = ½ tr((α αᵀ − K⁻¹) ∂K/∂θ_j).

use super::columns::{ByDim, weighted_grad};
use super::kernel::Kernel;
use super::linalg::{Cholesky, Points, cross_matrix, fill_gram_lower, gram_lower, gram_matrix};
use super::prepared::Prepared;
use crate::error::Result;
use crate::limits::alloc::try_mat;
use faer::Mat;
use rayon::prelude::*;
use std::f64::consts::PI;

/// Largest n for which the likelihood gradient keeps the kernel values below the diagonal
/// (n(n−1)/2 numbers: 144 MB at 6000) instead of evaluating the kernel again; above it,
/// memory goes first (an n = 10 000 fit holds two n × n matrices at most).
const GRAD_CACHE_MAX_N: usize = 6000;

/// Most cells of the training × prediction-points kernel matrix held at once by
/// [`Posterior::mean_var`] (2²³ cells: 64 MiB).
const CROSS_BLOCK_CELLS: usize = 1 << 23;
/// Fewest prediction points per block of [`Posterior::mean_var`].
const MIN_CROSS_BLOCK: usize = 256;

/// The log marginal likelihood and, when `grad` is set, its gradient with respect to the
/// kernel's log-parameters followed by ln σ_n². Also returns the jitter that was needed.
pub fn log_marginal_likelihood(
    kernel: &Kernel,
    log_noise: f64,
    x: &Points,
    y: &[f64],
    grad: bool,
) -> Result<(f64, Option<Vec<f64>>, f64)> {
    lml_in(kernel, log_noise, x, y, grad, &mut Workspace::default())
}

/// The n × n buffers of [`log_marginal_likelihood`], kept between the evaluations of one
/// fit: a fresh allocation costs page faults and zeroing every time (the same numbers
/// either way: every entry read is written first).
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    factor: Option<Mat<f64>>,
    l_inv: Option<Mat<f64>>,
    cache: Vec<f64>,
}

/// An n × n matrix from `slot` when it has that shape, else a new one
/// ([`Error::OutOfMemory`](crate::Error::OutOfMemory) when the system refuses it).
fn take(slot: &mut Option<Mat<f64>>, n: usize) -> Result<Mat<f64>> {
    match slot.take() {
        Some(m) if m.nrows() == n && m.ncols() == n => Ok(m),
        _ => try_mat(n, n, "the n × n kernel matrix of a Gaussian process"),
    }
}

/// [`log_marginal_likelihood`] with buffers from `ws`.
pub(crate) fn lml_in(
    kernel: &Kernel,
    log_noise: f64,
    x: &Points,
    y: &[f64],
    grad: bool,
    ws: &mut Workspace,
) -> Result<(f64, Option<Vec<f64>>, f64)> {
    let n = x.len();
    let noise = log_noise.exp();
    let prepared = Prepared::new(kernel);
    let mut gram = take(&mut ws.factor, n)?;
    fill_gram_lower(kernel, x, noise, &mut gram);
    // Below the diagonal, the kernel values again for the gradient of a single SE/Matérn
    // leaf (no `exp` there a second time), packed by columns, when small enough.
    // (Without the room for it, the values are evaluated again.)
    ws.cache.clear();
    let use_cache = grad
        && prepared.is_stationary()
        && n <= GRAD_CACHE_MAX_N
        && ws
            .cache
            .try_reserve_exact(n * n.saturating_sub(1) / 2)
            .is_ok();
    if use_cache {
        for j in 0..n {
            ws.cache.extend(gram.col(j).iter().skip(j + 1));
        }
    }
    let cache = use_cache.then_some(&ws.cache);
    let chol = Cholesky::factor_owned(gram, &|| gram_lower(kernel, x, noise))?;
    let mut alpha = Mat::from_fn(n, 1, |i, _| y[i]);
    chol.solve(&mut alpha);
    let fit: f64 = (0..n).map(|i| y[i] * alpha[(i, 0)]).sum();
    let lml = -0.5 * fit - 0.5 * chol.log_det() - 0.5 * n as f64 * (2.0 * PI).ln();
    let jitter = chol.jitter;
    if !grad {
        ws.factor = Some(chol.l);
        return Ok((lml, None, jitter));
    }
    let alpha: Vec<f64> = (0..n).map(|i| alpha[(i, 0)]).collect();
    // K⁻¹'s lower triangle in the factor's storage (two n × n matrices at most).
    let mut l_inv = take(&mut ws.l_inv, n)?;
    let kinv = chol.into_inverse_lower(&mut l_inv);
    ws.l_inv = Some(l_inv);
    let p = kernel.n_params();
    // Offset of column j's below-diagonal part in the packed cache.
    let offset = |j: usize| j * (2 * n - j - 1) / 2;
    // Σ_ij W_ij ∂K_ij/∂θ with W = α αᵀ − K⁻¹, over the lower triangle column by column
    // (contiguous in K⁻¹), off-diagonal entries counted twice; column sums in parallel,
    // added in column order (independent of the thread count).
    // SE or Matérn with cached values: vectorised column sums.
    let fast = prepared
        .columns()
        .filter(|_| cache.is_some())
        .map(|st| (st, ByDim::new(&x.data, x.dim)));
    let cols: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|j| {
            let mut acc = vec![0.0; p];
            let mut g = vec![0.0; p];
            let (xj, aj) = (x.row(j), alpha[j]);
            let kc = kinv.col(j);
            let cached = cache.as_ref().map(|c| &c[offset(j)..offset(j + 1)]);
            if let (Some((st, xd)), Some(c)) = (&fast, cached) {
                // The diagonal term, then the column below it in vector sweeps.
                prepared.eval_grad(xj, xj, &mut g);
                let w = alpha[j] * aj - kc[j];
                acc.iter_mut().zip(&g).for_each(|(a, g)| *a += w * g);
                let w: Vec<f64> = (j + 1..n).map(|i| 2.0 * (alpha[i] * aj - kc[i])).collect();
                let mut h = vec![0.0; n - j - 1];
                weighted_grad(*st, xd, j + 1, xj, c, &w, &mut h, &mut acc);
                return acc;
            }
            for i in j..n {
                match cached {
                    Some(c) if i > j => {
                        prepared.grad_from_value(c[i - j - 1], x.row(i), xj, &mut g)
                    }
                    _ => {
                        prepared.eval_grad(x.row(i), xj, &mut g);
                    }
                }
                let w = alpha[i] * aj - kc[i];
                let wij = if i == j { w } else { 2.0 * w };
                acc.iter_mut().zip(&g).for_each(|(a, g)| *a += wij * g);
            }
            acc
        })
        .collect();
    let mut out = vec![0.0; p + 1];
    for c in &cols {
        out.iter_mut().zip(c).for_each(|(o, v)| *o += 0.5 * v);
    }
    out[p] = 0.5
        * noise
        * (0..n)
            .map(|i| alpha[i] * alpha[i] - kinv[(i, i)])
            .sum::<f64>();
    Ok((lml, Some(out), jitter))
}

/// The Cholesky factor of k(X, X) + σ_n² I, built and factored in one n × n buffer.
fn factor_gram(kernel: &Kernel, x: &Points, noise: f64) -> Result<Cholesky> {
    Cholesky::factor_owned(gram_lower(kernel, x, noise)?, &|| {
        gram_lower(kernel, x, noise)
    })
}

/// A GP conditioned on training data (standardised units): the factor and α.
#[derive(Debug, Clone)]
pub struct Posterior {
    /// The kernel (with its fitted parameters).
    pub kernel: Kernel,
    /// Noise variance σ_n².
    pub noise: f64,
    /// Training inputs.
    pub x: Points,
    /// Cholesky factor of K + σ_n² I.
    pub chol: Cholesky,
    /// α = (K + σ_n² I)⁻¹ y.
    pub alpha: Mat<f64>,
}

impl Posterior {
    /// Conditions on `(x, y)`.
    pub fn new(kernel: Kernel, noise: f64, x: Points, y: &[f64]) -> Result<Self> {
        let chol = factor_gram(&kernel, &x, noise)?;
        let mut alpha = Mat::from_fn(y.len(), 1, |i, _| y[i]);
        chol.solve(&mut alpha);
        Ok(Self {
            kernel,
            noise,
            x,
            chol,
            alpha,
        })
    }

    /// ln p(y | X, θ) from the factor and α, with `y` the targets conditioned on: the same
    /// arithmetic as [`log_marginal_likelihood`] without a gradient.
    pub(crate) fn log_marginal_likelihood(&self, y: &[f64]) -> f64 {
        let n = y.len();
        let fit: f64 = (0..n).map(|i| y[i] * self.alpha[(i, 0)]).sum();
        -0.5 * fit - 0.5 * self.chol.log_det() - 0.5 * n as f64 * (2.0 * PI).ln()
    }

    /// Mean and variance (of the latent f, without noise; clamped ≥ 0) at every point,
    /// computed in blocks of points so that the n × block cross-kernel matrix stays
    /// within [`CROSS_BLOCK_CELLS`] cells whatever the number of points.
    pub fn mean_var(&self, xs: &Points) -> Result<(Vec<f64>, Vec<f64>)> {
        crate::limits::products::prepare()?;
        let n = self.x.len();
        let block = (CROSS_BLOCK_CELLS / n.max(1)).max(MIN_CROSS_BLOCK);
        let what = "the predicted means and variances";
        let mut mean = crate::limits::alloc::try_vec(xs.len(), 0.0, what)?;
        let mut var = crate::limits::alloc::try_vec(xs.len(), 0.0, what)?;
        for start in (0..xs.len()).step_by(block) {
            let end = (start + block).min(xs.len());
            let part = Points {
                data: xs.data[start * xs.dim..end * xs.dim].to_vec(),
                dim: xs.dim,
            };
            let mut v = cross_matrix(&self.kernel, &self.x, &part)?;
            for (j, m) in mean[start..end].iter_mut().enumerate() {
                *m = (0..n).map(|i| v[(i, j)] * self.alpha[(i, 0)]).sum();
            }
            self.chol.solve_lower(&mut v);
            for (j, s) in var[start..end].iter_mut().enumerate() {
                let prior = self.kernel.eval(part.row(j), part.row(j));
                let explained: f64 = v.col(j).iter().map(|a| a * a).sum();
                *s = (prior - explained).max(0.0);
            }
        }
        Ok((mean, var))
    }

    /// The full posterior covariance of f at `xs` (symmetric; not clamped: use
    /// [`mean_var`](Self::mean_var) for variances).
    ///
    /// Refused beyond the memory limit (n × m and three m × m matrices for m points).
    pub fn covariance(&self, xs: &Points) -> Result<Mat<f64>> {
        let (n, m) = (self.x.len() as f64, xs.len() as f64);
        crate::limits::check_memory(
            &format!("the posterior covariance of {m} points"),
            (n * m + 3.0 * m * m) * 8.0,
        )?;
        crate::limits::products::prepare()?;
        let mut v = cross_matrix(&self.kernel, &self.x, xs)?;
        self.chol.solve_lower(&mut v);
        let mut out = gram_matrix(&self.kernel, xs, 0.0)?;
        let mut vtv = try_mat(xs.len(), xs.len(), "the posterior covariance")?;
        faer::linalg::matmul::matmul(
            vtv.as_mut(),
            faer::Accum::Replace,
            v.transpose(),
            &v,
            1.0,
            // What `v.transpose() * &v` uses (the same bits as before this was fallible).
            faer::get_global_parallelism(),
        );
        out -= &vtv;
        Ok(out)
    }
}
