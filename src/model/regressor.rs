//! The fitted regression model: deterministic and Monte-Carlo prediction, evaluation.

use super::summary::{Evaluation, McPrediction};
use super::transform::TargetTransform;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::metrics::{gaussian_log_likelihood, mc_log_likelihood, mean_var, normal_quantile, rmse};
use crate::nn::Network;
use crate::predict::{McOptions, mc_map};
use crate::prior::Prior;
use crate::rng::{Purpose, stream};
use crate::train::{TrainConfig, TrainReport};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;

/// A trained dropout regression network with the standardisation of its training data.
///
/// With a target transform g ([`TargetTransform`], `log` or `log1p`) the network models
/// z = g(y): `y_mean`, `y_std` and τ are then in z units, and every prediction and figure
/// is reported in the original units of y (see [`super::transform`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Regressor {
    /// The network (works on standardised inputs and targets).
    pub network: Network,
    /// Standardisation of the inputs (training mean and std).
    pub x_scaler: Standardizer,
    /// Training target mean (of z = g(y) for a transformed target).
    pub y_mean: f64,
    /// Training target standard deviation (ddof 0; 1 if it was 0; of z for a transformed
    /// target).
    pub y_std: f64,
    /// The transform g of the target the network models (`None` for y itself).
    pub target_transform: TargetTransform,
    /// Prior and noise.
    pub prior: Prior,
    /// How it was trained.
    pub train: TrainConfig,
    /// What training did.
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

/// Per-row MC results (original units; `mean_z`, `var_z` the mean and variance (ddof 0)
/// of the pass outputs in z units, equal to `mean`, `var` without a transform).
struct RowStats {
    mean: f64,
    var: f64,
    /// Per-row aleatoric variance (original units) of a transformed target.
    aleatoric: Option<f64>,
    mean_z: f64,
    var_z: f64,
    ll: f64,
    samples: Option<Vec<f64>>,
    draws: Option<Vec<f64>>,
}

impl Regressor {
    /// Noise precision τ in original target units (of z = g(y) for a transformed target).
    pub fn tau(&self) -> f64 {
        self.prior.tau
    }

    fn standardise(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.network.n_inputs() {
            return Err(Error::Shape(format!(
                "the model was trained on {} features ({}), the data has {} columns",
                self.network.n_inputs(),
                crate::error::name_list(&self.feature_names),
                x.ncols()
            )));
        }
        self.x_scaler.transform(x)
    }

    /// The deterministic pass (weight averaging), in original units. For a transformed
    /// target, the mean of the pass's noise distribution back-transformed: with μ the
    /// pass's output in z units, exp(μ + τ⁻¹/2) for `log` (minus 1 for `log1p`).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let xs = self.standardise(x)?;
        let out = self.network.forward(xs.view())?;
        let z = out.column(0).mapv(|v| v * self.y_std + self.y_mean);
        if self.target_transform.is_none() {
            return Ok(z);
        }
        let (t, tau) = (self.target_transform, self.tau());
        Ok(z.mapv(|m| t.pass_moments(&[m], tau).mean))
    }

    fn mc_rows(
        &self,
        x: ArrayView2<f64>,
        y: Option<ArrayView1<f64>>,
        opts: &McOptions,
    ) -> Result<Vec<RowStats>> {
        let xs = self.standardise(x)?;
        let kept = usize::from(opts.keep_samples) + usize::from(opts.predictive_draws);
        crate::limits::check_mc(&self.network.arch.sizes, x.nrows(), opts.samples, kept)?;
        let tau = self.tau();
        let noise_sd = 1.0 / tau.sqrt();
        let (mu, sd) = (self.y_mean, self.y_std);
        let tr = self.target_transform;
        mc_map(&self.network, xs.view(), opts, |r, s| {
            let v: Vec<f64> = s.iter().map(|&o| o * sd + mu).collect();
            let (mean_z, var_z) = mean_var(&v);
            let ll = y.map_or(f64::NAN, |y| {
                if tr.is_none() {
                    mc_log_likelihood(&v, y[r], tau)
                } else {
                    tr.log_density(&v, y[r], tau)
                }
            });
            let draws = opts.predictive_draws.then(|| {
                let mut rng = stream(opts.seed, Purpose::Noise, opts.key_of(r));
                v.iter()
                    .map(|&m| tr.inverse(m + noise_sd * rng.sample::<f64, _>(StandardNormal)))
                    .collect()
            });
            let (mean, var, aleatoric) = if tr.is_none() {
                (mean_z, var_z, None)
            } else {
                let m = tr.pass_moments(&v, tau);
                (m.mean, m.epistemic_var, Some(m.aleatoric_var))
            };
            let samples = opts.keep_samples.then(|| {
                if tr.is_none() {
                    v
                } else {
                    v.iter().map(|&m| tr.inverse(m)).collect()
                }
            });
            RowStats {
                mean,
                var,
                aleatoric,
                mean_z,
                var_z,
                ll,
                samples,
                draws,
            }
        })
    }

    /// Monte-Carlo dropout prediction with `opts.samples` passes.
    pub fn predict_mc(&self, x: ArrayView2<f64>, opts: &McOptions) -> Result<McPrediction> {
        let rows = self.mc_rows(x, None, opts)?;
        let pred = self.summarise(&rows, opts);
        pred.check_finite()?;
        Ok(pred)
    }

    fn summarise(&self, rows: &[RowStats], opts: &McOptions) -> McPrediction {
        let z = normal_quantile(0.5 + opts.level / 2.0);
        if !self.target_transform.is_none() {
            return self.summarise_transformed(rows, opts, z, stack(rows, opts));
        }
        let aleatoric_var = 1.0 / self.tau();
        let mean: Array1<f64> = rows.iter().map(|r| r.mean).collect();
        let epistemic_var: Array1<f64> = rows.iter().map(|r| r.var).collect();
        let total_var = epistemic_var.mapv(|v| v + aleatoric_var);
        let std = total_var.mapv(f64::sqrt);
        let lower = &mean - &(z * &std);
        let upper = &mean + &(z * &std);
        let (samples, draws) = stack(rows, opts);
        McPrediction {
            samples,
            draws,
            mean,
            epistemic_var,
            aleatoric_var,
            aleatoric_rows: None,
            total_var,
            std,
            lower,
            upper,
            level: opts.level,
        }
    }

    /// The summary of a transformed target's rows (original units; the interval is the
    /// central interval in z units mapped through g⁻¹), `z` the normal quantile.
    fn summarise_transformed(
        &self,
        rows: &[RowStats],
        opts: &McOptions,
        z: f64,
        (samples, draws): (Option<Array2<f64>>, Option<Array2<f64>>),
    ) -> McPrediction {
        let tr = self.target_transform;
        let noise = 1.0 / self.tau();
        let col = |f: &dyn Fn(&RowStats) -> f64| -> Array1<f64> { rows.iter().map(f).collect() };
        let aleatoric = col(&|r| r.aleatoric.unwrap_or(f64::NAN));
        let epistemic_var = col(&|r| r.var);
        let total_var = &epistemic_var + &aleatoric;
        let ends: Vec<(f64, f64)> = rows
            .iter()
            .map(|r| tr.interval(r.mean_z, (r.var_z + noise).sqrt(), z))
            .collect();
        McPrediction {
            samples,
            draws,
            mean: col(&|r| r.mean),
            std: total_var.mapv(f64::sqrt),
            epistemic_var,
            aleatoric_var: noise,
            aleatoric_rows: Some(aleatoric),
            total_var,
            lower: ends.iter().map(|e| e.0).collect(),
            upper: ends.iter().map(|e| e.1).collect(),
            level: opts.level,
        }
    }

    /// The ELBO of the model on `(x, y)` (original units; standardised here as in
    /// training), with `samples` mask draws per point: see [`crate::elbo`]. It is computed
    /// in the network's standardised units with the τ that enters λ.
    pub fn elbo(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        samples: usize,
        seed: u64,
    ) -> Result<crate::elbo::Elbo> {
        same_rows(x, y)?;
        self.target_transform.check_target(y, &self.target_name)?;
        let xs = self.standardise(x)?;
        let tr = self.target_transform;
        let ys = y
            .mapv(|v| (tr.forward(v) - self.y_mean) / self.y_std)
            .insert_axis(ndarray::Axis(1));
        crate::elbo::elbo(
            &self.network,
            &self.prior,
            xs.view(),
            ys.view(),
            samples,
            seed,
        )
    }

    /// RMSE, MC RMSE, both log-likelihoods and interval coverage on `(x, y)`. For a
    /// transformed target every figure is in the original units of y: the RMSEs of the
    /// back-transformed means, the log-likelihoods with the Jacobian (comparable with an
    /// untransformed model's; the Gaussian one is that of the moment-matched Gaussian in z
    /// units, a log-normal for `log`), and the coverage of the back-transformed interval.
    /// A target outside the transform's domain is an error naming its row.
    pub fn evaluate(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        opts: &McOptions,
    ) -> Result<Evaluation> {
        same_rows(x, y)?;
        let tr = self.target_transform;
        tr.check_target(y, &self.target_name)?;
        let det = self.predict(x)?;
        let rows = self.mc_rows(x, Some(y), opts)?;
        let pred = self.summarise(&rows, opts);
        pred.check_finite()?;
        let yv = y.to_vec();
        let n = yv.len().max(1) as f64;
        let ll_gaussian = if tr.is_none() {
            yv.iter()
                .zip(pred.mean.iter().zip(&pred.total_var))
                .map(|(&t, (&m, &v))| gaussian_log_likelihood(t, m, v))
                .sum::<f64>()
        } else {
            let noise = 1.0 / self.tau();
            yv.iter()
                .zip(&rows)
                .map(|(&t, r)| tr.gaussian_log_density(t, r.mean_z, r.var_z + noise))
                .sum::<f64>()
        } / n;
        let eval = Evaluation {
            n: yv.len(),
            samples: opts.samples,
            rmse: rmse(det.as_slice().unwrap_or(&[]), &yv),
            mc_rmse: rmse(&pred.mean.to_vec(), &yv),
            ll: rows.iter().map(|r| r.ll).sum::<f64>() / n,
            ll_gaussian,
            coverage: crate::metrics::coverage(&yv, &pred.lower.to_vec(), &pred.upper.to_vec()),
            level: opts.level,
            mean_std: pred.std.mean().unwrap_or(f64::NAN),
            tau: self.tau(),
        };
        eval.check_finite()?;
        Ok(eval)
    }
}

/// The kept samples and predictive draws of `rows` as `T × N` arrays, where kept.
fn stack(rows: &[RowStats], opts: &McOptions) -> (Option<Array2<f64>>, Option<Array2<f64>>) {
    let get = |f: &dyn Fn(&RowStats) -> Option<&Vec<f64>>| -> Option<Array2<f64>> {
        let t = opts.samples;
        let cols: Option<Vec<&Vec<f64>>> = rows.iter().map(f).collect();
        cols.map(|c| Array2::from_shape_fn((t, c.len()), |(i, j)| c[j][i]))
    };
    (get(&|r| r.samples.as_ref()), get(&|r| r.draws.as_ref()))
}

/// Checks that there is one target per input row.
fn same_rows(x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<()> {
    if y.len() == x.nrows() {
        Ok(())
    } else {
        Err(Error::Shape(format!(
            "{} rows but {} targets",
            x.nrows(),
            y.len()
        )))
    }
}
