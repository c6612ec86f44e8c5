//! A fitted method model: one network (MC or Concrete dropout) or M (an ensemble), each
//! with a fixed-τ or a heteroscedastic head; prediction by the equal-weight mixture of
//! the Gaussians of every (member, MC pass).

use super::mixture::Moments;
use super::params::{Method, member_seed};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::metrics::{coverage, gaussian_log_likelihood, normal_quantile, rmse};
use crate::model::Evaluation;
use crate::nn::Network;
use crate::predict::{McOptions, mc_map};
use crate::train::{TrainConfig, TrainReport};
use ndarray::{Array1, ArrayView1, ArrayView2};

/// A trained model of any [`Method`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MethodModel {
    /// The method that made it.
    pub method: Method,
    /// Whether the networks output (mean, log-variance).
    pub heteroscedastic: bool,
    /// The networks (one unless an ensemble); for Concrete dropout their dropout rates
    /// are the learned ones.
    pub members: Vec<Network>,
    /// Standardisation of the inputs.
    pub x_scaler: Standardizer,
    /// Training target mean.
    pub y_mean: f64,
    /// Training target std (ddof 0).
    pub y_std: f64,
    /// Prior length-scale l.
    pub length_scale: f64,
    /// τ in original target units (homoscedastic models only).
    pub tau: Option<f64>,
    /// Temperature of the Concrete relaxation used in training.
    pub temperature: f64,
    /// How it was trained.
    pub train: TrainConfig,
    /// What training did (steps summed over members).
    pub report: TrainReport,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// How the raw columns of a table become the network's inputs (`feature_names`):
    /// one-hot text columns, imputed cells; `None` when the inputs are the columns as
    /// they are.
    pub encoding: Option<crate::data::Encoding>,
    /// Target name.
    pub target_name: String,
}

/// The predictive distribution of a method model at N inputs (original target units):
/// the uniform mixture over members and MC passes of N(μ_c, σ²_c).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MixturePrediction {
    /// Mixture mean: the average of the components' means.
    pub mean: Array1<f64>,
    /// Aleatoric variance: the average of the components' variances.
    pub aleatoric_var: Array1<f64>,
    /// Epistemic variance: the variance of the components' means.
    pub epistemic_var: Array1<f64>,
    /// Total variance (the mixture's).
    pub total_var: Array1<f64>,
    /// sqrt(total_var).
    pub std: Array1<f64>,
    /// Lower end of the moment-matched Gaussian's central interval.
    pub lower: Array1<f64>,
    /// Upper end.
    pub upper: Array1<f64>,
    /// Level of the interval.
    pub level: f64,
}

impl MethodModel {
    /// The fixed noise precision τ (original units); an error for a heteroscedastic
    /// model, whose noise variance depends on the input.
    pub fn tau(&self) -> Result<f64> {
        self.tau.ok_or_else(|| Error::InvalidParameter {
            name: "tau".into(),
            reason: format!(
                "this {} model is heteroscedastic: its noise variance is predicted per input, there is no single τ (use the predicted aleatoric variance)",
                self.method.name()
            ),
        })
    }

    /// Each member's drop probabilities (learned ones for Concrete dropout).
    pub fn dropout_rates(&self) -> Vec<Vec<f64>> {
        self.members
            .iter()
            .map(|m| m.arch.dropout.clone())
            .collect()
    }

    fn standardise(&self, x: ArrayView2<f64>) -> Result<ndarray::Array2<f64>> {
        let Some(first) = self.members.first() else {
            return Err(Error::InvalidParameter {
                name: "members".into(),
                reason: "the model has no networks".into(),
            });
        };
        let k = first.n_inputs();
        if x.ncols() != k {
            return Err(Error::Shape(format!(
                "the model was trained on {k} features ({}), the data has {} columns",
                crate::error::name_list(&self.feature_names),
                x.ncols()
            )));
        }
        self.x_scaler.transform(x)
    }

    /// (mean, variance) of a network output row in original units.
    fn component(&self, o: &[f64]) -> (f64, f64) {
        let mu = o[0] * self.y_std + self.y_mean;
        let var = if self.heteroscedastic {
            o[1].exp() * self.y_std * self.y_std
        } else {
            1.0 / self.tau.unwrap_or(1.0)
        };
        (mu, var)
    }

    /// Per row, the mixture's moments and (with `y`) log-density.
    fn moments(
        &self,
        x: ArrayView2<f64>,
        y: Option<ArrayView1<f64>>,
        opts: &McOptions,
    ) -> Result<Vec<Moments>> {
        opts.validate()?;
        let xs = self.standardise(x)?;
        let mut total: Option<Vec<Moments>> = None;
        for (m, net) in self.members.iter().enumerate() {
            let stochastic = net.arch.dropout.iter().any(|&p| p > 0.0);
            let rows: Vec<Moments> = if stochastic {
                crate::limits::check_mc(&net.arch.sizes, x.nrows(), opts.samples, 0)?;
                let mut o = opts.clone();
                o.seed = member_seed(opts.seed, m);
                let d = net.n_outputs();
                mc_map(net, xs.view(), &o, |r, s| {
                    let mut acc = Moments::default();
                    let target = y.map(|y| y[r]);
                    for row in s.chunks_exact(d) {
                        let (mu, var) = self.component(row);
                        acc.push(mu, var, target);
                    }
                    acc
                })?
            } else {
                let out = net.forward(xs.view())?;
                out.rows()
                    .into_iter()
                    .enumerate()
                    .map(|(r, o)| {
                        let (mu, var) = self.component(o.as_slice().unwrap_or(&[0.0, 0.0]));
                        let mut acc = Moments::default();
                        acc.push(mu, var, y.map(|y| y[r]));
                        acc
                    })
                    .collect()
            };
            total = Some(match total {
                None => rows,
                Some(t) => t.into_iter().zip(rows).map(|(a, b)| a.merge(b)).collect(),
            });
        }
        Ok(total.unwrap_or_default())
    }

    /// Monte-Carlo prediction: `opts.samples` passes per dropout network, one per
    /// ensemble member without dropout.
    pub fn predict_mc(&self, x: ArrayView2<f64>, opts: &McOptions) -> Result<MixturePrediction> {
        let rows = self.moments(x, None, opts)?;
        let pred = summarise(&rows, opts.level);
        finite_rows("predictive mean", &pred.mean)?;
        finite_rows("predictive standard deviation", &pred.std)?;
        Ok(pred)
    }

    /// The deterministic pass (no masks) of every member, averaged, in original units.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let xs = self.standardise(x)?;
        let mut sum = Array1::zeros(x.nrows());
        for net in &self.members {
            let out = net.forward(xs.view())?;
            sum += &out.column(0).mapv(|v| v * self.y_std + self.y_mean);
        }
        Ok(sum / self.members.len() as f64)
    }

    /// RMSE (deterministic pass), MC RMSE, mixture test log-likelihood, Gaussian
    /// log-likelihood and coverage on `(x, y)`. The `tau` field is the reciprocal of the
    /// mean predicted noise variance for a heteroscedastic model.
    pub fn evaluate(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        opts: &McOptions,
    ) -> Result<Evaluation> {
        if y.len() != x.nrows() {
            return Err(Error::Shape(format!(
                "{} rows but {} targets",
                x.nrows(),
                y.len()
            )));
        }
        let det = self.predict(x)?;
        let rows = self.moments(x, Some(y), opts)?;
        let pred = summarise(&rows, opts.level);
        let yv = y.to_vec();
        let n = yv.len().max(1) as f64;
        let ll_gaussian = yv
            .iter()
            .zip(pred.mean.iter().zip(&pred.total_var))
            .map(|(&t, (&m, &v))| gaussian_log_likelihood(t, m, v))
            .sum::<f64>()
            / n;
        let eval = Evaluation {
            n: yv.len(),
            samples: opts.samples,
            rmse: rmse(det.as_slice().unwrap_or(&[]), &yv),
            mc_rmse: rmse(&pred.mean.to_vec(), &yv),
            ll: rows.iter().map(|r| r.log_density()).sum::<f64>() / n,
            ll_gaussian,
            coverage: coverage(&yv, &pred.lower.to_vec(), &pred.upper.to_vec()),
            level: opts.level,
            mean_std: pred.std.mean().unwrap_or(f64::NAN),
            tau: 1.0 / pred.aleatoric_var.mean().unwrap_or(f64::NAN),
        };
        eval.check_finite()?;
        Ok(eval)
    }
}

fn summarise(rows: &[Moments], level: f64) -> MixturePrediction {
    let mean: Array1<f64> = rows.iter().map(|r| r.mean()).collect();
    let aleatoric_var: Array1<f64> = rows.iter().map(|r| r.aleatoric()).collect();
    let epistemic_var: Array1<f64> = rows.iter().map(|r| r.epistemic()).collect();
    let total_var = &aleatoric_var + &epistemic_var;
    let std = total_var.mapv(f64::sqrt);
    let z = normal_quantile(0.5 + level / 2.0);
    MixturePrediction {
        lower: &mean - &(z * &std),
        upper: &mean + &(z * &std),
        mean,
        aleatoric_var,
        epistemic_var,
        total_var,
        std,
        level,
    }
}

/// The first non-finite entry of `v` as an error naming `what` and the 0-based row.
fn finite_rows(what: &str, v: &Array1<f64>) -> Result<()> {
    match v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((i, &value)) => Err(Error::NonFiniteResult {
            what: format!("the {what} of row {i} (0-based)"),
            value,
        }),
        None => Ok(()),
    }
}
