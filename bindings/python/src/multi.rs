//! `MultiRegressor`: an MC-dropout regression network with D outputs (the library's
//! `model::MultiRegressor`, model files of kind "multi-regressor").

use crate::convert::{Matrix, arr1, arr2, arr3, check_inputs, dict};
use crate::errors::to_py;
use crate::interrupt::run;
use crate::regressor::mc_options;
use crate::settings::NetSettings;
use mcdropout::cancel::Cancel;
use mcdropout::model::{self, Noise, RegressorParams};
use ndarray::{Array1, Array2};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A fitted D-output dropout regression network.
#[pyclass(module = "mcdropout._mcdropout", name = "MultiRegressor", frozen)]
pub struct PyMultiRegressor {
    pub inner: model::MultiRegressor,
}

/// Trains a D-output dropout regression network on `x` (n × d) and `y` (n × D). τ is
/// the noise precision of the standardised targets.
#[pyfunction]
#[pyo3(signature = (x, y, settings, tau, weight_decay, target_names=None))]
pub fn fit_multi_regressor(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Matrix<'_>,
    settings: NetSettings,
    tau: Option<f64>,
    weight_decay: Option<f64>,
    target_names: Option<Vec<String>>,
) -> PyResult<PyMultiRegressor> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), None)?;
    mcdropout::data::check_finite(yv.view(), "y").map_err(to_py)?;
    let cancel = Cancel::new();
    let mut p = RegressorParams::default();
    p.hidden = settings.hidden_layer_sizes.clone();
    p.activation = settings.activation()?;
    p.dropout = settings.dropout;
    p.length_scale = settings.length_scale;
    p.noise = match (tau, weight_decay) {
        (_, Some(l)) => Noise::WeightDecay(l),
        (Some(t), None) => Noise::Tau(t),
        (None, None) => {
            return Err(PyValueError::new_err(
                "invalid tau: give tau or weight_decay",
            ));
        }
    };
    p.train = settings.train()?;
    p.train.cancel = Some(cancel.clone());
    p.feature_names = settings.feature_names.clone();
    let inner = run(py, Some(1), &cancel, || {
        p.fit_multi(xv.view(), yv.view(), target_names)
    })?;
    Ok(PyMultiRegressor { inner })
}

/// The square root of each row's covariance diagonal (N × D × D → N × D).
fn diag_sqrt(cov: &ndarray::Array3<f64>) -> Array2<f64> {
    let (n, d) = (cov.shape()[0], cov.shape()[1]);
    Array2::from_shape_fn((n, d), |(i, j)| cov[[i, j, j]].max(0.0).sqrt())
}

crate::model_methods::model_file_methods!(
    PyMultiRegressor,
    model::save_multi,
    model::load_multi,
    model::load_multi_bytes
);

#[pymethods]
impl PyMultiRegressor {
    /// Target names stored in the model.
    #[getter]
    fn target_names(&self) -> Vec<String> {
        self.inner.target_names.clone()
    }

    /// τ in standardised units (shared by every target).
    #[getter]
    fn tau(&self) -> f64 {
        self.inner.tau()
    }

    /// Each target's noise variance in its own units, σ_d² / τ.
    #[getter]
    fn noise_var(&self) -> Vec<f64> {
        self.inner.noise_var()
    }

    /// Number of input features.
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.network.n_inputs()
    }

    /// Layer widths (input, hidden…, output).
    #[getter]
    fn sizes(&self) -> Vec<usize> {
        self.inner.network.arch.sizes.clone()
    }

    /// Drop probability before every layer.
    #[getter]
    fn dropout(&self) -> Vec<f64> {
        self.inner.network.arch.dropout.clone()
    }

    /// Training summary: epochs, steps, final loss, seconds.
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

    /// The deterministic (weight-averaged) pass, N × D.
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

    /// MC-dropout prediction: a dict of numpy arrays `mean`, `std`, `epistemic_std`,
    /// `lower`, `upper` (N × D), `aleatoric_std` (D), `cov` (N × D × D), `level`, and
    /// with `keep_samples` the T × N × D `samples`.
    #[pyo3(signature = (x, samples, seed, level, keep_samples=false, n_jobs=None))]
    #[allow(clippy::too_many_arguments)]
    fn predict_mc<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        samples: usize,
        seed: u64,
        level: f64,
        keep_samples: bool,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let mut opts = mc_options(samples, seed, level, &cancel);
        opts.keep_samples = keep_samples;
        let p = run(py, n_jobs, &cancel, || {
            self.inner.predict_mc(xv.view(), &opts)
        })?;
        let aleatoric: Array1<f64> = p.aleatoric_var.iter().map(|v| v.max(0.0).sqrt()).collect();
        let mut items = vec![
            ("mean", arr2(py, p.mean).into_any()),
            ("std", arr2(py, p.std).into_any()),
            (
                "epistemic_std",
                arr2(py, diag_sqrt(&p.epistemic_cov)).into_any(),
            ),
            ("aleatoric_std", arr1(py, aleatoric).into_any()),
            ("lower", arr2(py, p.lower).into_any()),
            ("upper", arr2(py, p.upper).into_any()),
            ("cov", arr3(py, p.cov).into_any()),
            ("level", p.level.into_bound_py_any(py)?),
        ];
        if let Some(s) = p.samples {
            items.push(("samples", arr3(py, s).into_any()));
        }
        dict(py, items)
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
