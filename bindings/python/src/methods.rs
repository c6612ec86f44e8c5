//! `MethodModel`: a fitted Concrete-dropout, heteroscedastic or deep-ensemble regressor
//! (the library's `methods::MethodModel`), predicting with the uniform mixture of
//! Gaussians over members and MC passes.

use crate::convert::{Matrix, Vector, arr1, check_inputs, dict};
use crate::errors::to_py;
use crate::interrupt::run;
use crate::regressor::{evaluation_dict, mc_options};
use crate::settings::NetSettings;
use mcdropout::cancel::Cancel;
use mcdropout::methods::{self, Method, MethodParams};
use mcdropout::model::Noise;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// A fitted method model.
#[pyclass(module = "mcdropout._mcdropout", name = "MethodModel", frozen)]
pub struct PyMethodModel {
    pub inner: methods::MethodModel,
}

/// Trains a method model (`method` = "mc-dropout", "concrete" or "ensemble") on `x`
/// (n × d) and `y` (n). `tau` is the fixed noise precision of a homoscedastic model
/// (None with `heteroscedastic`).
#[pyfunction]
#[pyo3(signature = (x, y, settings, method, heteroscedastic, members, initial_dropout, temperature, tau))]
#[allow(clippy::too_many_arguments)]
pub fn fit_method(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Vector<'_>,
    settings: NetSettings,
    method: &str,
    heteroscedastic: bool,
    members: usize,
    initial_dropout: f64,
    temperature: f64,
    tau: Option<f64>,
) -> PyResult<PyMethodModel> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), Some(yv.view()))?;
    let method: Method = method
        .parse()
        .map_err(|e: String| PyValueError::new_err(format!("invalid method: {e}")))?;
    let cancel = Cancel::new();
    let mut p = MethodParams::new(method);
    p.heteroscedastic = heteroscedastic;
    p.members = members;
    p.initial_dropout = initial_dropout;
    p.temperature = temperature;
    p.base.hidden = settings.hidden_layer_sizes.clone();
    p.base.activation = settings.activation()?;
    p.base.dropout = settings.dropout;
    p.base.length_scale = settings.length_scale;
    p.base.noise = Noise::Tau(tau.unwrap_or(1.0));
    p.base.train = settings.train()?;
    p.base.train.cancel = Some(cancel.clone());
    p.base.feature_names = settings.feature_names.clone();
    // Members train in parallel on the rayon pool (None: every core); the result does not
    // depend on the thread count (each member's seed is fixed by its index).
    let inner = run(py, None, &cancel, || p.fit(xv.view(), yv.view()))?;
    Ok(PyMethodModel { inner })
}

crate::model_methods::model_file_methods!(
    PyMethodModel,
    methods::io::save,
    methods::io::load,
    methods::io::load_bytes
);

#[pymethods]
impl PyMethodModel {
    /// The method that made the model: "mc-dropout", "concrete" or "ensemble".
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.name()
    }

    /// Whether the networks predict a noise variance per input.
    #[getter]
    fn heteroscedastic(&self) -> bool {
        self.inner.heteroscedastic
    }

    /// The fixed noise precision τ of a homoscedastic model (None when heteroscedastic).
    #[getter]
    fn tau(&self) -> Option<f64> {
        self.inner.tau
    }

    /// Number of input features.
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.x_scaler.mean.len()
    }

    /// Number of networks (ensemble members).
    #[getter]
    fn n_members(&self) -> usize {
        self.inner.members.len()
    }

    /// Layer widths (input, hidden…, output) of the first member.
    #[getter]
    fn sizes(&self) -> Vec<usize> {
        self.inner
            .members
            .first()
            .map(|m| m.arch.sizes.clone())
            .unwrap_or_default()
    }

    /// Each member's drop probability before every layer (learned for Concrete dropout).
    #[getter]
    fn dropout_rates(&self) -> Vec<Vec<f64>> {
        self.inner.dropout_rates()
    }

    /// Training summary: epochs, steps (summed over members), final loss, seconds.
    fn training_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.inner.report;
        dict(
            py,
            vec![
                ("epochs", r.epochs.into_bound_py_any(py)?),
                ("steps", r.steps.into_bound_py_any(py)?),
                ("final_loss", r.final_loss.into_bound_py_any(py)?),
                ("seconds", r.seconds.into_bound_py_any(py)?),
            ],
        )
    }

    /// Mixture prediction: a dict of numpy arrays `mean`, `std`, `epistemic_std`,
    /// `aleatoric_std`, `lower`, `upper` and the float `level`.
    #[pyo3(signature = (x, samples, seed, level, n_jobs=None))]
    fn predict_mc<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        samples: usize,
        seed: u64,
        level: f64,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let opts = mc_options(samples, seed, level, &cancel);
        let p = run(py, n_jobs, &cancel, || {
            self.inner.predict_mc(xv.view(), &opts)
        })?;
        let sqrt0 = |v: f64| v.max(0.0).sqrt();
        dict(
            py,
            vec![
                ("mean", arr1(py, p.mean).into_any()),
                ("std", arr1(py, p.std).into_any()),
                (
                    "epistemic_std",
                    arr1(py, p.epistemic_var.mapv(sqrt0)).into_any(),
                ),
                (
                    "aleatoric_std",
                    arr1(py, p.aleatoric_var.mapv(sqrt0)).into_any(),
                ),
                ("lower", arr1(py, p.lower).into_any()),
                ("upper", arr1(py, p.upper).into_any()),
                ("level", p.level.into_bound_py_any(py)?),
            ],
        )
    }

    /// The deterministic pass of every member, averaged.
    fn predict_deterministic<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let out = run(py, None, &cancel, || self.inner.predict(xv.view()))?;
        arr1(py, out).into_bound_py_any(py)
    }

    /// RMSE, MC RMSE, mixture test log-likelihood, Gaussian log-likelihood, coverage,
    /// mean std, τ (1 / mean aleatoric variance), n and T on labelled data, as a dict.
    #[pyo3(signature = (x, y, samples, seed, level, n_jobs=None))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        y: Vector<'py>,
        samples: usize,
        seed: u64,
        level: f64,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (xv, yv) = (x.view(), y.view());
        check_inputs(xv.view(), Some(yv.view()))?;
        let cancel = Cancel::new();
        let opts = mc_options(samples, seed, level, &cancel);
        let e = run(py, n_jobs, &cancel, || {
            self.inner.evaluate(xv.view(), yv.view(), &opts)
        })?;
        evaluation_dict(py, &e)
    }
}

/// Whether a model file was written for a method model (Concrete dropout, a
/// heteroscedastic head or an ensemble) rather than a plain MC-dropout regressor.
#[pyfunction]
pub fn is_method_model_file(path: PathBuf) -> PyResult<bool> {
    methods::io::file_is_method_model(&path).map_err(to_py)
}
