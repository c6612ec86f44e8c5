//! Regression metrics: RMSE, the MC test log-likelihood (DESIGN §3) and the moment-matched
//! Gaussian log-likelihood; proper scores and calibration of intervals in [`scores`].

pub mod scores;

use std::f64::consts::PI;

/// Root mean squared error between predictions and targets.
///
/// ```
/// assert_eq!(mcdropout::metrics::rmse(&[1.0, 3.0], &[1.0, 1.0]), 2f64.sqrt());
/// ```
pub fn rmse(pred: &[f64], y: &[f64]) -> f64 {
    let n = pred.len().min(y.len());
    if n == 0 {
        return f64::NAN;
    }
    let s: f64 = pred.iter().zip(y).map(|(p, t)| (p - t) * (p - t)).sum();
    (s / n as f64).sqrt()
}

/// The MC dropout test log-likelihood of one point (DESIGN §3), with `samples` the T
/// de-standardised outputs ŷ_t and τ in original units:
///
/// `ll = logsumexp_t(−τ/2 (y − ŷ_t)²) − log T − ½ log 2π + ½ log τ`,
///
/// evaluated in f64 with the maximum subtracted before exponentiating.
///
/// ```
/// use mcdropout::metrics::mc_log_likelihood;
/// // One sample equal to y: the Gaussian density's log at its mode.
/// let ll = mc_log_likelihood(&[2.0], 2.0, 4.0);
/// assert!((ll - (-0.5 * (2.0 * std::f64::consts::PI).ln() + 0.5 * 4f64.ln())).abs() < 1e-15);
/// ```
pub fn mc_log_likelihood(samples: &[f64], y: f64, tau: f64) -> f64 {
    let t = samples.len() as f64;
    let max = crate::nn::reductions::gauss_exponent_max(samples, y, tau);
    // Vectorised exponentials, eight partial sums (`tests/vmath.rs`: within 1e-12 of the
    // libm sum; issue 11, item 2).
    let sum = crate::nn::reductions::gauss_exp_sum(samples, y, tau, max);
    max + sum.ln() - t.ln() - 0.5 * (2.0 * PI).ln() + 0.5 * tau.ln()
}

/// Log-density of `y` under the moment-matched Gaussian N(mean, var) (a second estimator of
/// the test log-likelihood, using the predictive mean and total variance).
pub fn gaussian_log_likelihood(y: f64, mean: f64, var: f64) -> f64 {
    -0.5 * (2.0 * PI * var).ln() - 0.5 * (y - mean) * (y - mean) / var
}

/// Mean and population variance (ddof 0) of `v`, computed in two passes (each sum in
/// eight partial sums, [`crate::nn::reductions`]).
pub fn mean_var(v: &[f64]) -> (f64, f64) {
    use crate::nn::reductions::{squared_deviations, sum};
    let n = v.len() as f64;
    let mean = sum(v) / n;
    let var = squared_deviations(v, mean) / n;
    (mean, var)
}

/// Fraction of targets inside `[lower, upper]`.
pub fn coverage(y: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    let inside = y
        .iter()
        .zip(lower.iter().zip(upper))
        .filter(|(y, (l, u))| **l <= **y && **y <= **u)
        .count();
    inside as f64 / y.len().max(1) as f64
}

/// The standard-normal quantile Φ⁻¹(p), for central intervals.
pub fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a direct f64 evaluation of log((1/T) Σ_t N(y; ŷ_t, 1/τ)) on inputs where the
    /// direct form does not under- or overflow; tolerance: float rounding (1e-13 relative).
    #[test]
    fn log_likelihood_matches_direct_evaluation() {
        let cases: &[(&[f64], f64, f64)] = &[
            (&[1.0, 2.0, 3.5], 2.2, 0.7),
            (&[-0.3, 0.1], 0.0, 5.0),
            (&[10.0, 10.5, 9.0, 11.0, 10.2], 10.1, 0.2),
        ];
        for &(s, y, tau) in cases {
            let direct = (s
                .iter()
                .map(|&m| (tau / (2.0 * PI)).sqrt() * (-0.5 * tau * (y - m) * (y - m)).exp())
                .sum::<f64>()
                / s.len() as f64)
                .ln();
            let ll = mc_log_likelihood(s, y, tau);
            assert!(
                (ll - direct).abs() < 1e-13 * direct.abs().max(1.0),
                "{ll} vs {direct}"
            );
        }
    }

    /// Far from every sample the direct form underflows to −inf; the stable form must stay
    /// finite and equal the analytic value for identical samples.
    #[test]
    fn log_likelihood_is_stable_far_away() {
        let ll = mc_log_likelihood(&[0.0, 0.0], 1000.0, 10.0);
        let exact = -0.5 * 10.0 * 1e6 - 0.5 * (2.0 * PI).ln() + 0.5 * 10f64.ln();
        assert!((ll - exact).abs() < 1e-9 * exact.abs());
    }

    #[test]
    fn gaussian_ll_and_quantile() {
        assert!((gaussian_log_likelihood(0.0, 0.0, 1.0) + 0.5 * (2.0 * PI).ln()).abs() < 1e-15);
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-9);
        assert_eq!(coverage(&[0.0, 2.0], &[-1.0, -1.0], &[1.0, 1.0]), 0.5);
        let (m, v) = mean_var(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((m, v), (2.5, 1.25));
    }
}
