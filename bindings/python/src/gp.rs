//! `GaussianProcess`: a fitted exact GP regression (the library's `GpModel`).

use crate::convert::{Matrix, Vector, arr2, check_inputs};
use crate::interrupt::run;
use crate::regressor::{evaluation_dict, summary_dict};
use mcdropout::cancel::Cancel;
use mcdropout::gp::{self, GpParams};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A fitted exact Gaussian-process regression.
#[pyclass(module = "mcdropout._mcdropout", name = "GaussianProcess", frozen)]
pub struct PyGp {
    pub inner: gp::GpModel,
}

/// Fits an exact GP to `x` (n × d) and `y` (n), hyper-parameters by marginal likelihood.
#[pyfunction]
#[pyo3(signature = (x, y, kernel, noise_var, optimise, restarts, max_iter, random_state, feature_names=None))]
#[allow(clippy::too_many_arguments)]
pub fn fit_gp(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Vector<'_>,
    kernel: String,
    noise_var: f64,
    optimise: bool,
    restarts: usize,
    max_iter: usize,
    random_state: u64,
    feature_names: Option<Vec<String>>,
) -> PyResult<PyGp> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), Some(yv.view()))?;
    let cancel = Cancel::new();
    let mut p = GpParams::default();
    p.kernel = kernel;
    p.noise_var = noise_var;
    p.optimise = optimise;
    p.restarts = restarts;
    p.max_iter = max_iter;
    p.seed = random_state;
    p.feature_names = feature_names;
    p.cancel = Some(cancel.clone());
    let inner = run(py, None, &cancel, || p.fit(xv.view(), yv.view()))?;
    Ok(PyGp { inner })
}

crate::model_methods::model_file_methods!(PyGp, gp::save_gp, gp::load_gp, gp::load_gp_bytes);

#[pymethods]
impl PyGp {
    /// Number of input features.
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.x_scaler.mean.len()
    }

    /// The kernel expression.
    #[getter]
    fn kernel(&self) -> String {
        self.inner.kernel_spec.clone()
    }

    /// Noise variance σ_n² in original target units.
    #[getter]
    fn noise_var(&self) -> f64 {
        self.inner.noise_var()
    }

    /// Log marginal likelihood at the fitted parameters (standardised units).
    #[getter]
    fn log_marginal_likelihood(&self) -> f64 {
        self.inner.report.log_marginal_likelihood
    }

    /// L-BFGS iterations over all starts.
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.report.iterations
    }

    /// Fitted kernel and noise parameters by name.
    fn parameters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let items = self
            .inner
            .parameters()
            .into_iter()
            .map(|(k, v)| Ok((k, v.into_bound_py_any(py)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let d = PyDict::new(py);
        for (k, v) in items {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The Gaussian predictive distribution: the same dict as a network's `predict_mc`
    /// (no samples).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        level: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let p = run(py, None, &cancel, || self.inner.predict(xv.view(), level))?;
        summary_dict(py, p)
    }

    /// `count` joint posterior samples of f at the rows of `x` (count × n), seeded.
    fn sample<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        count: usize,
        seed: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let s = run(py, None, &cancel, || {
            self.inner.sample(xv.view(), count, seed)
        })?;
        arr2(py, s).into_bound_py_any(py)
    }

    /// RMSE, exact test log-likelihood and coverage on labelled data.
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        y: Vector<'py>,
        level: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (xv, yv) = (x.view(), y.view());
        check_inputs(xv.view(), Some(yv.view()))?;
        let cancel = Cancel::new();
        let e = run(py, None, &cancel, || {
            self.inner.evaluate(xv.view(), yv.view(), level)
        })?;
        evaluation_dict(py, &e)
    }
}
