//! Hyper-parameters passed from Python (a dict built by the estimator from its
//! constructor arguments) turned into the library's parameter structs.

use mcdropout::nn::Activation;
use mcdropout::train::{Optimizer, Precision, TrainConfig};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The settings every network estimator shares.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct NetSettings {
    pub hidden_layer_sizes: Vec<usize>,
    pub activation: String,
    pub dropout: f64,
    pub length_scale: f64,
    pub epochs: usize,
    pub batch_size: usize,
    pub optimizer: String,
    pub learning_rate: f64,
    pub momentum: f64,
    pub precision: String,
    pub random_state: u64,
    pub feature_names: Option<Vec<String>>,
}

fn invalid(name: &str, reason: String) -> PyErr {
    PyValueError::new_err(format!("invalid {name}: {reason}"))
}

impl NetSettings {
    /// The hidden activation.
    pub fn activation(&self) -> PyResult<Activation> {
        self.activation
            .parse()
            .map_err(|e: String| invalid("activation", e))
    }

    /// The training loop's settings.
    pub fn train(&self) -> PyResult<TrainConfig> {
        let mut t = TrainConfig::default();
        t.epochs = self.epochs;
        t.batch_size = self.batch_size;
        t.seed = self.random_state;
        t.optimizer = match self.optimizer.as_str() {
            "adam" => Optimizer::Adam {
                lr: self.learning_rate,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-7,
            },
            "sgd" => Optimizer::Sgd {
                lr: self.learning_rate,
                momentum: self.momentum,
            },
            other => {
                return Err(invalid(
                    "optimizer",
                    format!("{other:?} (expected \"adam\" or \"sgd\")"),
                ));
            }
        };
        t.precision = match self.precision.as_str() {
            "float32" | "f32" => Precision::F32,
            "float64" | "f64" => Precision::F64,
            other => {
                return Err(invalid(
                    "precision",
                    format!("{other:?} (expected \"float32\" or \"float64\")"),
                ));
            }
        };
        Ok(t)
    }
}
