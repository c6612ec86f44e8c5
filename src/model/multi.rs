//! Several targets at once (Y ∈ R^{N×D}, the paper's model): one network with D outputs,
//! every target standardised with its own training mean and std, and one noise precision τ
//! in the network's (standardised) units, so the observation noise is τ⁻¹ I_D there and
//! diag(σ_d² / τ) in target units. MC prediction returns, per row, the mean, the predictive
//! covariance τ⁻¹ I_D + the sample covariance of the T outputs (DESIGN §3, mapped to
//! target units), per-target std and intervals; evaluation adds the joint Gaussian and the
//! MC-mixture log-likelihoods. A heteroscedastic head would be a 2·D-output network with
//! the same standardisation; nothing here assumes D outputs beyond [`MultiRegressor::d`].

use super::params::{RegressorParams, fit_preamble};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::prior::{Prior, TauUnits};
use crate::train::{TrainConfig, TrainReport};
use ndarray::{ArrayView2, Axis};

/// A trained D-output dropout regression network.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MultiRegressor {
    /// The network (standardised inputs → D standardised targets).
    pub network: Network,
    /// Standardisation of the inputs.
    pub x_scaler: Standardizer,
    /// Standardisation of the targets: one mean and std (ddof 0) per target.
    pub y_scaler: Standardizer,
    /// Prior with τ in standardised units (its `target_std` is 1: the network's targets).
    pub prior: Prior,
    /// How it was trained.
    pub train: TrainConfig,
    /// What training did.
    pub report: TrainReport,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// How the raw columns of a table become the network's inputs (`feature_names`):
    /// one-hot text columns, imputed cells; `None` when the inputs are the columns as
    /// they are.
    pub encoding: Option<crate::data::Encoding>,
    /// Target names, one per output.
    pub target_names: Vec<String>,
}

impl MultiRegressor {
    /// Number of targets D.
    pub fn d(&self) -> usize {
        self.target_names.len()
    }

    /// τ in standardised units (shared by every target).
    pub fn tau(&self) -> f64 {
        self.prior.tau
    }

    /// Observation noise variance of each target in its own units, σ_d² / τ.
    pub fn noise_var(&self) -> Vec<f64> {
        self.y_scaler
            .std
            .iter()
            .map(|s| s * s / self.tau())
            .collect()
    }

    /// A model from its parts, checked (as read from a file, or built by hand in tests).
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        network: Network,
        x_scaler: Standardizer,
        y_scaler: Standardizer,
        prior: Prior,
        train: TrainConfig,
        report: TrainReport,
        feature_names: Vec<String>,
        target_names: Vec<String>,
    ) -> Result<Self> {
        let (k, d) = (network.n_inputs(), network.n_outputs());
        if x_scaler.mean.len() != k || x_scaler.std.len() != k || feature_names.len() != k {
            return Err(Error::Shape(format!(
                "{k} network inputs but {} input means, {} stds, {} feature names",
                x_scaler.mean.len(),
                x_scaler.std.len(),
                feature_names.len()
            )));
        }
        if y_scaler.mean.len() != d || y_scaler.std.len() != d || target_names.len() != d {
            return Err(Error::Shape(format!(
                "{d} network outputs but {} target means, {} stds, {} target names",
                y_scaler.mean.len(),
                y_scaler.std.len(),
                target_names.len()
            )));
        }
        Ok(Self {
            network,
            x_scaler,
            y_scaler,
            prior,
            train,
            report,
            feature_names,
            encoding: None,
            target_names,
        })
    }
}

impl RegressorParams {
    /// Trains a D-output network on `x` (`n × features`) and `y` (`n × D`, original
    /// units); the 1-D [`fit`](Self::fit) is unchanged. Each target is standardised with
    /// its own mean and std. τ (from [`Noise::Tau`], or implied by a weight decay) is the
    /// noise precision of the standardised targets, whatever `tau_units` says: targets in
    /// different units share no "original units". `target_names` (default `y0, y1, …`)
    /// name the columns.
    pub fn fit_multi(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        target_names: Option<Vec<String>>,
    ) -> Result<MultiRegressor> {
        let d = y.ncols();
        if d == 0 {
            return Err(Error::Shape("the targets have no columns".into()));
        }
        let target_names = match target_names {
            Some(t) if t.len() == d => t,
            Some(t) => {
                return Err(Error::Shape(format!(
                    "{} target names for {d} targets",
                    t.len()
                )));
            }
            None => (0..d).map(|j| format!("y{j}")).collect(),
        };
        for (j, name) in target_names.iter().enumerate() {
            if target_names[..j].contains(name) {
                return Err(Error::InvalidParameter {
                    name: "--target".into(),
                    reason: format!("{name:?} is listed twice; every target needs its own column"),
                });
            }
        }
        let (_, feature_names, _) = fit_preamble(
            x,
            y.nrows(),
            "target rows",
            &self.feature_names,
            &Some(target_names.join(",")),
        )?;
        if let Some(f) = feature_names.iter().find(|f| target_names.contains(f)) {
            return Err(Error::InvalidParameter {
                name: "feature_names".into(),
                reason: format!("{f:?} is both a feature and a target"),
            });
        }
        crate::data::check_finite(y, "targets")?;
        for (j, col) in y.axis_iter(Axis(1)).enumerate() {
            if col.iter().all(|&v| v == col[0]) {
                return Err(Error::ConstantTarget {
                    column: target_names[j].clone(),
                    value: col[0],
                });
            }
        }
        let y_scaler = Standardizer::fit_named(y, &target_names)?;
        // The network's targets have std 1: τ is in their units (TauUnits::Gal with
        // target_std 1 puts τ into λ as given).
        let ys = y_scaler.transform(y)?;
        let (network, x_scaler, prior, report) =
            self.train_standardised(x, ys.view(), 1.0, TauUnits::Gal, &mut |_, _| {})?;
        MultiRegressor::from_parts(
            network,
            x_scaler,
            y_scaler,
            prior,
            self.train.clone(),
            report,
            feature_names,
            target_names,
        )
    }
}
