//! The minibatch training loop.

use super::loss::{decay_penalty, squared_error};
use super::optimizer::{Optimizer, OptimizerState};
use super::prefetch::prefetch_rows;
use super::softmax::{Objective, softmax_cross_entropy};
use crate::error::{Error, Result};
use crate::nn::backprop::{Gradients, Masks, Tensors, TrainBuffers, backward, forward_train_rows};
use crate::nn::{Network, Real};
use crate::prior::LossConvention;
use crate::rng::{Purpose, stream};
use ndarray::ArrayView2;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Settings of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrainConfig {
    /// Passes over the data (default 40, Gal's n_epochs.txt for most UCI sets).
    pub epochs: usize,
    /// Minibatch size (default 128); batches are reshuffled every epoch, the last is
    /// smaller.
    pub batch_size: usize,
    /// The optimiser (default Adam, lr 1e-3, β 0.9/0.999, ε 1e-7).
    pub optimizer: Optimizer,
    /// The data term of the loss (default Gal's MSE without ½).
    pub loss: LossConvention,
    /// Seed of initialisation, shuffling and masks.
    pub seed: u64,
    /// Regression (squared error, the default) or classification (softmax
    /// cross-entropy, targets one column of class indices).
    #[serde(default)]
    pub objective: Objective,
    /// Float type of the training arithmetic (default `f32`, as Keras and PyTorch).
    /// Model files written before this setting existed were trained in `f64`.
    #[serde(default = "Precision::f64_for_old_files")]
    pub precision: Precision,
    /// Stops training early with [`Error::Interrupted`] when set (checked every epoch and
    /// every 256 steps). Not stored in model files. Default `None`.
    #[serde(skip)]
    pub cancel: Option<crate::cancel::Cancel>,
}

/// The float type the training engine computes in. The trained weights are stored and
/// used for prediction in `f64` either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Precision {
    /// Single precision: half the memory traffic and twice the SIMD lanes of `f64`
    /// (`BENCHMARKS.md`); the default, as in Keras and PyTorch.
    #[default]
    F32,
    /// Double precision (the gradient checks' setting).
    F64,
}

impl Precision {
    fn f64_for_old_files() -> Self {
        Precision::F64
    }

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "f64" => Ok(Precision::F64),
            other => Err(format!("unknown precision {other:?} (expected f32 or f64)")),
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 40,
            batch_size: 128,
            optimizer: Optimizer::default(),
            loss: LossConvention::Gal,
            seed: 0,
            objective: Objective::SquaredError,
            precision: Precision::F32,
            cancel: None,
        }
    }
}

impl TrainConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(Error::InvalidParameter {
                name: "--epochs".into(),
                reason: "must be at least 1".into(),
            });
        }
        if self.batch_size == 0 {
            return Err(Error::InvalidParameter {
                name: "--batch".into(),
                reason: "the batch size must be positive, got 0".into(),
            });
        }
        self.optimizer.validate()
    }
}

/// Weight decay per layer (kernels) and for biases.
#[derive(Debug, Clone, PartialEq)]
pub struct Regularisation {
    /// λ_i of each layer's kernel.
    pub kernel: Vec<f64>,
    /// λ_b of every bias.
    pub bias: f64,
}

/// What a training run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Epochs run.
    pub epochs: usize,
    /// Optimiser steps taken.
    pub steps: u64,
    /// Objective (data term + weight decay) averaged over the last epoch.
    pub final_loss: f64,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// Trains `net` in place on standardised `x` (`n × inputs`) and `y` (`n × outputs`, or
/// `n × 1` class indices for [`Objective::SoftmaxCrossEntropy`]).
/// `on_epoch(epoch, loss)` is called after every epoch (1-based). A non-finite loss stops
/// training with [`Error::Diverged`].
pub fn train_network(
    net: &mut Network,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    reg: &Regularisation,
    cfg: &TrainConfig,
    on_epoch: &mut dyn FnMut(usize, f64),
) -> Result<TrainReport> {
    cfg.validate()?;
    let n = x.nrows();
    let y_cols = match cfg.objective {
        Objective::SoftmaxCrossEntropy => 1,
        _ => net.n_outputs(),
    };
    if y.nrows() != n || x.ncols() != net.n_inputs() || y.ncols() != y_cols {
        return Err(Error::Shape(format!(
            "inputs {:?} and targets {:?} do not fit a {:?} network",
            x.dim(),
            y.dim(),
            net.arch.sizes
        )));
    }
    if n == 0 {
        return Err(Error::TooFewRows { needed: 1, got: 0 });
    }
    if crate::limits::uses_large_products(&net.arch.sizes, cfg.batch_size.min(n)) {
        crate::limits::products::prepare()?;
    }
    match cfg.precision {
        Precision::F32 => train_in::<f32>(net, x, y, reg, cfg, on_epoch),
        Precision::F64 => train_in::<f64>(net, x, y, reg, cfg, on_epoch),
    }
}

/// Data (inputs and targets, bytes) above which each minibatch's rows are prefetched while
/// the one before it trains: about a core's L2 cache on the machines measured, beyond
/// which a random row is a cache miss. Measured (`examples/scaling.rs`, one epoch of
/// 13→50→1): 10⁶ rows about 7 % faster (BENCHMARKS.md); at naval's 0.7 MB, in L2, it was
/// slower, hence the threshold.
const PREFETCH_ABOVE: usize = 1 << 20;

/// `a`'s elements in `T`, row-major: a plain pass over the slice when `a` is in standard
/// layout (a vectorised loop), element by element otherwise.
fn to_rows<T: Real>(a: ArrayView2<f64>) -> Vec<T> {
    match a.as_slice() {
        Some(s) => s.iter().map(|&v| T::from_f64(v)).collect(),
        None => a.iter().map(|&v| T::from_f64(v)).collect(),
    }
}

/// The minibatch loop in float type `T`: the parameters are rounded to `T` at the start
/// and written back (widened) at the end.
fn train_in<T: Real>(
    net: &mut Network,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    reg: &Regularisation,
    cfg: &TrainConfig,
    on_epoch: &mut dyn FnMut(usize, f64),
) -> Result<TrainReport> {
    let n = x.nrows();
    let start = std::time::Instant::now();
    let _ftz = crate::nn::FlushDenormals::new();
    let d = y.ncols();
    let samplers = net.drop_samplers();
    let mut shuffle_rng = stream(cfg.seed, Purpose::Shuffle, 0);
    let mut mask_rng = stream(cfg.seed, Purpose::TrainMasks, 0);
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut mask_rng)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let batch = cfg.batch_size.min(n);
    let mut yb = Vec::with_capacity(batch * d);
    // The data in T, row-major, once: a minibatch is then a copy of contiguous rows.
    let (xt, yt) = (to_rows::<T>(x), to_rows::<T>(y));
    // Prefetching the next minibatch pays only when the rows miss the cache.
    let prefetch = (xt.len() + yt.len()) * std::mem::size_of::<T>() > PREFETCH_ABOVE;
    let mut masks = Masks::default();
    let (mut buf, mut dout) = (TrainBuffers::<T>::default(), Vec::<T>::new());
    let mut params = Tensors::<T>::from_network(net);
    let mut grads = Gradients::<T>::zeros(net);
    let mut opt = OptimizerState::<T>::new(cfg.optimizer, net);
    let mut steps = 0u64;
    let mut last_loss = f64::NAN;
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut shuffle_rng);
        let mut data_loss = 0.0;
        let mut batches = order.chunks(batch).peekable();
        while let Some(idx) = batches.next() {
            // The next minibatch's rows start towards the cache while this one trains.
            if let Some(next) = batches.peek().filter(|_| prefetch) {
                prefetch_rows(&xt, next, x.ncols());
                prefetch_rows(&yt, next, d);
            }
            yb.clear();
            if d == 1 {
                yb.extend(idx.iter().map(|&r| yt[r]));
            } else {
                yb.extend(idx.iter().flat_map(|&r| &yt[r * d..(r + 1) * d]));
            }
            let rows = idx.len();
            masks.draw(&samplers, &mut states, rows);
            let out = forward_train_rows(&net.arch, &params, &xt, idx, &masks, &mut buf);
            data_loss += rows as f64
                * match cfg.objective {
                    Objective::SoftmaxCrossEntropy => {
                        softmax_cross_entropy(out, &yb, rows, &mut dout)
                    }
                    _ => squared_error(cfg.loss, out, &yb, rows, &mut dout),
                };
            backward(&net.arch, &params, &masks, &mut buf, &dout, &mut grads);
            opt.step(&mut params, &grads, &reg.kernel, reg.bias);
            steps += 1;
            if steps.is_multiple_of(256) {
                crate::cancel::check(&cfg.cancel)?;
            }
        }
        crate::cancel::check(&cfg.cancel)?;
        last_loss = data_loss / n as f64 + decay_penalty(&params, &reg.kernel, reg.bias);
        if !last_loss.is_finite() {
            params.write_to(net);
            return Err(Error::Diverged {
                epoch,
                value: last_loss,
            });
        }
        on_epoch(epoch, last_loss);
    }
    params.write_to(net);
    Ok(TrainReport {
        epochs: cfg.epochs,
        steps,
        final_loss: last_loss,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::to_rows;
    use ndarray::{Array2, ShapeBuilder};

    /// The fast path (a standard-layout slice) and the element-by-element path (any other
    /// layout) give the same row-major values, each the correctly rounded `f32`.
    #[test]
    fn to_rows_is_row_major_in_every_layout() {
        let c = Array2::from_shape_fn((3, 4), |(i, j)| 0.1 + i as f64 * 4.0 + j as f64);
        let mut f = Array2::<f64>::zeros((3, 4).f());
        f.assign(&c);
        assert!(c.as_slice().is_some() && f.as_slice().is_none());
        let expected: Vec<f32> = (0..12).map(|i| (0.1 + i as f64) as f32).collect();
        assert_eq!(to_rows::<f32>(c.view()), expected);
        assert_eq!(to_rows::<f32>(f.view()), expected);
    }
}
