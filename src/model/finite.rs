//! Predictions and figures that come out NaN or infinite are an error, never reported:
//! [`McPrediction::check_finite`] and [`Evaluation::check_finite`].

use super::summary::{Evaluation, McPrediction};
use crate::error::{Error, Result};
use ndarray::Array1;

/// The first non-finite entry of `v`, as an error naming `what` and the 0-based row.
pub(crate) fn rows(what: &str, v: &Array1<f64>) -> Result<()> {
    match v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((i, &value)) => Err(Error::NonFiniteResult {
            what: format!("the {what} of row {i} (0-based)"),
            value,
        }),
        None => Ok(()),
    }
}

/// `value` must be finite.
pub(crate) fn figure(what: &str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFiniteResult {
            what: what.into(),
            value,
        })
    }
}

impl McPrediction {
    /// Fails with [`Error::NonFiniteResult`] when a mean, variance or interval end is NaN
    /// or infinite.
    pub fn check_finite(&self) -> Result<()> {
        figure("the noise variance", self.aleatoric_var)?;
        if let Some(a) = &self.aleatoric_rows {
            rows("aleatoric variance", a)?;
        }
        rows("predictive mean", &self.mean)?;
        rows("epistemic variance", &self.epistemic_var)?;
        rows("predictive standard deviation", &self.std)?;
        rows("interval's lower end", &self.lower)?;
        rows("interval's upper end", &self.upper)
    }
}

impl Evaluation {
    /// Fails with [`Error::NonFiniteResult`] when a reported figure is NaN or infinite.
    pub fn check_finite(&self) -> Result<()> {
        figure("the RMSE", self.rmse)?;
        figure("the MC RMSE", self.mc_rmse)?;
        figure("the test log-likelihood", self.ll)?;
        figure("the Gaussian test log-likelihood", self.ll_gaussian)?;
        figure("the mean predictive standard deviation", self.mean_std)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_row_of_the_first_non_finite_value() {
        let e = rows("predictive mean", &Array1::from(vec![1.0, f64::INFINITY]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("predictive mean of row 1") && e.contains("inf"),
            "{e}"
        );
        assert!(figure("the RMSE", f64::NAN).is_err());
        assert!(figure("the RMSE", 0.5).is_ok());
    }
}
