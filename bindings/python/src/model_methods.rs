//! The Python methods every model class shares, written once: model files and pickling
//! (all three kinds), and the network's shape and training report (the two network
//! kinds). Each macro adds a `#[pymethods]` block to a class whose field `inner` holds the
//! library's model.

/// Model files and pickling: `load`, `save`, `to_bytes`, `from_bytes`, `__reduce__` and
/// `feature_names`, from the library's save, load and load-from-bytes functions.
macro_rules! model_file_methods {
    ($class:ty, $save:path, $load:path, $load_bytes:path) => {
        #[pyo3::pymethods]
        impl $class {
            /// Reads a model file written by `save` or by the command line.
            #[staticmethod]
            fn load(path: std::path::PathBuf) -> pyo3::PyResult<Self> {
                Ok(Self {
                    inner: $load(&path).map_err(crate::errors::to_py)?,
                })
            }

            /// Writes the model file (atomically).
            fn save(&self, path: std::path::PathBuf) -> pyo3::PyResult<()> {
                $save(&self.inner, &path).map_err(crate::errors::to_py)
            }

            /// The model file's bytes.
            fn to_bytes<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::types::PyBytes>> {
                let b = crate::files::to_bytes(|p| $save(&self.inner, p))?;
                Ok(pyo3::types::PyBytes::new(py, &b))
            }

            /// A model from the bytes of a model file (checksum verified).
            #[staticmethod]
            fn from_bytes(data: &[u8]) -> pyo3::PyResult<Self> {
                Ok(Self {
                    inner: crate::files::from_bytes(data, $load_bytes)?,
                })
            }

            fn __reduce__<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<(
                pyo3::Bound<'py, pyo3::PyAny>,
                (pyo3::Bound<'py, pyo3::types::PyBytes>,),
            )> {
                use pyo3::types::PyAnyMethods;
                let ctor = py.get_type::<Self>().getattr("from_bytes")?;
                Ok((ctor, (self.to_bytes(py)?,)))
            }

            /// Feature names stored in the model.
            #[getter]
            fn feature_names(&self) -> Vec<String> {
                self.inner.feature_names.clone()
            }
        }
    };
}

/// The network's shape and training: `n_features`, `sizes`, `dropout` and
/// `training_report`.
macro_rules! network_methods {
    ($class:ty) => {
        #[pyo3::pymethods]
        impl $class {
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
            fn training_report<'py>(
                &self,
                py: pyo3::Python<'py>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::types::PyDict>> {
                use pyo3::IntoPyObjectExt;
                let r = &self.inner.report;
                crate::convert::dict(
                    py,
                    vec![
                        ("epochs", r.epochs.into_bound_py_any(py)?),
                        ("steps", r.steps.into_bound_py_any(py)?),
                        ("final_loss", r.final_loss.into_bound_py_any(py)?),
                        ("seconds", r.seconds.into_bound_py_any(py)?),
                    ],
                )
            }
        }
    };
}

pub(crate) use {model_file_methods, network_methods};
