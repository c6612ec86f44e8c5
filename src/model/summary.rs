//! Predictive summaries of Monte-Carlo dropout and evaluation figures.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// The MC-dropout predictive distribution at N inputs (original target units).
///
/// With ŷ_1..ŷ_T the T stochastic outputs: `mean = (1/T) Σ ŷ_t`;
/// `epistemic_var = (1/T) Σ ŷ_t² − mean²` (sample variance, ddof 0, computed in two
/// passes); `aleatoric_var = τ⁻¹`; `total_var = epistemic_var + aleatoric_var`. The
/// interval is the central `level` interval of the moment-matched Gaussian,
/// `mean ± z std` with `z = Φ⁻¹((1 + level)/2)`.
///
/// A model of a transformed target z = g(y) ([`super::TargetTransform`]) reports the
/// back-transformed mixture instead, in the original units of y: `mean` is the mixture's
/// mean E[Y] (not g⁻¹ of the mean of z), the variance is split by the law of total variance
/// over the passes (`epistemic_var` the variance of the passes' means, `aleatoric_rows`
/// the mean of the passes' own variances, which differs by row; `aleatoric_var` is then
/// τ⁻¹ in z units), and the interval is the central interval of the moment-matched
/// Gaussian in z, its ends mapped through g⁻¹. `samples` are then g⁻¹(ŷ_t), each pass's
/// median in original units, and `draws` g⁻¹(ŷ_t + ε). See [`super::transform`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct McPrediction {
    /// Predictive mean.
    pub mean: Array1<f64>,
    /// Model (epistemic) variance: the variance of the T samples.
    pub epistemic_var: Array1<f64>,
    /// Observation noise variance τ⁻¹ (the same for every point; in z units for a
    /// transformed target, whose per-row aleatoric variance is `aleatoric_rows`).
    pub aleatoric_var: f64,
    /// The aleatoric variance of every row in original units, where it differs by row (a
    /// transformed target); `None` when it is `aleatoric_var` for every row.
    pub aleatoric_rows: Option<Array1<f64>>,
    /// Total predictive variance.
    pub total_var: Array1<f64>,
    /// sqrt(total_var).
    pub std: Array1<f64>,
    /// Lower end of the central interval.
    pub lower: Array1<f64>,
    /// Upper end of the central interval.
    pub upper: Array1<f64>,
    /// Level of the interval.
    pub level: f64,
    /// The raw samples ŷ_t, `T × N`, when requested.
    pub samples: Option<Array2<f64>>,
    /// Predictive draws ŷ_t + ε, ε ~ N(0, τ⁻¹), `T × N`, when requested.
    pub draws: Option<Array2<f64>>,
}

impl McPrediction {
    /// The aleatoric variance of row `i`: `aleatoric_rows[i]` where given, else
    /// `aleatoric_var`.
    pub fn aleatoric_var_at(&self, i: usize) -> f64 {
        self.aleatoric_rows
            .as_ref()
            .and_then(|a| a.get(i).copied())
            .unwrap_or(self.aleatoric_var)
    }
}

/// Held-out figures of a regression model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evaluation {
    /// Number of test points.
    pub n: usize,
    /// Monte-Carlo samples T.
    pub samples: usize,
    /// RMSE of the deterministic (weight-averaged) pass.
    pub rmse: f64,
    /// RMSE of the MC predictive mean.
    pub mc_rmse: f64,
    /// Mean MC test log-likelihood (DESIGN §3, log-sum-exp over the T samples).
    pub ll: f64,
    /// Mean log-likelihood under the moment-matched Gaussian N(mean, total_var).
    pub ll_gaussian: f64,
    /// Fraction of targets inside the central interval.
    pub coverage: f64,
    /// Level of that interval.
    pub level: f64,
    /// Mean predictive standard deviation.
    pub mean_std: f64,
    /// τ (original units) used for the noise.
    pub tau: f64,
}
