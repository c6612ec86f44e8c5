//! Column-wise standardisation with statistics from the training data.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{Error, Result};

/// Per-column mean and population standard deviation (ddof 0) of training data, used to
/// map values to `(x - mean) / std` and back.
///
/// A constant column (every value the same, such as a one-hot column that is all zero in
/// a split) gets `std = 1`, so it is only centred: it carries no information and does no
/// harm. A column whose spread is not zero but below the smallest normal double
/// ([`f64::MIN_POSITIVE`], about 2.2e-308), or wider than the largest finite number, is
/// an error ([`Error::Spread`]): dividing by it would overflow or lose every digit.
///
/// ```
/// use mcdropout::data::Standardizer;
/// use ndarray::array;
///
/// let x = array![[1.0, 5.0], [3.0, 5.0]];
/// let s = Standardizer::fit(x.view())?;
/// assert_eq!(s.mean.to_vec(), [2.0, 5.0]);
/// assert_eq!(s.std.to_vec(), [1.0, 1.0]); // population std of [1, 3]; constant column → 1
/// let z = s.transform(x.view())?;
/// assert_eq!(z, array![[-1.0, 0.0], [1.0, 0.0]]);
/// assert_eq!(s.inverse_transform(z.view())?, x);
/// # Ok::<(), mcdropout::error::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// Mean of each column.
    pub mean: Array1<f64>,
    /// Population standard deviation of each column (1 for constant columns).
    pub std: Array1<f64>,
}

/// Mean and population std of `col` computed in units of its largest absolute value,
/// so that values near the floating-point maximum do not overflow; an error when the
/// spread itself exceeds the largest finite number.
fn scaled_mean_std(
    col: ndarray::ArrayView1<f64>,
    j: usize,
    name: &dyn Fn(usize) -> String,
) -> Result<(f64, f64)> {
    let scale = col.iter().fold(0.0f64, |a, &v| a.max(v.abs()));
    let count = col.len() as f64;
    let ms = col.iter().map(|&v| v / scale).sum::<f64>() / count;
    let sds = (col
        .iter()
        .map(|&v| (v / scale - ms) * (v / scale - ms))
        .sum::<f64>()
        / count)
        .sqrt();
    let (m, sd) = (ms * scale, sds * scale);
    if !(m.is_finite() && sd.is_finite()) {
        return Err(Error::Spread {
            column: name(j),
            reason: format!(
                "its values (up to ±{scale:e}) spread wider than the largest floating-point number, so standardising overflows"
            ),
        });
    }
    Ok((m, sd))
}

/// The name of column `j` in messages: its entry of `names`, else its 0-based index.
fn column_name(names: &[String], j: usize) -> String {
    match names.get(j) {
        Some(n) => format!("{n:?}"),
        None => format!("{j} (0-based among the columns used)"),
    }
}

/// Largest standard deviation a regression target may have: its square (a variance in
/// target units) stays far below `f64::MAX` ≈ 1.8e308.
pub const MAX_TARGET_STD: f64 = 1e150;

impl Standardizer {
    /// Computes the mean and population standard deviation of every column of `x`.
    ///
    /// # Errors
    ///
    /// [`Error::TooFewRows`] when `x` has no rows; [`Error::InvalidParameter`] when it
    /// holds a NaN or infinite value; [`Error::Spread`] when a column's standard
    /// deviation is subnormal or overflows (named by its 0-based index).
    pub fn fit(x: ArrayView2<f64>) -> Result<Self> {
        Self::fit_named(x, &[])
    }

    /// [`Standardizer::fit`], naming column `j` in errors by `names[j]` (features or
    /// targets of a model).
    ///
    /// # Errors
    ///
    /// As for [`Standardizer::fit`].
    pub fn fit_named(x: ArrayView2<f64>, names: &[String]) -> Result<Self> {
        let name = |j: usize| column_name(names, j);
        let n = x.nrows();
        if n == 0 {
            return Err(Error::TooFewRows { needed: 1, got: 0 });
        }
        if let Some((j, _)) = x
            .indexed_iter()
            .map(|((_, j), v)| (j, v))
            .find(|(_, v)| !v.is_finite())
        {
            return Err(Error::InvalidParameter {
                name: "data".to_owned(),
                reason: format!("column {j} holds a non-finite value; cannot standardise"),
            });
        }
        let count = n as f64;
        let mut mean = Array1::zeros(x.ncols());
        let mut std = Array1::ones(x.ncols());
        for (j, col) in x.axis_iter(Axis(1)).enumerate() {
            let mut m = col.sum() / count;
            // A constant column can still give a tiny non-zero spread through rounding
            // of the mean, so test for it directly.
            let constant = col.iter().all(|&v| v == col[0]);
            let mut sd = (col.iter().map(|&v| (v - m) * (v - m)).sum::<f64>() / count).sqrt();
            if !(m.is_finite() && sd.is_finite()) || (!constant && sd < f64::MIN_POSITIVE) {
                // Huge values overflow the sums, tiny ones underflow the squares: compute
                // in units of the largest |value|.
                (m, sd) = scaled_mean_std(col, j, &name)?;
            }
            mean[j] = m;
            if constant {
                continue;
            }
            if sd < f64::MIN_POSITIVE {
                return Err(Error::Spread {
                    column: name(j),
                    reason: format!(
                        "its standard deviation {sd:e} is below the smallest normal double ({:e}), so standardising would overflow or lose its digits",
                        f64::MIN_POSITIVE
                    ),
                });
            }
            std[j] = sd;
        }
        Ok(Self { mean, std })
    }

    /// [`Standardizer::fit`] for a single column, such as a regression target.
    ///
    /// # Errors
    ///
    /// As for [`Standardizer::fit`].
    pub fn fit_1d(y: ArrayView1<f64>) -> Result<Self> {
        Self::fit_named(y.insert_axis(Axis(1)), &["target".to_owned()])
    }

    /// [`Standardizer::fit_1d`] for the target column `name` (named in errors).
    ///
    /// # Errors
    ///
    /// As for [`Standardizer::fit`].
    /// A target whose standard deviation exceeds [`MAX_TARGET_STD`] is an error too: its
    /// variance (τ⁻¹, predictive variances, the log-likelihood) would overflow a double.
    pub fn fit_target(y: ArrayView1<f64>, name: &str) -> Result<Self> {
        let fitted = Self::fit_named(y.insert_axis(Axis(1)), &[name.to_owned()])?;
        let sd = fitted.std[0];
        if sd > MAX_TARGET_STD {
            return Err(Error::Spread {
                column: name.to_owned(),
                reason: format!(
                    "its standard deviation {sd:e} is above {MAX_TARGET_STD:e}, so its variance (the noise τ⁻¹, predictive variances and the log-likelihood) would overflow a double"
                ),
            });
        }
        Ok(fitted)
    }

    /// Maps `x` to `(x - mean) / std`, column by column.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] when `x` has a different number of columns than the fitted data.
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.check_cols(x)?;
        Ok((&x - &self.mean) / &self.std)
    }

    /// Maps standardised values back: `z * std + mean`, column by column.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] when `x` has a different number of columns than the fitted data.
    pub fn inverse_transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.check_cols(x)?;
        Ok(&x * &self.std + &self.mean)
    }

    fn check_cols(&self, x: ArrayView2<f64>) -> Result<()> {
        if x.ncols() == self.mean.len() {
            Ok(())
        } else {
            Err(Error::Shape(format!(
                "standardizer was fitted on {} columns, got an array with {}",
                self.mean.len(),
                x.ncols()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, array};

    use super::*;

    #[test]
    fn population_std_matches_hand_computation() {
        let x = array![[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [4.0, 10.0]];
        let s = Standardizer::fit(x.view()).unwrap();
        // mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / 4 = 1.25.
        assert_eq!(s.mean, array![2.5, 10.0]);
        assert!((s.std[0] - 1.25f64.sqrt()).abs() < 1e-15);
        assert_eq!(s.std[1], 1.0, "zero std becomes 1");
    }

    #[test]
    fn round_trip() {
        let x = array![[1.0, -3.0, 0.5], [2.5, 7.0, 0.5], [-4.0, 1.0, 0.5]];
        let s = Standardizer::fit(x.view()).unwrap();
        let z = s.transform(x.view()).unwrap();
        for col in z.columns() {
            assert!(col.mean().unwrap().abs() < 1e-12);
        }
        assert!((z.column(0).pow2().mean().unwrap() - 1.0).abs() < 1e-12);
        let back = s.inverse_transform(z.view()).unwrap();
        assert!((&back - &x).iter().all(|d| d.abs() < 1e-12));
    }

    #[test]
    fn constant_column_with_rounding_keeps_std_one() {
        let x = array![[0.1], [0.1], [0.1]];
        let s = Standardizer::fit(x.view()).unwrap();
        assert_eq!(s.std[0], 1.0);
        assert!(
            s.transform(x.view())
                .unwrap()
                .iter()
                .all(|v| v.abs() < 1e-12)
        );
    }

    #[test]
    fn fit_1d_and_errors() {
        let s = Standardizer::fit_1d(array![2.0, 4.0].view()).unwrap();
        assert_eq!((s.mean[0], s.std[0]), (3.0, 1.0));
        let empty = Array2::<f64>::zeros((0, 3));
        assert!(matches!(
            Standardizer::fit(empty.view()),
            Err(Error::TooFewRows { got: 0, .. })
        ));
        assert!(Standardizer::fit(array![[f64::NAN]].view()).is_err());
        let err = s.transform(array![[1.0, 2.0]].view()).unwrap_err();
        assert!(matches!(err, Error::Shape(_)), "{err}");
        assert!(s.inverse_transform(array![[1.0, 2.0]].view()).is_err());
    }

    #[test]
    fn huge_values_standardise_without_overflow_or_are_a_clear_error() {
        let x = array![[1e308], [-1e308], [5e307]];
        let s = Standardizer::fit(x.view()).unwrap();
        assert!(s.mean[0].is_finite() && s.std[0].is_finite() && s.std[0] > 1e307);
        let z = s.transform(x.view()).unwrap();
        assert!(z.iter().all(|v| v.is_finite() && v.abs() < 3.0));
        // The widest possible spread still fits: the scaled std is at most 1.
        let wide = array![[f64::MAX], [-f64::MAX]];
        let s = Standardizer::fit(wide.view()).unwrap();
        assert_eq!((s.mean[0], s.std[0]), (0.0, f64::MAX));
        assert_eq!(
            s.transform(wide.view()).unwrap().column(0).to_vec(),
            [1.0, -1.0]
        );
    }

    #[test]
    fn subnormal_spreads_are_an_error_naming_the_column_tiny_normal_ones_are_kept() {
        let names = ["a".to_owned(), "b".to_owned()];
        // Column b spreads by 1e-310 (subnormal): refused, by name.
        let x = array![[1.0, 0.0], [2.0, 1e-310], [3.0, 2e-310]];
        let e = Standardizer::fit_named(x.view(), &names).unwrap_err();
        assert!(
            matches!(&e, Error::Spread { column, .. } if column == "\"b\""),
            "{e}"
        );
        assert!(e.to_string().contains("smallest normal double"), "{e}");
        // Without names the index is given.
        let e = Standardizer::fit(x.view()).unwrap_err();
        assert!(e.to_string().contains("column 1 (0-based"), "{e}");
        // Values near 1e-300 differ by a normal amount although their squares underflow:
        // the spread is computed in scaled units and kept.
        let tiny = array![[1e-300], [3e-300]];
        let s = Standardizer::fit(tiny.view()).unwrap();
        assert!((s.std[0] / 1e-300 - 1.0).abs() < 1e-12, "{}", s.std[0]);
        // A constant column is still only centred, even a subnormal constant.
        let c = array![[1e-310], [1e-310]];
        assert_eq!(Standardizer::fit(c.view()).unwrap().std[0], 1.0);
        // A target's spread is named as the target.
        let e = Standardizer::fit_target(array![0.0, 5e-324].view(), "y").unwrap_err();
        assert!(e.to_string().starts_with("column \"y\""), "{e}");
        // A target whose variance overflows is refused; the same values as a feature are
        // standardised (in scaled units).
        let huge = array![1e308, -1e308, 1.7e308, 0.0];
        let e = Standardizer::fit_target(huge.view(), "y").unwrap_err();
        assert!(e.to_string().contains("would overflow a double"), "{e}");
        assert!(Standardizer::fit(huge.insert_axis(ndarray::Axis(1)).view()).is_ok());
    }
}
