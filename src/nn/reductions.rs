//! Vectorised reductions over the samples of one Monte-Carlo row (the statistics of
//! [`crate::metrics`]): sums in eight partial sums, so that they run eight lanes wide
//! instead of as one chain of dependent additions, a maximum (exact in any order), and the
//! log-likelihood's sum of exponentials.

crate::multiversioned! {
/// `Σ_i v_i`, in eight partial sums over chunks of eight (added in order at the end, then
/// the remainder's values in order).
///
/// ```
/// # use mcdropout::nn::reductions::sum;
/// assert_eq!(sum(&[1.0, 2.0, 3.0]), 6.0);
/// ```
pub fn sum(v: &[f64]) -> f64 {
    let chunks = v.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().sum();
    let mut acc = [0.0f64; 8];
    for c in chunks {
        for q in 0..8 {
            acc[q] += c[q];
        }
    }
    acc.iter().sum::<f64>() + tail
}
}

crate::multiversioned! {
/// `Σ_i (v_i − m)²`, in eight partial sums as [`sum`].
pub fn squared_deviations(v: &[f64], m: f64) -> f64 {
    let chunks = v.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().map(|x| (x - m) * (x - m)).sum();
    let mut acc = [0.0f64; 8];
    for c in chunks {
        for q in 0..8 {
            acc[q] += (c[q] - m) * (c[q] - m);
        }
    }
    acc.iter().sum::<f64>() + tail
}
}

crate::multiversioned! {
/// `max_i(−½ τ (y − s_i)²)` over the samples whose exponent is not NaN (−∞ when there are
/// none), each exponent computed as `-0.5 * tau * (y - s) * (y - s)`: the shift of the
/// MC test log-likelihood's log-sum-exp. A maximum does not depend on the order of the
/// comparisons, so this is the sequential loop's value.
pub fn gauss_exponent_max(samples: &[f64], y: f64, tau: f64) -> f64 {
    let term = |s: f64| -0.5 * tau * (y - s) * (y - s);
    let chunks = samples.chunks_exact(8);
    let mut acc = [f64::NEG_INFINITY; 8];
    for c in chunks.clone() {
        for q in 0..8 {
            let e = term(c[q]);
            acc[q] = if e > acc[q] { e } else { acc[q] };
        }
    }
    chunks
        .remainder()
        .iter()
        .map(|&s| term(s))
        .chain(acc)
        .fold(f64::NEG_INFINITY, |m, e| if e > m { e } else { m })
}
}

crate::multiversioned! {
/// `Σ_i exp(−½ τ (y − s_i)² − m)`, the sum inside the MC test log-likelihood's log-sum-exp,
/// for `m ≥ max_i(−½ τ (y − s_i)²)` (every exponent ≤ 0): each exponent is computed as
/// `-0.5 * tau * (y - s) * (y - s) - m` and exponentiated by the vectorisable
/// [`super::vmath::exp_nonpositive_f64`], summed in eight partial sums.
pub fn gauss_exp_sum(samples: &[f64], y: f64, tau: f64, m: f64) -> f64 {
    use super::vmath::exp_nonpositive_f64 as e;
    let term = |s: f64| e(-0.5 * tau * (y - s) * (y - s) - m);
    let chunks = samples.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().map(|&s| term(s)).sum();
    let mut acc = [0.0f64; 8];
    for c in chunks {
        for q in 0..8 {
            acc[q] += term(c[q]);
        }
    }
    acc.iter().sum::<f64>() + tail
}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the sequential loops: the maximum equal (NaN skipped), the sums within
    /// 1e-13 relative (rounding of 10⁴ additions in another order: each partial sum's
    /// error is below n·ε·Σ|v| ≈ 2e-12 of Σ|v| in the worst case, far less in practice;
    /// here the values are positive, so Σ|v| = Σ v).
    #[test]
    fn reductions_match_sequential_loops() {
        for n in [0usize, 1, 7, 8, 9, 100, 10_003] {
            let v: Vec<f64> = (0..n)
                .map(|i| ((i * 37 % 101) as f64) * 0.173 + 0.5)
                .collect();
            let s: f64 = v.iter().sum();
            assert!((sum(&v) - s).abs() <= 1e-13 * s.abs(), "n {n}");
            let m = if n > 0 { s / n as f64 } else { 0.0 };
            let d: f64 = v.iter().map(|x| (x - m) * (x - m)).sum();
            assert!(
                (squared_deviations(&v, m) - d).abs() <= 1e-13 * d.abs(),
                "n {n}"
            );
            let mut w = v.clone();
            if n > 3 {
                w[2] = f64::NAN;
            }
            let mut want = f64::NEG_INFINITY;
            for &x in &w {
                let e = -0.5 * 2.0 * (1.3 - x) * (1.3 - x);
                if e > want {
                    want = e;
                }
            }
            assert_eq!(gauss_exponent_max(&w, 1.3, 2.0), want, "n {n}");
        }
    }
}
