//! The minibatch loop of the beyond-grid methods: Adam (Keras' form) on kernels, biases
//! and, for Concrete dropout, the logits of the drop probabilities.

use super::engine::{MaskKind, Objective, Params, StepBuffers, StepNoise, loss_and_grad};
use crate::error::{Error, Result};
use crate::nn::{Network, Real};
use crate::rng::{Purpose, stream};
use crate::train::{Optimizer, TrainConfig, TrainReport};
use ndarray::ArrayView2;
use rand::seq::SliceRandom;

/// Adam state of one parameter set.
struct Adam<T> {
    m: Params<T>,
    v: Params<T>,
    t: i32,
    lr: f64,
    b1: f64,
    b2: f64,
    eps: f64,
}

impl<T: Real> Adam<T> {
    fn step(&mut self, p: &mut Params<T>, g: &Params<T>, learn_p: bool) {
        self.t += 1;
        let (b1, b2) = (self.b1, self.b2);
        let lr_t = self.lr * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t));
        let (tb1, tb2, tlr, teps) = (
            T::from_f64(b1),
            T::from_f64(b2),
            T::from_f64(lr_t),
            T::from_f64(self.eps),
        );
        let upd = |w: &mut [T], g: &[T], m: &mut [T], v: &mut [T]| {
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                *m = tb1 * *m + (T::ONE - tb1) * g;
                *v = tb2 * *v + (T::ONE - tb2) * g * g;
                *w -= tlr * *m / (v.sqrt() + teps);
            }
        };
        for i in 0..p.weights.len() {
            upd(
                &mut p.weights[i],
                &g.weights[i],
                &mut self.m.weights[i],
                &mut self.v.weights[i],
            );
            upd(
                &mut p.bias[i],
                &g.bias[i],
                &mut self.m.bias[i],
                &mut self.v.bias[i],
            );
        }
        if learn_p {
            for i in 0..p.logit.len() {
                let (m, v) = (&mut self.m.logit[i], &mut self.v.logit[i]);
                *m = b1 * *m + (1.0 - b1) * g.logit[i];
                *v = b2 * *v + (1.0 - b2) * g.logit[i] * g.logit[i];
                p.logit[i] -= lr_t * *m / (v.sqrt() + self.eps);
            }
        }
    }
}

/// The parameters of `net` in `T`, with the logits of `rates`.
pub fn params_of<T: Real>(net: &Network, rates: &[f64]) -> Params<T> {
    Params {
        weights: net
            .layers
            .iter()
            .map(|l| l.weights.iter().map(|&v| T::from_f64(v)).collect())
            .collect(),
        bias: net
            .layers
            .iter()
            .map(|l| l.bias.iter().map(|&v| T::from_f64(v)).collect())
            .collect(),
        logit: rates
            .iter()
            .map(|&p| super::engine::logit(p.clamp(1e-12, 1.0 - 1e-12)))
            .collect(),
    }
}

/// Writes `params` into `net` (widened to f64); with `learned` the network's dropout
/// rates become the learned ones.
pub fn write_params<T: Real>(params: &Params<T>, net: &mut Network, learned: bool) {
    for (i, layer) in net.layers.iter_mut().enumerate() {
        layer
            .weights
            .iter_mut()
            .zip(&params.weights[i])
            .for_each(|(d, s)| *d = s.to_f64());
        layer
            .bias
            .iter_mut()
            .zip(&params.bias[i])
            .for_each(|(d, s)| *d = s.to_f64());
    }
    if learned {
        net.arch.dropout = params.rates();
    }
}

/// Trains `net` in place on standardised `x` (`n × inputs`) and `y` (`n × D`) for
/// `cfg.epochs` epochs. For Concrete dropout the initial rates are `net.arch.dropout`
/// and the learned ones are written back. Every `every` epochs (and at the end)
/// `on_checkpoint(epoch, &net)` is called with the current network. A non-finite loss is
/// [`Error::Diverged`].
pub fn train_method<T: Real>(
    net: &mut Network,
    obj: &Objective,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    cfg: &TrainConfig,
    every: Option<usize>,
    on_checkpoint: &mut dyn FnMut(usize, &Network) -> Result<()>,
) -> Result<TrainReport> {
    cfg.validate()?;
    let Optimizer::Adam {
        lr,
        beta1,
        beta2,
        eps,
    } = cfg.optimizer
    else {
        return Err(Error::InvalidParameter {
            name: "--optimizer".into(),
            reason: "Concrete dropout, heteroscedastic heads and ensembles train with Adam".into(),
        });
    };
    let start = std::time::Instant::now();
    let _ftz = crate::nn::FlushDenormals::new();
    let n = x.nrows();
    let (k, d) = (x.ncols(), y.ncols());
    let learn_p = matches!(obj.mask, MaskKind::Concrete(_));
    let mut params: Params<T> = params_of(net, &net.arch.dropout);
    let mut grads = Params::<T>::zeros_like(&params);
    let mut opt = Adam {
        m: Params::zeros_like(&params),
        v: Params::zeros_like(&params),
        t: 0,
        lr,
        b1: beta1,
        b2: beta2,
        eps,
    };
    let mut shuffle_rng = stream(cfg.seed, Purpose::Shuffle, 0);
    let mut mask_rng = stream(cfg.seed, Purpose::TrainMasks, 0);
    let xt: Vec<T> = x.iter().map(|&v| T::from_f64(v)).collect();
    let yt: Vec<T> = y.iter().map(|&v| T::from_f64(v)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let batch = cfg.batch_size.min(n);
    let (mut xb, mut yb) = (Vec::with_capacity(batch * k), Vec::with_capacity(batch * d));
    let mut noise = StepNoise::default();
    let mut buf = StepBuffers::<T>::default();
    let mut steps = 0u64;
    let mut last = f64::NAN;
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut shuffle_rng);
        let mut total = 0.0;
        for idx in order.chunks(batch) {
            xb.clear();
            yb.clear();
            for &r in idx {
                xb.extend_from_slice(&xt[r * k..(r + 1) * k]);
                yb.extend_from_slice(&yt[r * d..(r + 1) * d]);
            }
            let rows = idx.len();
            noise.draw(&net.arch, obj.mask, rows, &mut mask_rng);
            let l = loss_and_grad(
                &net.arch, obj, &params, &xb, &yb, rows, &noise, &mut buf, &mut grads,
            );
            total += l * rows as f64;
            opt.step(&mut params, &grads, learn_p);
            steps += 1;
            if steps.is_multiple_of(256) {
                crate::cancel::check(&cfg.cancel)?;
            }
        }
        last = total / n as f64;
        if !last.is_finite() {
            return Err(Error::Diverged { epoch, value: last });
        }
        if every.is_some_and(|e| epoch % e == 0) || epoch == cfg.epochs {
            write_params(&params, net, learn_p);
            on_checkpoint(epoch, net)?;
        }
    }
    write_params(&params, net, learn_p);
    Ok(TrainReport {
        epochs: cfg.epochs,
        steps,
        final_loss: last,
        seconds: start.elapsed().as_secs_f64(),
    })
}
