//! `Regressor`: a fitted MC-dropout regression network (the library's `Regressor`).

use crate::convert::{Matrix, Vector, arr1, arr2, check_inputs, dict};
use crate::interrupt::run;
use crate::settings::NetSettings;
use mcdropout::cancel::Cancel;
use mcdropout::model::{self, Noise, RegressorParams, TargetTransform};
use mcdropout::predict::McOptions;
use mcdropout::prior::TauUnits;
use numpy::PyReadonlyArray1;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A fitted dropout regression network.
#[pyclass(module = "mcdropout._mcdropout", name = "Regressor", frozen)]
pub struct PyRegressor {
    pub inner: model::Regressor,
}

/// MC options from the Python arguments.
pub fn mc_options(samples: usize, seed: u64, level: f64, cancel: &Cancel) -> McOptions {
    let mut o = McOptions::new(samples, seed);
    o.level = level;
    o.cancel = Some(cancel.clone());
    o
}

/// Trains a dropout regression network on `x` (n × d) and `y` (n).
#[pyfunction]
#[pyo3(signature = (x, y, settings, tau, weight_decay, tau_units, target_transform="none"))]
#[allow(clippy::too_many_arguments)]
pub fn fit_regressor(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Vector<'_>,
    settings: NetSettings,
    tau: Option<f64>,
    weight_decay: Option<f64>,
    tau_units: &str,
    target_transform: &str,
) -> PyResult<PyRegressor> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), Some(yv.view()))?;
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
    p.tau_units = match tau_units {
        "gal" => TauUnits::Gal,
        "standardised" | "standardized" => TauUnits::Standardised,
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid tau_units: {other:?} (expected \"gal\" or \"standardised\")"
            )));
        }
    };
    p.train = settings.train()?;
    p.train.cancel = Some(cancel.clone());
    p.feature_names = settings.feature_names.clone();
    p.target_transform = target_transform
        .parse::<TargetTransform>()
        .map_err(crate::errors::to_py)?;
    let inner = run(py, Some(1), &cancel, || p.fit(xv.view(), yv.view()))?;
    Ok(PyRegressor { inner })
}

crate::model_methods::model_file_methods!(PyRegressor, model::save, model::load, model::load_bytes);
crate::model_methods::network_methods!(PyRegressor);

#[pymethods]
impl PyRegressor {
    /// Noise precision τ (original target units; of z = g(y) with a target transform).
    #[getter]
    fn tau(&self) -> f64 {
        self.inner.tau()
    }

    /// The target transform g the network models z = g(y) with: `none`, `log`, `log1p`.
    #[getter]
    fn target_transform(&self) -> &'static str {
        self.inner.target_transform.name()
    }

    /// The deterministic (weight-averaged) pass.
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

    /// Monte-Carlo dropout prediction: a dict of numpy arrays `mean`, `std`,
    /// `epistemic_std`, `aleatoric_std` (scalar; per row with a target transform),
    /// `lower`, `upper`, and with
    /// `keep_samples` the T × N `samples` and predictive `draws`.
    #[pyo3(signature = (x, samples, seed, level, keep_samples=false, n_jobs=None, row_keys=None))]
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
        row_keys: Option<PyReadonlyArray1<'py, u64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let mut opts = mc_options(samples, seed, level, &cancel);
        opts.row_keys = row_keys.map(|k| k.as_array().iter().copied().collect());
        opts.keep_samples = keep_samples;
        opts.predictive_draws = keep_samples;
        let p = run(py, n_jobs, &cancel, || {
            self.inner.predict_mc(xv.view(), &opts)
        })?;
        summary_dict(py, p)
    }

    /// RMSE, MC RMSE, MC test log-likelihood, Gaussian log-likelihood, coverage, mean
    /// std, τ, n and T on labelled data, as a dict.
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

/// The predictive summary as a dict of numpy arrays.
pub fn summary_dict<'py>(py: Python<'py>, p: model::McPrediction) -> PyResult<Bound<'py, PyDict>> {
    let mut items = vec![
        ("mean", arr1(py, p.mean).into_any()),
        (
            "epistemic_std",
            arr1(py, p.epistemic_var.mapv(|v| v.max(0.0).sqrt())).into_any(),
        ),
        (
            "aleatoric_std",
            match &p.aleatoric_rows {
                Some(a) => arr1(py, a.mapv(|v| v.max(0.0).sqrt())).into_any(),
                None => p.aleatoric_var.sqrt().into_bound_py_any(py)?,
            },
        ),
        ("std", arr1(py, p.std).into_any()),
        ("lower", arr1(py, p.lower).into_any()),
        ("upper", arr1(py, p.upper).into_any()),
        ("level", p.level.into_bound_py_any(py)?),
    ];
    if let Some(s) = p.samples {
        items.push(("samples", arr2(py, s).into_any()));
    }
    if let Some(d) = p.draws {
        items.push(("draws", arr2(py, d).into_any()));
    }
    dict(py, items)
}

/// A regression evaluation as a dict of floats.
pub fn evaluation_dict<'py>(
    py: Python<'py>,
    e: &model::Evaluation,
) -> PyResult<Bound<'py, PyDict>> {
    dict(
        py,
        vec![
            ("n", e.n.into_bound_py_any(py)?),
            ("samples", e.samples.into_bound_py_any(py)?),
            ("rmse", e.rmse.into_bound_py_any(py)?),
            ("mc_rmse", e.mc_rmse.into_bound_py_any(py)?),
            ("log_likelihood", e.ll.into_bound_py_any(py)?),
            (
                "gaussian_log_likelihood",
                e.ll_gaussian.into_bound_py_any(py)?,
            ),
            ("coverage", e.coverage.into_bound_py_any(py)?),
            ("level", e.level.into_bound_py_any(py)?),
            ("mean_std", e.mean_std.into_bound_py_any(py)?),
            ("tau", e.tau.into_bound_py_any(py)?),
        ],
    )
}
