//! MC prediction and evaluation of a [`MultiRegressor`]: per row, the mean of the T
//! de-standardised outputs, the sample covariance S (ddof 0, as the 1-D epistemic
//! variance), the predictive covariance S + diag(σ_d² / τ) (= diag(σ) (τ⁻¹ I_D + S_std)
//! diag(σ), DESIGN §3 in target units); and, against targets, the joint Gaussian
//! log-likelihood log N(y; mean, cov) and the MC-mixture log-likelihood
//! log (1/T) Σ_t N(y; ŷ_t, diag(σ_d² / τ)) (stable log-sum-exp, f64).

use super::multi::MultiRegressor;
use crate::error::{Error, Result};
use crate::metrics::{mc_log_likelihood, normal_quantile};
use crate::predict::{McOptions, mc_map};
use ndarray::{Array2, Array3, ArrayView2};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// MC predictions of a D-output model for N rows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MultiPrediction {
    /// Predictive mean, N × D.
    pub mean: Array2<f64>,
    /// Sample covariance of the T outputs (epistemic part), N × D × D.
    pub epistemic_cov: Array3<f64>,
    /// Noise variance per target, σ_d² / τ (aleatoric part, the diagonal added).
    pub aleatoric_var: Vec<f64>,
    /// Predictive covariance, N × D × D.
    pub cov: Array3<f64>,
    /// Per-target predictive std (square root of the covariance's diagonal), N × D.
    pub std: Array2<f64>,
    /// Lower end of each target's central interval at `level` (marginal Gaussian), N × D.
    pub lower: Array2<f64>,
    /// Upper end, N × D.
    pub upper: Array2<f64>,
    /// Interval level.
    pub level: f64,
    /// The raw de-standardised outputs, T × N × D, when requested.
    pub samples: Option<Array3<f64>>,
}

/// Figures of a D-output model on labelled data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MultiEvaluation {
    /// Rows.
    pub n: usize,
    /// MC samples T.
    pub samples: usize,
    /// Target names.
    pub targets: Vec<String>,
    /// Per target: RMSE of the deterministic pass.
    pub rmse: Vec<f64>,
    /// Per target: RMSE of the MC mean.
    pub mc_rmse: Vec<f64>,
    /// Per target: the 1-D MC log-likelihood of that target alone (its marginal mixture,
    /// with τ_d = τ / σ_d²), mean over rows.
    pub ll: Vec<f64>,
    /// Per target: coverage of the central interval at `level`.
    pub coverage: Vec<f64>,
    /// Per target: mean predictive std.
    pub mean_std: Vec<f64>,
    /// Joint MC-mixture log-likelihood of the D-vector, mean over rows.
    pub ll_mixture: f64,
    /// Joint log-likelihood under the moment-matched D-variate Gaussian, mean over rows.
    pub ll_gaussian: f64,
    /// Interval level.
    pub level: f64,
    /// τ in standardised units.
    pub tau: f64,
}

struct Row {
    mean: Vec<f64>,
    s: Vec<f64>,
    ll_mix: f64,
    ll_gauss: f64,
    ll_each: Vec<f64>,
    samples: Option<Vec<f64>>,
}

/// Cholesky factor (lower, row-major) of a D × D symmetric matrix; `None` if it is not
/// positive definite.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s = a[i * d + j] - (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum::<f64>();
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// log N(y; m, C) through the Cholesky factor of C.
pub fn gaussian_log_density(y: &[f64], m: &[f64], c: &[f64]) -> f64 {
    let d = y.len();
    let Some(l) = cholesky(c, d) else {
        return f64::NAN;
    };
    // Solve L z = y − m.
    let mut z = vec![0.0; d];
    for i in 0..d {
        z[i] = (y[i] - m[i] - (0..i).map(|k| l[i * d + k] * z[k]).sum::<f64>()) / l[i * d + i];
    }
    let logdet: f64 = (0..d).map(|i| l[i * d + i].ln()).sum::<f64>() * 2.0;
    -0.5 * (d as f64 * (2.0 * PI).ln() + logdet + z.iter().map(|v| v * v).sum::<f64>())
}

impl MultiRegressor {
    fn standardise(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.network.n_inputs() {
            return Err(Error::Shape(format!(
                "the model was trained on {} features, the data has {} columns",
                self.network.n_inputs(),
                x.ncols()
            )));
        }
        self.x_scaler.transform(x)
    }

    /// The deterministic pass (weight averaging), N × D in target units.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let out = self.network.forward(self.standardise(x)?.view())?;
        self.y_scaler.inverse_transform(out.view())
    }

    fn rows(
        &self,
        x: ArrayView2<f64>,
        y: Option<ArrayView2<f64>>,
        opts: &McOptions,
    ) -> Result<Vec<Row>> {
        let xs = self.standardise(x)?;
        let d = self.d();
        if let Some(y) = y
            && (y.nrows() != x.nrows() || y.ncols() != d)
        {
            return Err(Error::Shape(format!(
                "{} input rows and {} targets, but the targets are {} × {}",
                x.nrows(),
                d,
                y.nrows(),
                y.ncols()
            )));
        }
        crate::limits::check_mc(
            &self.network.arch.sizes,
            x.nrows(),
            opts.samples,
            usize::from(opts.keep_samples),
        )?;
        let (mu, sd) = (&self.y_scaler.mean, &self.y_scaler.std);
        let noise = self.noise_var();
        let t = opts.samples;
        mc_map(&self.network, xs.view(), opts, |r, s| {
            let v: Vec<f64> = s
                .iter()
                .enumerate()
                .map(|(i, &o)| o * sd[i % d] + mu[i % d])
                .collect();
            let mut mean = vec![0.0; d];
            for row in v.chunks_exact(d) {
                mean.iter_mut().zip(row).for_each(|(m, &o)| *m += o);
            }
            mean.iter_mut().for_each(|m| *m /= t as f64);
            let mut cov = vec![0.0; d * d];
            for row in v.chunks_exact(d) {
                for a in 0..d {
                    for b in 0..d {
                        cov[a * d + b] += (row[a] - mean[a]) * (row[b] - mean[b]);
                    }
                }
            }
            cov.iter_mut().for_each(|c| *c /= t as f64);
            let (mut ll_mix, mut ll_gauss, mut ll_each) = (f64::NAN, f64::NAN, Vec::new());
            if let Some(y) = y {
                let yr: Vec<f64> = y.row(r).to_vec();
                // log N(y; ŷ_t, diag(noise)) per pass, then log-sum-exp over passes.
                let logs: Vec<f64> = v
                    .chunks_exact(d)
                    .map(|o| {
                        (0..d)
                            .map(|k| {
                                -0.5 * (2.0 * PI * noise[k]).ln()
                                    - 0.5 * (yr[k] - o[k]) * (yr[k] - o[k]) / noise[k]
                            })
                            .sum::<f64>()
                    })
                    .collect();
                let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                ll_mix =
                    max + logs.iter().map(|l| (l - max).exp()).sum::<f64>().ln() - (t as f64).ln();
                let mut total = cov.clone();
                (0..d).for_each(|k| total[k * d + k] += noise[k]);
                ll_gauss = gaussian_log_density(&yr, &mean, &total);
                ll_each = (0..d)
                    .map(|k| {
                        let col: Vec<f64> = v.iter().skip(k).step_by(d).copied().collect();
                        mc_log_likelihood(&col, yr[k], 1.0 / noise[k])
                    })
                    .collect();
            }
            Row {
                mean,
                s: cov,
                ll_mix,
                ll_gauss,
                ll_each,
                samples: opts.keep_samples.then_some(v),
            }
        })
    }

    fn summarise(&self, rows: &[Row], opts: &McOptions) -> MultiPrediction {
        let (n, d) = (rows.len(), self.d());
        let noise = self.noise_var();
        let mean = Array2::from_shape_fn((n, d), |(i, k)| rows[i].mean[k]);
        let epistemic_cov = Array3::from_shape_fn((n, d, d), |(i, a, b)| rows[i].s[a * d + b]);
        let mut cov = epistemic_cov.clone();
        for i in 0..n {
            for k in 0..d {
                cov[[i, k, k]] += noise[k];
            }
        }
        let std = Array2::from_shape_fn((n, d), |(i, k)| cov[[i, k, k]].sqrt());
        let z = normal_quantile(0.5 + opts.level / 2.0);
        let lower = &mean - &(z * &std);
        let upper = &mean + &(z * &std);
        let samples = rows
            .iter()
            .map(|r| r.samples.as_ref())
            .collect::<Option<Vec<_>>>()
            .map(|s| Array3::from_shape_fn((opts.samples, n, d), |(t, i, k)| s[i][t * d + k]));
        MultiPrediction {
            mean,
            epistemic_cov,
            aleatoric_var: noise,
            cov,
            std,
            lower,
            upper,
            level: opts.level,
            samples,
        }
    }

    /// Monte-Carlo dropout prediction with `opts.samples` passes (`keep_samples` keeps
    /// the raw outputs; predictive draws are not offered for several targets).
    pub fn predict_mc(&self, x: ArrayView2<f64>, opts: &McOptions) -> Result<MultiPrediction> {
        let rows = self.rows(x, None, opts)?;
        let p = self.summarise(&rows, opts);
        if p.mean.iter().chain(p.std.iter()).any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "data".into(),
                reason: "the prediction is not finite (inputs far outside the training range?)"
                    .into(),
            });
        }
        Ok(p)
    }

    /// RMSE, MC RMSE, per-target and joint log-likelihoods and coverage on `(x, y)`
    /// (`y` is N × D, original units).
    pub fn evaluate(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        opts: &McOptions,
    ) -> Result<MultiEvaluation> {
        let rows = self.rows(x, Some(y), opts)?;
        let p = self.summarise(&rows, opts);
        let det = self.predict(x)?;
        let (n, d) = (rows.len(), self.d());
        let nf = n.max(1) as f64;
        let per = |f: &dyn Fn(usize, usize) -> f64| -> Vec<f64> {
            (0..d)
                .map(|k| (0..n).map(|i| f(i, k)).sum::<f64>() / nf)
                .collect()
        };
        let sq = |a: f64, b: f64| (a - b) * (a - b);
        let eval = MultiEvaluation {
            n,
            samples: opts.samples,
            targets: self.target_names.clone(),
            rmse: per(&|i, k| sq(det[[i, k]], y[[i, k]]))
                .into_iter()
                .map(f64::sqrt)
                .collect(),
            mc_rmse: per(&|i, k| sq(p.mean[[i, k]], y[[i, k]]))
                .into_iter()
                .map(f64::sqrt)
                .collect(),
            ll: per(&|i, k| rows[i].ll_each[k]),
            coverage: per(&|i, k| {
                f64::from(u8::from(
                    p.lower[[i, k]] <= y[[i, k]] && y[[i, k]] <= p.upper[[i, k]],
                ))
            }),
            mean_std: per(&|i, k| p.std[[i, k]]),
            ll_mixture: rows.iter().map(|r| r.ll_mix).sum::<f64>() / nf,
            ll_gaussian: rows.iter().map(|r| r.ll_gauss).sum::<f64>() / nf,
            level: opts.level,
            tau: self.tau(),
        };
        let finite = eval
            .rmse
            .iter()
            .chain(&eval.mc_rmse)
            .chain(&eval.ll)
            .chain([&eval.ll_mixture, &eval.ll_gaussian])
            .all(|v| v.is_finite());
        if !finite {
            return Err(Error::InvalidParameter {
                name: "data".into(),
                reason:
                    "a figure of the evaluation is not finite (targets far outside the predictive?)"
                        .into(),
            });
        }
        Ok(eval)
    }
}
