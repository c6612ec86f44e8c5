//! Hyper-parameters of a dropout classification network, validated, then fitted.

use super::classifier::Classifier;
use super::labels::{class_indices, classes_of, integer_labels};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::params::fit_preamble;
use crate::nn::{Activation, Architecture, Init, Network};
use crate::prior::{Prior, TauUnits};
use crate::train::{Objective, Regularisation, TrainConfig, train_network};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Hyper-parameters of a dropout classifier (unchecked until [`fit`](Self::fit)).
///
/// The network's last layer gives C logits, trained with the mean softmax cross-entropy
/// plus weight decay `Σ_i λ_i ‖W_i‖²`. With no `weight_decay`, `λ_i = l² (1 − p_i) / (2N)`
/// — the KL term of DESIGN §5 divided by N (classification has no τ; the prior stored in
/// the model has τ = 1). With `weight_decay = λ`, the first layer gets λ and the others
/// `λ (1 − p_i)/(1 − p_0)`, as in regression.
///
/// Defaults: one hidden layer of 50 ReLU units, dropout 0.05 before every layer, l = 1e-2,
/// Glorot-uniform kernels, zero biases, Adam (lr 1e-3), batch 128, 40 epochs.
///
/// ```
/// use mcdropout::classify::ClassifierParams;
/// use ndarray::{Array1, Array2};
/// let x = Array2::from_shape_fn((80, 2), |(i, j)| ((i * (j + 3)) % 17) as f64 / 17.0);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| if r[0] > 0.5 { 5.0 } else { 2.0 }).collect();
/// let mut params = ClassifierParams::default();
/// params.train.epochs = 20;
/// let model = params.fit(x.view(), y.view()).unwrap();
/// assert_eq!(model.classes, vec![2, 5]);
/// let pred = model.predict_mc(x.view(), &mcdropout::predict::McOptions::new(50, 1)).unwrap();
/// assert_eq!(pred.probs.dim(), (80, 2));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClassifierParams {
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
    /// Kernel weight decay of the first layer, overriding the prior's `l²(1 − p)/(2N)`.
    pub weight_decay: Option<f64>,
    /// Decay biases too (λ_b = l²/(2N)); off by default.
    pub decay_biases: bool,
    /// Kernel initialisation.
    pub init: Init,
    /// Initial bias value.
    pub bias_init: f64,
    /// Scale every input as `(x − a) / b` with this fixed `(a, b)` instead of standardising
    /// each feature with its training mean and std (for images, where a pixel that is
    /// almost always blank would otherwise be blown up by its tiny std). Default `None`.
    pub fixed_input_scale: Option<(f64, f64)>,
    /// Training loop settings; `objective` is set to softmax cross-entropy by `fit`.
    pub train: TrainConfig,
    /// Names of the features.
    pub feature_names: Option<Vec<String>>,
    /// Name of the label column.
    pub target_name: Option<String>,
}

impl Default for ClassifierParams {
    fn default() -> Self {
        Self {
            hidden: vec![50],
            activation: Activation::Relu,
            dropout: 0.05,
            dropout_per_layer: None,
            length_scale: 1e-2,
            weight_decay: None,
            decay_biases: false,
            init: Init::GlorotUniform,
            bias_init: 0.0,
            fixed_input_scale: None,
            train: TrainConfig::default(),
            feature_names: None,
            target_name: None,
        }
    }
}

impl ClassifierParams {
    /// Trains on `x` (`n × features`, original units) and integer labels `y` (`n`, any
    /// integer values; each distinct value is a class).
    pub fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<Classifier> {
        self.fit_with_progress(x, y, &mut |_, _| {})
    }

    /// As [`fit`](Self::fit), calling `on_epoch(epoch, loss)` after every epoch.
    pub fn fit_with_progress(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        on_epoch: &mut dyn FnMut(usize, f64),
    ) -> Result<Classifier> {
        let (n, feature_names, target_name) =
            fit_preamble(x, y.len(), "labels", &self.feature_names, &self.target_name)?;
        let labels = integer_labels(y, &target_name)?;
        let classes = classes_of(&labels, &target_name)?;
        let idx = class_indices(&labels, &classes)?;
        let mut train = self.train.clone();
        train.objective = Objective::SoftmaxCrossEntropy;
        train.validate()?;
        let mut arch = Architecture::new(
            x.ncols(),
            &self.hidden,
            classes.len(),
            self.activation,
            self.dropout,
        )?;
        if let Some(rates) = &self.dropout_per_layer {
            arch.dropout = rates.clone();
            arch.validate()?;
        }
        crate::limits::check_training(&arch.sizes, n, train.epochs)?;
        let mut prior = match self.weight_decay {
            None => Prior::new(self.length_scale, 1.0, n, 1.0, TauUnits::Gal)?,
            Some(l) => Prior::from_weight_decay(
                self.length_scale,
                l,
                arch.dropout[0],
                n,
                1.0,
                TauUnits::Gal,
            )?,
        };
        prior.decay_biases = self.decay_biases;
        let x_scaler = match self.fixed_input_scale {
            None => Standardizer::fit_named(x, &feature_names)?,
            Some((a, b)) if a.is_finite() && b.is_finite() && b > 0.0 => Standardizer {
                mean: Array1::from_elem(x.ncols(), a),
                std: Array1::from_elem(x.ncols(), b),
            },
            Some((a, b)) => {
                return Err(Error::InvalidParameter {
                    name: "fixed input scale".into(),
                    reason: format!("needs a finite offset and a positive scale, got ({a}, {b})"),
                });
            }
        };
        let xs = x_scaler.transform(x)?;
        let ys = Array2::from_shape_fn((n, 1), |(r, _)| idx[r] as f64);
        let mut network = Network::init(arch, self.init, self.bias_init, train.seed)?;
        let reg = Regularisation {
            kernel: prior.weight_decays(&network.arch.dropout),
            bias: prior.bias_decay(),
        };
        crate::limits::check_weight_decay(&reg.kernel, "--weight-decay")?;
        let report = train_network(&mut network, xs.view(), ys.view(), &reg, &train, on_epoch)?;
        Ok(Classifier {
            network,
            x_scaler,
            classes,
            prior,
            train,
            report,
            feature_names,
            encoding: None,
            target_name,
        })
    }
}
