//! Prediction of a several-target method model: per input the equal-weight mixture of the
//! C = T·M (or M) diagonal Gaussians N(μ_c, diag σ²_c) of every (member, MC pass), in
//! original units. Per target: mean = average of the μ_cd, aleatoric variance = average of
//! the σ²_cd, epistemic covariance = covariance of the C mean vectors (ddof 0, as the 1-D
//! [`super::MixturePrediction`]); the joint log-likelihood is the log of the mixture's
//! density in D dimensions, log (1/C) Σ_c Π_d N(y_d; μ_cd, σ²_cd), by log-sum-exp in f64.
//! The components are summarised as they stream out of the MC engine (memory O(N·D²),
//! not O(N·T·D)) and members are merged with equal weight.

use super::mixture::log_normal;
use super::multi::MultiMethodModel;
use super::params::member_seed;
use crate::error::{Error, Result};
use crate::metrics::normal_quantile;
use crate::model::{MultiEvaluation, gaussian_log_density};
use crate::predict::{McOptions, mc_map};
use ndarray::{Array2, Array3, ArrayView2};

/// The predictive distribution of a several-target method model at N inputs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MultiMixturePrediction {
    /// Mixture mean, N × D.
    pub mean: Array2<f64>,
    /// Aleatoric variance (average predicted variance), N × D.
    pub aleatoric_var: Array2<f64>,
    /// Epistemic covariance (of the components' mean vectors), N × D × D.
    pub epistemic_cov: Array3<f64>,
    /// Total variance per target (aleatoric + epistemic), N × D.
    pub total_var: Array2<f64>,
    /// sqrt(total_var).
    pub std: Array2<f64>,
    /// Lower end of each target's moment-matched central interval.
    pub lower: Array2<f64>,
    /// Upper end.
    pub upper: Array2<f64>,
    /// Level of the intervals.
    pub level: f64,
}

/// Log of Σ exp(v) − ln(len) (the log of the mean of exp(v)), stable in f64.
pub fn log_mean_exp(v: &[f64]) -> f64 {
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !hi.is_finite() {
        return hi;
    }
    hi + (v.iter().map(|&l| (l - hi).exp()).sum::<f64>() / v.len() as f64).ln()
}

/// The joint log-density at `y` (D values) of the equal-weight mixture of diagonal
/// Gaussians whose means are `mu` and variances `var` (both C × D, row-major).
pub fn mixture_log_density(y: &[f64], mu: &[f64], var: &[f64]) -> f64 {
    let d = y.len();
    let comps: Vec<f64> = mu
        .chunks_exact(d)
        .zip(var.chunks_exact(d))
        .map(|(m, v)| (0..d).map(|k| log_normal(y[k], m[k], v[k])).sum())
        .collect();
    log_mean_exp(&comps)
}

/// A streaming log-sum-exp: the largest term so far and Σ exp(term − largest).
#[derive(Debug, Clone, Copy)]
struct Lse {
    max: f64,
    sum: f64,
}

impl Lse {
    const EMPTY: Self = Self {
        max: f64::NEG_INFINITY,
        sum: 0.0,
    };

    fn add(&mut self, l: f64) {
        if l > self.max {
            self.sum = self.sum * (self.max - l).exp() + 1.0;
            self.max = l;
        } else {
            self.sum += (l - self.max).exp();
        }
    }

    fn merge(self, o: Self) -> Self {
        if o.max == f64::NEG_INFINITY {
            self
        } else if o.max > self.max {
            Self {
                max: o.max,
                sum: o.sum + self.sum * (self.max - o.max).exp(),
            }
        } else {
            Self {
                max: self.max,
                sum: self.sum + o.sum * (o.max - self.max).exp(),
            }
        }
    }

    /// log Σ exp(terms).
    fn value(self) -> f64 {
        self.max + self.sum.ln()
    }
}

/// The running summary of one row's components (equal weights): count, mean vector,
/// co-moment of the means (Welford; Chan et al.'s formula to merge members), summed
/// variances, and the log-sum-exps of the joint and of each marginal log-density.
#[derive(Debug, Clone)]
struct Acc {
    count: f64,
    mean: Vec<f64>,
    /// D × D, row-major: Σ_c (μ_c − mean)(μ_c − mean)ᵀ.
    m2: Vec<f64>,
    alea_sum: Vec<f64>,
    joint: Lse,
    each: Vec<Lse>,
}

impl Acc {
    fn new(d: usize) -> Self {
        Self {
            count: 0.0,
            mean: vec![0.0; d],
            m2: vec![0.0; d * d],
            alea_sum: vec![0.0; d],
            joint: Lse::EMPTY,
            each: vec![Lse::EMPTY; d],
        }
    }

    fn push(&mut self, mu: &[f64], var: &[f64], y: Option<&[f64]>) {
        let d = mu.len();
        self.count += 1.0;
        let delta: Vec<f64> = (0..d).map(|k| mu[k] - self.mean[k]).collect();
        for k in 0..d {
            self.mean[k] += delta[k] / self.count;
            self.alea_sum[k] += var[k];
        }
        for (row, &da) in self.m2.chunks_exact_mut(d).zip(&delta) {
            for ((m2, &mb), &meanb) in row.iter_mut().zip(mu).zip(&self.mean) {
                *m2 += da * (mb - meanb);
            }
        }
        if let Some(y) = y {
            let mut joint = 0.0;
            for k in 0..d {
                let l = log_normal(y[k], mu[k], var[k]);
                self.each[k].add(l);
                joint += l;
            }
            self.joint.add(joint);
        }
    }

    fn merge(&self, o: &Self) -> Self {
        let d = self.mean.len();
        let n = self.count + o.count;
        let delta: Vec<f64> = (0..d).map(|k| o.mean[k] - self.mean[k]).collect();
        let w = self.count * o.count / n;
        Self {
            count: n,
            mean: (0..d)
                .map(|k| self.mean[k] + delta[k] * o.count / n)
                .collect(),
            m2: (0..d * d)
                .map(|i| self.m2[i] + o.m2[i] + delta[i / d] * delta[i % d] * w)
                .collect(),
            alea_sum: (0..d).map(|k| self.alea_sum[k] + o.alea_sum[k]).collect(),
            joint: self.joint.merge(o.joint),
            each: (0..d).map(|k| self.each[k].merge(o.each[k])).collect(),
        }
    }
}

/// One row's summary.
struct Row {
    mean: Vec<f64>,
    alea: Vec<f64>,
    /// D × D, row-major.
    epi: Vec<f64>,
    ll_joint: f64,
    ll_each: Vec<f64>,
    ll_gauss: f64,
}

impl MultiMethodModel {
    fn standardise(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
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

    /// Appends the (means, variances) of one network output row, in original units.
    fn component(&self, o: &[f64], mu: &mut Vec<f64>, var: &mut Vec<f64>) {
        let d = self.d();
        for k in 0..d {
            let (m, s) = (self.y_scaler.mean[k], self.y_scaler.std[k]);
            mu.push(o[k] * s + m);
            var.push(if self.heteroscedastic {
                o[d + k].exp() * s * s
            } else {
                1.0 / self.tau.unwrap_or(1.0)
            });
        }
    }

    /// Per input, the streaming summary of the components of every member (the T MC
    /// passes of a dropout network are summarised as they come, never stored).
    fn accumulate(
        &self,
        x: ArrayView2<f64>,
        y: Option<ArrayView2<f64>>,
        opts: &McOptions,
    ) -> Result<Vec<Acc>> {
        opts.validate()?;
        let xs = self.standardise(x)?;
        let d = self.d();
        let mut rows: Option<Vec<Acc>> = None;
        for (m, net) in self.members.iter().enumerate() {
            let out = net.n_outputs();
            let stochastic = net.arch.dropout.iter().any(|&p| p > 0.0);
            let target = |r: usize| y.map(|y| y.row(r).to_vec());
            let parts: Vec<Acc> = if stochastic {
                crate::limits::check_mc(&net.arch.sizes, x.nrows(), opts.samples, 0)?;
                let mut o = opts.clone();
                o.seed = member_seed(opts.seed, m);
                mc_map(net, xs.view(), &o, |r, s| {
                    let t = target(r);
                    let mut acc = Acc::new(d);
                    let (mut mu, mut var) = (Vec::with_capacity(d), Vec::with_capacity(d));
                    for row in s.chunks_exact(out) {
                        mu.clear();
                        var.clear();
                        self.component(row, &mut mu, &mut var);
                        acc.push(&mu, &var, t.as_deref());
                    }
                    acc
                })?
            } else {
                let o = net.forward(xs.view())?;
                o.rows()
                    .into_iter()
                    .enumerate()
                    .map(|(r, row)| {
                        let (mut mu, mut var) = (Vec::new(), Vec::new());
                        let row: Vec<f64> = row.to_vec();
                        self.component(&row, &mut mu, &mut var);
                        let mut acc = Acc::new(d);
                        acc.push(&mu, &var, target(r).as_deref());
                        acc
                    })
                    .collect()
            };
            rows = Some(match rows {
                None => parts,
                Some(t) => t.into_iter().zip(parts).map(|(a, b)| a.merge(&b)).collect(),
            });
        }
        Ok(rows.unwrap_or_default())
    }

    fn summarise_row(&self, acc: &Acc, with_y: Option<&[f64]>) -> Row {
        let d = self.d();
        let c = acc.count.max(1.0);
        let mean = acc.mean.clone();
        let alea: Vec<f64> = acc.alea_sum.iter().map(|v| v / c).collect();
        let epi: Vec<f64> = acc.m2.iter().map(|v| v / c).collect();
        let lc = c.ln();
        let (ll_joint, ll_each, ll_gauss) = match with_y {
            None => (f64::NAN, vec![f64::NAN; d], f64::NAN),
            Some(y) => {
                let mut cov = epi.clone();
                for k in 0..d {
                    cov[k * d + k] += alea[k];
                }
                (
                    acc.joint.value() - lc,
                    acc.each.iter().map(|l| l.value() - lc).collect(),
                    gaussian_log_density(y, &mean, &cov),
                )
            }
        };
        Row {
            mean,
            alea,
            epi,
            ll_joint,
            ll_each,
            ll_gauss,
        }
    }

    fn rows(
        &self,
        x: ArrayView2<f64>,
        y: Option<ArrayView2<f64>>,
        opts: &McOptions,
    ) -> Result<Vec<Row>> {
        if let Some(y) = y {
            if y.nrows() != x.nrows() || y.ncols() != self.d() {
                return Err(Error::Shape(format!(
                    "{} rows × {} targets given for {} input rows and a model of {} targets",
                    y.nrows(),
                    y.ncols(),
                    x.nrows(),
                    self.d()
                )));
            }
            crate::data::check_finite(y, "targets")?;
        }
        let accs = self.accumulate(x, y, opts)?;
        Ok(accs
            .iter()
            .enumerate()
            .map(|(i, acc)| {
                let yr = y.map(|y| y.row(i).to_vec());
                self.summarise_row(acc, yr.as_deref())
            })
            .collect())
    }

    fn summarise(&self, rows: &[Row], level: f64) -> MultiMixturePrediction {
        let (n, d) = (rows.len(), self.d());
        let mean = Array2::from_shape_fn((n, d), |(i, k)| rows[i].mean[k]);
        let aleatoric_var = Array2::from_shape_fn((n, d), |(i, k)| rows[i].alea[k]);
        let epistemic_cov = Array3::from_shape_fn((n, d, d), |(i, a, b)| rows[i].epi[a * d + b]);
        let total_var =
            Array2::from_shape_fn((n, d), |(i, k)| rows[i].alea[k] + rows[i].epi[k * d + k]);
        let std = total_var.mapv(f64::sqrt);
        let z = normal_quantile(0.5 + level / 2.0);
        MultiMixturePrediction {
            lower: &mean - &(z * &std),
            upper: &mean + &(z * &std),
            mean,
            aleatoric_var,
            epistemic_cov,
            total_var,
            std,
            level,
        }
    }

    /// Monte-Carlo prediction: `opts.samples` passes per dropout network, one per
    /// ensemble member without dropout.
    pub fn predict_mc(
        &self,
        x: ArrayView2<f64>,
        opts: &McOptions,
    ) -> Result<MultiMixturePrediction> {
        let rows = self.rows(x, None, opts)?;
        let p = self.summarise(&rows, opts.level);
        if let Some(((i, k), v)) = p
            .mean
            .indexed_iter()
            .chain(p.std.indexed_iter())
            .find(|(_, v)| !v.is_finite())
        {
            return Err(Error::NonFiniteResult {
                what: format!(
                    "the prediction of target {:?} at row {i} (0-based)",
                    self.target_names[k]
                ),
                value: *v,
            });
        }
        Ok(p)
    }

    /// The deterministic pass (no masks) of every member, averaged, N × D in original
    /// units.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let xs = self.standardise(x)?;
        let d = self.d();
        let mut sum = Array2::zeros((x.nrows(), d));
        for net in &self.members {
            let out = net.forward(xs.view())?;
            for ((i, k), s) in sum.indexed_iter_mut() {
                *s += out[[i, k]] * self.y_scaler.std[k] + self.y_scaler.mean[k];
            }
        }
        Ok(sum / self.members.len() as f64)
    }

    /// Per-target RMSE (deterministic pass), MC RMSE, marginal mixture log-likelihood,
    /// coverage and mean std, and the joint mixture and moment-matched Gaussian
    /// log-likelihoods, on `(x, y)` (`y` N × D, original units). The `tau` field is the
    /// reciprocal of the mean predicted noise variance in standardised units (averaged
    /// over rows and targets), or the model's τ in standardised units if it has one.
    pub fn evaluate(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        opts: &McOptions,
    ) -> Result<MultiEvaluation> {
        let rows = self.rows(x, Some(y), opts)?;
        let p = self.summarise(&rows, opts.level);
        let det = self.predict(x)?;
        let (n, d) = (rows.len(), self.d());
        let nf = n.max(1) as f64;
        let per = |f: &dyn Fn(usize, usize) -> f64| -> Vec<f64> {
            (0..d)
                .map(|k| (0..n).map(|i| f(i, k)).sum::<f64>() / nf)
                .collect()
        };
        let sq = |a: f64, b: f64| (a - b) * (a - b);
        let std_var = per(&|i, k| p.aleatoric_var[[i, k]] / self.y_scaler.std[k].powi(2));
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
            ll_mixture: rows.iter().map(|r| r.ll_joint).sum::<f64>() / nf,
            ll_gaussian: rows.iter().map(|r| r.ll_gauss).sum::<f64>() / nf,
            level: opts.level,
            tau: d as f64 / std_var.iter().sum::<f64>(),
        };
        let finite = eval
            .rmse
            .iter()
            .chain(&eval.mc_rmse)
            .chain(&eval.ll)
            .chain([&eval.ll_mixture, &eval.ll_gaussian])
            .all(|v| v.is_finite());
        if !finite {
            return Err(Error::NonFiniteResult {
                what: "a figure of the evaluation (targets far outside the predictive?)".into(),
                value: f64::NAN,
            });
        }
        Ok(eval)
    }
}
