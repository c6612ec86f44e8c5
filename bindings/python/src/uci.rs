//! Gal's UCI protocol as independent steps, for running it as Ray tasks from Python
//! (`mcdropout.ray.run_uci`): a picklable dataset, one (split, grid point) training and
//! validation, one split's choice + retrain + test, and the results files of
//! `mcdropout uci`. Every step is the library's own (`UciPlan`, `write_results`); results
//! travel between tasks as JSON text (floats printed shortest-round-trip and parsed back
//! exactly), so the numbers do not depend on where or in which order the steps ran.

use crate::convert::arr2;
use crate::errors::to_py;
use crate::interrupt::run;
use mcdropout::cancel::Cancel;
use mcdropout::experiments::uci::{
    DatasetResult, RunInfo, ScoredPoint, ScoredSplit, UciConfig, UciDataset, UciPlan,
    markdown_table, write_results,
};
use mcdropout::prior::TauUnits;
use mcdropout::train::Precision;
use ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::path::PathBuf;

/// A UCI dataset in the layout of Gal's repository, read once by the driver and shipped to
/// the tasks through Ray's object store (it pickles as its arrays).
#[pyclass(module = "mcdropout._mcdropout", name = "UciDataset", frozen)]
pub struct PyUciDataset {
    pub inner: UciDataset,
}

type Parts<'py> = (
    String,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Vec<(Vec<usize>, Vec<usize>)>,
    usize,
    usize,
    Vec<f64>,
    Vec<f64>,
);

#[pymethods]
impl PyUciDataset {
    /// Reads `<root>/<name>/data/` (data.txt, the index and grid files).
    #[staticmethod]
    fn load(py: Python<'_>, root: PathBuf, name: String) -> PyResult<Self> {
        let inner = py
            .detach(|| UciDataset::load(&root, &name))
            .map_err(to_py)?;
        Ok(Self { inner })
    }

    /// A dataset from the parts `__reduce__` gives (used by pickle).
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn _from_parts(
        name: String,
        x: PyReadonlyArray2<'_, f64>,
        y: PyReadonlyArray1<'_, f64>,
        splits: Vec<(Vec<usize>, Vec<usize>)>,
        n_epochs: usize,
        n_hidden: usize,
        dropout_rates: Vec<f64>,
        tau_values: Vec<f64>,
    ) -> PyResult<Self> {
        let x: Array2<f64> = x.as_array().to_owned();
        let y: Array1<f64> = y.as_array().to_owned();
        let inner = UciDataset::from_parts(
            name,
            x,
            y,
            splits,
            n_epochs,
            n_hidden,
            dropout_rates,
            tau_values,
        )
        .map_err(to_py)?;
        Ok(Self { inner })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Parts<'py>)> {
        let d = &self.inner;
        let ctor = py.get_type::<Self>().getattr("_from_parts")?;
        Ok((
            ctor,
            (
                d.name.clone(),
                arr2(py, d.x.clone()).into_any(),
                d.y.clone().into_pyarray(py).into_any(),
                d.splits.clone(),
                d.n_epochs,
                d.n_hidden,
                d.dropout_rates.clone(),
                d.tau_values.clone(),
            ),
        ))
    }

    /// Folder name (e.g. `yacht`).
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Rows of data.txt.
    #[getter]
    fn n_rows(&self) -> usize {
        self.inner.x.nrows()
    }

    /// Splits in the folder.
    #[getter]
    fn n_splits(&self) -> usize {
        self.inner.splits.len()
    }

    /// Base epochs (n_epochs.txt).
    #[getter]
    fn n_epochs(&self) -> usize {
        self.inner.n_epochs
    }

    /// Hidden units (n_hidden.txt).
    #[getter]
    fn n_hidden(&self) -> usize {
        self.inner.n_hidden
    }

    /// Dropout grid (dropout_rates.txt).
    #[getter]
    fn dropout_rates(&self) -> Vec<f64> {
        self.inner.dropout_rates.clone()
    }

    /// τ grid (tau_values.txt).
    #[getter]
    fn tau_values(&self) -> Vec<f64> {
        self.inner.tau_values.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "UciDataset(name={:?}, rows={}, splits={})",
            self.inner.name,
            self.inner.x.nrows(),
            self.inner.splits.len()
        )
    }
}

/// The protocol settings from Python (a dict with every key of `mcdropout.ray.UciSettings`).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Settings {
    epochs_multiplier: f64,
    samples: usize,
    layers: usize,
    seed: u64,
    splits: Option<Vec<usize>>,
    dropout_rates: Option<Vec<f64>>,
    tau_values: Option<Vec<f64>>,
    tau_units: String,
    precision: String,
}

impl Settings {
    fn config(&self) -> PyResult<UciConfig> {
        let bad =
            |name: &str, reason: String| PyValueError::new_err(format!("invalid {name}: {reason}"));
        if self.samples == 0 {
            return Err(bad("samples", "T must be at least 1".into()));
        }
        if self.layers == 0 {
            return Err(bad("layers", "must be at least 1".into()));
        }
        let mut c = UciConfig::default();
        c.epochs_multiplier = self.epochs_multiplier;
        c.samples = self.samples;
        c.layers = self.layers;
        c.seed = self.seed;
        c.splits = self.splits.clone();
        c.dropout_rates = self.dropout_rates.clone();
        c.tau_values = self.tau_values.clone();
        c.tau_units = match self.tau_units.as_str() {
            "gal" => TauUnits::Gal,
            "standardised" => TauUnits::Standardised,
            o => {
                return Err(bad(
                    "tau_units",
                    format!("{o:?} (expected \"gal\" or \"standardised\")"),
                ));
            }
        };
        c.precision = match self.precision.as_str() {
            "f32" => Precision::F32,
            "f64" => Precision::F64,
            o => {
                return Err(bad(
                    "precision",
                    format!("{o:?} (expected \"f32\" or \"f64\")"),
                ));
            }
        };
        Ok(c)
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> PyResult<T> {
    serde_json::from_str(s).map_err(|e| PyValueError::new_err(format!("invalid {what}: {e}")))
}

/// Splits, grid as (dropout, τ) pairs, and epochs.
type Plan = (Vec<usize>, Vec<(f64, f64)>, usize);

/// The plan of a run on `dataset`: (splits, grid as (dropout, τ) pairs, epochs), checked.
#[pyfunction]
pub fn uci_plan(dataset: &PyUciDataset, settings: Settings) -> PyResult<Plan> {
    let cfg = settings.config()?;
    let plan = UciPlan::new(&dataset.inner, &cfg).map_err(to_py)?;
    Ok((plan.splits, plan.grid, plan.epochs))
}

/// Trains grid point `point` of `split` on the first 80 % of the split's training rows and
/// validates it on the rest; returns the result as JSON (`{"point": {...}, "steps": n}`).
#[pyfunction]
#[pyo3(signature = (dataset, settings, split, point, n_jobs=None))]
pub fn uci_grid_point(
    py: Python<'_>,
    dataset: &PyUciDataset,
    settings: Settings,
    split: usize,
    point: usize,
    n_jobs: Option<usize>,
) -> PyResult<String> {
    let cfg = settings.config()?;
    let cancel = Cancel::new();
    let scored = run(py, n_jobs, &cancel, || {
        UciPlan::new(&dataset.inner, &cfg)?.grid_point(split, point)
    })?;
    to_json(&scored)
}

/// Picks the best of `points` (the JSON results of every grid point of `split`, in grid
/// order), retrains it on the whole training part and tests it; returns JSON
/// (`{"split": {...}, "steps": n}`).
#[pyfunction]
#[pyo3(signature = (dataset, settings, split, points, n_jobs=None))]
pub fn uci_retrain_test(
    py: Python<'_>,
    dataset: &PyUciDataset,
    settings: Settings,
    split: usize,
    points: Vec<String>,
    n_jobs: Option<usize>,
) -> PyResult<String> {
    let cfg = settings.config()?;
    let points: Vec<ScoredPoint> = points
        .iter()
        .map(|p| from_json("grid-point result", p))
        .collect::<PyResult<_>>()?;
    let cancel = Cancel::new();
    let scored = run(py, n_jobs, &cancel, || {
        UciPlan::new(&dataset.inner, &cfg)?.retrain_test(split, &points)
    })?;
    to_json(&scored)
}

/// A dataset's result (mean ± standard error over its splits) from the JSON results of
/// its splits in report order, as JSON.
#[pyfunction]
pub fn uci_dataset_result(name: &str, splits: Vec<String>, wall_seconds: f64) -> PyResult<String> {
    let splits: Vec<ScoredSplit> = splits
        .iter()
        .map(|s| from_json("split result", s))
        .collect::<PyResult<_>>()?;
    to_json(&DatasetResult::from_split_results(
        name,
        splits,
        wall_seconds,
    ))
}

fn dataset_results(datasets: &[String]) -> PyResult<Vec<DatasetResult>> {
    datasets
        .iter()
        .map(|d| from_json("dataset result", d))
        .collect()
}

/// The results table (markdown, next to Gal's published figures) of dataset results.
#[pyfunction]
pub fn uci_table(datasets: Vec<String>) -> PyResult<String> {
    Ok(markdown_table(&dataset_results(&datasets)?))
}

/// Writes results.json, summary.json and results.md into the existing folder `out`,
/// exactly as `mcdropout uci --out` does.
#[pyfunction]
pub fn uci_write_results(
    out: PathBuf,
    settings: Settings,
    jobs: usize,
    total_wall_seconds: f64,
    datasets: Vec<String>,
) -> PyResult<()> {
    let results = dataset_results(&datasets)?;
    let mut info = RunInfo::default();
    info.model = "net".into();
    info.seed = settings.seed;
    info.epochs_multiplier = settings.epochs_multiplier;
    info.samples = settings.samples;
    info.layers = settings.layers;
    info.jobs = jobs;
    info.tau_units = settings.tau_units.clone();
    info.precision = settings.precision.clone();
    write_results(&out, &info, total_wall_seconds, &results).map_err(to_py)
}
