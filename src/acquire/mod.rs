//! Acquisition functions for Bayesian active learning (Gal, Islam & Ghahramani, "Deep
//! Bayesian Active Learning with Image Data", ICML 2017): scores over an unlabelled pool
//! computed from one Monte-Carlo dropout run, and top-k batch selection.
//!
//! Classifiers: BALD (the mutual information between the prediction and the weights),
//! maximum predictive entropy, the variation ratio and the mean standard deviation of the
//! class probabilities; regressors: the maximum predictive (epistemic) variance; both:
//! random scores (a seeded uniform draw per candidate). Larger scores are acquired first.
//!
//! ```
//! use mcdropout::acquire::{Acquisition, class_scores_from_probs, top_k};
//! use ndarray::Array3;
//! // T = 2 passes, N = 2 candidates, C = 2 classes: candidate 0 is certain, candidate 1
//! // flips between the classes from pass to pass.
//! let p = Array3::from_shape_vec((2, 2, 2), vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]).unwrap();
//! let s = class_scores_from_probs(Acquisition::Bald, p.view(), 0).unwrap();
//! assert_eq!(top_k(&s, 1).unwrap(), vec![1]);
//! ```

mod scores;
mod select;

pub use scores::{
    class_scores, class_scores_from_probs, mean_std, random_scores, regression_scores,
    regression_scores_from_samples, row_scores,
};
pub use select::{check_batch, top_k};

use crate::error::{Error, Result};
use serde::Serialize;

/// An acquisition function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Acquisition {
    /// BALD: mutual information `H[p̄] − (1/T) Σ_t H[p_t]` (classifiers).
    Bald,
    /// Maximum predictive entropy `H[p̄]` (classifiers).
    MaxEntropy,
    /// Variation ratio `1 − (count of the modal class among the T argmaxes) / T`
    /// (classifiers).
    VariationRatio,
    /// Mean over classes of the standard deviation of `p_t[c]` over the T passes
    /// (classifiers; Kendall et al.'s "mean STD").
    MeanStd,
    /// Maximum predictive variance: the variance of the T regression outputs
    /// (regressors; the constant noise variance τ⁻¹ does not change the ranking).
    MaxVariance,
    /// A uniform draw per candidate from the stream keyed by `(seed, candidate key)`: a
    /// seeded random subset (classifiers and regressors).
    Random,
}

impl Acquisition {
    /// Every acquisition function for classifiers, in report order.
    pub const CLASSIFIER: [Acquisition; 5] = [
        Acquisition::Bald,
        Acquisition::VariationRatio,
        Acquisition::MaxEntropy,
        Acquisition::MeanStd,
        Acquisition::Random,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Acquisition::Bald => "bald",
            Acquisition::MaxEntropy => "max-entropy",
            Acquisition::VariationRatio => "variation-ratio",
            Acquisition::MeanStd => "mean-std",
            Acquisition::MaxVariance => "max-variance",
            Acquisition::Random => "random",
        }
    }

    /// Whether it applies to classifiers.
    pub fn for_classifiers(self) -> bool {
        !matches!(self, Acquisition::MaxVariance)
    }

    /// Whether it applies to regressors.
    pub fn for_regressors(self) -> bool {
        matches!(self, Acquisition::MaxVariance | Acquisition::Random)
    }
}

impl std::fmt::Display for Acquisition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Acquisition {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "bald" => Acquisition::Bald,
            "max-entropy" | "entropy" => Acquisition::MaxEntropy,
            "variation-ratio" | "var-ratios" => Acquisition::VariationRatio,
            "mean-std" => Acquisition::MeanStd,
            "max-variance" | "variance" => Acquisition::MaxVariance,
            "random" => Acquisition::Random,
            other => {
                return Err(Error::InvalidParameter {
                    name: "acquisition function".into(),
                    reason: format!(
                        "unknown acquisition function {other:?} (expected one of bald, \
                         max-entropy, variation-ratio, mean-std, max-variance, random)"
                    ),
                });
            }
        })
    }
}
