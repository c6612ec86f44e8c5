//! Several targets (Y ∈ R^{N×D}) for the beyond-grid methods: one network (MC or Concrete
//! dropout) or M (an ensemble) whose heteroscedastic head outputs `2·D` values per input,
//! the D means then the D log-variances of a diagonal Gaussian. The loss is the sum over
//! targets of the per-point Gaussian NLL (see [`super::engine`], which handles any D);
//! each target is standardised with its own mean and std, as [`crate::model::MultiRegressor`]
//! does.

use super::engine::{MaskKind, Objective};
use super::params::{Method, MethodParams};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::Noise;
use crate::model::params::fit_preamble;
use crate::nn::{Architecture, Network};
use crate::prior::TauUnits;
use crate::train::{TrainConfig, TrainReport};
use ndarray::{Array2, ArrayView2, Axis};

/// A trained method model with D ≥ 1 targets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MultiMethodModel {
    /// The method that made it.
    pub method: Method,
    /// Whether the networks output (D means, D log-variances).
    pub heteroscedastic: bool,
    /// The networks (one unless an ensemble).
    pub members: Vec<Network>,
    /// Standardisation of the inputs.
    pub x_scaler: Standardizer,
    /// Standardisation of the targets (one mean and std per target, ddof 0).
    pub y_scaler: Standardizer,
    /// Prior length-scale l.
    pub length_scale: f64,
    /// τ in original target units (a homoscedastic model, D = 1 only).
    pub tau: Option<f64>,
    /// Temperature of the Concrete relaxation used in training.
    pub temperature: f64,
    /// How it was trained.
    pub train: TrainConfig,
    /// What training did (steps summed over members).
    pub report: TrainReport,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// How the raw columns of a table become the network's inputs (`feature_names`):
    /// one-hot text columns, imputed cells; `None` when the inputs are the columns as
    /// they are.
    pub encoding: Option<crate::data::Encoding>,
    /// Target names, one per target.
    pub target_names: Vec<String>,
}

impl MultiMethodModel {
    /// The number of targets D.
    pub fn d(&self) -> usize {
        self.target_names.len()
    }

    /// Each member's drop probabilities (learned ones for Concrete dropout).
    pub fn dropout_rates(&self) -> Vec<Vec<f64>> {
        self.members
            .iter()
            .map(|m| m.arch.dropout.clone())
            .collect()
    }
}

impl MethodParams {
    /// Trains on `x` (`n × features`, original units) and `y` (`n × D`, original units).
    /// Each target is standardised with its own mean and std; the loss is the sum over
    /// targets of the Gaussian NLL of each point (plus the prior's decay and, for Concrete
    /// dropout, its regulariser). With D ≥ 2 the model needs the heteroscedastic head
    /// (a fixed-τ model with several targets is [`crate::model::RegressorParams::fit_multi`]).
    /// With D = 1 the networks are bit-identical to [`fit`](Self::fit)'s.
    /// `target_names` (default: the base's target name for D = 1, `y0, y1, …` otherwise)
    /// name the columns.
    pub fn fit_multi(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        target_names: Option<Vec<String>>,
    ) -> Result<MultiMethodModel> {
        self.validate()?;
        let b = &self.base;
        let d = y.ncols();
        if d == 0 {
            return Err(Error::Shape("the targets have no columns".into()));
        }
        if d > 1 && !self.heteroscedastic {
            return Err(Error::InvalidParameter {
                name: "--heteroscedastic".into(),
                reason: format!(
                    "{} with {d} targets needs the heteroscedastic head (a fixed-τ network for several targets is the plain MC-dropout regressor, --method mc-dropout without --heteroscedastic)",
                    self.method.name()
                ),
            });
        }
        let target_names = match target_names {
            Some(t) if t.len() == d => t,
            Some(t) => {
                return Err(Error::Shape(format!(
                    "{} target names for {d} targets",
                    t.len()
                )));
            }
            None if d == 1 => vec![b.target_name.clone().unwrap_or_else(|| "y".into())],
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
        let (n, feature_names, _) = fit_preamble(
            x,
            y.nrows(),
            "target rows",
            &b.feature_names,
            &Some(target_names.join(",")),
        )?;
        if let Some(f) = feature_names.iter().find(|f| target_names.contains(f)) {
            return Err(Error::InvalidParameter {
                name: "feature_names".into(),
                reason: format!("{f:?} is both a feature and a target"),
            });
        }
        crate::data::check_finite(y, "targets")?;
        let y_scaler = Standardizer::fit_named(y, &target_names)?;
        for (j, col) in y.axis_iter(Axis(1)).enumerate() {
            if col.iter().all(|&v| v == col[0]) {
                return Err(Error::ConstantTarget {
                    column: target_names[j].clone(),
                    value: col[0],
                });
            }
        }
        let tau = if self.heteroscedastic {
            None
        } else {
            match b.noise {
                Noise::Tau(t) if t.is_finite() && t > 0.0 => Some(t),
                Noise::Tau(t) => {
                    return Err(Error::InvalidParameter {
                        name: "--tau".into(),
                        reason: format!("must be a positive finite number, got {t}"),
                    });
                }
                _ => {
                    return Err(Error::InvalidParameter {
                        name: "--tau".into(),
                        reason: "a homoscedastic model needs --tau".into(),
                    });
                }
            }
        };
        if !(b.length_scale.is_finite() && b.length_scale > 0.0) {
            return Err(Error::InvalidParameter {
                name: "--length-scale".into(),
                reason: format!("must be a positive finite number, got {}", b.length_scale),
            });
        }
        let outputs = if self.heteroscedastic { 2 * d } else { d };
        let p0 = match self.method {
            Method::McDropout => b.dropout,
            Method::Concrete => self.initial_dropout,
            Method::Ensemble => 0.0,
        };
        let mut arch = Architecture::new(x.ncols(), &b.hidden, outputs, b.activation, p0)?;
        if let Some(rates) = &b.dropout_per_layer {
            arch.dropout = rates.clone();
            arch.validate()?;
        }
        super::params::check_members(&arch.sizes, n, self.members, b.train.epochs)?;
        let x_scaler = Standardizer::fit_named(x, &feature_names)?;
        let xs = x_scaler.transform(x)?;
        // The same operation per element as `fit` ((v − mean) / std), so D = 1 matches it.
        let ys = Array2::from_shape_fn((n, d), |(i, j)| {
            (y[[i, j]] - y_scaler.mean[j]) / y_scaler.std[j]
        });
        let y_std0 = y_scaler.std[0];
        let tau_net = tau.map_or(1.0, |t| match b.tau_units {
            TauUnits::Gal => t,
            TauUnits::Standardised => t * y_std0 * y_std0,
        });
        let obj = Objective {
            mask: match self.method {
                Method::McDropout => MaskKind::Bernoulli,
                Method::Concrete => MaskKind::Concrete(self.temperature),
                Method::Ensemble => MaskKind::None,
            },
            heteroscedastic: self.heteroscedastic,
            tau_net,
            length_scale: b.length_scale,
            n_train: n,
            beta: self.beta,
        };
        let trained =
            self.train_members(&arch, &obj, xs.view(), ys.view(), None, &mut |_, _| Ok(()))?;
        let report = TrainReport {
            epochs: b.train.epochs,
            steps: trained.iter().map(|(_, r)| r.steps).sum(),
            final_loss: trained.iter().map(|(_, r)| r.final_loss).sum::<f64>()
                / trained.len() as f64,
            seconds: trained.iter().map(|(_, r)| r.seconds).sum(),
        };
        Ok(MultiMethodModel {
            method: self.method,
            heteroscedastic: self.heteroscedastic,
            members: trained.into_iter().map(|(n, _)| n).collect(),
            x_scaler,
            y_scaler,
            length_scale: b.length_scale,
            tau,
            temperature: self.temperature,
            train: b.train.clone(),
            report,
            feature_names,
            encoding: None,
            target_names,
        })
    }
}
