//! Exact Bayesian linear regression Thompson sampling ("LinFullPost" of Riquelme et al.,
//! ICLR 2018, §3; reference `LinearFullPosteriorSampling`): per arm, the reward is
//! `βᵀ[x, 1] + ε`, ε ~ N(0, σ²), with the conjugate prior σ² ~ InvGamma(a₀, b₀),
//! β | σ² ~ N(0, σ²/λ I). The posterior after n pulls with design X (rows [x, 1]) and
//! rewards y is
//!
//! * precision `P = XᵀX + λI`, mean `μ = P⁻¹ Xᵀy`,
//! * `a = a₀ + n/2`, `b = b₀ + ½ (yᵀy − μᵀPμ)`,
//!
//! and a decision samples σ² ~ InvGamma(a, b), then β ~ N(μ, σ² P⁻¹) for every arm and
//! pulls the arm with the largest `βᵀ[x, 1]`. The first `k × initial_pulls` decisions go
//! round robin, as in the reference.

use super::{Policy, check_arms, check_context, check_pull};
use crate::error::{Error, Result};
use crate::rng::{Purpose, Xoshiro256PlusPlus, stream_of};
use rand::Rng;
use rand_distr::{Distribution, Gamma, StandardNormal};

/// Prior and schedule of [`LinearTs`] (defaults: the paper's a₀ = b₀ = 6, λ = 0.25,
/// two round-robin pulls per arm).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LinearTsConfig {
    /// Shape a₀ of the inverse-gamma prior on σ².
    pub a0: f64,
    /// Scale b₀ of the inverse-gamma prior on σ².
    pub b0: f64,
    /// Prior precision λ of β (in units of 1/σ²).
    pub lambda: f64,
    /// Round-robin pulls per arm before sampling.
    pub initial_pulls: usize,
}

impl Default for LinearTsConfig {
    fn default() -> Self {
        Self {
            a0: 6.0,
            b0: 6.0,
            lambda: 0.25,
            initial_pulls: 2,
        }
    }
}

/// Sufficient statistics of one arm.
#[derive(Debug, Clone)]
struct ArmStats {
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
    n: usize,
}

/// A sample-ready posterior: mean, Cholesky factor of the precision, a and b.
#[derive(Debug, Clone)]
struct Posterior {
    mu: Vec<f64>,
    chol: Vec<f64>,
    a: f64,
    b: f64,
}

/// Linear Thompson sampling with a Normal-inverse-gamma posterior per arm.
#[derive(Debug, Clone)]
pub struct LinearTs {
    cfg: LinearTsConfig,
    d: usize,
    arms: Vec<ArmStats>,
    post: Vec<Posterior>,
    rng: Xoshiro256PlusPlus,
}

impl LinearTs {
    /// A policy for `d`-dimensional contexts and `k` arms, seeded by `seed`.
    pub fn new(d: usize, k: usize, cfg: LinearTsConfig, seed: u64) -> Result<Self> {
        check_arms(k)?;
        for (name, v) in [("a0", cfg.a0), ("b0", cfg.b0), ("lambda", cfg.lambda)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::InvalidParameter {
                    name: name.into(),
                    reason: format!("must be a positive finite number, got {v}"),
                });
            }
        }
        let p = d + 1;
        let stats = ArmStats {
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            yty: 0.0,
            n: 0,
        };
        let mut policy = Self {
            d,
            arms: vec![stats; k],
            post: Vec::with_capacity(k),
            rng: stream_of(seed, Purpose::Split, 0xBA_u64, 2),
            cfg,
        };
        for a in 0..k {
            let post = policy.posterior(a)?;
            policy.post.push(post);
        }
        Ok(policy)
    }

    fn posterior(&self, arm: usize) -> Result<Posterior> {
        let s = &self.arms[arm];
        let p = self.d + 1;
        let mut prec = s.xtx.clone();
        for i in 0..p {
            prec[i * p + i] += self.cfg.lambda;
        }
        let chol = cholesky(&prec, p)?;
        let mu = chol_solve(&chol, p, &s.xty);
        let quad: f64 = (0..p)
            .map(|i| mu[i] * (0..p).map(|j| prec[i * p + j] * mu[j]).sum::<f64>())
            .sum();
        Ok(Posterior {
            mu,
            chol,
            a: self.cfg.a0 + s.n as f64 / 2.0,
            b: self.cfg.b0 + 0.5 * (s.yty - quad).max(0.0),
        })
    }

    /// The posterior mean of arm `arm`'s coefficients (the intercept last).
    pub fn posterior_mean(&self, arm: usize) -> Option<&[f64]> {
        self.post.get(arm).map(|p| p.mu.as_slice())
    }

    /// The inverse-gamma parameters (a, b) of arm `arm`'s noise variance.
    pub fn noise_posterior(&self, arm: usize) -> Option<(f64, f64)> {
        self.post.get(arm).map(|p| (p.a, p.b))
    }

    /// One Thompson draw of every arm's expected reward at `x`.
    pub fn sample_values(&mut self, x: &[f64]) -> Result<Vec<f64>> {
        check_context(x, self.d)?;
        let p = self.d + 1;
        let mut z = vec![0.0; p];
        let mut values = Vec::with_capacity(self.post.len());
        for post in &self.post {
            let g = Gamma::new(post.a, 1.0).map_err(|e| Error::InvalidParameter {
                name: "inverse-gamma shape".into(),
                reason: e.to_string(),
            })?;
            let sigma2 = post.b / g.sample(&mut self.rng);
            z.iter_mut()
                .for_each(|v| *v = self.rng.sample::<f64, _>(StandardNormal));
            // β = μ + σ L⁻ᵀ z has covariance σ² (L Lᵀ)⁻¹ = σ² P⁻¹.
            let w = back_substitute(&post.chol, p, &z);
            let sigma = sigma2.sqrt();
            let beta = (0..p).map(|i| post.mu[i] + sigma * w[i]);
            let xs = x.iter().copied().chain(std::iter::once(1.0));
            values.push(beta.zip(xs).map(|(b, v)| b * v).sum());
        }
        Ok(values)
    }
}

impl Policy for LinearTs {
    fn name(&self) -> &str {
        "linear-ts"
    }

    fn choose(&mut self, t: usize, x: &[f64]) -> Result<usize> {
        let k = self.arms.len();
        if t < k * self.cfg.initial_pulls {
            return Ok(t % k);
        }
        Ok(super::argmax(&self.sample_values(x)?))
    }

    fn update(&mut self, _t: usize, x: &[f64], arm: usize, reward: f64) -> Result<()> {
        check_context(x, self.d)?;
        check_pull(arm, self.arms.len(), reward)?;
        let p = self.d + 1;
        let xs: Vec<f64> = x.iter().copied().chain(std::iter::once(1.0)).collect();
        let s = &mut self.arms[arm];
        for i in 0..p {
            for j in 0..p {
                s.xtx[i * p + j] += xs[i] * xs[j];
            }
            s.xty[i] += xs[i] * reward;
        }
        s.yty += reward * reward;
        s.n += 1;
        self.post[arm] = self.posterior(arm)?;
        Ok(())
    }
}

/// Lower Cholesky factor of the symmetric positive definite `p × p` matrix `a`.
fn cholesky(a: &[f64], p: usize) -> Result<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
            if i == j {
                let v = a[i * p + i] - s;
                if !(v > 0.0 && v.is_finite()) {
                    return Err(Error::NotPositiveDefinite {
                        pivot: i,
                        jitter: 0.0,
                    });
                }
                l[i * p + i] = v.sqrt();
            } else {
                l[i * p + j] = (a[i * p + j] - s) / l[j * p + j];
            }
        }
    }
    Ok(l)
}

/// Solves `L Lᵀ x = b`.
fn chol_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        let s: f64 = (0..i).map(|k| l[i * p + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * p + i];
    }
    back_substitute(l, p, &y)
}

/// Solves `Lᵀ x = y`.
fn back_substitute(l: &[f64], p: usize, y: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| l[k * p + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * p + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Posterior against the closed form for one arm and d = 1: with rows [x, 1] the
    /// precision, mean and b follow from the 2 × 2 normal equations (solved by hand
    /// here); tolerance: rounding of a 2 × 2 solve (≲ 1e-12).
    #[test]
    fn posterior_matches_the_normal_equations() {
        let mut p = LinearTs::new(1, 1, LinearTsConfig::default(), 0).unwrap();
        let data = [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)];
        for (t, (x, y)) in data.iter().enumerate() {
            p.update(t, &[*x], 0, *y).unwrap();
        }
        // XᵀX = [[5, 3], [3, 3]], Xᵀy = [13, 9], P = XᵀX + 0.25 I.
        let (a, b, c, d) = (5.25, 3.0, 3.0, 3.25);
        let det = a * d - b * c;
        let mu = [(d * 13.0 - b * 9.0) / det, (-c * 13.0 + a * 9.0) / det];
        let got = p.posterior_mean(0).unwrap();
        assert!((got[0] - mu[0]).abs() < 1e-12 && (got[1] - mu[1]).abs() < 1e-12);
        let quad = mu[0] * (a * mu[0] + b * mu[1]) + mu[1] * (c * mu[0] + d * mu[1]);
        let (pa, pb) = p.noise_posterior(0).unwrap();
        assert_eq!(pa, 6.0 + 1.5);
        assert!((pb - (6.0 + 0.5 * (35.0 - quad))).abs() < 1e-12);
    }
}
