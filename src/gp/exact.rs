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
use super::linalg::{Cholesky, Points, cross_matrix, gram_matrix};
use super::prepared::Prepared;
use crate::error::Result;
use faer::Mat;
use rayon::prelude::*;
use std::f64::consts::PI;

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
    let chol = Cholesky::new(gram_matrix(kernel, x, noise).as_ref())?;
    let mut alpha = Mat::from_fn(n, 1, |i, _| y[i]);
    chol.solve(&mut alpha);
    let fit: f64 = (0..n).map(|i| y[i] * alpha[(i, 0)]).sum();
    let lml = -0.5 * fit - 0.5 * chol.log_det() - 0.5 * n as f64 * (2.0 * PI).ln();
    if !grad {
        return Ok((lml, None, chol.jitter));
    }
    let kinv = chol.inverse();
    let p = kernel.n_params();
    let prepared = Prepared::new(kernel);
    let w = |i: usize, j: usize| alpha[(i, 0)] * alpha[(j, 0)] - kinv[(i, j)];
    // Σ_ij W_ij ∂K_ij/∂θ over the lower triangle, off-diagonal entries counted twice;
    // row sums in parallel, added in row order (independent of the thread count).
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut acc = vec![0.0; p];
            let mut g = vec![0.0; p];
            for j in 0..=i {
                prepared.eval_grad(x.row(i), x.row(j), &mut g);
                let wij = if i == j { w(i, j) } else { 2.0 * w(i, j) };
                acc.iter_mut().zip(&g).for_each(|(a, g)| *a += wij * g);
            }
            acc
        })
        .collect();
    let mut out = vec![0.0; p + 1];
    for r in &rows {
        out.iter_mut().zip(r).for_each(|(o, v)| *o += 0.5 * v);
    }
    out[p] = 0.5 * noise * (0..n).map(|i| w(i, i)).sum::<f64>();
    Ok((lml, Some(out), chol.jitter))
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
        let chol = Cholesky::new(gram_matrix(&kernel, &x, noise).as_ref())?;
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
