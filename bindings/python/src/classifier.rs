//! `Classifier`: a fitted MC-dropout classification network (the library's
//! `Classifier`). Labels cross the boundary as class indices 0..C−1; the Python estimator
//! keeps the user's labels.

use crate::convert::{Matrix, Vector, arr1, arr2, arr3, check_inputs, dict};
use crate::interrupt::run;
use crate::regressor::mc_options;
use crate::settings::NetSettings;
use mcdropout::cancel::Cancel;
use mcdropout::classify::{self, ClassifierParams};
use numpy::PyReadonlyArray1;
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A fitted dropout classifier.
#[pyclass(module = "mcdropout._mcdropout", name = "Classifier", frozen)]
pub struct PyClassifier {
    pub inner: classify::Classifier,
}

/// Trains a dropout classifier on `x` (n × d) and integer labels `y` (n).
#[pyfunction]
#[pyo3(signature = (x, y, settings, weight_decay))]
pub fn fit_classifier(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Vector<'_>,
    settings: NetSettings,
    weight_decay: Option<f64>,
) -> PyResult<PyClassifier> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), Some(yv.view()))?;
    let cancel = Cancel::new();
    let mut p = ClassifierParams::default();
    p.hidden = settings.hidden_layer_sizes.clone();
    p.activation = settings.activation()?;
    p.dropout = settings.dropout;
    p.length_scale = settings.length_scale;
    p.weight_decay = weight_decay;
    p.train = settings.train()?;
    p.train.cancel = Some(cancel.clone());
    p.feature_names = settings.feature_names.clone();
    let inner = run(py, Some(1), &cancel, || p.fit(xv.view(), yv.view()))?;
    Ok(PyClassifier { inner })
}

crate::model_methods::model_file_methods!(
    PyClassifier,
    classify::save_classifier,
    classify::load_classifier,
    classify::load_classifier_bytes
);
crate::model_methods::network_methods!(PyClassifier);

#[pymethods]
impl PyClassifier {
    /// The integer label of each class index.
    #[getter]
    fn classes(&self) -> Vec<i64> {
        self.inner.classes.clone()
    }

    /// Softmax probabilities of the deterministic pass (N × C).
    fn predict_proba_deterministic<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let p = run(py, None, &cancel, || self.inner.predict_proba(xv.view()))?;
        arr2(py, p).into_bound_py_any(py)
    }

    /// Monte-Carlo dropout prediction: a dict with `probs` (N × C mean probabilities),
    /// `class_index` (N), `entropy`, `mutual_info`, `variation_ratio` (N), and with
    /// `keep_samples` the T × N × C `logit_samples` and `prob_samples`.
    #[pyo3(signature = (x, samples, seed, keep_samples=false, n_jobs=None, row_keys=None))]
    #[allow(clippy::too_many_arguments)]
    fn predict_mc<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        samples: usize,
        seed: u64,
        keep_samples: bool,
        n_jobs: Option<usize>,
        row_keys: Option<PyReadonlyArray1<'py, u64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let xv = x.view();
        check_inputs(xv.view(), None)?;
        let cancel = Cancel::new();
        let mut opts = mc_options(samples, seed, 0.95, &cancel);
        opts.row_keys = row_keys.map(|k| k.as_array().iter().copied().collect());
        opts.keep_samples = keep_samples;
        let p = run(py, n_jobs, &cancel, || {
            self.inner.predict_mc(xv.view(), &opts)
        })?;
        let index: Vec<i64> = p.class_index.iter().map(|&i| i as i64).collect();
        let mut items = vec![
            ("probs", arr2(py, p.probs).into_any()),
            ("class_index", index.into_bound_py_any(py)?),
            ("entropy", arr1(py, p.entropy).into_any()),
            ("mutual_info", arr1(py, p.mutual_info).into_any()),
            ("variation_ratio", arr1(py, p.variation_ratio).into_any()),
        ];
        if let Some(s) = p.logit_samples {
            items.push(("logit_samples", arr3(py, s).into_any()));
        }
        if let Some(s) = p.prob_samples {
            items.push(("prob_samples", arr3(py, s).into_any()));
        }
        dict(py, items)
    }

    /// Accuracy, NLL, Brier score, ECE and MCE of the deterministic pass and of MC
    /// dropout, and mean uncertainties, on labelled data (labels as in training).
    #[pyo3(signature = (x, y, samples, seed, bins=15, n_jobs=None))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: Matrix<'py>,
        y: Vector<'py>,
        samples: usize,
        seed: u64,
        bins: usize,
        n_jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (xv, yv) = (x.view(), y.view());
        check_inputs(xv.view(), Some(yv.view()))?;
        let cancel = Cancel::new();
        let opts = mc_options(samples, seed, 0.95, &cancel);
        let e = run(py, n_jobs, &cancel, || {
            self.inner.evaluate(xv.view(), yv.view(), &opts, bins)
        })?;
        let scores = |s: &classify::Scores| -> PyResult<Bound<'py, PyDict>> {
            dict(
                py,
                vec![
                    ("accuracy", s.accuracy.into_bound_py_any(py)?),
                    ("nll", s.nll.into_bound_py_any(py)?),
                    ("brier", s.brier.into_bound_py_any(py)?),
                    ("ece", s.calibration.ece.into_bound_py_any(py)?),
                    ("mce", s.calibration.mce.into_bound_py_any(py)?),
                ],
            )
        };
        dict(
            py,
            vec![
                ("n", e.n.into_bound_py_any(py)?),
                ("samples", e.samples.into_bound_py_any(py)?),
                ("deterministic", scores(&e.deterministic)?.into_any()),
                ("mc", scores(&e.mc)?.into_any()),
                ("mean_entropy", e.mean_entropy.into_bound_py_any(py)?),
                (
                    "mean_mutual_info",
                    e.mean_mutual_info.into_bound_py_any(py)?,
                ),
                (
                    "mean_variation_ratio",
                    e.mean_variation_ratio.into_bound_py_any(py)?,
                ),
            ],
        )
    }
}
