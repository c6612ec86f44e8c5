//! The prior, the observation noise τ and the weight decay λ they imply (DESIGN §2), and
//! the KL term of the variational objective (DESIGN §5).
//!
//! With prior `N(0, I/l²)` on the weights, noise precision τ and `N` training points,
//! matching dropout training to variational inference gives, per layer,
//! `λ_i = l² (1 − p_i) / (2 N τ)` and conversely `τ = l² (1 − p) / (2 N λ)`.
//! Both directions live here and nowhere else.

use crate::error::{Error, Result};
use crate::nn::Network;
use serde::{Deserialize, Serialize};

/// Which units the τ that enters λ is in.
///
/// Targets are standardised before training. Gal's reference code puts the τ of his grid
/// files (original target units) straight into λ ([`TauUnits::Gal`], the default, needed to
/// reproduce his numbers); the consistent form uses the noise precision in standardised
/// units, τ σ_y² ([`TauUnits::Standardised`]). The test log-likelihood and the aleatoric
/// variance always use τ in original units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TauUnits {
    /// λ uses τ as given (Gal's code).
    #[default]
    Gal,
    /// λ uses τ σ_y², the precision of the standardised targets.
    Standardised,
}

/// The data term of the training loss.
///
/// [`LossConvention::Gal`] is Keras' mean squared error, `(1/(M d)) Σ (y − ŷ)²`, as in Gal's
/// code (the default). [`LossConvention::Halved`] is `(1/M) Σ ½ ‖y − ŷ‖²`, for which the
/// dropout objective equals −ELBO / (N τ) exactly (DESIGN §5). Both add `Σ λ_i ‖W_i‖²`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LossConvention {
    /// Mean squared error without ½ (Keras).
    #[default]
    Gal,
    /// Half squared error: the variational objective divided by N τ.
    Halved,
}

/// Prior length-scale, noise precision and training-set size, from which the weight decay
/// of every layer follows.
///
/// ```
/// use mcdropout::prior::{Prior, TauUnits};
/// let prior = Prior::new(1e-2, 0.1, 455, 1.0, TauUnits::Gal).unwrap();
/// let lambda = prior.weight_decay(0.005);
/// // λ = l² (1 − p) / (2 N τ)
/// assert!((lambda - 1e-4 * 0.995 / (2.0 * 455.0 * 0.1)).abs() < 1e-18);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Prior {
    /// Prior length-scale l (weights ~ N(0, I/l²)).
    pub length_scale: f64,
    /// Observation noise precision τ, in original target units.
    pub tau: f64,
    /// Number of training points N.
    pub n: usize,
    /// Standard deviation of the training targets (1 for unstandardised targets).
    pub target_std: f64,
    /// Which τ enters λ.
    pub units: TauUnits,
    /// Whether biases are decayed too, with λ_b = l² / (2 N τ) (the KL's bias term).
    /// Off by default, as in Gal's code.
    pub decay_biases: bool,
}

fn positive(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: name.into(),
            reason: format!("must be a positive finite number, got {v}"),
        })
    }
}

impl Prior {
    /// A prior from (l, τ); τ in original target units.
    pub fn new(
        length_scale: f64,
        tau: f64,
        n: usize,
        target_std: f64,
        units: TauUnits,
    ) -> Result<Self> {
        positive("--length-scale", length_scale)?;
        positive("--tau", tau)?;
        positive("target standard deviation", target_std)?;
        if n == 0 {
            return Err(Error::TooFewRows { needed: 1, got: 0 });
        }
        Ok(Self {
            length_scale,
            tau,
            n,
            target_std,
            units,
            decay_biases: false,
        })
    }

    /// A prior from (l, λ): the τ implied by weight decay λ for drop probability `p`,
    /// `τ = l² (1 − p) / (2 N λ)` (converted to original units per `units`).
    pub fn from_weight_decay(
        length_scale: f64,
        lambda: f64,
        p: f64,
        n: usize,
        target_std: f64,
        units: TauUnits,
    ) -> Result<Self> {
        positive("--length-scale", length_scale)?;
        positive("--weight-decay", lambda)?;
        positive("target standard deviation", target_std)?;
        if n == 0 {
            return Err(Error::TooFewRows { needed: 1, got: 0 });
        }
        let tau_net = length_scale * length_scale * (1.0 - p) / (2.0 * n as f64 * lambda);
        let tau = match units {
            TauUnits::Gal => tau_net,
            TauUnits::Standardised => tau_net / (target_std * target_std),
        };
        Self::new(length_scale, tau, n, target_std, units)
    }

    /// τ in the units of the network's (standardised) targets, as it enters λ.
    pub fn tau_network(&self) -> f64 {
        match self.units {
            TauUnits::Gal => self.tau,
            TauUnits::Standardised => self.tau * self.target_std * self.target_std,
        }
    }

    /// Weight decay of a kernel whose inputs are dropped with probability `p`:
    /// `λ = l² (1 − p) / (2 N τ)`.
    pub fn weight_decay(&self, p: f64) -> f64 {
        self.length_scale * self.length_scale * (1.0 - p)
            / (2.0 * self.n as f64 * self.tau_network())
    }

    /// Weight decay of biases: `l² / (2 N τ)` when `decay_biases`, else 0.
    pub fn bias_decay(&self) -> f64 {
        if self.decay_biases {
            self.length_scale * self.length_scale / (2.0 * self.n as f64 * self.tau_network())
        } else {
            0.0
        }
    }

    /// Per-layer kernel weight decays for the network's dropout rates.
    pub fn weight_decays(&self, rates: &[f64]) -> Vec<f64> {
        rates.iter().map(|&p| self.weight_decay(p)).collect()
    }

    /// The KL divergence of the dropout posterior from the prior, up to θ-independent terms:
    /// `Σ_i (l² (1 − p_i) / 2) ‖M_i‖² + (l² / 2) ‖b_i‖²` (DESIGN §5).
    pub fn kl(&self, net: &Network) -> f64 {
        let l2 = self.length_scale * self.length_scale;
        net.layers
            .iter()
            .zip(&net.arch.dropout)
            .map(|(layer, &p)| {
                let w: f64 = layer.weights.iter().map(|v| v * v).sum();
                let b: f64 = layer.bias.iter().map(|v| v * v).sum();
                0.5 * l2 * (1.0 - p) * w + 0.5 * l2 * b
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (l, τ) → λ → τ returns the τ we started from, in both unit conventions, to float
    /// rounding (a few ulps of each multiplication/division: relative 1e-14).
    #[test]
    fn tau_lambda_round_trip() {
        for units in [TauUnits::Gal, TauUnits::Standardised] {
            for &(l, tau, p, n, sd) in &[
                (1e-2, 0.1, 0.005, 455usize, 9.2),
                (0.5, 3.0, 0.1, 10, 0.3),
                (1.0, 1e3, 0.0, 10_000, 1.0),
            ] {
                let prior = Prior::new(l, tau, n, sd, units).unwrap();
                let lambda = prior.weight_decay(p);
                let back = Prior::from_weight_decay(l, lambda, p, n, sd, units).unwrap();
                assert!(
                    ((back.tau - tau) / tau).abs() < 1e-14,
                    "{units:?}: {tau} -> {lambda} -> {}",
                    back.tau
                );
            }
        }
    }

    /// The consistent form uses τ σ² in λ.
    #[test]
    fn standardised_units_scale_tau() {
        let g = Prior::new(0.01, 0.1, 100, 3.0, TauUnits::Gal).unwrap();
        let s = Prior::new(0.01, 0.1, 100, 3.0, TauUnits::Standardised).unwrap();
        assert!((g.weight_decay(0.1) / s.weight_decay(0.1) - 9.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_non_positive() {
        assert!(Prior::new(0.0, 1.0, 10, 1.0, TauUnits::Gal).is_err());
        assert!(Prior::new(1.0, -1.0, 10, 1.0, TauUnits::Gal).is_err());
        assert!(Prior::new(1.0, f64::NAN, 10, 1.0, TauUnits::Gal).is_err());
        assert!(Prior::from_weight_decay(1.0, 0.0, 0.1, 10, 1.0, TauUnits::Gal).is_err());
    }
}
