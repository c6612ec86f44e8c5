//! Target transforms for skewed positive targets (issue 23, item 3; DESIGN §11): the
//! network models z = g(y) and every reported figure is mapped back to the original units
//! of y.
//!
//! With T Monte-Carlo passes whose de-standardised outputs are μ_1..μ_T (z units) and the
//! noise variance s² = τ⁻¹ (z units), the predictive distribution of z is the mixture
//! (1/T) Σ_t N(μ_t, s²), and that of y = g⁻¹(z) the mixture of the back-transformed
//! components. For `log` each component is log-normal LN(μ_t, s²); for `log1p`, y + 1 is.
//!
//! * Mean: E[Y] = (1/T) Σ_t m_t with m_t = exp(μ_t + s²/2) (`log1p`: minus 1) — the mean of
//!   the back-transformed mixture, not g⁻¹ of the mean.
//! * Variance, by the law of total variance over the passes: the *aleatoric* part is the
//!   mean of the passes' log-normal variances, (1/T) Σ_t (e^{s²} − 1) m_t², the *epistemic*
//!   part the variance (ddof 0) of the pass means m_t; they add up to E[Y²] − E[Y]² with
//!   E[Y²] = (1/T) Σ_t exp(2 μ_t + 2 s²) (`log1p`: of Y + 1; a shift does not change it).
//! * Interval: g is increasing, so the central interval is taken in z units (as for an
//!   untransformed model, mean_z ± q std_z) and its ends are mapped through g⁻¹.
//! * Log-density: log p_Y(y) = log p_Z(g(y)) + log g'(y), with log g'(y) = −log y (`log`)
//!   or −log(1 + y) (`log1p`), so that it is comparable with an untransformed model's.
//! * A pass's sample in original units is g⁻¹(μ_t), the median of that pass's log-normal
//!   (not its mean); a predictive draw is g⁻¹(μ_t + ε), ε ~ N(0, s²).

use crate::error::{Error, Result};
use crate::metrics::{gaussian_log_likelihood, mc_log_likelihood, mean_var};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

/// The transform g applied to a regression target before training (z = g(y)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TargetTransform {
    /// No transform: z = y.
    #[default]
    None,
    /// z = log y; every target must be > 0.
    Log,
    /// z = log(1 + y); every target must be ≥ 0.
    Log1p,
}

/// Moments of the back-transformed predictive mixture of one row (original units).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PassMoments {
    /// Predictive mean E[Y].
    pub mean: f64,
    /// Variance of the pass means (the epistemic part).
    pub epistemic_var: f64,
    /// Mean of the passes' own variances (the aleatoric part).
    pub aleatoric_var: f64,
}

impl TargetTransform {
    /// The name used on the command line, in model files and in Python (`none`, `log`,
    /// `log1p`).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Log => "log",
            Self::Log1p => "log1p",
        }
    }

    /// Whether this is the identity (no transform).
    pub fn is_none(self) -> bool {
        self == Self::None
    }

    /// g(y).
    pub fn forward(self, y: f64) -> f64 {
        match self {
            Self::None => y,
            Self::Log => y.ln(),
            Self::Log1p => y.ln_1p(),
        }
    }

    /// g⁻¹(z).
    pub fn inverse(self, z: f64) -> f64 {
        match self {
            Self::None => z,
            Self::Log => z.exp(),
            Self::Log1p => z.exp_m1(),
        }
    }

    /// log g'(y), the term that turns a log-density of z = g(y) into one of y:
    /// 0, −log y, or −log(1 + y).
    pub fn log_jacobian(self, y: f64) -> f64 {
        match self {
            Self::None => 0.0,
            Self::Log => -y.ln(),
            Self::Log1p => -y.ln_1p(),
        }
    }

    /// The targets this transform accepts, as words (`"> 0"`, `"≥ 0"`, `"finite"`).
    pub fn requirement(self) -> &'static str {
        match self {
            Self::None => "finite",
            Self::Log => "> 0",
            Self::Log1p => "≥ 0",
        }
    }

    /// Whether `y` is in the transform's domain (NaN never is, for `log` and `log1p`).
    pub fn accepts(self, y: f64) -> bool {
        match self {
            Self::None => true,
            Self::Log => y > 0.0,
            Self::Log1p => y >= 0.0,
        }
    }

    /// Checks every target: fails with [`Error::TargetOutOfDomain`] naming `column` and
    /// the first row (1-based) whose value the transform does not accept.
    pub fn check_target(self, y: ArrayView1<f64>, column: &str) -> Result<()> {
        match y.iter().position(|&v| !self.accepts(v)) {
            None => Ok(()),
            Some(i) => Err(Error::TargetOutOfDomain {
                column: column.into(),
                row: i + 1,
                value: y[i],
                transform: self.name().into(),
                requirement: self.requirement().into(),
            }),
        }
    }

    /// The original-unit moments of one row's mixture (1/T) Σ_t N(μ_t, τ⁻¹) in z units
    /// (`mu` the T pass means), as the module documentation says. For no transform: the
    /// mean and variance (ddof 0) of `mu`, and τ⁻¹.
    pub fn pass_moments(self, mu: &[f64], tau: f64) -> PassMoments {
        let s2 = 1.0 / tau;
        if self.is_none() {
            let (mean, var) = mean_var(mu);
            return PassMoments {
                mean,
                epistemic_var: var,
                aleatoric_var: s2,
            };
        }
        // m_t = exp(μ_t + s²/2), each pass's log-normal mean; its variance is
        // (e^{s²} − 1) m_t².
        let m: Vec<f64> = mu.iter().map(|&u| (u + 0.5 * s2).exp()).collect();
        let (mean_m, var_m) = mean_var(&m);
        let mean_sq = m.iter().map(|v| v * v).sum::<f64>() / m.len().max(1) as f64;
        let shift = if self == Self::Log1p { 1.0 } else { 0.0 };
        PassMoments {
            mean: mean_m - shift,
            epistemic_var: var_m,
            aleatoric_var: s2.exp_m1() * mean_sq,
        }
    }

    /// The log-density of `y` (original units) under the mixture (1/T) Σ_t N(μ_t, τ⁻¹) of
    /// z = g(y), with the Jacobian: log p_Z(g(y)) + log g'(y). For no transform this is
    /// [`mc_log_likelihood`] itself. `y` outside the domain gives −∞.
    pub fn log_density(self, mu: &[f64], y: f64, tau: f64) -> f64 {
        if !self.accepts(y) {
            return f64::NEG_INFINITY;
        }
        mc_log_likelihood(mu, self.forward(y), tau) + self.log_jacobian(y)
    }

    /// The log-density of `y` under the moment-matched Gaussian in z units,
    /// N(g(y); mean_z, var_z), with the Jacobian (for `log`: a log-normal).
    pub fn gaussian_log_density(self, y: f64, mean_z: f64, var_z: f64) -> f64 {
        if !self.accepts(y) {
            return f64::NEG_INFINITY;
        }
        gaussian_log_likelihood(self.forward(y), mean_z, var_z) + self.log_jacobian(y)
    }

    /// The central interval `mean_z ± q std_z` of z, mapped through g⁻¹ (g is increasing,
    /// so the interval keeps its probability).
    pub fn interval(self, mean_z: f64, std_z: f64, q: f64) -> (f64, f64) {
        (
            self.inverse(mean_z - q * std_z),
            self.inverse(mean_z + q * std_z),
        )
    }
}

impl std::fmt::Display for TargetTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for TargetTransform {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(Self::None),
            "log" => Ok(Self::Log),
            "log1p" => Ok(Self::Log1p),
            _ => Err(Error::InvalidParameter {
                name: "target_transform".into(),
                reason: format!("{s:?} is not one of none, log, log1p"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Continuous, ContinuousCDF, LogNormal};
    use statrs::statistics::{Distribution, Median};
    use std::f64::consts::PI;

    /// Relative closeness.
    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    /// The log-normal pdf written out: 1 / (y s √(2π)) exp(−(ln y − μ)² / (2 s²)).
    fn lognormal_pdf(y: f64, mu: f64, s: f64) -> f64 {
        (-(y.ln() - mu).powi(2) / (2.0 * s * s)).exp() / (y * s * (2.0 * PI).sqrt())
    }

    // Tolerances of the closed-form checks: a handful of f64 operations (exp, ln, a few
    // products), each within an ulp or two: 1e-13 relative covers them with room; the
    // quantiles go through statrs' erfc_inv on one side and Φ⁻¹ (statrs' Normal) on the
    // other, both accurate to about 1e-15 relative in z, so 1e-12 relative in y.

    /// Its logarithm, written out: −ln(y s √(2π)) − (ln y − μ)² / (2 s²).
    fn lognormal_ln_pdf(y: f64, mu: f64, s: f64) -> f64 {
        -(y * s * (2.0 * PI).sqrt()).ln() - (y.ln() - mu).powi(2) / (2.0 * s * s)
    }

    #[test]
    fn single_pass_log_is_log_normal() {
        for &(mu, s) in &[(0.3, 0.5), (-1.2, 0.1), (2.0, 1.3)] {
            let tau = 1.0 / (s * s);
            let ln = LogNormal::new(mu, s).unwrap();
            let m = TargetTransform::Log.pass_moments(&[mu], tau);
            let mean = (mu + s * s / 2.0).exp();
            let var = ((s * s).exp() - 1.0) * (2.0 * mu + s * s).exp();
            assert!(close(m.mean, mean, 1e-13), "{} {mean}", m.mean);
            assert!(close(m.mean, ln.mean().unwrap(), 1e-13));
            assert_eq!(m.epistemic_var, 0.0, "one pass has no spread");
            assert!(
                close(m.aleatoric_var, var, 1e-13),
                "{} {var}",
                m.aleatoric_var
            );
            assert!(close(m.aleatoric_var, ln.variance().unwrap(), 1e-13));
            // The sample of one pass in original units is its median.
            assert!(close(TargetTransform::Log.inverse(mu), ln.median(), 1e-15));
            // Central intervals: exp(μ ± q s) are the log-normal's quantiles.
            for &level in &[0.5, 0.9, 0.95] {
                let q = crate::metrics::normal_quantile(0.5 + level / 2.0);
                let (lo, hi) = TargetTransform::Log.interval(mu, s, q);
                assert!(close(lo, (mu - q * s).exp(), 1e-15));
                assert!(close(lo, ln.inverse_cdf(0.5 - level / 2.0), 1e-12), "{lo}");
                assert!(close(hi, ln.inverse_cdf(0.5 + level / 2.0), 1e-12), "{hi}");
            }
            for &y in &[0.05, 0.7, 1.0, 3.5, 20.0] {
                let ll = TargetTransform::Log.log_density(&[mu], y, tau);
                let direct = lognormal_ln_pdf(y, mu, s);
                assert!(
                    (ll - direct).abs() < 1e-12 * direct.abs().max(1.0),
                    "{ll} {direct}"
                );
                assert!((ll - ln.ln_pdf(y)).abs() < 1e-12 * direct.abs().max(1.0));
                let g = TargetTransform::Log.gaussian_log_density(y, mu, s * s);
                assert!((g - direct).abs() < 1e-12 * direct.abs().max(1.0));
            }
        }
    }

    #[test]
    fn single_pass_log1p_is_shifted_log_normal() {
        let (mu, s) = (0.8, 0.4);
        let tau = 1.0 / (s * s);
        let ln = LogNormal::new(mu, s).unwrap();
        let t = TargetTransform::Log1p;
        let m = t.pass_moments(&[mu], tau);
        assert!(close(m.mean, (mu + s * s / 2.0).exp() - 1.0, 1e-13));
        assert!(close(m.aleatoric_var, ln.variance().unwrap(), 1e-13));
        assert!(close(t.inverse(mu), ln.median() - 1.0, 1e-14));
        for &y in &[0.0, 0.3, 2.0, 9.0] {
            let want = lognormal_ln_pdf(1.0 + y, mu, s);
            let ll = t.log_density(&[mu], y, tau);
            assert!(
                (ll - want).abs() < 1e-12 * want.abs().max(1.0),
                "{ll} {want}"
            );
        }
    }

    #[test]
    fn no_transform_is_the_mc_log_likelihood() {
        let mu = [0.1, -0.4, 2.0];
        let t = TargetTransform::None;
        assert_eq!(
            t.log_density(&mu, 0.3, 2.5),
            mc_log_likelihood(&mu, 0.3, 2.5)
        );
        let m = t.pass_moments(&mu, 2.5);
        assert_eq!((m.mean, m.epistemic_var), mean_var(&mu));
        assert_eq!(m.aleatoric_var, 1.0 / 2.5);
    }

    /// Trapezoid rule of `f` on `[a, b]` with `n` intervals.
    fn trapezoid(f: &dyn Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
        let h = (b - a) / n as f64;
        let inner: f64 = (1..n).map(|i| f(a + i as f64 * h)).sum();
        h * (0.5 * (f(a) + f(b)) + inner)
    }

    /// Integrates with n and 2n intervals; returns the finer value and a bound on its
    /// error: the trapezoid rule is second order, so the error of the finer value is about
    /// |I_n − I_2n| / 3; four times the difference (plus the float rounding of the sum,
    /// 1e-13 relative) is the stated tolerance.
    fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, n: usize) -> (f64, f64) {
        let coarse = trapezoid(f, a, b, n);
        let fine = trapezoid(f, a, b, 2 * n);
        (fine, 4.0 * (fine - coarse).abs() + 1e-13 * fine.abs())
    }

    #[test]
    fn two_pass_mixture_against_numeric_integration() {
        let mu = [0.2, 0.9];
        let s = 0.3;
        let tau = 1.0 / (s * s);
        for t in [TargetTransform::Log, TargetTransform::Log1p] {
            let shift = if t == TargetTransform::Log1p {
                1.0
            } else {
                0.0
            };
            // The mixture density of y, written out from the log-normal pdf.
            let pdf = |y: f64| {
                if y + shift <= 0.0 {
                    0.0
                } else {
                    0.5 * mu
                        .iter()
                        .map(|&m| lognormal_pdf(y + shift, m, s))
                        .sum::<f64>()
                }
            };
            // [−shift, e^{0.9 + 12 s}]: the upper tail beyond holds less than
            // Φ(−11) e^{2μ + 2 s²} ≈ 1e-27 of E[Y²]; below the pdf is 0.
            let (a, b) = (-shift, (0.9 + 12.0 * s).exp() - shift);
            let n = 200_000;
            let (mass, e_mass) = integrate(&pdf, a, b, n);
            assert!((mass - 1.0).abs() <= e_mass + 1e-12, "mass {mass}");
            let (mean, e_mean) = integrate(&|y| y * pdf(y), a, b, n);
            let (sq, e_sq) = integrate(&|y| y * y * pdf(y), a, b, n);
            let m = t.pass_moments(&mu, tau);
            assert!((m.mean - mean).abs() <= e_mean + 1e-13, "{} {mean}", m.mean);
            let var = sq - mean * mean;
            let e_var = e_sq + 2.0 * mean.abs() * e_mean + 1e-13 * sq;
            let got = m.epistemic_var + m.aleatoric_var;
            assert!((got - var).abs() <= e_var, "{got} {var} ± {e_var}");
            // The parts: the epistemic part is the variance of the two log-normal means.
            let means: Vec<f64> = mu.iter().map(|&u| (u + s * s / 2.0).exp()).collect();
            let want_epi = 0.25 * (means[0] - means[1]).powi(2);
            assert!(close(m.epistemic_var, want_epi, 1e-12));
            // The log-density with its Jacobian is the mixture's density in y.
            for &y in &[0.1, 1.0, 2.2, 5.0] {
                let want = pdf(y).ln();
                let ll = t.log_density(&mu, y, tau);
                assert!(
                    (ll - want).abs() < 1e-12 * want.abs().max(1.0),
                    "{ll} {want}"
                );
            }
        }
    }

    #[test]
    fn target_check_names_the_first_bad_row() {
        let y = ndarray::array![1.0, 0.5, 0.0, -1.0];
        assert!(
            TargetTransform::Log1p
                .check_target(y.view(), "price")
                .is_err()
        );
        match TargetTransform::Log.check_target(y.view(), "price") {
            Err(Error::TargetOutOfDomain { row, value, .. }) => {
                assert_eq!((row, value), (3, 0.0));
            }
            other => panic!("{other:?}"),
        }
        let e = TargetTransform::Log1p
            .check_target(y.view(), "price")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 4") && e.contains("-1") && e.contains("price"),
            "{e}"
        );
        assert!(
            TargetTransform::Log
                .check_target(y.slice(ndarray::s![..2]), "p")
                .is_ok()
        );
        assert!(
            TargetTransform::Log
                .check_target(ndarray::array![f64::NAN].view(), "p")
                .is_err()
        );
    }

    #[test]
    fn names_round_trip() {
        for t in [
            TargetTransform::None,
            TargetTransform::Log,
            TargetTransform::Log1p,
        ] {
            assert_eq!(t.name().parse::<TargetTransform>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.name()));
            assert_eq!(serde_json::from_str::<TargetTransform>(&json).unwrap(), t);
        }
        assert!("exp".parse::<TargetTransform>().is_err());
    }
}
