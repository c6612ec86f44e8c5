//! Thompson sampling with an MC-dropout network, and its greedy counterpart.
//!
//! By default each arm has its own dropout regression network (context → expected
//! reward), trained on the (context, reward) pairs of that arm's pulls; with
//! [`DropoutConfig::shared`] one network takes `[x, one-hot(arm)]` for every arm. (Riquelme et al. share one trunk
//! with a head per arm and mask the loss to the pulled arm; the training API here fits
//! every output, so per-arm networks are the exact equivalent of a masked loss with
//! separate trunks.) Every `train_every` decisions each network is trained further
//! (warm start, fresh optimiser state — the reference's `reset_lr`) for about `steps`
//! minibatch steps of `batch` rows.
//!
//! A Thompson decision draws one fresh set of dropout masks per arm, keyed by
//! `(seed, arm, decision)` through the MC engine ([`crate::predict::mc_map`] with T = 1)
//! — with a shared network one set for all arms, keyed by `(seed, decision)` — and pulls
//! the arm whose masked network predicts the largest reward. The greedy policy
//! uses the same networks with dropout off (the deterministic, weight-averaged pass).

use super::{Policy, check_arms, check_context, check_pull};
use crate::error::{Error, Result};
use crate::nn::{Activation, Architecture, Init, Network};
use crate::predict::{McOptions, mc_map};
use crate::rng::{Purpose, stream};
use crate::train::{Optimizer, Regularisation, TrainConfig, train_network};
use ndarray::{Array2, ArrayView2};
use rand::RngCore;
use std::sync::Arc;

/// Thompson sampling (one mask set per decision) or greedy (dropout off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DropoutMode {
    /// One dropout sample per decision.
    Thompson,
    /// The deterministic pass.
    Greedy,
}

/// Network and training schedule of [`DropoutPolicy`]. Defaults follow the reference
/// `hparams_dropout` of Riquelme et al. where the training API allows: one hidden layer of
/// 50 ReLU units, drop probability 0.2 (keep_prob 0.8) on the hidden units, retraining
/// every 50 decisions for 100 minibatch steps of up to 512 rows, two round-robin pulls per
/// arm; Adam with learning rate 0.01 (the reference uses RMSProp at 0.1 with decay) and no
/// weight decay.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DropoutConfig {
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Drop probability of the hidden units, in [0, 1).
    pub dropout: f64,
    /// Decisions between training rounds.
    pub train_every: usize,
    /// Minibatch steps per training round (rounded up to whole epochs).
    pub steps: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Kernel weight decay (every layer).
    pub weight_decay: f64,
    /// Round-robin pulls per arm before the network decides.
    pub initial_pulls: usize,
    /// One network for all arms with input `[x, one-hot(arm)]` (one mask set per decision
    /// shared by every arm) instead of one network per arm (default `false`).
    pub shared: bool,
}

impl Default for DropoutConfig {
    fn default() -> Self {
        Self {
            hidden: vec![50],
            dropout: 0.2,
            train_every: 50,
            steps: 100,
            batch: 512,
            lr: 0.01,
            weight_decay: 0.0,
            initial_pulls: 2,
            shared: false,
        }
    }
}

impl DropoutConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &str, reason: String| {
            Err(Error::InvalidParameter {
                name: name.into(),
                reason,
            })
        };
        if !(0.0..1.0).contains(&self.dropout) {
            return bad(
                "dropout",
                format!("must be in [0, 1), got {}", self.dropout),
            );
        }
        if self.train_every == 0 || self.steps == 0 || self.batch == 0 {
            return bad(
                "training schedule",
                "train_every, steps and batch must be at least 1".into(),
            );
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(
                "learning rate",
                format!("must be positive, got {}", self.lr),
            );
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(
                "weight decay",
                format!("must be ≥ 0, got {}", self.weight_decay),
            );
        }
        Ok(())
    }
}

/// The dropout-network policy (Thompson or greedy).
#[derive(Debug, Clone)]
pub struct DropoutPolicy {
    cfg: DropoutConfig,
    mode: DropoutMode,
    seed: u64,
    d: usize,
    k: usize,
    nets: Vec<Network>,
    xs: Vec<Vec<f64>>,
    ys: Vec<Vec<f64>>,
    arm_seeds: Vec<u64>,
    rounds: u64,
}

impl DropoutPolicy {
    /// A policy for `d`-dimensional contexts and `k` arms, seeded by `seed` (the networks'
    /// initialisation, training and the Thompson masks all derive from it).
    pub fn new(
        d: usize,
        k: usize,
        cfg: DropoutConfig,
        mode: DropoutMode,
        seed: u64,
    ) -> Result<Self> {
        check_arms(k)?;
        cfg.validate()?;
        let mut rates = vec![0.0];
        rates.extend(std::iter::repeat_n(cfg.dropout, cfg.hidden.len()));
        let (models, inputs) = if cfg.shared { (1, d + k) } else { (k, d) };
        let nets = (0..models)
            .map(|a| {
                let mut arch = Architecture::new(inputs, &cfg.hidden, 1, Activation::Relu, 0.0)?;
                arch.dropout = rates.clone();
                arch.validate()?;
                Network::init(arch, Init::GlorotUniform, 0.0, arm_seed(seed, a, 0))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            arm_seeds: (0..models).map(|a| arm_seed(seed, a, 1)).collect(),
            cfg,
            mode,
            seed,
            d,
            k,
            nets,
            xs: vec![Vec::new(); models],
            ys: vec![Vec::new(); models],
            rounds: 0,
        })
    }

    /// The network of arm `arm` (with a shared network: arm 0 gives it).
    pub fn network(&self, arm: usize) -> Option<&Network> {
        self.nets.get(arm)
    }

    /// Every arm's predicted reward at `x` for decision `t`: one masked pass per arm
    /// (Thompson; masks keyed by `(seed, arm, t)`) or the deterministic pass (greedy).
    pub fn values(&self, t: usize, x: &[f64]) -> Result<Vec<f64>> {
        check_context(x, self.d)?;
        if self.cfg.shared {
            let w = self.d + self.k;
            let rows = Array2::from_shape_fn((self.k, w), |(a, j)| {
                if j < self.d {
                    x[j]
                } else {
                    f64::from(u8::from(j - self.d == a))
                }
            });
            return match self.mode {
                DropoutMode::Greedy => Ok(self.nets[0].forward(rows.view())?.column(0).to_vec()),
                DropoutMode::Thompson => {
                    // Every arm's row keyed by the decision: the same masks for all arms.
                    let mut opts = McOptions::new(1, self.arm_seeds[0]);
                    opts.row_keys = Some(Arc::from(vec![t as u64; self.k]));
                    mc_map(&self.nets[0], rows.view(), &opts, |_, out| out[0])
                }
            };
        }
        let row =
            ArrayView2::from_shape((1, self.d), x).map_err(|e| Error::Shape(e.to_string()))?;
        self.nets
            .iter()
            .zip(&self.arm_seeds)
            .map(|(net, &s)| match self.mode {
                DropoutMode::Greedy => Ok(net.forward(row)?[(0, 0)]),
                DropoutMode::Thompson => {
                    let mut opts = McOptions::new(1, s);
                    opts.row_keys = Some(Arc::from(vec![t as u64]));
                    Ok(mc_map(net, row, &opts, |_, out| out[0])?[0])
                }
            })
            .collect()
    }

    fn train(&mut self) -> Result<()> {
        self.rounds += 1;
        for a in 0..self.nets.len() {
            let n = self.ys[a].len();
            if n == 0 {
                continue;
            }
            let batch = self.cfg.batch.min(n);
            let per_epoch = n.div_ceil(batch);
            let mut cfg = TrainConfig::default();
            cfg.epochs = self.cfg.steps.div_ceil(per_epoch).max(1);
            cfg.batch_size = batch;
            cfg.optimizer = Optimizer::Adam {
                lr: self.cfg.lr,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-7,
            };
            cfg.seed = arm_seed(self.seed, a, 2 + self.rounds);
            let x = Array2::from_shape_vec((n, self.nets[a].n_inputs()), self.xs[a].clone())
                .map_err(|e| Error::Shape(e.to_string()))?;
            let y = Array2::from_shape_vec((n, 1), self.ys[a].clone())
                .map_err(|e| Error::Shape(e.to_string()))?;
            let reg = Regularisation {
                kernel: vec![self.cfg.weight_decay; self.nets[a].layers.len()],
                bias: 0.0,
            };
            train_network(
                &mut self.nets[a],
                x.view(),
                y.view(),
                &reg,
                &cfg,
                &mut |_, _| {},
            )?;
        }
        Ok(())
    }
}

/// A seed for arm `arm` and purpose `what`, derived from the policy seed.
fn arm_seed(seed: u64, arm: usize, what: u64) -> u64 {
    stream(
        seed ^ what.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        Purpose::McMasks,
        arm as u64,
    )
    .next_u64()
}

impl Policy for DropoutPolicy {
    fn name(&self) -> &str {
        match self.mode {
            DropoutMode::Thompson => "dropout-ts",
            DropoutMode::Greedy => "greedy",
        }
    }

    fn choose(&mut self, t: usize, x: &[f64]) -> Result<usize> {
        let k = self.k;
        if t < k * self.cfg.initial_pulls {
            return Ok(t % k);
        }
        Ok(super::argmax(&self.values(t, x)?))
    }

    fn update(&mut self, t: usize, x: &[f64], arm: usize, reward: f64) -> Result<()> {
        check_context(x, self.d)?;
        check_pull(arm, self.k, reward)?;
        if self.cfg.shared {
            self.xs[0].extend_from_slice(x);
            self.xs[0].extend((0..self.k).map(|a| f64::from(u8::from(a == arm))));
            self.ys[0].push(reward);
        } else {
            self.xs[arm].extend_from_slice(x);
            self.ys[arm].push(reward);
        }
        let warmup = self.k * self.cfg.initial_pulls;
        if t + 1 >= warmup && (t + 1).is_multiple_of(self.cfg.train_every) {
            self.train()?;
        }
        Ok(())
    }
}
