//! `mcdropout._mcdropout`: the Python extension module. It converts arrays, releases the
//! GIL, calls the `mcdropout` crate and converts back; every numeric step happens in the
//! crate. The user-facing estimators live in the Python package `mcdropout`.

mod acquire;
mod classifier;
mod convert;
mod errors;
mod files;
mod frame;
mod gp;
mod interrupt;
mod methods;
mod methods_multi;
mod model_methods;
mod multi;
mod regressor;
mod search;
mod settings;
mod simd;
mod torch_import;
mod uci;

use pyo3::prelude::*;

/// The kind of model stored in a model file: "regressor", "classifier" or "gp".
#[pyfunction]
fn model_kind(path: std::path::PathBuf) -> PyResult<String> {
    mcdropout::model::model_kind(&path).map_err(errors::to_py)
}

#[pymodule]
fn _mcdropout(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    simd::init()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(simd::simd_level, m)?)?;
    m.add_function(wrap_pyfunction!(simd::set_simd_level, m)?)?;
    m.add_function(wrap_pyfunction!(simd::available_simd_levels, m)?)?;
    m.add("ModelFileError", py.get_type::<errors::ModelFileError>())?;
    m.add("TrainingError", py.get_type::<errors::TrainingError>())?;
    m.add("InternalError", py.get_type::<errors::InternalError>())?;
    m.add_class::<regressor::PyRegressor>()?;
    m.add_class::<classifier::PyClassifier>()?;
    m.add_class::<gp::PyGp>()?;
    m.add_function(wrap_pyfunction!(regressor::fit_regressor, m)?)?;
    m.add_function(wrap_pyfunction!(frame::fit_encoding, m)?)?;
    m.add_function(wrap_pyfunction!(classifier::fit_classifier, m)?)?;
    m.add_function(wrap_pyfunction!(gp::fit_gp, m)?)?;
    m.add_function(wrap_pyfunction!(torch_import::regressor_from_layers, m)?)?;
    m.add_function(wrap_pyfunction!(torch_import::classifier_from_layers, m)?)?;
    m.add_function(wrap_pyfunction!(model_kind, m)?)?;
    m.add_class::<uci::PyUciDataset>()?;
    m.add_function(wrap_pyfunction!(uci::uci_plan, m)?)?;
    m.add_function(wrap_pyfunction!(uci::uci_grid_point, m)?)?;
    m.add_function(wrap_pyfunction!(uci::uci_retrain_test, m)?)?;
    m.add_function(wrap_pyfunction!(uci::uci_dataset_result, m)?)?;
    m.add_function(wrap_pyfunction!(uci::uci_table, m)?)?;
    m.add_function(wrap_pyfunction!(uci::uci_write_results, m)?)?;
    m.add_function(wrap_pyfunction!(search::search_regressor, m)?)?;
    m.add_function(wrap_pyfunction!(acquire::class_acquisition_scores, m)?)?;
    m.add_function(wrap_pyfunction!(acquire::regression_acquisition_scores, m)?)?;
    m.add_function(wrap_pyfunction!(acquire::select_top_k, m)?)?;
    m.add_function(wrap_pyfunction!(acquire::wheel_sample, m)?)?;
    m.add_class::<acquire::PyDropoutThompson>()?;
    m.add_class::<acquire::PyLinearThompson>()?;
    m.add_class::<methods::PyMethodModel>()?;
    m.add_function(wrap_pyfunction!(methods::fit_method, m)?)?;
    m.add_function(wrap_pyfunction!(methods::is_method_model_file, m)?)?;
    m.add_class::<multi::PyMultiRegressor>()?;
    m.add_function(wrap_pyfunction!(multi::fit_multi_regressor, m)?)?;
    m.add_class::<methods_multi::PyMultiMethodModel>()?;
    m.add_function(wrap_pyfunction!(methods_multi::fit_multi_method, m)?)?;
    m.add_function(wrap_pyfunction!(methods_multi::model_file_targets, m)?)?;
    Ok(())
}
