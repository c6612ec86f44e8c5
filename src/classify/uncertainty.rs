//! Uncertainty of one input from its T stochastic passes (DESIGN §4): the mean
//! probabilities p̄, the predictive entropy, the mutual information (BALD) and the
//! variation ratio.

use crate::train::softmax::softmax_into;

/// Entropy `−Σ_c p_c ln p_c` in nats, with `0 ln 0 = 0`.
pub fn entropy(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * v.ln())
        .sum::<f64>()
}

/// Index of the largest entry (the first one on ties).
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// The summary of one input's T passes.
#[derive(Debug, Clone, PartialEq)]
pub struct RowUncertainty {
    /// Mean probabilities `p̄_c = (1/T) Σ_t softmax(f_t)_c`.
    pub probs: Vec<f64>,
    /// `argmax_c p̄_c` (the first on ties).
    pub class: usize,
    /// Predictive entropy `H[p̄]` (nats).
    pub entropy: f64,
    /// Mutual information (BALD) `H[p̄] − (1/T) Σ_t H[softmax(f_t)]` (nats). It is ≥ 0 by
    /// the concavity of the entropy; rounding below zero is clamped to 0.
    pub mutual_info: f64,
    /// Variation ratio `1 − (count of the modal class among the T argmaxes) / T`.
    pub variation_ratio: f64,
}

/// Summarises `logits` (`T × C`, pass-major: the network outputs of T passes), writing
/// the T softmax outputs into `probs_out` (same layout) when given.
pub fn summarise_logits(
    logits: &[f64],
    classes: usize,
    mut probs_out: Option<&mut Vec<f64>>,
) -> RowUncertainty {
    let t = logits.len() / classes.max(1);
    let mut p = vec![0.0; classes];
    let mut mean = vec![0.0; classes];
    let mut votes = vec![0usize; classes];
    let mut mean_entropy = 0.0;
    if let Some(out) = probs_out.as_deref_mut() {
        out.clear();
    }
    for pass in logits.chunks_exact(classes) {
        softmax_into(pass, &mut p);
        mean.iter_mut().zip(&p).for_each(|(m, &v)| *m += v);
        mean_entropy += entropy(&p);
        votes[argmax(&p)] += 1;
        if let Some(out) = probs_out.as_deref_mut() {
            out.extend_from_slice(&p);
        }
    }
    summarise(mean, mean_entropy, &votes, t)
}

/// Summarises T probability vectors (`T × C`, pass-major) directly.
pub fn summarise_probs(probs: &[f64], classes: usize) -> RowUncertainty {
    let t = probs.len() / classes.max(1);
    let mut mean = vec![0.0; classes];
    let mut votes = vec![0usize; classes];
    let mut mean_entropy = 0.0;
    for p in probs.chunks_exact(classes) {
        mean.iter_mut().zip(p).for_each(|(m, &v)| *m += v);
        mean_entropy += entropy(p);
        votes[argmax(p)] += 1;
    }
    summarise(mean, mean_entropy, &votes, t)
}

fn summarise(mut mean: Vec<f64>, entropy_sum: f64, votes: &[usize], t: usize) -> RowUncertainty {
    let inv = 1.0 / t.max(1) as f64;
    mean.iter_mut().for_each(|m| *m *= inv);
    let h = entropy(&mean);
    let modal = votes.iter().copied().max().unwrap_or(0);
    RowUncertainty {
        class: argmax(&mean),
        entropy: h,
        mutual_info: (h - entropy_sum * inv).max(0.0),
        variation_ratio: 1.0 - modal as f64 * inv,
        probs: mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Tolerances: the quantities below are sums of ≤ 10 terms of size ≤ ln 4, so their
    // rounding error is a few ulps (≲ 1e-15).

    /// T identical one-hot samples: p̄ is that one-hot, entropy 0, MI 0, variation ratio 0.
    #[test]
    fn identical_one_hot_samples() {
        let probs: Vec<f64> = (0..5).flat_map(|_| [0.0, 1.0, 0.0]).collect();
        let u = summarise_probs(&probs, 3);
        assert_eq!(u.probs, vec![0.0, 1.0, 0.0]);
        assert_eq!(u.class, 1);
        assert_eq!(
            (u.entropy, u.mutual_info, u.variation_ratio),
            (0.0, 0.0, 0.0)
        );
    }

    /// T identical non-degenerate samples: entropy H[p], MI 0, variation ratio 0.
    #[test]
    fn identical_soft_samples() {
        let probs: Vec<f64> = (0..4).flat_map(|_| [0.5, 0.25, 0.25]).collect();
        let u = summarise_probs(&probs, 3);
        let h = 0.5 * 2f64.ln() + 0.5 * 4f64.ln(); // = 1.5 ln 2
        assert!((u.entropy - h).abs() < 1e-15);
        assert!(u.mutual_info.abs() < 1e-15);
        assert_eq!(u.variation_ratio, 0.0);
    }

    /// Two passes that disagree completely (one-hot on class 0, one-hot on class 1):
    /// p̄ = (½, ½, 0), H = ln 2, each pass has entropy 0 so MI = ln 2 (all epistemic),
    /// variation ratio 1 − 1/2 = ½.
    #[test]
    fn disagreeing_one_hot_samples() {
        let u = summarise_probs(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 3);
        assert!((u.entropy - 2f64.ln()).abs() < 1e-15);
        assert!((u.mutual_info - 2f64.ln()).abs() < 1e-15);
        assert_eq!(u.variation_ratio, 0.5);
    }

    /// Four passes, uniform each time over 4 classes: H = ln 4, all aleatoric (MI 0); the
    /// argmax of each pass is class 0 (first on ties), so the variation ratio is 0.
    #[test]
    fn uniform_samples_are_aleatoric() {
        let u = summarise_probs(&[0.25; 16], 4);
        assert!((u.entropy - 4f64.ln()).abs() < 1e-15);
        assert!(u.mutual_info.abs() < 1e-15);
        assert_eq!(u.variation_ratio, 0.0);
    }

    /// Ten passes: 7 vote class 2, 3 vote class 0 → variation ratio 0.3; computed from
    /// logits (softmax of (0, 0, ln 8) is (1, 1, 8)/10 = (0.1, 0.1, 0.8)).
    #[test]
    fn variation_ratio_and_logits_path() {
        let a = [0.0, 0.0, 8f64.ln()];
        let b = [8f64.ln(), 0.0, 0.0];
        let logits: Vec<f64> = (0..10).flat_map(|i| if i < 7 { a } else { b }).collect();
        let mut probs = Vec::new();
        let u = summarise_logits(&logits, 3, Some(&mut probs));
        assert!((u.variation_ratio - 0.3).abs() < 1e-15);
        // p̄ = 0.7·(0.1, 0.1, 0.8) + 0.3·(0.8, 0.1, 0.1) = (0.31, 0.1, 0.59).
        for (got, want) in u.probs.iter().zip([0.31, 0.1, 0.59]) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        let h_pass = -(2.0 * 0.1 * 0.1f64.ln() + 0.8 * 0.8f64.ln());
        let h_mean = -(0.31 * 0.31f64.ln() + 0.1 * 0.1f64.ln() + 0.59 * 0.59f64.ln());
        assert!((u.entropy - h_mean).abs() < 1e-14);
        assert!((u.mutual_info - (h_mean - h_pass)).abs() < 1e-14);
        assert_eq!(u.class, 2);
        assert_eq!(probs.len(), 30);
    }
}
