//! Checking in-memory inputs (arrays passed to the library rather than read from a file)
//! for values that no model can use.

use crate::error::{Error, Result};
use ndarray::{ArrayView1, ArrayView2};

/// Fails with [`Error::NonFiniteCell`] at the first NaN or infinite value of `x` (row by
/// row), naming `what` (e.g. "X"), the 0-based row and column and the value.
///
/// ```
/// use mcdropout::data::check_finite;
/// use ndarray::array;
/// let x = array![[1.0, 2.0], [3.0, f64::NAN]];
/// let err = check_finite(x.view(), "X").unwrap_err().to_string();
/// assert!(err.contains("row 1") && err.contains("column 1") && err.contains("NaN"));
/// ```
pub fn check_finite(x: ArrayView2<f64>, what: &str) -> Result<()> {
    for (row, r) in x.rows().into_iter().enumerate() {
        if let Some((column, &value)) = r.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFiniteCell {
                what: what.into(),
                row,
                column,
                value,
            });
        }
    }
    Ok(())
}

/// Fails with [`Error::NonFinite`] at the first NaN or infinite entry of `y`, naming
/// `what` (e.g. "target") and its 0-based index.
pub fn check_finite_1d(y: ArrayView1<f64>, what: &str) -> Result<()> {
    match y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, &value)) => Err(Error::NonFinite {
            what: what.into(),
            index,
            value,
        }),
        None => Ok(()),
    }
}
