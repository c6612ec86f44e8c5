//! Acquisition scores, top-k selection, the wheel bandit and the Thompson-sampling
//! policies, exposed to Python. Conversion and errors only: every number is computed by
//! the `mcdropout` crate (`mcdropout::acquire`, `mcdropout::bandit`).

use crate::errors::to_py;
use mcdropout::acquire::{
    Acquisition, class_scores_from_probs, regression_scores_from_samples, top_k,
};
use mcdropout::bandit::{
    DropoutConfig, DropoutMode, DropoutPolicy, LinearTs, LinearTsConfig, Policy, Wheel,
};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3,
};
use pyo3::prelude::*;

fn function(name: &str) -> PyResult<Acquisition> {
    name.parse::<Acquisition>().map_err(to_py)
}

/// Scores of N candidates from T × N × C class-probability samples (`prob_samples` of a
/// classifier's MC run) under `function` (bald, max-entropy, variation-ratio, mean-std,
/// random); `seed` is used by random only.
#[pyfunction]
pub fn class_acquisition_scores<'py>(
    py: Python<'py>,
    function: &str,
    prob_samples: PyReadonlyArray3<'py, f64>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let acq = self::function(function)?;
    let s = class_scores_from_probs(acq, prob_samples.as_array(), seed).map_err(to_py)?;
    Ok(s.into_pyarray(py))
}

/// Scores of N candidates from T × N regression samples under `function`
/// (max-variance, random).
#[pyfunction]
pub fn regression_acquisition_scores<'py>(
    py: Python<'py>,
    function: &str,
    samples: PyReadonlyArray2<'py, f64>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let acq = self::function(function)?;
    let s = regression_scores_from_samples(acq, samples.as_array(), seed).map_err(to_py)?;
    Ok(s.into_pyarray(py))
}

/// Indices of the `k` largest scores, largest first, ties in increasing index order.
#[pyfunction]
pub fn select_top_k(scores: PyReadonlyArray1<'_, f64>, k: usize) -> PyResult<Vec<usize>> {
    let s = scores.as_array().to_vec();
    top_k(&s, k).map_err(to_py)
}

/// `n` contexts of the wheel bandit with exploration parameter `delta`: (contexts n × 2,
/// rewards n × 5, mean rewards n × 5).
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn wheel_sample<'py>(
    py: Python<'py>,
    delta: f64,
    n: usize,
    seed: u64,
) -> PyResult<(
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
)> {
    let w = Wheel::new(delta).map_err(to_py)?;
    mcdropout::limits::check_memory("wheel bandit sample", 12.0 * 8.0 * n as f64).map_err(to_py)?;
    let d = w.sample(n, seed);
    let flat = |rows: Vec<Vec<f64>>, c: usize| {
        ndarray::Array2::from_shape_vec((rows.len(), c), rows.concat())
            .expect("rows of equal length")
    };
    Ok((
        flat(d.contexts.iter().map(|r| r.to_vec()).collect(), 2).into_pyarray(py),
        flat(d.rewards.iter().map(|r| r.to_vec()).collect(), 5).into_pyarray(py),
        flat(d.means.iter().map(|r| r.to_vec()).collect(), 5).into_pyarray(py),
    ))
}

/// A Thompson-sampling (or greedy) policy: MC-dropout networks, one per arm.
#[pyclass(name = "DropoutThompson", module = "mcdropout._mcdropout", unsendable)]
pub struct PyDropoutThompson {
    inner: DropoutPolicy,
}

#[pymethods]
impl PyDropoutThompson {
    #[new]
    #[pyo3(signature = (context_dim, arms, seed=0, greedy=false, hidden=vec![50], dropout=0.2, train_every=50, steps=100, lr=0.01, initial_pulls=2, shared=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        context_dim: usize,
        arms: usize,
        seed: u64,
        greedy: bool,
        hidden: Vec<usize>,
        dropout: f64,
        train_every: usize,
        steps: usize,
        lr: f64,
        initial_pulls: usize,
        shared: bool,
    ) -> PyResult<Self> {
        let mut cfg = DropoutConfig::default();
        cfg.shared = shared;
        cfg.hidden = hidden;
        cfg.dropout = dropout;
        cfg.train_every = train_every;
        cfg.steps = steps;
        cfg.lr = lr;
        cfg.initial_pulls = initial_pulls;
        let mode = if greedy {
            DropoutMode::Greedy
        } else {
            DropoutMode::Thompson
        };
        let inner = DropoutPolicy::new(context_dim, arms, cfg, mode, seed).map_err(to_py)?;
        Ok(Self { inner })
    }

    /// The arm to pull at decision `t` for context `x`.
    fn choose(&mut self, t: usize, x: Vec<f64>) -> PyResult<usize> {
        self.inner.choose(t, &x).map_err(to_py)
    }

    /// Records the reward of `arm` at decision `t`.
    fn update(&mut self, t: usize, x: Vec<f64>, arm: usize, reward: f64) -> PyResult<()> {
        self.inner.update(t, &x, arm, reward).map_err(to_py)
    }

    /// Every arm's value at decision `t`: one masked pass (Thompson) or the
    /// deterministic pass (greedy).
    fn values(&self, t: usize, x: Vec<f64>) -> PyResult<Vec<f64>> {
        self.inner.values(t, &x).map_err(to_py)
    }
}

/// Exact Bayesian linear regression Thompson sampling (Normal-inverse-gamma per arm).
#[pyclass(name = "LinearThompson", module = "mcdropout._mcdropout", unsendable)]
pub struct PyLinearThompson {
    inner: LinearTs,
}

#[pymethods]
impl PyLinearThompson {
    #[new]
    #[pyo3(signature = (context_dim, arms, seed=0, a0=6.0, b0=6.0, lambda_prior=0.25, initial_pulls=2))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        context_dim: usize,
        arms: usize,
        seed: u64,
        a0: f64,
        b0: f64,
        lambda_prior: f64,
        initial_pulls: usize,
    ) -> PyResult<Self> {
        let mut cfg = LinearTsConfig::default();
        cfg.a0 = a0;
        cfg.b0 = b0;
        cfg.lambda = lambda_prior;
        cfg.initial_pulls = initial_pulls;
        let inner = LinearTs::new(context_dim, arms, cfg, seed).map_err(to_py)?;
        Ok(Self { inner })
    }

    /// The arm to pull at decision `t` for context `x`.
    fn choose(&mut self, t: usize, x: Vec<f64>) -> PyResult<usize> {
        self.inner.choose(t, &x).map_err(to_py)
    }

    /// Records the reward of `arm` at decision `t`.
    fn update(&mut self, t: usize, x: Vec<f64>, arm: usize, reward: f64) -> PyResult<()> {
        self.inner.update(t, &x, arm, reward).map_err(to_py)
    }

    /// One posterior draw of every arm's expected reward at `x`.
    fn sample_values(&mut self, x: Vec<f64>) -> PyResult<Vec<f64>> {
        self.inner.sample_values(&x).map_err(to_py)
    }
}
