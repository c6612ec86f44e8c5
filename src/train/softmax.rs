//! The softmax cross-entropy data term of the classification loss and its gradient, and
//! the [`Objective`] that selects it in the training loop.

use crate::nn::Real;
use serde::{Deserialize, Serialize};

/// What the network's outputs are trained to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Objective {
    /// Regression: the squared error of [`super::loss::squared_error`] under the
    /// configured [`crate::prior::LossConvention`]; targets are `n × outputs`.
    #[default]
    SquaredError,
    /// Classification: the outputs are logits, the data term is the mean softmax
    /// cross-entropy of [`softmax_cross_entropy`]; targets are one column of class
    /// indices `0..outputs` stored as `f64`.
    SoftmaxCrossEntropy,
}

/// Writes `softmax(logits)` into `probs` (same length), stably (the maximum is
/// subtracted first), and returns `log Σ_c exp(logits_c)`.
pub fn softmax_into<T: Real>(logits: &[T], probs: &mut [T]) -> T {
    let m = logits.iter().copied().fold(
        T::from_f64(f64::NEG_INFINITY),
        |a, b| if b > a { b } else { a },
    );
    let mut sum = T::ZERO;
    for (p, &z) in probs.iter_mut().zip(logits) {
        *p = (z - m).exp();
        sum += *p;
    }
    probs.iter_mut().for_each(|p| *p = *p / sum);
    m + sum.ln()
}

/// Mean cross-entropy of a minibatch of logits (`rows × c`, row-major) against class
/// indices `y` (`rows` values in `0..c`, as `f64`), and its gradient with respect to the
/// logits written into `dout`:
///
/// `L = −(1/rows) Σ_r log softmax(o_r)_{y_r}`,  `dL/do_{rc} = (softmax(o_r)_c − 1[c = y_r]) / rows`.
///
/// Caller contract: every `y_r` is an integer in `0..c` (the fitting code maps labels to
/// such indices); a value outside is clamped into range.
pub fn softmax_cross_entropy<T: Real>(out: &[T], y: &[T], rows: usize, dout: &mut Vec<T>) -> f64 {
    let c = out.len().checked_div(rows).unwrap_or(0);
    dout.clear();
    dout.resize(out.len(), T::ZERO);
    let inv = 1.0 / rows.max(1) as f64;
    let inv_t = T::from_f64(inv);
    let mut loss = 0.0;
    for ((o, d), &t) in out
        .chunks_exact(c.max(1))
        .zip(dout.chunks_exact_mut(c.max(1)))
        .zip(y)
    {
        let k = (t.to_f64().max(0.0) as usize).min(c - 1);
        let lse = softmax_into(o, d);
        loss += (lse - o[k]).to_f64();
        d[k] -= T::ONE;
        d.iter_mut().for_each(|g| *g *= inv_t);
    }
    loss * inv
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes, logits (0, ln 3): softmax (1/4, 3/4); with label 1 the loss is
    /// −ln(3/4) and the gradient (1/4, −1/4). Float tolerance: a few ulps of O(1) values.
    #[test]
    fn hand_worked_two_class_case() {
        let mut d = Vec::new();
        let l = softmax_cross_entropy(&[0.0, 3f64.ln()], &[1.0], 1, &mut d);
        assert!((l + (0.75f64).ln()).abs() < 1e-15);
        assert!((d[0] - 0.25).abs() < 1e-15 && (d[1] + 0.25).abs() < 1e-15);
    }

    /// Huge logits do not overflow: softmax of (1000, 0) is (1, e^-1000 ≈ 0).
    #[test]
    fn stable_for_large_logits() {
        let mut p = [0.0f64; 2];
        let lse = softmax_into(&[1000.0, 0.0], &mut p);
        assert!((lse - 1000.0).abs() < 1e-12 && p[0] == 1.0 && p[1] < 1e-300);
    }
}
