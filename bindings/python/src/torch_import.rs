//! Networks trained elsewhere (PyTorch) as mcdropout models: the Python side reads the
//! module's layers and weights through numpy; this builds the library's network.

use crate::classifier::PyClassifier;
use crate::convert::Matrix;
use crate::errors::to_py;
use crate::regressor::PyRegressor;
use mcdropout::classify::Classifier;
use mcdropout::model::Regressor;
use mcdropout::nn::{Activation, Architecture, Layer, Network};
use ndarray::Array1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn network(
    kernels: Vec<Matrix<'_>>,
    biases: Vec<Vec<f64>>,
    dropout: Vec<f64>,
    activation: &str,
) -> PyResult<Network> {
    if kernels.is_empty() || kernels.len() != biases.len() || kernels.len() != dropout.len() {
        return Err(PyValueError::new_err(format!(
            "need one kernel, bias and dropout rate per Linear layer, got {}, {} and {}",
            kernels.len(),
            biases.len(),
            dropout.len()
        )));
    }
    let activation: Activation = activation
        .parse()
        .map_err(|e: String| PyValueError::new_err(format!("invalid activation: {e}")))?;
    let mut sizes = vec![kernels[0].view().nrows()];
    sizes.extend(kernels.iter().map(|k| k.view().ncols()));
    let hidden = &sizes[1..sizes.len() - 1];
    let out = sizes[sizes.len() - 1];
    let mut arch = Architecture::new(sizes[0], hidden, out, activation, 0.0).map_err(to_py)?;
    arch.dropout = dropout;
    let layers = kernels
        .iter()
        .zip(biases)
        .map(|(k, b)| Layer {
            weights: k.view().into_owned(),
            bias: Array1::from(b),
        })
        .collect();
    Network::from_layers(arch, layers).map_err(to_py)
}

/// A regressor from per-layer kernels (fan_in × fan_out), biases, the dropout rate before
/// each layer, the hidden activation and τ.
#[pyfunction]
pub fn regressor_from_layers(
    kernels: Vec<Matrix<'_>>,
    biases: Vec<Vec<f64>>,
    dropout: Vec<f64>,
    activation: &str,
    tau: f64,
) -> PyResult<PyRegressor> {
    let net = network(kernels, biases, dropout, activation)?;
    Ok(PyRegressor {
        inner: Regressor::from_network(net, tau).map_err(to_py)?,
    })
}

/// A classifier from per-layer kernels, biases, dropout rates, the hidden activation and
/// the integer label of each output (logit).
#[pyfunction]
pub fn classifier_from_layers(
    kernels: Vec<Matrix<'_>>,
    biases: Vec<Vec<f64>>,
    dropout: Vec<f64>,
    activation: &str,
    classes: Vec<i64>,
) -> PyResult<PyClassifier> {
    let net = network(kernels, biases, dropout, activation)?;
    Ok(PyClassifier {
        inner: Classifier::from_network(net, classes).map_err(to_py)?,
    })
}
