//! Hyper-parameters of the beyond-grid methods, validated, then fitted.

use super::engine::{MaskKind, Objective};
use super::fit::train_method;
use super::model::MethodModel;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::params::fit_preamble;
use crate::model::{Noise, RegressorParams};
use crate::nn::{Architecture, Network};
use crate::prior::TauUnits;
use crate::train::{Precision, TrainReport};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which method trains the network(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Method {
    /// MC dropout at fixed rates (Gal & Ghahramani 2016).
    #[default]
    McDropout,
    /// Concrete dropout: rates learned with the weights (Gal, Hron & Kendall 2017).
    Concrete,
    /// A deep ensemble of heteroscedastic networks without dropout (Lakshminarayanan,
    /// Pritzel & Blundell 2017), predicting with the uniform mixture.
    Ensemble,
}

impl Method {
    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Method::McDropout => "mc-dropout",
            Method::Concrete => "concrete",
            Method::Ensemble => "ensemble",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "mc-dropout" => Ok(Method::McDropout),
            "concrete" => Ok(Method::Concrete),
            "ensemble" => Ok(Method::Ensemble),
            o => Err(format!(
                "unknown method {o:?} (expected mc-dropout, concrete or ensemble)"
            )),
        }
    }
}

/// Hyper-parameters of a method model (unchecked until [`fit`](Self::fit)).
///
/// `base` carries what every method shares with the MC-dropout regressor (hidden widths,
/// activation, length-scale, initialisation, training loop, names); its `dropout` is the
/// fixed rate of [`Method::McDropout`] and its `noise` the τ of a homoscedastic model.
///
/// ```
/// use mcdropout::methods::{Method, MethodParams};
/// use ndarray::{Array1, Array2};
/// let x = Array2::from_shape_fn((64, 1), |(i, _)| i as f64 / 64.0);
/// let y: Array1<f64> = x.column(0).mapv(|v| (6.0 * v).sin());
/// let mut p = MethodParams::new(Method::Concrete);
/// p.base.train.epochs = 5;
/// let model = p.fit(x.view(), y.view()).unwrap();
/// assert!(model.dropout_rates()[0].iter().all(|&r| r > 0.0 && r < 1.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MethodParams {
    /// The method.
    pub method: Method,
    /// A mean and log-variance head (always on for ensembles).
    pub heteroscedastic: bool,
    /// Ensemble members M (default 5; must be 1 for the other methods).
    pub members: usize,
    /// Initial drop probability of Concrete dropout, in (0, 1) (default 0.1, the
    /// reference code's).
    pub initial_dropout: f64,
    /// Temperature of the Concrete relaxation (default 0.1, the reference code's).
    pub temperature: f64,
    /// β of the β-NLL gradient weighting of the heteroscedastic head (default 0: the
    /// plain Gaussian NLL); see [`super::engine::Objective::beta`].
    pub beta: f64,
    /// Shared settings.
    pub base: RegressorParams,
}

impl MethodParams {
    /// Defaults for `method`: heteroscedastic for Concrete dropout and ensembles, 5
    /// members for ensembles, p₀ = 0.1, t = 0.1.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            heteroscedastic: method != Method::McDropout,
            members: if method == Method::Ensemble { 5 } else { 1 },
            initial_dropout: 0.1,
            temperature: 0.1,
            beta: 0.0,
            base: RegressorParams::default(),
        }
    }

    /// Checks the combination of settings.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &str, reason: String| Error::InvalidParameter {
            name: name.into(),
            reason,
        };
        if self.members < 1 {
            return Err(bad(
                "--members",
                format!(
                    "an ensemble needs at least one member, got {}",
                    self.members
                ),
            ));
        }
        if self.method != Method::Ensemble && self.members != 1 {
            return Err(bad(
                "--members",
                format!(
                    "applies to --method ensemble only ({} trains one network)",
                    self.method.name()
                ),
            ));
        }
        if self.method == Method::Ensemble && !self.heteroscedastic {
            return Err(bad(
                "--heteroscedastic",
                "ensemble members always have the heteroscedastic head (Lakshminarayanan et al. 2017)".into(),
            ));
        }
        if self.method == Method::Concrete
            && !(self.initial_dropout > 0.0 && self.initial_dropout < 1.0)
        {
            return Err(bad(
                "--dropout",
                format!(
                    "the initial drop probability of Concrete dropout must be in (0, 1), got {}",
                    self.initial_dropout
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.beta) || (self.beta > 0.0 && !self.heteroscedastic) {
            return Err(bad(
                "--beta-nll",
                format!(
                    "β must be in [0, 1] and needs the heteroscedastic head, got {}",
                    self.beta
                ),
            ));
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return Err(bad(
                "temperature",
                format!("must be positive, got {}", self.temperature),
            ));
        }
        if self.method != Method::McDropout && self.base.dropout_per_layer.is_some() {
            return Err(bad(
                "dropout_per_layer",
                format!("does not apply to {}", self.method.name()),
            ));
        }
        if self.heteroscedastic && matches!(self.base.noise, Noise::WeightDecay(_)) {
            return Err(bad(
                "--weight-decay",
                "a heteroscedastic model learns its noise; its decay follows from the length-scale"
                    .into(),
            ));
        }
        if self.base.train.objective != crate::train::Objective::SquaredError {
            return Err(bad("objective", "these methods are for regression".into()));
        }
        self.base.train.validate()
    }

    /// Trains on `x` (`n × features`, original units) and `y` (`n`).
    pub fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<MethodModel> {
        self.fit_checkpointed(x, y, None, &mut |_, _| Ok(()))
    }

    /// As [`fit`](Self::fit); with one network, calls `on_checkpoint(epoch, model)` every
    /// `every` epochs and at the end with the model as it is then (used to choose the
    /// number of epochs on a validation part).
    pub fn fit_checkpointed(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        every: Option<usize>,
        on_checkpoint: &mut dyn FnMut(usize, &MethodModel) -> Result<()>,
    ) -> Result<MethodModel> {
        self.validate()?;
        let b = &self.base;
        let (n, feature_names, target_name) =
            fit_preamble(x, y.len(), "targets", &b.feature_names, &b.target_name)?;
        let y_scaler = Standardizer::fit_target(y, &target_name)?;
        let (y_mean, y_std) = (y_scaler.mean[0], y_scaler.std[0]);
        if y.iter().all(|&v| v == y[0]) {
            return Err(Error::ConstantTarget {
                column: target_name,
                value: y[0],
            });
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
        let outputs = if self.heteroscedastic { 2 } else { 1 };
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
        check_members(&arch.sizes, n, self.members, b.train.epochs)?;
        let x_scaler = Standardizer::fit_named(x, &feature_names)?;
        let xs = x_scaler.transform(x)?;
        let ys: Array2<f64> = y.mapv(|v| (v - y_mean) / y_std).insert_axis(Axis(1));
        // τ in the network's units: the consistent form (τ σ_y²) or Gal's (τ as given).
        let tau_net = tau.map_or(1.0, |t| match b.tau_units {
            TauUnits::Gal => t,
            TauUnits::Standardised => t * y_std * y_std,
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
        let shell = |members: Vec<Network>, report: TrainReport| MethodModel {
            method: self.method,
            heteroscedastic: self.heteroscedastic,
            members,
            x_scaler: x_scaler.clone(),
            y_mean,
            y_std,
            length_scale: b.length_scale,
            tau,
            temperature: self.temperature,
            train: b.train.clone(),
            report,
            feature_names: feature_names.clone(),
            encoding: None,
            target_name: target_name.clone(),
        };
        let mut cb = |epoch: usize, net: &Network| -> Result<()> {
            let m = shell(vec![net.clone()], TrainReport::default_at(epoch));
            on_checkpoint(epoch, &m)
        };
        let trained = self.train_members(&arch, &obj, xs.view(), ys.view(), every, &mut cb)?;
        let report = TrainReport {
            epochs: b.train.epochs,
            steps: trained.iter().map(|(_, r)| r.steps).sum(),
            final_loss: trained.iter().map(|(_, r)| r.final_loss).sum::<f64>()
                / trained.len() as f64,
            seconds: trained.iter().map(|(_, r)| r.seconds).sum(),
        };
        Ok(shell(trained.into_iter().map(|(n, _)| n).collect(), report))
    }

    /// Trains the member networks of `arch` on standardised `xs`, `ys` (`n × D`): one
    /// network (with checkpoints) or `members` in parallel, each with [`member_seed`].
    pub(super) fn train_members(
        &self,
        arch: &Architecture,
        obj: &Objective,
        xs: ArrayView2<f64>,
        ys: ArrayView2<f64>,
        every: Option<usize>,
        on_checkpoint: &mut dyn FnMut(usize, &Network) -> Result<()>,
    ) -> Result<Vec<(Network, TrainReport)>> {
        let b = &self.base;
        let train_one = |m: usize,
                         cb: &mut dyn FnMut(usize, &Network) -> Result<()>|
         -> Result<(Network, TrainReport)> {
            let seed = member_seed(b.train.seed, m);
            let mut net = Network::init(arch.clone(), b.init, b.bias_init, seed)?;
            let mut cfg = b.train.clone();
            cfg.seed = seed;
            let r = match cfg.precision {
                Precision::F32 => train_method::<f32>(&mut net, obj, xs, ys, &cfg, every, cb),
                _ => train_method::<f64>(&mut net, obj, xs, ys, &cfg, every, cb),
            }?;
            Ok((net, r))
        };
        if self.members == 1 {
            Ok(vec![train_one(0, on_checkpoint)?])
        } else {
            (0..self.members)
                .into_par_iter()
                .map(|m| train_one(m, &mut |_, _| Ok(())))
                .collect::<Result<_>>()
        }
    }
}

/// Refuses an ensemble of `members` networks of widths `sizes` trained `epochs` epochs on
/// `rows` rows that would exceed the memory or work limits, naming `--members` (the
/// members' parameters with gradients and optimiser state are all kept).
pub(crate) fn check_members(
    sizes: &[usize],
    rows: usize,
    members: usize,
    epochs: usize,
) -> Result<()> {
    let params = crate::limits::n_params(sizes);
    crate::limits::check_memory(
        &format!(
            "--members {members}: an ensemble of {members} networks of layer widths {sizes:?}"
        ),
        members as f64 * params * 8.0 * 4.0,
    )?;
    crate::limits::check_work(
        &format!(
            "--members {members}: training {members} networks of layer widths {sizes:?} for {epochs} epochs on {rows} rows"
        ),
        6.0 * params * rows as f64 * members as f64 * epochs as f64,
    )
}

/// The seed of ensemble member `m`: the training seed itself for member 0, then a
/// SplitMix64 mix of (seed, m), so members differ and no member depends on the thread
/// count or on the other members.
pub fn member_seed(seed: u64, m: usize) -> u64 {
    if m == 0 {
        return seed;
    }
    let mut z = seed ^ (m as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl TrainReport {
    /// A report for a model checkpointed after `epoch` epochs (steps and time unknown).
    pub(crate) fn default_at(epoch: usize) -> Self {
        Self {
            epochs: epoch,
            steps: 0,
            final_loss: f64::NAN,
            seconds: 0.0,
        }
    }
}
