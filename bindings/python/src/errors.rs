//! Python exceptions for the library's errors: every `mcdropout::Error` becomes an
//! exception of a specific, documented type, never a panic or a bare `RuntimeError`.

use mcdropout::Error;
use pyo3::exceptions::{
    PyFileExistsError, PyFileNotFoundError, PyFloatingPointError, PyIsADirectoryError,
    PyKeyboardInterrupt, PyMemoryError, PyOSError, PyPermissionError, PyRuntimeError, PyValueError,
};
use pyo3::{PyErr, create_exception};

create_exception!(
    _mcdropout,
    ModelFileError,
    PyValueError,
    "A model file (or pickled model) is truncated, corrupted, of another format version or of the wrong kind."
);
create_exception!(
    _mcdropout,
    TrainingError,
    PyRuntimeError,
    "Training or fitting failed on valid input: the loss diverged, a kernel matrix was not positive definite, or every optimiser start failed."
);
create_exception!(
    _mcdropout,
    InternalError,
    PyRuntimeError,
    "A bug in mcdropout (a Rust panic was caught); please report it."
);

/// The exception for a library error.
pub fn to_py(e: Error) -> PyErr {
    let msg = python_spelling(&e, e.to_string());
    match e {
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            std::io::ErrorKind::AlreadyExists => PyFileExistsError::new_err(msg),
            std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
        Error::ModelFormat { .. } | Error::ModelVersion { .. } | Error::WrongModelKind { .. } => {
            ModelFileError::new_err(msg)
        }
        Error::Diverged { .. } | Error::NotPositiveDefinite { .. } | Error::GpFitFailed { .. } => {
            TrainingError::new_err(msg)
        }
        Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
        // Refused before allocating: more memory or work than the limits allow.
        // Refused by the system although within the limits: out of memory all the same.
        Error::TooLarge { .. } | Error::OutOfMemory { .. } => PyMemoryError::new_err(msg),
        // A prediction or figure came out NaN or infinite.
        Error::NonFiniteResult { .. } => PyFloatingPointError::new_err(msg),
        // Everything else is a problem with the arguments or the data passed in.
        _ => PyValueError::new_err(msg),
    }
}

/// A raw-table message names the command line's flags; in Python the same settings are
/// the estimators' parameters, so the message names those.
fn python_spelling(e: &Error, msg: String) -> String {
    match e {
        Error::UnknownCategory { .. } | Error::MissingValue { .. } => msg
            .replace("--unknown-category ignore", "unknown_category=\"ignore\"")
            .replace("--missing drop", "missing=\"drop\"")
            .replace("--missing impute", "missing=\"impute\""),
        _ => msg,
    }
}
