//! The minibatch training loop.

use super::loss::{decay_penalty, squared_error};
use super::optimizer::{Optimizer, OptimizerState};
use super::softmax::{Objective, softmax_cross_entropy};
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::nn::backprop::{Gradients, Masks, TrainBuffers, backward, forward_train};
use crate::prior::LossConvention;
use crate::rng::{Purpose, stream};
use ndarray::{ArrayView2, Axis};
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
    let start = std::time::Instant::now();
    let (k, d) = (x.ncols(), y.ncols());
    let samplers = net.drop_samplers();
    let mut shuffle_rng = stream(cfg.seed, Purpose::Shuffle, 0);
    let mut mask_rng = stream(cfg.seed, Purpose::TrainMasks, 0);
    let mut states: Vec<_> = samplers.iter().map(|s| s.start(&mut mask_rng)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let batch = cfg.batch_size.min(n);
    let (mut xb, mut yb) = (Vec::with_capacity(batch * k), Vec::with_capacity(batch * d));
    let (mut masks, mut buf, mut dout) = (Masks::default(), TrainBuffers::default(), Vec::new());
    let mut grads = Gradients::zeros(net);
    let mut opt = OptimizerState::new(cfg.optimizer, net);
    let mut steps = 0u64;
    let mut last_loss = f64::NAN;
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut shuffle_rng);
        let mut data_loss = 0.0;
        for idx in order.chunks(batch) {
            xb.clear();
            yb.clear();
            for &r in idx {
                xb.extend(x.index_axis(Axis(0), r).iter());
                yb.extend(y.index_axis(Axis(0), r).iter());
            }
            let rows = idx.len();
            masks.draw(&samplers, &mut states, &mut mask_rng, rows);
            let out = forward_train(net, &xb, rows, &masks, &mut buf);
            data_loss += rows as f64
                * match cfg.objective {
                    Objective::SoftmaxCrossEntropy => {
                        softmax_cross_entropy(out, &yb, rows, &mut dout)
                    }
                    _ => squared_error(cfg.loss, out, &yb, rows, &mut dout),
                };
            backward(net, &masks, &mut buf, &dout, &mut grads);
            opt.step(net, &grads, &reg.kernel, reg.bias);
            steps += 1;
        }
        last_loss = data_loss / n as f64 + decay_penalty(net, &reg.kernel, reg.bias);
        if !last_loss.is_finite() {
            return Err(Error::Diverged {
                epoch,
                value: last_loss,
            });
        }
        on_epoch(epoch, last_loss);
    }
    Ok(TrainReport {
        epochs: cfg.epochs,
        steps,
        final_loss: last_loss,
        seconds: start.elapsed().as_secs_f64(),
    })
}
