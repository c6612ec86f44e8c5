//! The evidence lower bound of a trained dropout network (DESIGN §5).
//!
//! With q(ω) the dropout distribution around the trained weights, prior N(0, I/l²) and
//! Gaussian noise of precision τ (in the network's standardised units, the τ that enters
//! λ), the ELBO over a dataset of N points is estimated with S mask samples per point:
//!
//! `ELBO ≈ (1/S) Σ_s Σ_n [−τ/2 ‖y_n − ŷ_{n,s}‖² + d/2 (log τ − log 2π)] − KL`,
//!
//! with `KL = Σ_i (l² (1 − p_i)/2) ‖M_i‖² + (l²/2) ‖b_i‖²` up to terms that do not depend
//! on the weights ([`Prior::kl`]). Dividing −ELBO by N τ gives the dropout objective with
//! the halved squared error and λ_i = l² (1 − p_i)/(2 N τ) (plus bias decay l²/(2 N τ)).

use crate::error::{Error, Result};
use crate::nn::Network;
use crate::nn::backprop::{Masks, Tensors, TrainBuffers, forward_train};
use crate::predict::{McOptions, mc_map};
use crate::prior::Prior;
use ndarray::ArrayView2;
use serde::Serialize;
use std::f64::consts::PI;

/// An ELBO estimate and its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Elbo {
    /// Expected log-likelihood minus KL.
    pub elbo: f64,
    /// Σ_n E_q[log p(y_n | x_n, ω)], estimated with `samples` mask draws per point.
    pub expected_log_likelihood: f64,
    /// KL(q ‖ p) up to weight-independent constants.
    pub kl: f64,
    /// Mask samples per point.
    pub samples: usize,
    /// τ in the network's units.
    pub tau: f64,
}

/// Estimates the ELBO of `net` on standardised `x` (`N × inputs`) and `y` (`N × outputs`)
/// with `samples` mask draws per point (seeded; thread-count independent).
pub fn elbo(
    net: &Network,
    prior: &Prior,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    samples: usize,
    seed: u64,
) -> Result<Elbo> {
    if y.nrows() != x.nrows() || y.ncols() != net.n_outputs() {
        return Err(Error::Shape(format!(
            "targets {:?} for inputs {:?}",
            y.dim(),
            x.dim()
        )));
    }
    crate::limits::check_mc(&net.arch.sizes, x.nrows(), samples, 0)?;
    let tau = prior.tau_network();
    let d = net.n_outputs();
    let opts = McOptions::new(samples, seed);
    let per_row = mc_map(net, x, &opts, |r, s| {
        let yr = y.row(r);
        let sq: f64 = s
            .chunks_exact(d)
            .map(|o| {
                o.iter()
                    .zip(yr.iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
            })
            .sum();
        -0.5 * tau * sq / samples as f64
    })?;
    let n = x.nrows() as f64;
    let expected = per_row.iter().sum::<f64>() + n * d as f64 * 0.5 * (tau.ln() - (2.0 * PI).ln());
    let kl = prior.kl(net);
    Ok(Elbo {
        elbo: expected - kl,
        expected_log_likelihood: expected,
        kl,
        samples,
        tau,
    })
}

/// The single-sample negative ELBO for given masks (one mask row per data point, the whole
/// dataset as one batch): `Σ_n τ/2 ‖y_n − ŷ_n‖² + KL`, without the weight-independent
/// constants. `x` and `y` are row-major `n × inputs` and `n × outputs`.
pub fn neg_elbo_with_masks(
    net: &Network,
    prior: &Prior,
    x: &[f64],
    y: &[f64],
    n: usize,
    masks: &Masks,
) -> f64 {
    let mut buf = TrainBuffers::default();
    let params = Tensors::<f64>::from_network(net);
    let out = forward_train(&net.arch, &params, x, n, masks, &mut buf);
    let sq: f64 = out.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
    0.5 * prior.tau_network() * sq + prior.kl(net)
}
