//! `MultiMethodModel`: a Concrete-dropout or deep-ensemble regressor with D ≥ 2 targets
//! (the library's `methods::MultiMethodModel`), predicting with the equal-weight mixture
//! of diagonal Gaussians over members and MC passes.

use crate::convert::{Matrix, arr1, arr2, arr3, check_inputs, dict};
use crate::errors::to_py;
use crate::interrupt::run;
use crate::regressor::mc_options;
use crate::settings::NetSettings;
use mcdropout::cancel::Cancel;
use mcdropout::methods::{self, Method, MethodParams};
use mcdropout::model::Noise;
use ndarray::{Array1, Array2};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// A fitted several-target method model.
#[pyclass(module = "mcdropout._mcdropout", name = "MultiMethodModel", frozen)]
pub struct PyMultiMethodModel {
    pub inner: methods::MultiMethodModel,
}

/// Trains a several-target method model (`method` = "concrete" or "ensemble", with the
/// heteroscedastic head) on `x` (n × d) and `y` (n × D).
#[pyfunction]
#[pyo3(signature = (x, y, settings, method, heteroscedastic, members, initial_dropout, temperature, tau, target_names=None))]
#[allow(clippy::too_many_arguments)]
pub fn fit_multi_method(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Matrix<'_>,
    settings: NetSettings,
    method: &str,
    heteroscedastic: bool,
    members: usize,
    initial_dropout: f64,
    temperature: f64,
    tau: Option<f64>,
    target_names: Option<Vec<String>>,
) -> PyResult<PyMultiMethodModel> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), None)?;
    mcdropout::data::check_finite(yv.view(), "y").map_err(to_py)?;
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
    let inner = run(py, None, &cancel, || {
        p.fit_multi(xv.view(), yv.view(), target_names)
    })?;
    Ok(PyMultiMethodModel { inner })
}

/// The square root of each row's covariance diagonal (N × D × D → N × D).
fn diag_sqrt(cov: &ndarray::Array3<f64>) -> Array2<f64> {
    let (n, d) = (cov.shape()[0], cov.shape()[1]);
    Array2::from_shape_fn((n, d), |(i, j)| cov[[i, j, j]].max(0.0).sqrt())
}

crate::model_methods::model_file_methods!(
    PyMultiMethodModel,
    methods::io::save_multi,
    methods::io::load_multi,
    methods::io::load_multi_bytes
);

#[pymethods]
impl PyMultiMethodModel {
    /// Target names stored in the model.
    #[getter]
    fn target_names(&self) -> Vec<String> {
        self.inner.target_names.clone()
    }

    /// The method that made the model: "mc-dropout", "concrete" or "ensemble".
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.name()
    }

    /// Whether the networks predict a noise variance per input and target.
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

    /// Mixture prediction: a dict of N × D numpy arrays `mean`, `std`, `epistemic_std`,
    /// `aleatoric_std`, `lower`, `upper`, the N × D × D `epistemic_cov` and the float
    /// `level`.
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
                ("mean", arr2(py, p.mean).into_any()),
                ("std", arr2(py, p.std).into_any()),
                (
                    "epistemic_std",
                    arr2(py, diag_sqrt(&p.epistemic_cov)).into_any(),
                ),
                (
                    "aleatoric_std",
                    arr2(py, p.aleatoric_var.mapv(sqrt0)).into_any(),
                ),
                ("lower", arr2(py, p.lower).into_any()),
                ("upper", arr2(py, p.upper).into_any()),
                ("epistemic_cov", arr3(py, p.epistemic_cov).into_any()),
                ("level", p.level.into_bound_py_any(py)?),
            ],
        )
    }

    /// The deterministic pass of every member, averaged, N × D.
    fn predict_deterministic<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let out = run(py, None, &cancel, || self.inner.predict(xv.view()))?;
        arr2(py, out).into_bound_py_any(py)
    }

    /// Per-target RMSE, MC RMSE, log-likelihood, coverage and mean std, and the joint
    /// mixture and Gaussian log-likelihoods, on labelled data (y is N × D), as a dict.
    #[pyo3(signature = (x, y, samples, seed, level, n_jobs=None))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        y: Matrix<'py>,
        samples: usize,
        seed: u64,
        level: f64,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (xv, yv) = (x.view(), y.view());
        check_inputs(xv.view(), None)?;
        mcdropout::data::check_finite(yv.view(), "y").map_err(to_py)?;
        let cancel = Cancel::new();
        let opts = mc_options(samples, seed, level, &cancel);
        let e = run(py, n_jobs, &cancel, || {
            self.inner.evaluate(xv.view(), yv.view(), &opts)
        })?;
        let v = |a: &[f64]| arr1(py, Array1::from(a.to_vec())).into_any();
        dict(
            py,
            vec![
                ("n", e.n.into_bound_py_any(py)?),
                ("samples", e.samples.into_bound_py_any(py)?),
                ("targets", e.targets.clone().into_bound_py_any(py)?),
                ("rmse", v(&e.rmse)),
                ("mc_rmse", v(&e.mc_rmse)),
                ("log_likelihood_per_target", v(&e.ll)),
                ("coverage", v(&e.coverage)),
                ("mean_std", v(&e.mean_std)),
                ("log_likelihood", e.ll_mixture.into_bound_py_any(py)?),
                (
                    "gaussian_log_likelihood",
                    e.ll_gaussian.into_bound_py_any(py)?,
                ),
                ("level", e.level.into_bound_py_any(py)?),
                ("tau", e.tau.into_bound_py_any(py)?),
            ],
        )
    }
}

/// The number of targets D recorded in a model file (1 when it records none).
#[pyfunction]
pub fn model_file_targets(path: PathBuf) -> PyResult<usize> {
    methods::io::file_targets(&path).map_err(to_py)
}
