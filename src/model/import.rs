//! Models from networks trained elsewhere (a PyTorch module's weights, say): no
//! standardisation, the prior's τ given by the user.

use super::regressor::Regressor;
use crate::classify::Classifier;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::prior::{Prior, TauUnits};
use crate::train::{TrainConfig, TrainReport};
use ndarray::Array1;

/// The standardisation that leaves inputs as they are.
fn identity_scaler(n: usize) -> Standardizer {
    Standardizer {
        mean: Array1::zeros(n),
        std: Array1::ones(n),
    }
}

/// The report of a model that was not trained here.
fn not_trained() -> TrainReport {
    TrainReport {
        epochs: 0,
        steps: 0,
        final_loss: f64::NAN,
        seconds: 0.0,
    }
}

fn names(network: &Network) -> Vec<String> {
    (0..network.n_inputs()).map(|i| format!("x{i}")).collect()
}

impl Regressor {
    /// A regressor around a network trained elsewhere, with one output, working on the
    /// inputs and targets as they are (no standardisation), and observation noise
    /// precision `tau` (so the aleatoric variance is τ⁻¹). The stored prior has the default
    /// length-scale 1e-2 and N = 1 (unknown); it only matters for further training or the
    /// ELBO. Monte-Carlo prediction uses the network's dropout rates.
    ///
    /// ```
    /// use mcdropout::model::Regressor;
    /// use mcdropout::nn::{Activation, Architecture, Init, Network};
    /// let arch = Architecture::new(2, &[8], 1, Activation::Relu, 0.1).unwrap();
    /// let net = Network::init(arch, Init::GlorotUniform, 0.0, 7).unwrap();
    /// let model = Regressor::from_network(net, 4.0).unwrap();
    /// assert_eq!(model.tau(), 4.0);
    /// ```
    pub fn from_network(network: Network, tau: f64) -> Result<Self> {
        if network.n_outputs() != 1 {
            return Err(Error::Shape(format!(
                "a regression network has one output, this one has {}",
                network.n_outputs()
            )));
        }
        let prior = Prior::new(1e-2, tau, 1, 1.0, TauUnits::Gal)?;
        Ok(Self {
            x_scaler: identity_scaler(network.n_inputs()),
            y_mean: 0.0,
            y_std: 1.0,
            prior,
            train: TrainConfig::default(),
            report: not_trained(),
            feature_names: names(&network),
            encoding: None,
            target_name: "y".into(),
            target_transform: super::TargetTransform::None,
            network,
        })
    }
}

impl Classifier {
    /// A classifier around a network trained elsewhere whose outputs are the logits of the
    /// classes `classes` (one label per output, strictly increasing), working on the inputs as they
    /// are (no standardisation).
    ///
    /// ```
    /// use mcdropout::classify::Classifier;
    /// use mcdropout::nn::{Activation, Architecture, Init, Network};
    /// let arch = Architecture::new(2, &[8], 3, Activation::Tanh, 0.1).unwrap();
    /// let net = Network::init(arch, Init::GlorotUniform, 0.0, 7).unwrap();
    /// let model = Classifier::from_network(net, vec![0, 1, 2]).unwrap();
    /// assert_eq!(model.n_classes(), 3);
    /// ```
    pub fn from_network(network: Network, classes: Vec<i64>) -> Result<Self> {
        let c = network.n_outputs();
        let increasing = classes.windows(2).all(|w| w[0] < w[1]);
        if c < 2 || classes.len() != c || !increasing {
            return Err(Error::Shape(format!(
                "a classifier needs one label per output, strictly increasing, and at least \
                 two outputs; \
                 the network has {c} outputs, got labels {classes:?}"
            )));
        }
        let train = TrainConfig {
            objective: crate::train::Objective::SoftmaxCrossEntropy,
            ..TrainConfig::default()
        };
        Ok(Self {
            x_scaler: identity_scaler(network.n_inputs()),
            classes,
            prior: Prior::new(1e-2, 1.0, 1, 1.0, TauUnits::Gal)?,
            train,
            report: not_trained(),
            feature_names: names(&network),
            encoding: None,
            target_name: "label".into(),
            network,
        })
    }
}
