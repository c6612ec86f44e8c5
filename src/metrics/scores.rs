//! Proper scores and calibration diagnostics of a Gaussian predictive distribution
//! (issue 24, item 1, first part): CRPS in closed form (a Gaussian, and the MC mixture of
//! the T passes with the noise), the interval (Winkler) score,
//! PICP and mean width, and the calibration curve of central intervals with its
//! calibration error.
//!
//! * CRPS of N(μ, σ²) at y, with z = (y − μ)/σ (Gneiting & Raftery 2007, eq. 21):
//!   CRPS = σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π]. Lower is better; in the target's units.
//! * Interval score of the central (1 − α) interval [l, u] (Gneiting & Raftery 2007,
//!   eq. 43): (u − l) + (2/α)(l − y)·1{y < l} + (2/α)(y − u)·1{y > u}.
//! * Calibration curve: for each nominal level p, the observed fraction of targets inside
//!   the central interval μ ± Φ⁻¹((1 + p)/2) σ. Calibration error: the mean over the levels
//!   of (observed − nominal)², as Kuleshov et al. (2018, eq. 9) with equal weights.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::normal_quantile;

/// CRPS of the Gaussian N(`mean`, `std`²) at `y` (closed form; `std` > 0).
///
/// ```
/// // At the mean of N(0, 1): 2φ(0) − 1/√π = (√2 − 1)/√π.
/// let c = mcdropout::metrics::scores::crps_gaussian(0.0, 0.0, 1.0);
/// assert!((c - (2f64.sqrt() - 1.0) / std::f64::consts::PI.sqrt()).abs() < 1e-15);
/// ```
pub fn crps_gaussian(y: f64, mean: f64, std: f64) -> f64 {
    let n = Normal::standard();
    let z = (y - mean) / std;
    std * (z * (2.0 * n.cdf(z) - 1.0) + 2.0 * n.pdf(z) - 1.0 / std::f64::consts::PI.sqrt())
}

/// E|N(m, v)|, the mean absolute value of a Gaussian with mean `m` and variance `v` > 0.
fn mean_abs_normal(m: f64, v: f64) -> f64 {
    let n = Normal::standard();
    let sd = v.sqrt();
    2.0 * sd * n.pdf(m / sd) + m * (2.0 * n.cdf(m / sd) - 1.0)
}

/// CRPS at `y` of the MC-dropout predictive: the equal-weight mixture of N(μ_t, s²) over the
/// passes' means `means` (T of them) with the noise std `s` > 0.
///
/// CRPS = E|X − y| − ½ E|X − X'| for X, X' independent draws of the mixture. The first term
/// is (1/T) Σ_t E|N(μ_t − y, s²)|; the second (1/T²) Σ_{t,t'} E|N(μ_t − μ_t', 2s²)|, computed
/// exactly without the T² terms: E|N(Δ, w)| = |Δ| + c(Δ) with c(Δ) = 2√w φ(Δ/√w) −
/// 2|Δ| Φ(−|Δ|/√w), so the sum is Σ|μ_t − μ_t'| (from the sorted means and prefix sums)
/// plus c over the pairs closer than 10√w (beyond, c < 10⁻²² √w: below f64 rounding of the
/// sum). Cost O(T log T + pairs within 10√w).
pub fn crps_mixture(y: f64, means: &[f64], s: f64) -> f64 {
    let t = means.len();
    if t == 0 {
        return f64::NAN;
    }
    let v = s * s;
    let first = means
        .iter()
        .map(|&m| mean_abs_normal(m - y, v))
        .sum::<f64>()
        / t as f64;
    let mut sorted = means.to_vec();
    sorted.sort_by(f64::total_cmp);
    let w = 2.0 * v;
    let sw = w.sqrt();
    let n = Normal::standard();
    let correction = |d: f64| 2.0 * sw * n.pdf(d / sw) - 2.0 * d * n.cdf(-d / sw);
    // Ordered pairs i < j: Σ (x_j − x_i) by prefix sums, and the corrections near by.
    let (mut abs_sum, mut prefix, mut near) = (0.0, 0.0, 0.0);
    let mut lo = 0;
    for (j, &x) in sorted.iter().enumerate() {
        abs_sum += j as f64 * x - prefix;
        prefix += x;
        while x - sorted[lo] > 10.0 * sw {
            lo += 1;
        }
        near += sorted[lo..j]
            .iter()
            .map(|&a| correction(x - a))
            .sum::<f64>();
    }
    let tf = t as f64;
    // Both orders of each pair, and the T pairs (t, t) with E|N(0, w)| = c(0).
    let second = (2.0 * (abs_sum + near) + tf * correction(0.0)) / (tf * tf);
    first - 0.5 * second
}

/// Interval (Winkler) score of `[lower, upper]` as a central `1 − alpha` interval at `y`.
///
/// ```
/// use mcdropout::metrics::scores::interval_score;
/// assert_eq!(interval_score(0.5, 0.0, 1.0, 0.05), 1.0);
/// assert_eq!(interval_score(2.0, 0.0, 1.0, 0.05), 1.0 + 40.0);
/// ```
pub fn interval_score(y: f64, lower: f64, upper: f64, alpha: f64) -> f64 {
    let mut s = upper - lower;
    if y < lower {
        s += 2.0 / alpha * (lower - y);
    }
    if y > upper {
        s += 2.0 / alpha * (y - upper);
    }
    s
}

/// PICP (fraction of `y` inside the central `level` interval of N(`mean`, `std`²), row by
/// row) and the intervals' mean width.
pub fn picp_and_width(y: &[f64], mean: &[f64], std: &[f64], level: f64) -> (f64, f64) {
    let q = normal_quantile(0.5 + level / 2.0);
    let n = y.len().min(mean.len()).min(std.len());
    let inside = (0..n)
        .filter(|&i| (y[i] - mean[i]).abs() <= q * std[i])
        .count();
    let width = (0..n).map(|i| 2.0 * q * std[i]).sum::<f64>();
    let n = n.max(1) as f64;
    (inside as f64 / n, width / n)
}

/// The calibration curve at `levels` (each in (0, 1)): the observed coverage of each
/// central interval, with the calibration error (mean squared gap to the nominal levels).
pub fn calibration_curve(y: &[f64], mean: &[f64], std: &[f64], levels: &[f64]) -> (Vec<f64>, f64) {
    let observed: Vec<f64> = levels
        .iter()
        .map(|&p| picp_and_width(y, mean, std, p).0)
        .collect();
    let err = levels
        .iter()
        .zip(&observed)
        .map(|(p, o)| (o - p).powi(2))
        .sum::<f64>()
        / levels.len().max(1) as f64;
    (observed, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::StandardNormal;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Against the definition CRPS = ∫ (F(x) − 1{x ≥ y})² dx, integrated numerically
    /// (midpoint rule split at y, step ≤ 1e-4 σ over ±12 σ): tolerance 1e-8 relative, the
    /// rule's O(h²) error.
    #[test]
    fn crps_matches_the_integral_of_its_definition() {
        let n = Normal::standard();
        for &(y, m, s) in &[(0.3, 0.0, 1.0), (-2.5, 1.0, 0.5), (10.0, 9.0, 3.0)] {
            let (lo, hi) = (m - 12.0 * s, m + 12.0 * s);
            // Midpoints on each side of the jump at y, so the rule's error is O(h²).
            let part = |a: f64, b: f64, above: f64| -> f64 {
                let steps = ((b - a) / (1e-4 * s)).ceil().max(1.0) as usize;
                let h = (b - a) / steps as f64;
                (0..steps)
                    .map(|k| {
                        let x = a + (k as f64 + 0.5) * h;
                        let f = n.cdf((x - m) / s) - above;
                        f * f * h
                    })
                    .sum()
            };
            let integral = part(lo.min(y), y, 0.0) + part(y, hi.max(y), 1.0);
            let c = crps_gaussian(y, m, s);
            assert!((c - integral).abs() < 1e-8 * c, "{c} vs {integral}");
        }
    }

    /// A mixture of identical components is the Gaussian (closed form); a two-component
    /// mixture against the integral of the definition; the sorted form against the plain
    /// double sum.
    #[test]
    fn mixture_crps_is_exact_without_the_double_sum() {
        let g = crps_gaussian(0.7, 1.0, 0.4);
        let m = crps_mixture(0.7, &[1.0; 5], 0.4);
        assert!((g - m).abs() < 1e-14, "{g} vs {m}");
        let n = Normal::standard();
        let (mu, s, y) = ([-1.0, 2.0], 0.6, 0.4);
        let cdf = |x: f64| 0.5 * (n.cdf((x - mu[0]) / s) + n.cdf((x - mu[1]) / s));
        let part = |a: f64, b: f64, above: f64| -> f64 {
            let steps = 400_000;
            let h = (b - a) / steps as f64;
            (0..steps)
                .map(|k| (cdf(a + (k as f64 + 0.5) * h) - above).powi(2) * h)
                .sum()
        };
        let integral = part(-12.0, y, 0.0) + part(y, 14.0, 1.0);
        let c = crps_mixture(y, &mu, s);
        assert!((c - integral).abs() < 1e-8 * c, "{c} vs {integral}");
        // 400 passes against the plain double sum (float rounding: 1e-12 relative).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let means: Vec<f64> = (0..400)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect();
        for s in [0.01, 0.2, 3.0] {
            let v = s * s;
            let first = means
                .iter()
                .map(|&m| mean_abs_normal(m - 0.3, v))
                .sum::<f64>()
                / 400.0;
            let second = means
                .iter()
                .flat_map(|&a| means.iter().map(move |&b| mean_abs_normal(a - b, 2.0 * v)))
                .sum::<f64>()
                / 160_000.0;
            let direct = first - 0.5 * second;
            let fast = crps_mixture(0.3, &means, s);
            assert!(
                (fast - direct).abs() < 1e-12 * direct,
                "s {s}: {fast} vs {direct}"
            );
        }
    }

    /// Targets drawn from the predictive itself: every level's coverage within 4 binomial
    /// standard errors of nominal (n = 20 000), and a calibration error of that order.
    #[test]
    fn a_true_predictive_is_calibrated_and_a_wide_one_is_not() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let n = 20_000;
        let mean: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let std: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| mean[i] + std[i] * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let levels: Vec<f64> = (1..10).map(|k| k as f64 / 10.0).collect();
        let (obs, err) = calibration_curve(&y, &mean, &std, &levels);
        for (p, o) in levels.iter().zip(&obs) {
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((o - p).abs() < 4.0 * se, "level {p}: {o}");
        }
        assert!(err < 16.0 * 0.25 / n as f64, "{err}");
        // Three times too wide: the 50 % interval covers P(|Z| < 3 · 0.674) ≈ 0.957.
        let wide: Vec<f64> = std.iter().map(|s| 3.0 * s).collect();
        let (p50, w) = picp_and_width(&y, &mean, &wide, 0.5);
        let expect = 2.0 * Normal::standard().cdf(3.0 * normal_quantile(0.75)) - 1.0;
        assert!((p50 - expect).abs() < 4.0 * (expect * (1.0 - expect) / n as f64).sqrt());
        let mean_std = std.iter().sum::<f64>() / n as f64;
        assert!((w - 2.0 * normal_quantile(0.75) * 3.0 * mean_std).abs() < 1e-9 * w);
        assert!(calibration_curve(&y, &mean, &wide, &levels).1 > 100.0 * err);
    }
}
