//! Hyper-parameters of a GP regression, validated, then fitted by maximising the log
//! marginal likelihood in log-parameter space (L-BFGS with restarts).

use super::exact::{Posterior, Workspace, lml_in};
use super::lbfgs::minimise;
use super::linalg::Points;
use super::model::{GpModel, GpReport};
use super::parse::parse_kernel;
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::model::params::fit_preamble;
use crate::rng::{Purpose, stream};
use ndarray::{ArrayView1, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;
use std::time::Instant;

/// Settings of a GP regression (unchecked until [`fit`](GpParams::fit)).
///
/// Inputs and target are standardised with the training statistics; the kernel works in
/// those units. Defaults: kernel `se`, initial noise variance 0.1 (standardised units),
/// kernel parameters from [`parse_kernel`] (variances and length-scales 1), 2 restarts
/// besides the default start (each perturbing every log-parameter by N(0, 1)), at most
/// 100 L-BFGS iterations per start, log-parameters kept in [−12, 12], seed 0.
///
/// ```
/// use mcdropout::gp::GpParams;
/// use ndarray::{Array1, Array2};
/// let x = Array2::from_shape_fn((40, 1), |(i, _)| i as f64 / 8.0);
/// let y: Array1<f64> = x.column(0).mapv(f64::sin);
/// let model = GpParams::default().fit(x.view(), y.view()).unwrap();
/// let pred = model.predict(x.view(), 0.95).unwrap();
/// assert!((pred.mean[10] - y[10]).abs() < 0.05);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GpParams {
    /// Kernel expression (see [`parse_kernel`]).
    pub kernel: String,
    /// Initial kernel log-parameters (overriding the parser's defaults).
    pub init: Option<Vec<f64>>,
    /// Initial noise variance σ_n², in standardised target units.
    pub noise_var: f64,
    /// Maximise the marginal likelihood (otherwise keep the initial parameters).
    pub optimise: bool,
    /// Random restarts besides the default starting point.
    pub restarts: usize,
    /// L-BFGS iterations per start.
    pub max_iter: usize,
    /// Bound on |log-parameter|.
    pub log_bound: f64,
    /// Seed of the restart points.
    pub seed: u64,
    /// Names of the features.
    pub feature_names: Option<Vec<String>>,
    /// Name of the target.
    pub target_name: Option<String>,
    /// Stops fitting early with [`Error::Interrupted`] when set (checked at every
    /// marginal-likelihood evaluation). Default `None`.
    pub cancel: Option<crate::cancel::Cancel>,
}

impl Default for GpParams {
    fn default() -> Self {
        Self {
            kernel: "se".into(),
            init: None,
            noise_var: 0.1,
            optimise: true,
            restarts: 2,
            max_iter: 100,
            log_bound: 12.0,
            seed: 0,
            feature_names: None,
            target_name: None,
            cancel: None,
        }
    }
}

fn invalid(name: &str, reason: String) -> Error {
    Error::InvalidParameter {
        name: name.into(),
        reason,
    }
}

impl GpParams {
    /// Fits a GP to `x` (`n × features`, original units) and `y` (`n`).
    pub fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<GpModel> {
        self.fit_with_progress(x, y, &mut |_, _| {})
    }

    /// As [`fit`](Self::fit), calling `on_start(k, of)` before the k-th (1-based) of the
    /// `of` starting points of the hyper-parameter search.
    pub fn fit_with_progress(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        on_start: &mut dyn FnMut(usize, usize),
    ) -> Result<GpModel> {
        let start = Instant::now();
        let (_, feature_names, target_name) = fit_preamble(
            x,
            y.len(),
            "targets",
            &self.feature_names,
            &self.target_name,
        )?;
        if let Some((i, &v)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "target".into(),
                index: i,
                value: v,
            });
        }
        if let Some((i, v)) = x
            .rows()
            .into_iter()
            .enumerate()
            .find_map(|(i, r)| r.iter().find(|v| !v.is_finite()).map(|&v| (i, v)))
        {
            return Err(Error::NonFinite {
                what: "input row".into(),
                index: i,
                value: v,
            });
        }
        if !(self.noise_var.is_finite() && self.noise_var > 0.0) {
            return Err(invalid(
                "noise_var",
                format!("must be positive, got {}", self.noise_var),
            ));
        }
        if self.max_iter == 0 {
            return Err(invalid("max_iter", "must be at least 1".into()));
        }
        if !(self.log_bound.is_finite() && self.log_bound > 0.0) {
            return Err(invalid(
                "log_bound",
                format!("must be positive, got {}", self.log_bound),
            ));
        }
        if y.iter().all(|&v| v == y[0]) {
            return Err(Error::ConstantTarget {
                column: target_name,
                value: y[0],
            });
        }
        let mut kernel = parse_kernel(&self.kernel, x.ncols())?;
        if let Some(init) = &self.init {
            if init.len() != kernel.n_params() {
                return Err(invalid(
                    "init",
                    format!(
                        "kernel {:?} has {} parameters ({}), got {}",
                        self.kernel,
                        kernel.n_params(),
                        kernel.param_names().join(", "),
                        init.len()
                    ),
                ));
            }
            kernel.set_params(init);
        }
        crate::limits::check_gp_points(x.nrows())?;
        if self.optimise {
            crate::limits::check_gp_fit(
                x.nrows(),
                kernel.n_params() + 1,
                self.restarts.saturating_add(1),
                self.max_iter,
            )?;
        }
        let x_scaler = Standardizer::fit_named(x, &feature_names)?;
        let y_scaler = Standardizer::fit_target(y, &target_name)?;
        let (y_mean, y_std) = (y_scaler.mean[0], y_scaler.std[0]);
        let xs = x_scaler.transform(x)?;
        let points = Points {
            data: xs.iter().copied().collect(),
            dim: x.ncols(),
        };
        let ys: Vec<f64> = y.iter().map(|v| (v - y_mean) / y_std).collect();
        let p = kernel.n_params();
        let mut theta0 = kernel.params();
        theta0.push(self.noise_var.ln());
        // Buffers shared by the evaluations; emptied before the posterior is built, so
        // that at most two n × n matrices are alive at any time.
        let ws = std::cell::RefCell::new(Workspace::default());
        let objective = |theta: &[f64]| -> Result<(f64, Vec<f64>)> {
            crate::cancel::check(&self.cancel)?;
            let mut k = kernel.clone();
            k.set_params(&theta[..p]);
            let (lml, grad, _) = lml_in(&k, theta[p], &points, &ys, true, &mut ws.borrow_mut())?;
            let grad = grad.unwrap_or_default();
            Ok((-lml, grad.iter().map(|g| -g).collect()))
        };
        let (best, iterations, evaluations) = if self.optimise {
            let mut best: Option<(Vec<f64>, f64)> = None;
            let (mut iterations, mut evaluations) = (0, 0);
            let mut last_err = String::from("the objective was undefined at every start");
            // Out of memory is not a property of the starting point: stop at once.
            let mut fatal: Option<Error> = None;
            for r in 0..=self.restarts {
                on_start(r + 1, self.restarts + 1);
                let mut start = theta0.clone();
                if r > 0 {
                    let mut rng = stream(self.seed, Purpose::GpRestarts, r as u64);
                    start
                        .iter_mut()
                        .for_each(|v| *v += rng.sample::<f64, _>(StandardNormal));
                }
                let mut f = |t: &[f64]| match objective(t) {
                    Ok(v) if fatal.is_none() => Some(v),
                    Ok(_) => None,
                    Err(e @ Error::OutOfMemory { .. }) => {
                        fatal = Some(e);
                        None
                    }
                    Err(e) => {
                        last_err = e.to_string();
                        None
                    }
                };
                let found = minimise(&mut f, &start, self.max_iter, self.log_bound, 1e-5);
                if let Some(e) = fatal.take() {
                    return Err(e);
                }
                crate::cancel::check(&self.cancel)?;
                if let Some(m) = found {
                    iterations += m.iterations;
                    evaluations += m.evaluations;
                    if best.as_ref().is_none_or(|(_, f)| m.f < *f) {
                        best = Some((m.x, m.f));
                    }
                }
            }
            let (x, _) = best.ok_or_else(|| Error::GpFitFailed {
                restarts: self.restarts + 1,
                reason: last_err,
            })?;
            (x, iterations, evaluations)
        } else {
            (theta0, 0, 0)
        };
        crate::cancel::check(&self.cancel)?;
        ws.take();
        kernel.set_params(&best[..p]);
        let noise = best[p].exp();
        let posterior = Posterior::new(kernel, noise, points, &ys)?;
        let lml = posterior.log_marginal_likelihood(&ys);
        let report = GpReport {
            log_marginal_likelihood: lml,
            iterations,
            evaluations,
            starts: if self.optimise { self.restarts + 1 } else { 0 },
            jitter: posterior.chol.jitter,
            seconds: start.elapsed().as_secs_f64(),
        };
        Ok(GpModel {
            posterior,
            y_train: ys,
            x_scaler,
            y_mean,
            y_std,
            kernel_spec: self.kernel.clone(),
            feature_names,
            encoding: None,
            target_name,
            report,
        })
    }
}
