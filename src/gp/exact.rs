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

use super::kernel::Kernel;
use super::linalg::{Cholesky, Points, cross_matrix, gram_lower, gram_matrix};
use super::prepared::Prepared;
use crate::error::Result;
use faer::Mat;
use rayon::prelude::*;
use std::f64::consts::PI;

/// Largest n for which the likelihood gradient keeps the kernel values below the diagonal
/// (n(n−1)/2 numbers: 144 MB at 6000) instead of evaluating the kernel again; above it,
/// memory goes first (an n = 10 000 fit holds two n × n matrices at most).
const GRAD_CACHE_MAX_N: usize = 6000;

/// The log marginal likelihood and, when `grad` is set, its gradient with respect to the
/// kernel's log-parameters followed by ln σ_n². Also returns the jitter that was needed.
pub fn log_marginal_likelihood(
    kernel: &Kernel,
    log_noise: f64,
    x: &Points,
    y: &[f64],
    grad: bool,
) -> Result<(f64, Option<Vec<f64>>, f64)> {
    let n = x.len();
    let noise = log_noise.exp();
    let prepared = Prepared::new(kernel);
    let gram = gram_lower(kernel, x, noise);
    // Below the diagonal, the kernel values again for the gradient of a single SE/Matérn
    // leaf (no `exp` there a second time), packed by columns, when small enough.
    let cache = (grad && prepared.is_stationary() && n <= GRAD_CACHE_MAX_N).then(|| {
        let mut c = Vec::with_capacity(n * n.saturating_sub(1) / 2);
        for j in 0..n {
            c.extend(gram.col(j).iter().skip(j + 1));
        }
        c
    });
    let chol = Cholesky::factor_owned(gram, &|| gram_lower(kernel, x, noise))?;
    let mut alpha = Mat::from_fn(n, 1, |i, _| y[i]);
    chol.solve(&mut alpha);
    let fit: f64 = (0..n).map(|i| y[i] * alpha[(i, 0)]).sum();
    let lml = -0.5 * fit - 0.5 * chol.log_det() - 0.5 * n as f64 * (2.0 * PI).ln();
    let jitter = chol.jitter;
    if !grad {
        return Ok((lml, None, jitter));
    }
    let alpha: Vec<f64> = (0..n).map(|i| alpha[(i, 0)]).collect();
    // K⁻¹'s lower triangle in the factor's storage (two n × n matrices at most).
    let kinv = chol.into_inverse_lower();
    let p = kernel.n_params();
    // Offset of column j's below-diagonal part in the packed cache.
    let offset = |j: usize| j * (2 * n - j - 1) / 2;
    // Σ_ij W_ij ∂K_ij/∂θ with W = α αᵀ − K⁻¹, over the lower triangle column by column
    // (contiguous in K⁻¹), off-diagonal entries counted twice; column sums in parallel,
    // added in column order (independent of the thread count).
    let cols: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|j| {
            let mut acc = vec![0.0; p];
            let mut g = vec![0.0; p];
            let (xj, aj) = (x.row(j), alpha[j]);
            let kc = kinv.col(j);
            let cached = cache.as_ref().map(|c| &c[offset(j)..offset(j + 1)]);
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
    Cholesky::factor_owned(gram_lower(kernel, x, noise), &|| {
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

    /// Mean and variance (of the latent f, without noise; clamped ≥ 0) at every point.
    pub fn mean_var(&self, xs: &Points) -> (Vec<f64>, Vec<f64>) {
        let mut v = cross_matrix(&self.kernel, &self.x, xs);
        let mean = (0..xs.len())
            .map(|j| {
                (0..self.x.len())
                    .map(|i| v[(i, j)] * self.alpha[(i, 0)])
                    .sum()
            })
            .collect();
        self.chol.solve_lower(&mut v);
        let var = (0..xs.len())
            .map(|j| {
                let prior = self.kernel.eval(xs.row(j), xs.row(j));
                let explained: f64 = v.col(j).iter().map(|a| a * a).sum();
                (prior - explained).max(0.0)
            })
            .collect();
        (mean, var)
    }

    /// The full posterior covariance of f at `xs` (symmetric; not clamped: use
    /// [`mean_var`](Self::mean_var) for variances).
    pub fn covariance(&self, xs: &Points) -> Mat<f64> {
        let mut v = cross_matrix(&self.kernel, &self.x, xs);
        self.chol.solve_lower(&mut v);
        let prior = gram_matrix(&self.kernel, xs, 0.0);
        let vtv = v.transpose() * &v;
        Mat::from_fn(xs.len(), xs.len(), |i, j| prior[(i, j)] - vtv[(i, j)])
    }
}
