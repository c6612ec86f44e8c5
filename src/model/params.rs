//! Hyper-parameters of a dropout regression network, validated, then fitted.

use super::regressor::Regressor;
use super::transform::TargetTransform;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::nn::{Activation, Architecture, Init, Network};
use crate::prior::{Prior, TauUnits};
use crate::train::{Regularisation, TrainConfig, train_network};
use ndarray::{ArrayView1, ArrayView2, Axis};

/// How the observation noise is specified: τ directly, or a weight decay λ from which
/// τ = l² (1 − p) / (2 N λ) follows (DESIGN §2).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Noise {
    /// Noise precision τ in original target units.
    Tau(f64),
    /// Kernel weight decay λ.
    WeightDecay(f64),
}

/// Hyper-parameters of a dropout regression network (unchecked until [`fit`]).
///
/// Defaults follow Gal's reference code: one hidden layer of 50 ReLU units, dropout 0.05
/// before every layer, l = 1e-2, τ = 1, Glorot-uniform kernels, zero biases, Adam, batch
/// 128, 40 epochs, Gal's loss and τ conventions.
///
/// [`fit`]: RegressorParams::fit
///
/// ```
/// use mcdropout::model::RegressorParams;
/// use ndarray::{Array1, Array2};
/// let x = Array2::from_shape_fn((64, 1), |(i, _)| i as f64 / 64.0);
/// let y: Array1<f64> = x.column(0).mapv(|v| (6.0 * v).sin());
/// let mut params = RegressorParams::default();
/// params.train.epochs = 5;
/// let model = params.fit(x.view(), y.view()).unwrap();
/// let pred = model.predict_mc(x.view(), &mcdropout::predict::McOptions::new(100, 1)).unwrap();
/// assert_eq!(pred.mean.len(), 64);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RegressorParams {
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Drop probability before every layer (input layer included).
    pub dropout: f64,
    /// Per-layer drop probabilities, overriding `dropout` when set.
    pub dropout_per_layer: Option<Vec<f64>>,
    /// Prior length-scale l.
    pub length_scale: f64,
    /// τ or λ.
    pub noise: Noise,
    /// Units of the τ that enters λ.
    pub tau_units: TauUnits,
    /// Decay biases too (the KL's bias term); off in Gal's code.
    pub decay_biases: bool,
    /// Kernel initialisation.
    pub init: Init,
    /// Initial bias value.
    pub bias_init: f64,
    /// Training loop settings (epochs, batch, optimiser, loss convention, seed).
    pub train: TrainConfig,
    /// Names of the features (for model files and messages).
    pub feature_names: Option<Vec<String>>,
    /// Name of the target.
    pub target_name: Option<String>,
    /// Transform g of the target: the network models z = g(y) (τ and `noise` are then in
    /// z units) and the fitted model reports in the original units of y
    /// ([`super::transform`]). Default: none.
    pub target_transform: TargetTransform,
}

impl Default for RegressorParams {
    fn default() -> Self {
        Self {
            hidden: vec![50],
            activation: Activation::Relu,
            dropout: 0.05,
            dropout_per_layer: None,
            length_scale: 1e-2,
            noise: Noise::Tau(1.0),
            tau_units: TauUnits::Gal,
            decay_biases: false,
            init: Init::GlorotUniform,
            bias_init: 0.0,
            train: TrainConfig::default(),
            feature_names: None,
            target_name: None,
            target_transform: TargetTransform::None,
        }
    }
}

impl RegressorParams {
    /// Trains a network on `x` (`n × features`, original units) and `y` (`n`). With a
    /// target transform, every target must be in its domain (`log`: > 0, `log1p`: ≥ 0;
    /// else [`Error::TargetOutOfDomain`] naming the first row that is not) and the network
    /// is fitted to g(y).
    pub fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<Regressor> {
        self.fit_with_progress(x, y, &mut |_, _| {})
    }

    /// As [`fit`](Self::fit), calling `on_epoch(epoch, loss)` after every epoch.
    pub fn fit_with_progress(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        on_epoch: &mut dyn FnMut(usize, f64),
    ) -> Result<Regressor> {
        let (_, feature_names, target_name) = fit_preamble(
            x,
            y.len(),
            "targets",
            &self.feature_names,
            &self.target_name,
        )?;
        let tr = self.target_transform;
        tr.check_target(y, &target_name)?;
        let z = (!tr.is_none()).then(|| y.mapv(|v| tr.forward(v)));
        let zv = z.as_ref().map_or(y.view(), |z| z.view());
        let y_scaler = Standardizer::fit_target(zv, &target_name)?;
        let (y_mean, y_std) = (y_scaler.mean[0], y_scaler.std[0]);
        if y.iter().all(|&v| v == y[0]) {
            return Err(Error::ConstantTarget {
                column: target_name,
                value: y[0],
            });
        }
        let y = zv;
        let (network, x_scaler, prior, report) = self.train_standardised(
            x,
            y.mapv(|v| (v - y_mean) / y_std).insert_axis(Axis(1)).view(),
            y_std,
            self.tau_units,
            on_epoch,
        )?;
        Ok(Regressor {
            network,
            x_scaler,
            y_mean,
            y_std,
            prior,
            train: self.train.clone(),
            report,
            feature_names,
            encoding: None,
            target_name,
            target_transform: tr,
        })
    }
}

/// The checks and names every model's `fit` starts with: as many targets as input rows,
/// at least two rows, and the feature names (given ones must match the columns; default
/// `x0, x1, …`) and target name (default `y`). `what` names the targets in the error.
pub(crate) fn fit_preamble(
    x: ArrayView2<f64>,
    y_len: usize,
    what: &str,
    feature_names: &Option<Vec<String>>,
    target_name: &Option<String>,
) -> Result<(usize, Vec<String>, String)> {
    let n = x.nrows();
    if y_len != n {
        return Err(Error::Shape(format!("{n} input rows but {y_len} {what}")));
    }
    if n < 2 {
        return Err(Error::TooFewRows { needed: 2, got: n });
    }
    let feature_names = match feature_names {
        Some(f) if f.len() == x.ncols() => f.clone(),
        Some(f) => {
            return Err(Error::Shape(format!(
                "{} feature names for {} features",
                f.len(),
                x.ncols()
            )));
        }
        None => (0..x.ncols()).map(|i| format!("x{i}")).collect(),
    };
    let target_name = target_name.clone().unwrap_or_else(|| "y".into());
    for (j, name) in feature_names.iter().enumerate() {
        if let Some(i) = feature_names[..j].iter().position(|n| n == name) {
            return Err(Error::InvalidParameter {
                name: "feature_names".into(),
                reason: format!(
                    "{name:?} names features {i} and {j}; every feature needs its own name"
                ),
            });
        }
        if *name == target_name {
            return Err(Error::InvalidParameter {
                name: "feature_names".into(),
                reason: format!("feature {j} has the target's name {name:?}"),
            });
        }
    }
    Ok((n, feature_names, target_name))
}

impl RegressorParams {
    /// The training core shared by the one- and several-target regressors: builds the
    /// architecture (`ys.ncols()` outputs), checks the training limits, makes the prior
    /// (τ or weight decay for targets of std `y_std` in `units`), standardises `x`,
    /// initialises the network and trains it on the standardised targets `ys`.
    pub(crate) fn train_standardised(
        &self,
        x: ArrayView2<f64>,
        ys: ArrayView2<f64>,
        y_std: f64,
        units: TauUnits,
        on_epoch: &mut dyn FnMut(usize, f64),
    ) -> Result<(Network, Standardizer, Prior, crate::train::TrainReport)> {
        let n = x.nrows();
        self.train.validate()?;
        let mut arch = Architecture::new(
            x.ncols(),
            &self.hidden,
            ys.ncols(),
            self.activation,
            self.dropout,
        )?;
        if let Some(rates) = &self.dropout_per_layer {
            arch.dropout = rates.clone();
            arch.validate()?;
        }
        crate::limits::check_training(&arch.sizes, n, self.train.epochs)?;
        let mut prior = match self.noise {
            Noise::Tau(tau) => Prior::new(self.length_scale, tau, n, y_std, units)?,
            Noise::WeightDecay(l) => {
                Prior::from_weight_decay(self.length_scale, l, arch.dropout[0], n, y_std, units)?
            }
        };
        prior.decay_biases = self.decay_biases;
        let names = self
            .feature_names
            .clone()
            .unwrap_or_else(|| (0..x.ncols()).map(|i| format!("x{i}")).collect());
        let x_scaler = Standardizer::fit_named(x, &names)?;
        let xs = x_scaler.transform(x)?;
        let mut network = Network::init(arch, self.init, self.bias_init, self.train.seed)?;
        let reg = Regularisation {
            kernel: prior.weight_decays(&network.arch.dropout),
            bias: prior.bias_decay(),
        };
        crate::limits::check_weight_decay(
            &reg.kernel,
            match self.noise {
                // λ = l² (1 − p) / (2 N τ): a length-scale whose square alone exceeds the
                // limit is the cause, whatever τ.
                // (l is positive and finite here: the prior checked it.)
                Noise::Tau(_)
                    if self.length_scale * self.length_scale > crate::limits::MAX_WEIGHT_DECAY =>
                {
                    "--length-scale"
                }
                Noise::Tau(_) => "--tau",
                Noise::WeightDecay(_) => "--weight-decay",
            },
        )?;
        let report = train_network(&mut network, xs.view(), ys, &reg, &self.train, on_epoch)?;
        Ok((network, x_scaler, prior, report))
    }
}
