//! numpy ⇄ ndarray: inputs are borrowed where their dtype allows (float64, any strides or
//! order) and converted only where it does not (float32 → float64); outputs are moved
//! into new numpy arrays without copying.

use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, CowArray, Ix1, Ix2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A 2-D float input as numpy holds it.
#[derive(FromPyObject)]
pub enum Matrix<'py> {
    /// float64: used in place.
    F64(PyReadonlyArray2<'py, f64>),
    /// float32: widened to float64 (the engine's type).
    F32(PyReadonlyArray2<'py, f32>),
}

impl Matrix<'_> {
    /// A float64 view, borrowed for float64 input.
    pub fn view(&self) -> CowArray<'_, f64, Ix2> {
        match self {
            Matrix::F64(a) => CowArray::from(a.as_array()),
            Matrix::F32(a) => CowArray::from(a.as_array().mapv(f64::from)),
        }
    }
}

/// A 1-D float input as numpy holds it.
#[derive(FromPyObject)]
pub enum Vector<'py> {
    /// float64: used in place.
    F64(PyReadonlyArray1<'py, f64>),
    /// float32: widened to float64.
    F32(PyReadonlyArray1<'py, f32>),
}

impl Vector<'_> {
    /// A float64 view, borrowed for float64 input.
    pub fn view(&self) -> CowArray<'_, f64, Ix1> {
        match self {
            Vector::F64(a) => CowArray::from(a.as_array()),
            Vector::F32(a) => CowArray::from(a.as_array().mapv(f64::from)),
        }
    }
}

/// Checks every value of `x` (named `X`) and, if given, of `y` is finite.
pub fn check_inputs(x: ArrayView2<f64>, y: Option<ArrayView1<f64>>) -> PyResult<()> {
    mcdropout::data::check_finite(x, "X").map_err(crate::errors::to_py)?;
    if let Some(y) = y {
        mcdropout::data::check_finite_1d(y, "y value").map_err(crate::errors::to_py)?;
    }
    Ok(())
}

/// Moves a 1-D array into numpy.
pub fn arr1<'py>(py: Python<'py>, a: Array1<f64>) -> Bound<'py, PyArray1<f64>> {
    a.into_pyarray(py)
}

/// Moves a 2-D array into numpy.
pub fn arr2<'py>(py: Python<'py>, a: Array2<f64>) -> Bound<'py, PyArray2<f64>> {
    a.into_pyarray(py)
}

/// Moves a 3-D array into numpy.
pub fn arr3<'py>(py: Python<'py>, a: Array3<f64>) -> Bound<'py, PyArray3<f64>> {
    a.into_pyarray(py)
}

/// A Python dict from (name, value) pairs.
pub fn dict<'py>(
    py: Python<'py>,
    items: Vec<(&str, Bound<'py, PyAny>)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in items {
        d.set_item(k, v)?;
    }
    Ok(d)
}
