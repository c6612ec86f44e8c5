//! A fitted GP regression model: predicts like the network [`Regressor`] (same summary
//! types), in original units.
//!
//! [`Regressor`]: crate::model::Regressor

use super::exact::Posterior;
use super::linalg::{Cholesky, Points};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::metrics::{coverage, gaussian_log_likelihood, normal_quantile, rmse};
use crate::model::{Evaluation, McPrediction};
use crate::rng::{Purpose, stream};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// What fitting did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GpReport {
    /// Log marginal likelihood at the fitted parameters (standardised target units).
    pub log_marginal_likelihood: f64,
    /// L-BFGS iterations over all starts.
    pub iterations: usize,
    /// Objective evaluations over all starts.
    pub evaluations: usize,
    /// Starting points tried (0 when not optimised).
    pub starts: usize,
    /// Jitter that had to be added to the kernel matrix's diagonal (0 when none).
    pub jitter: f64,
    /// Wall time of fitting, seconds.
    pub seconds: f64,
}

/// A GP conditioned on its training data, with the standardisation of that data.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GpModel {
    /// The posterior in standardised units.
    pub posterior: Posterior,
    /// Standardised training targets.
    pub y_train: Vec<f64>,
    /// Standardisation of the inputs.
    pub x_scaler: Standardizer,
    /// Training target mean.
    pub y_mean: f64,
    /// Training target standard deviation.
    pub y_std: f64,
    /// The kernel expression.
    pub kernel_spec: String,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// How the raw columns of a table become the network's inputs (`feature_names`):
    /// one-hot text columns, imputed cells; `None` when the inputs are the columns as
    /// they are.
    pub encoding: Option<crate::data::Encoding>,
    /// Target name.
    pub target_name: String,
    /// What fitting did.
    pub report: GpReport,
}

impl GpModel {
    /// Noise variance in original target units: the likelihood's σ_n² plus every
    /// white-noise term of the kernel ([`Kernel::white_variance`](super::Kernel::white_variance)).
    pub fn noise_var(&self) -> f64 {
        (self.posterior.noise + self.white_var()) * self.y_std * self.y_std
    }

    /// The kernel's white-noise variance (standardised units; 0 when not separable).
    fn white_var(&self) -> f64 {
        self.posterior.kernel.white_variance().unwrap_or(0.0)
    }

    /// The kernel's parameters by name, as values (not logs), plus `noise.variance`
    /// (standardised units).
    pub fn parameters(&self) -> Vec<(String, f64)> {
        let k = &self.posterior.kernel;
        let mut v: Vec<(String, f64)> = k
            .param_names()
            .into_iter()
            .zip(k.params().iter().map(|p| p.exp()))
            .collect();
        v.push(("noise.variance".into(), self.posterior.noise));
        v
    }

    fn points(&self, x: ArrayView2<f64>) -> Result<Points> {
        if x.ncols() != self.posterior.x.dim {
            return Err(Error::Shape(format!(
                "the model was trained on {} features ({}), the data has {} columns",
                self.posterior.x.dim,
                crate::error::name_list(&self.feature_names),
                x.ncols()
            )));
        }
        let xs = self.x_scaler.transform(x)?;
        Ok(Points {
            data: xs.iter().copied().collect(),
            dim: x.ncols(),
        })
    }

    /// The predictive distribution of y at the rows of `x`: `epistemic_var` is the
    /// posterior variance of f without the kernel's white noise (clamped ≥ 0),
    /// `aleatoric_var` the noise σ_n² plus that white noise ([`Self::noise_var`]), and the
    /// interval the exact central `level` interval of the Gaussian predictive.
    pub fn predict(&self, x: ArrayView2<f64>, level: f64) -> Result<McPrediction> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::InvalidParameter {
                name: "level".into(),
                reason: format!("must be in (0, 1), got {level}"),
            });
        }
        let pts = self.points(x)?;
        let (m, v) = self.posterior.mean_var(&pts)?;
        let s2 = self.y_std * self.y_std;
        let mean: Array1<f64> = m.iter().map(|m| m * self.y_std + self.y_mean).collect();
        // The kernel's white noise counts as noise (aleatoric), not as uncertainty about f.
        let white = self.white_var();
        let epistemic_var: Array1<f64> = v.iter().map(|v| (v - white).max(0.0) * s2).collect();
        let aleatoric_var = self.noise_var();
        let total_var = epistemic_var.mapv(|v| v + aleatoric_var);
        let std = total_var.mapv(f64::sqrt);
        let z = normal_quantile(0.5 + level / 2.0);
        let pred = McPrediction {
            lower: &mean - &(z * &std),
            upper: &mean + &(z * &std),
            mean,
            epistemic_var,
            aleatoric_var,
            aleatoric_rows: None,
            total_var,
            std,
            level,
            samples: None,
            draws: None,
        };
        pred.check_finite()?;
        Ok(pred)
    }

    /// The posterior covariance of f at the rows of `x` (original units).
    pub fn covariance(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let pts = self.points(x)?;
        let c = self.posterior.covariance(&pts)?;
        let s2 = self.y_std * self.y_std;
        Ok(Array2::from_shape_fn((pts.len(), pts.len()), |(i, j)| {
            c[(i, j)] * s2
        }))
    }

    /// `count` joint posterior samples of f at the rows of `x` (`count × n`, original
    /// units), seeded. The covariance is factored with jitter where needed.
    pub fn sample(&self, x: ArrayView2<f64>, count: usize, seed: u64) -> Result<Array2<f64>> {
        let pts = self.points(x)?;
        let n = pts.len();
        crate::limits::check_memory(
            &format!("{count} joint posterior samples at {n} points"),
            count as f64 * n as f64 * 8.0,
        )?;
        let (m, _) = self.posterior.mean_var(&pts)?;
        let chol = Cholesky::new(self.posterior.covariance(&pts)?.as_ref())?;
        let mut out = Array2::zeros((count, n));
        for (s, mut row) in out.rows_mut().into_iter().enumerate() {
            let mut rng = stream(seed, Purpose::GpSamples, s as u64);
            let z: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
            for i in 0..n {
                let lz: f64 = (0..=i).map(|j| chol.l[(i, j)] * z[j]).sum();
                row[i] = (m[i] + lz) * self.y_std + self.y_mean;
            }
        }
        Ok(out)
    }

    /// RMSE, exact Gaussian test log-likelihood and interval coverage on `(x, y)`, in the
    /// network's [`Evaluation`] (the GP's predictive is Gaussian, so `ll` and
    /// `ll_gaussian` coincide, as do `rmse` and `mc_rmse`; `samples` is 0 and `tau` is
    /// 1/σ_n²).
    pub fn evaluate(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        level: f64,
    ) -> Result<Evaluation> {
        if y.len() != x.nrows() {
            return Err(Error::Shape(format!(
                "{} rows but {} targets",
                x.nrows(),
                y.len()
            )));
        }
        let pred = self.predict(x, level)?;
        let yv = y.to_vec();
        let n = yv.len().max(1) as f64;
        let ll = yv
            .iter()
            .zip(pred.mean.iter().zip(&pred.total_var))
            .map(|(&t, (&m, &v))| gaussian_log_likelihood(t, m, v))
            .sum::<f64>()
            / n;
        let mean = pred.mean.to_vec();
        let eval = Evaluation {
            n: yv.len(),
            samples: 0,
            rmse: rmse(&mean, &yv),
            mc_rmse: rmse(&mean, &yv),
            ll,
            ll_gaussian: ll,
            coverage: coverage(&yv, &pred.lower.to_vec(), &pred.upper.to_vec()),
            level,
            mean_std: pred.std.mean().unwrap_or(f64::NAN),
            tau: 1.0 / self.noise_var(),
        };
        eval.check_finite()?;
        Ok(eval)
    }
}
