//! DataFrames as they are: text columns and missing cells, encoded by the crate's
//! `Encoding` exactly as the CLI encodes a file (thin: convert, release the GIL, call Rust,
//! convert back).

use crate::convert::arr2;
use crate::errors::to_py;
use mcdropout::data::{
    Categorical, ColumnValues, Encoding, EncodingOptions, LoadOptions, Missing, Table,
    UnknownCategory, table_from_columns,
};
use numpy::{PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::path::Path;

/// The columns as the crate takes them: a float64 array is numbers, a list of
/// `str | None` is cells read like a file's.
fn columns_of(columns: &[Bound<'_, PyAny>]) -> PyResult<Vec<ColumnValues>> {
    columns
        .iter()
        .map(|c| {
            if let Ok(a) = c.extract::<PyReadonlyArray1<'_, f64>>() {
                return Ok(ColumnValues::Numbers(a.as_array().to_vec()));
            }
            c.extract::<Vec<Option<String>>>()
                .map(ColumnValues::Cells)
                .map_err(|_| {
                    PyValueError::new_err(
                        "invalid X: a column must be a float64 array or a list of str | None",
                    )
                })
        })
        .collect()
}

fn missing_of(missing: &str) -> PyResult<Missing> {
    match missing {
        "error" => Ok(Missing::Error),
        "drop" => Ok(Missing::Drop),
        "impute" => Ok(Missing::Impute),
        other => Err(PyValueError::new_err(format!(
            "invalid missing: {other:?} (expected \"error\", \"drop\" or \"impute\")"
        ))),
    }
}

/// The rows of the table kept (0-based rows of the frame; fewer with `missing="drop"`).
fn kept_rows(t: &Table) -> Vec<usize> {
    t.lines.iter().map(|l| l - 2).collect()
}

/// The encoded features of `t`: selected from the encoded table as the command line
/// selects them (`Table::select_columns`), so the array, its memory order and every
/// statistic computed from it are the same as there.
fn features(enc: &Encoding, t: &Table) -> mcdropout::Result<ndarray::Array2<f64>> {
    let e = enc.encode_table(t, UnknownCategory::Error)?;
    let cols: Vec<usize> = (0..enc.output_names().len()).collect();
    Ok(e.table.select_columns(&cols))
}

/// Fits the encoding of a DataFrame's columns (`names`, `columns`): text columns one-hot,
/// with `missing="impute"` missing cells filled. Returns the encoded features, the
/// encoding (JSON), the input names and the rows kept.
#[pyfunction]
#[pyo3(signature = (names, columns, categorical, categorical_columns, max_categories, missing))]
#[allow(clippy::type_complexity)]
pub fn fit_encoding<'py>(
    py: Python<'py>,
    names: Vec<String>,
    columns: Vec<Bound<'py, PyAny>>,
    categorical: bool,
    categorical_columns: Vec<String>,
    max_categories: usize,
    missing: &str,
) -> PyResult<(Bound<'py, PyArray2<f64>>, String, Vec<String>, Vec<usize>)> {
    if max_categories == 0 {
        return Err(PyValueError::new_err(
            "invalid max_categories: must be at least 1",
        ));
    }
    let cols = columns_of(&columns)?;
    let missing = missing_of(missing)?;
    let opts = LoadOptions {
        missing,
        categorical: if categorical {
            Categorical::Auto
        } else {
            Categorical::Off
        },
        categorical_columns,
        ..LoadOptions::default()
    };
    let (x, json, outputs, kept) = py
        .detach(|| -> mcdropout::Result<_> {
            let t = table_from_columns(Path::new("X"), &names, &cols, &opts)?;
            let all: Vec<usize> = (0..t.n_cols()).collect();
            let enc = Encoding::fit(
                &t,
                &all,
                &EncodingOptions {
                    max_categories,
                    impute: missing == Missing::Impute,
                },
            )?;
            let x = features(&enc, &t)?;
            let json =
                serde_json::to_string(&enc).map_err(|e| mcdropout::Error::Shape(e.to_string()))?;
            Ok((x, json, enc.output_names(), kept_rows(&t)))
        })
        .map_err(to_py)?;
    Ok((arr2(py, x), json, outputs, kept))
}

/// Parses a stored encoding (`fit_encoding`'s JSON), checking that it produces the
/// model's feature names `features`.
pub fn encoding_for(json: &str, features: &[String]) -> PyResult<Encoding> {
    let enc: Encoding = serde_json::from_str(json)
        .map_err(|e| PyValueError::new_err(format!("invalid encoding: {e}")))?;
    if enc.output_names() != features {
        return Err(PyValueError::new_err(
            "invalid encoding: it does not produce the model's feature names",
        ));
    }
    Ok(enc)
}

/// The JSON of a model's stored encoding, or None.
pub fn encoding_json_of(enc: Option<&Encoding>) -> PyResult<Option<String>> {
    enc.map(|e| serde_json::to_string(e).map_err(|e| PyValueError::new_err(e.to_string())))
        .transpose()
}

/// Encodes a DataFrame's columns with a model's stored encoding `enc` (see
/// `encode_columns` of [`encoding_methods`]).
#[allow(clippy::type_complexity)]
pub fn encode_with<'py>(
    py: Python<'py>,
    enc: Option<&Encoding>,
    names: Vec<String>,
    columns: Vec<Bound<'py, PyAny>>,
    missing: &str,
    unknown_category: &str,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<usize>, usize)> {
    let Some(enc) = enc.cloned() else {
        return Err(PyValueError::new_err(
            "invalid X: this model was fitted on numbers only; it has no column encoding",
        ));
    };
    let unknown = match unknown_category {
        "error" => UnknownCategory::Error,
        "ignore" => UnknownCategory::Ignore,
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid unknown_category: {other:?} (expected \"error\" or \"ignore\")"
            )));
        }
    };
    let cols = columns_of(&columns)?;
    let missing = if enc.imputes() {
        Missing::Impute
    } else {
        missing_of(missing)?
    };
    let opts = LoadOptions {
        missing,
        ..LoadOptions::default()
    };
    let (x, kept, n_unknown) = py
        .detach(|| -> mcdropout::Result<_> {
            let t = table_from_columns(Path::new("X"), &names, &cols, &opts)?;
            let e = enc.encode_table(&t, unknown)?;
            let cols: Vec<usize> = (0..enc.output_names().len()).collect();
            let x = e.table.select_columns(&cols);
            Ok((x, kept_rows(&t), e.unknown))
        })
        .map_err(to_py)?;
    Ok((arr2(py, x), kept, n_unknown))
}

/// The column-encoding methods of a model class whose `inner` has the fields `encoding`
/// and `feature_names` (every model kind): `encoding_json`, `with_encoding` and
/// `encode_columns`.
macro_rules! encoding_methods {
    ($class:ty) => {
        #[pyo3::pymethods]
        impl $class {
            /// The column encoding stored with the model (JSON), or None.
            #[getter]
            fn encoding_json(&self) -> pyo3::PyResult<Option<String>> {
                crate::frame::encoding_json_of(self.inner.encoding.as_ref())
            }

            /// This model with the column encoding `json` (from `fit_encoding`) stored: it
            /// must produce the model's feature names.
            fn with_encoding(&self, json: &str) -> pyo3::PyResult<Self> {
                let enc = crate::frame::encoding_for(json, &self.inner.feature_names)?;
                let mut inner = self.inner.clone();
                inner.encoding = Some(enc);
                Ok(Self { inner })
            }

            /// Encodes a DataFrame's columns with the stored encoding: the features in the
            /// model's order, the rows kept and the count of unseen categories encoded as
            /// zeros.
            #[pyo3(signature = (names, columns, missing, unknown_category))]
            #[allow(clippy::type_complexity)]
            fn encode_columns<'py>(
                &self,
                py: pyo3::Python<'py>,
                names: Vec<String>,
                columns: Vec<pyo3::Bound<'py, pyo3::PyAny>>,
                missing: &str,
                unknown_category: &str,
            ) -> pyo3::PyResult<(pyo3::Bound<'py, numpy::PyArray2<f64>>, Vec<usize>, usize)> {
                crate::frame::encode_with(
                    py,
                    self.inner.encoding.as_ref(),
                    names,
                    columns,
                    missing,
                    unknown_category,
                )
            }
        }
    };
}

encoding_methods!(crate::regressor::PyRegressor);
encoding_methods!(crate::classifier::PyClassifier);
encoding_methods!(crate::multi::PyMultiRegressor);
encoding_methods!(crate::methods::PyMethodModel);
encoding_methods!(crate::methods_multi::PyMultiMethodModel);
encoding_methods!(crate::gp::PyGp);
