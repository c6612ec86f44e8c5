//! Classification metrics: accuracy, negative log-likelihood, Brier score, calibration
//! (ECE, MCE, reliability bins), and AUROC / AUPR of an uncertainty score separating two
//! sets (out-of-distribution detection).
//!
//! Definitions (libraries differ, so they are stated here):
//! - **NLL** `= −(1/N) Σ_n ln p_n,y_n` in nats, with `p` floored at `f64::MIN_POSITIVE`
//!   so that a zero probability gives a large finite value (≈ 708) instead of ∞.
//! - **Brier** `= (1/N) Σ_n Σ_c (p_n,c − 1[c = y_n])²` (the multi-class form, summed over
//!   classes; it lies in [0, 2]).
//! - **ECE** with `B` equal-width bins of the confidence `max_c p_n,c`: bin `b` holds the
//!   confidences in `(b/B, (b+1)/B]` (bin 0 also holds 0);
//!   `ECE = Σ_b (n_b / N) |acc_b − conf_b|`, with `acc_b` the fraction of correct
//!   predictions (argmax, first on ties) and `conf_b` the mean confidence in the bin.
//!   **MCE** `= max_b |acc_b − conf_b|` over non-empty bins. Default `B = 15`.
//! - **AUROC** of a score separating a negative set from a positive set (positives expected
//!   to score higher): the probability that a random positive scores above a random
//!   negative, ties counting ½ (the Mann–Whitney statistic).
//! - **AUPR**: average precision with the positives as the class of interest,
//!   `Σ_k (R_k − R_{k−1}) P_k` over the distinct score thresholds in decreasing order,
//!   tied scores entering together (scikit-learn's `average_precision_score`).

use super::uncertainty::argmax;
use crate::error::{Error, Result};
use ndarray::ArrayView2;
use serde::Serialize;

/// Default number of calibration bins.
pub const DEFAULT_BINS: usize = 15;

fn check(probs: ArrayView2<f64>, y: &[usize]) -> Result<()> {
    if probs.nrows() != y.len() {
        return Err(Error::Shape(format!(
            "{} probability rows but {} labels",
            probs.nrows(),
            y.len()
        )));
    }
    if let Some(&bad) = y.iter().find(|&&c| c >= probs.ncols()) {
        return Err(Error::Shape(format!(
            "class index {bad} for {} classes",
            probs.ncols()
        )));
    }
    if y.is_empty() {
        return Err(Error::TooFewRows { needed: 1, got: 0 });
    }
    Ok(())
}

/// Fraction of rows whose most probable class (first on ties) is the label.
pub fn accuracy(probs: ArrayView2<f64>, y: &[usize]) -> Result<f64> {
    check(probs, y)?;
    let hits = probs
        .rows()
        .into_iter()
        .zip(y)
        .filter(|(p, c)| argmax(p.as_slice().unwrap_or(&p.to_vec())) == **c)
        .count();
    Ok(hits as f64 / y.len() as f64)
}

/// Mean negative log-likelihood of the labels (nats), see the module docs.
pub fn nll(probs: ArrayView2<f64>, y: &[usize]) -> Result<f64> {
    check(probs, y)?;
    let s: f64 = y
        .iter()
        .enumerate()
        .map(|(n, &c)| -probs[[n, c]].max(f64::MIN_POSITIVE).ln())
        .sum();
    Ok(s / y.len() as f64)
}

/// Multi-class Brier score, see the module docs.
pub fn brier(probs: ArrayView2<f64>, y: &[usize]) -> Result<f64> {
    check(probs, y)?;
    let s: f64 = probs
        .rows()
        .into_iter()
        .zip(y)
        .map(|(p, &c)| {
            p.iter()
                .enumerate()
                .map(|(k, &v)| {
                    let t = if k == c { 1.0 } else { 0.0 };
                    (v - t) * (v - t)
                })
                .sum::<f64>()
        })
        .sum();
    Ok(s / y.len() as f64)
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge (exclusive, except 0 for the first bin).
    pub lower: f64,
    /// Upper edge (inclusive).
    pub upper: f64,
    /// Rows whose confidence falls in the bin.
    pub count: usize,
    /// Fraction correct in the bin (NaN when empty).
    pub accuracy: f64,
    /// Mean confidence in the bin (NaN when empty).
    pub confidence: f64,
}

/// Calibration of a set of predictions: ECE, MCE and the reliability bins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Expected calibration error (module docs).
    pub ece: f64,
    /// Maximum calibration error over non-empty bins.
    pub mce: f64,
    /// The bins, lowest confidence first.
    pub bins: Vec<Bin>,
}

/// Bin of confidence `c` among `b` equal-width bins `(k/b, (k+1)/b]`, comparing against
/// the edges exactly as written (so 0.6 falls in `(0.4, 0.6]` for 5 bins).
fn bin_of(c: f64, b: usize) -> usize {
    let edge = |k: usize| k as f64 / b as f64;
    let mut k = ((c * b as f64).ceil() as usize).clamp(1, b) - 1;
    while k > 0 && c <= edge(k) {
        k -= 1;
    }
    while k + 1 < b && c > edge(k + 1) {
        k += 1;
    }
    k
}

/// ECE, MCE and reliability bins with `n_bins` equal-width bins (module docs).
pub fn calibration(probs: ArrayView2<f64>, y: &[usize], n_bins: usize) -> Result<Calibration> {
    check(probs, y)?;
    if n_bins == 0 {
        return Err(Error::InvalidParameter {
            name: "--bins".into(),
            reason: "the number of calibration bins must be at least 1".into(),
        });
    }
    crate::limits::check_memory(&format!("{n_bins} calibration bins"), n_bins as f64 * 24.0)?;
    let mut count = vec![0usize; n_bins];
    let mut correct = vec![0usize; n_bins];
    let mut conf = vec![0.0; n_bins];
    for (p, &c) in probs.rows().into_iter().zip(y) {
        let p = p.to_vec();
        let k = argmax(&p);
        let b = bin_of(p[k], n_bins);
        count[b] += 1;
        conf[b] += p[k];
        correct[b] += usize::from(k == c);
    }
    let n = y.len() as f64;
    let (mut ece, mut mce) = (0.0, 0.0f64);
    let bins = (0..n_bins)
        .map(|b| {
            let (acc, cf) = if count[b] == 0 {
                (f64::NAN, f64::NAN)
            } else {
                let m = count[b] as f64;
                let (acc, cf) = (correct[b] as f64 / m, conf[b] / m);
                ece += m / n * (acc - cf).abs();
                mce = mce.max((acc - cf).abs());
                (acc, cf)
            };
            Bin {
                lower: b as f64 / n_bins as f64,
                upper: (b + 1) as f64 / n_bins as f64,
                count: count[b],
                accuracy: acc,
                confidence: cf,
            }
        })
        .collect();
    Ok(Calibration { ece, mce, bins })
}

fn check_scores(negative: &[f64], positive: &[f64]) -> Result<()> {
    if negative.is_empty() || positive.is_empty() {
        return Err(Error::TooFewRows { needed: 1, got: 0 });
    }
    if negative.iter().chain(positive).any(|v| v.is_nan()) {
        return Err(Error::InvalidParameter {
            name: "score".into(),
            reason: "an uncertainty score is NaN".into(),
        });
    }
    Ok(())
}

/// Scores with a positive flag, sorted by decreasing score.
fn ranked(negative: &[f64], positive: &[f64]) -> Vec<(f64, bool)> {
    let mut all: Vec<(f64, bool)> = negative
        .iter()
        .map(|&s| (s, false))
        .chain(positive.iter().map(|&s| (s, true)))
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all
}

/// AUROC of `score` for telling `positive` (e.g. out-of-distribution) from `negative`
/// (in-distribution), ties counting ½ (module docs). 1 is perfect, ½ is chance.
pub fn auroc(negative: &[f64], positive: &[f64]) -> Result<f64> {
    check_scores(negative, positive)?;
    let all = ranked(negative, positive);
    // Walk groups of equal score from the top: each positive in a group beats every
    // negative below the group and ties with the negatives inside it.
    let (mut wins, mut neg_below) = (0.0, negative.len() as f64);
    let mut i = 0;
    while i < all.len() {
        let j = i + all[i..].iter().take_while(|a| a.0 == all[i].0).count();
        let pos = all[i..j].iter().filter(|a| a.1).count() as f64;
        let neg = (j - i) as f64 - pos;
        neg_below -= neg;
        wins += pos * (neg_below + 0.5 * neg);
        i = j;
    }
    Ok(wins / (negative.len() as f64 * positive.len() as f64))
}

/// Average precision (area under the precision–recall curve) of `score` for retrieving
/// `positive` among `negative`, tied scores entering together (module docs).
pub fn aupr(negative: &[f64], positive: &[f64]) -> Result<f64> {
    check_scores(negative, positive)?;
    let all = ranked(negative, positive);
    let total = positive.len() as f64;
    let (mut tp, mut fp, mut ap, mut last_recall) = (0.0, 0.0, 0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let j = i + all[i..].iter().take_while(|a| a.0 == all[i].0).count();
        let pos = all[i..j].iter().filter(|a| a.1).count() as f64;
        tp += pos;
        fp += (j - i) as f64 - pos;
        let recall = tp / total;
        ap += (recall - last_recall) * tp / (tp + fp);
        last_recall = recall;
        i = j;
    }
    Ok(ap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    // Tolerances: every expected value below is a short sum of exact decimals, so a few
    // ulps (1e-15) separate the computed from the exact value.

    /// Six two-class predictions, five bins, worked by hand:
    /// bin (0.4,0.6]: confidences 0.6 ✓, 0.55 ✗ → acc 0.5, conf 0.575, gap 0.075;
    /// bin (0.6,0.8]: 0.7 ✓, 0.8 ✓ → acc 1, conf 0.75, gap 0.25;
    /// bin (0.8,1.0]: 0.9 ✓, 0.95 ✗ → acc 0.5, conf 0.925, gap 0.425.
    /// ECE = (2/6)(0.075 + 0.25 + 0.425) = 0.25; MCE = 0.425.
    #[test]
    fn ece_hand_worked() {
        let p = array![
            [0.9, 0.1],
            [0.95, 0.05],
            [0.3, 0.7],
            [0.6, 0.4],
            [0.45, 0.55],
            [0.2, 0.8]
        ];
        let y = [0, 1, 1, 0, 0, 1];
        let c = calibration(p.view(), &y, 5).unwrap();
        assert!((c.ece - 0.25).abs() < 1e-15, "{}", c.ece);
        assert!((c.mce - 0.425).abs() < 1e-15, "{}", c.mce);
        let counts: Vec<usize> = c.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![0, 0, 2, 2, 2]);
        assert!((c.bins[2].confidence - 0.575).abs() < 1e-15);
        assert!(c.bins[0].accuracy.is_nan());
        assert!((accuracy(p.view(), &y).unwrap() - 4.0 / 6.0).abs() < 1e-15);
    }

    /// Brier: (0.9, 0.1) with label 0 → 0.01 + 0.01; (0.3, 0.7) with label 0 → 0.49 + 0.49;
    /// mean 0.5. NLL: −(ln 0.9 + ln 0.3)/2.
    #[test]
    fn brier_and_nll_hand_worked() {
        let p = array![[0.9, 0.1], [0.3, 0.7]];
        assert!((brier(p.view(), &[0, 0]).unwrap() - 0.5).abs() < 1e-15);
        let want = -(0.9f64.ln() + 0.3f64.ln()) / 2.0;
        assert!((nll(p.view(), &[0, 0]).unwrap() - want).abs() < 1e-15);
        // A zero probability gives the documented finite floor, not ∞.
        let z = array![[1.0, 0.0]];
        assert!(nll(z.view(), &[1]).unwrap().is_finite());
    }

    /// Negatives {0.1, 0.4, 0.4}, positives {0.4, 0.8}. Pairs (pos, neg): 0.4 beats 0.1
    /// (1) and ties both 0.4s (½ + ½); 0.8 beats all three (3). AUROC = 5/6.
    /// Ranking for AUPR: 0.8 (P) → P = 1, R = ½; the 0.4 group {P, N, N} → TP 2, FP 2,
    /// P = ½, R = 1; 0.1 (N) adds no recall. AP = ½·1 + ½·½ = 0.75.
    #[test]
    fn auroc_and_aupr_hand_worked_with_ties() {
        let (neg, pos) = ([0.1, 0.4, 0.4], [0.4, 0.8]);
        assert!((auroc(&neg, &pos).unwrap() - 5.0 / 6.0).abs() < 1e-15);
        assert!((aupr(&neg, &pos).unwrap() - 0.75).abs() < 1e-15);
    }

    /// Perfect separation → 1; reversed → 0; all tied → ½ (AUROC) and the positive
    /// fraction (AUPR).
    #[test]
    fn auroc_extremes() {
        assert_eq!(auroc(&[0.0, 1.0], &[2.0, 3.0]).unwrap(), 1.0);
        assert_eq!(auroc(&[2.0, 3.0], &[0.0, 1.0]).unwrap(), 0.0);
        assert_eq!(auroc(&[1.0; 3], &[1.0; 2]).unwrap(), 0.5);
        assert!((aupr(&[1.0; 3], &[1.0; 2]).unwrap() - 0.4).abs() < 1e-15);
        assert!(auroc(&[], &[1.0]).is_err());
    }
}
