//! Moments and log-density of an equal-weight mixture of Gaussians, accumulated one
//! component at a time and merged across ensemble members (each member weighs 1/M, each
//! of its T components 1/(M T)). The log-density is a streaming log-sum-exp in f64.

use std::f64::consts::PI;

/// The running summary of one row's mixture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Number of members merged (1 while accumulating one member's components).
    members: f64,
    /// Components pushed (within a member).
    count: f64,
    /// Mean of the component means.
    mean: f64,
    /// Sum of squared deviations of the component means (Welford), later M × variance.
    m2: f64,
    /// Mean of the component variances.
    alea: f64,
    /// Log-sum-exp state: the largest log-density so far and Σ exp(ℓ − max).
    lmax: f64,
    lsum: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Self {
            members: 1.0,
            count: 0.0,
            mean: 0.0,
            m2: 0.0,
            alea: 0.0,
            lmax: f64::NEG_INFINITY,
            lsum: 0.0,
        }
    }
}

/// log N(y; μ, σ²).
pub fn log_normal(y: f64, mu: f64, var: f64) -> f64 {
    -0.5 * (2.0 * PI * var).ln() - 0.5 * (y - mu) * (y - mu) / var
}

impl Moments {
    /// Adds the component N(mu, var) (and, with a target, its log-density at `y`).
    pub fn push(&mut self, mu: f64, var: f64, y: Option<f64>) {
        self.count += 1.0;
        let d = mu - self.mean;
        self.mean += d / self.count;
        self.m2 += d * (mu - self.mean);
        self.alea += (var - self.alea) / self.count;
        if let Some(y) = y {
            self.add_log(log_normal(y, mu, var));
        }
    }

    fn add_log(&mut self, l: f64) {
        if l > self.lmax {
            self.lsum = self.lsum * (self.lmax - l).exp() + 1.0;
            self.lmax = l;
        } else {
            self.lsum += (l - self.lmax).exp();
        }
    }

    /// Merges two members' mixtures with equal weight per member (the member counts are
    /// the weights, so merging one at a time gives 1/M each).
    pub fn merge(self, o: Self) -> Self {
        let (wa, wb) = (self.members, o.members);
        let w = wa + wb;
        let d = o.mean - self.mean;
        // Per-member log mean-density: log(lsum / count) + lmax, then weighted.
        let la = self.log_density() + wa.ln();
        let lb = o.log_density() + wb.ln();
        let hi = la.max(lb);
        let lse = if hi == f64::NEG_INFINITY || hi.is_nan() {
            f64::NAN
        } else {
            hi + ((la - hi).exp() + (lb - hi).exp()).ln()
        };
        Self {
            members: w,
            count: 1.0,
            mean: self.mean + d * wb / w,
            // Total variance of means: within (each member's) + between.
            m2: self.epistemic() * wa + o.epistemic() * wb + d * d * wa * wb / w,
            alea: (self.alea * wa + o.alea * wb) / w,
            lmax: lse - w.ln(),
            lsum: 1.0,
        }
    }

    /// The mixture mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The variance of the component means (ddof 0).
    pub fn epistemic(&self) -> f64 {
        if self.members > 1.0 {
            self.m2 / self.members
        } else {
            self.m2 / self.count.max(1.0)
        }
    }

    /// The mean of the component variances.
    pub fn aleatoric(&self) -> f64 {
        self.alea
    }

    /// The log of the mixture density at the target.
    pub fn log_density(&self) -> f64 {
        self.lmax + (self.lsum / self.count.max(1.0)).ln()
    }
}
