//! `search_regressor`: the library's (p, τ) search (`mcdropout::search`) on arrays.

use crate::convert::{Matrix, Vector, check_inputs};
use crate::interrupt::run;
use crate::regressor::PyRegressor;
use crate::settings::NetSettings;
use mcdropout::cancel::Cancel;
use mcdropout::prior::TauUnits;
use mcdropout::search::{Epochs, SearchConfig, Validation, search};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Searches (dropout, τ) on `(x, y)` and trains the winner on every row: returns the
/// fitted regressor and the search report as JSON text. `settings` give the network and
/// training loop (their dropout and epochs are replaced); `None` grids, folds, steps and
/// epochs take the library's defaults.
#[pyfunction]
#[pyo3(signature = (x, y, settings, dropout_rates, tau_values, tau_units, validation_fraction, folds, target_steps, epochs, max_widenings, samples, n_jobs))]
#[allow(clippy::too_many_arguments)]
pub fn search_regressor(
    py: Python<'_>,
    x: Matrix<'_>,
    y: Vector<'_>,
    settings: NetSettings,
    dropout_rates: Option<Vec<f64>>,
    tau_values: Option<Vec<f64>>,
    tau_units: &str,
    validation_fraction: f64,
    folds: Option<usize>,
    target_steps: Option<u64>,
    epochs: Option<usize>,
    max_widenings: usize,
    samples: usize,
    n_jobs: Option<usize>,
) -> PyResult<(PyRegressor, String)> {
    let (xv, yv) = (x.view(), y.view());
    check_inputs(xv.view(), Some(yv.view()))?;
    let cancel = Cancel::new();
    let mut cfg = SearchConfig::default();
    cfg.base.hidden = settings.hidden_layer_sizes.clone();
    cfg.base.activation = settings.activation()?;
    cfg.base.length_scale = settings.length_scale;
    cfg.base.train = settings.train()?;
    cfg.base.train.cancel = Some(cancel.clone());
    cfg.base.feature_names = settings.feature_names.clone();
    cfg.base.tau_units = match tau_units {
        "standardised" | "standardized" => TauUnits::Standardised,
        "gal" if tau_values.is_some() => TauUnits::Gal,
        "gal" => {
            return Err(PyValueError::new_err(
                "invalid tau_values: with tau_units=\"gal\" τ is in target units and needs a grid made for the target's scale",
            ));
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid tau_units: {other:?} (expected \"standardised\" or \"gal\")"
            )));
        }
    };
    if let Some(p) = dropout_rates {
        cfg.dropout_rates = p;
    }
    if let Some(t) = tau_values {
        cfg.tau_values = t;
    }
    cfg.validation = match folds {
        Some(k) => Validation::Folds(k),
        None => Validation::Holdout(validation_fraction),
    };
    cfg.epochs = match (epochs, target_steps) {
        (Some(e), _) => Epochs::Fixed(e),
        (None, Some(s)) => Epochs::Steps(s),
        (None, None) => cfg.epochs,
    };
    cfg.max_widenings = max_widenings;
    cfg.samples = samples;
    cfg.seed = settings.random_state;
    let (model, report) = run(py, n_jobs, &cancel, || search(xv.view(), yv.view(), &cfg))?;
    let json = serde_json::to_string(&report)
        .map_err(|e| PyValueError::new_err(format!("cannot encode the report: {e}")))?;
    Ok((PyRegressor { inner: model }, json))
}
