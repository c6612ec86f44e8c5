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
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct McPrediction {
    /// Predictive mean.
    pub mean: Array1<f64>,
    /// Model (epistemic) variance: the variance of the T samples.
    pub epistemic_var: Array1<f64>,
    /// Observation noise variance τ⁻¹ (the same for every point).
    pub aleatoric_var: f64,
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
