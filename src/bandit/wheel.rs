//! The wheel bandit (Riquelme, Tucker & Snoek, ICLR 2018, §"Wheel bandit"; reference
//! implementation `sample_wheel_bandit_data` in tensorflow/models,
//! research/deep_contextual_bandits/bandits/data/synthetic_data_sampler.py, whose
//! constants are used here).
//!
//! Contexts are uniform on the unit disc. Arm 4 (the paper's a₁) always pays
//! N(1.2, 0.05²); arms 0–3 pay N(1.0, 0.05²), except when ‖x‖ ≥ δ: then the arm of the
//! context's quadrant pays N(50, 0.01²) — arm 0 for x₁ > 0, x₂ > 0; arm 1 for x₁ > 0,
//! x₂ ≤ 0; arm 2 for x₁ ≤ 0, x₂ > 0; arm 3 for x₁ ≤ 0, x₂ ≤ 0. Inside the radius δ the
//! best arm is 4 (1.2 against 1.0); outside it is the quadrant's arm (50). A larger δ
//! makes the rewarding outer ring rarer (probability 1 − δ²) and exploration harder.

use crate::error::{Error, Result};
use crate::rng::{Purpose, stream_of};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Number of arms.
pub const ARMS: usize = 5;
/// Context dimension.
pub const CONTEXT_DIM: usize = 2;

/// A wheel bandit with exploration parameter δ and the published reward constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Wheel {
    /// Exploration parameter δ in (0, 1).
    pub delta: f64,
    /// Mean of arms 0–3 away from their region (1.0).
    pub mu_small: f64,
    /// Mean of arm 4 (1.2).
    pub mu_medium: f64,
    /// Mean of the quadrant's arm when ‖x‖ ≥ δ (50).
    pub mu_large: f64,
    /// Noise std of the 1.0 and 1.2 rewards (0.05).
    pub sigma_small: f64,
    /// Noise std of the large reward (0.01).
    pub sigma_large: f64,
}

/// A sampled problem: `n` contexts with every arm's reward and mean reward.
#[derive(Debug, Clone, PartialEq)]
pub struct WheelData {
    /// The bandit.
    pub wheel: Wheel,
    /// Contexts, `n` points of the unit disc.
    pub contexts: Vec<[f64; CONTEXT_DIM]>,
    /// The reward each arm would pay for each context.
    pub rewards: Vec<[f64; ARMS]>,
    /// Mean reward of each arm for each context.
    pub means: Vec<[f64; ARMS]>,
}

impl Wheel {
    /// The wheel with exploration parameter `delta`, which must lie in (0, 1).
    pub fn new(delta: f64) -> Result<Self> {
        if !(delta > 0.0 && delta < 1.0) {
            return Err(Error::InvalidParameter {
                name: "delta".into(),
                reason: format!(
                    "the wheel's exploration parameter δ must be in (0, 1), got {delta}"
                ),
            });
        }
        Ok(Self {
            delta,
            mu_small: 1.0,
            mu_medium: 1.2,
            mu_large: 50.0,
            sigma_small: 0.05,
            sigma_large: 0.01,
        })
    }

    /// The arm of the quadrant of `x` (0: x₁ > 0, x₂ > 0; 1: x₁ > 0, x₂ ≤ 0;
    /// 2: x₁ ≤ 0, x₂ > 0; 3: x₁ ≤ 0, x₂ ≤ 0).
    pub fn quadrant_arm(x: &[f64; CONTEXT_DIM]) -> usize {
        match (x[0] > 0.0, x[1] > 0.0) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        }
    }

    /// Whether `x` is in the outer ring ‖x‖ ≥ δ.
    pub fn is_outer(&self, x: &[f64; CONTEXT_DIM]) -> bool {
        x[0].hypot(x[1]) >= self.delta
    }

    /// The mean reward of every arm at context `x`.
    pub fn mean_rewards(&self, x: &[f64; CONTEXT_DIM]) -> [f64; ARMS] {
        let mut m = [self.mu_small; ARMS];
        m[4] = self.mu_medium;
        if self.is_outer(x) {
            m[Self::quadrant_arm(x)] = self.mu_large;
        }
        m
    }

    /// The best arm at `x`: the quadrant's arm in the outer ring, arm 4 inside.
    pub fn optimal_arm(&self, x: &[f64; CONTEXT_DIM]) -> usize {
        if self.is_outer(x) {
            Self::quadrant_arm(x)
        } else {
            4
        }
    }

    /// One reward of every arm at `x`: its mean plus Gaussian noise (std 0.01 for the
    /// large reward, 0.05 otherwise).
    pub fn sample_rewards<R: Rng>(&self, x: &[f64; CONTEXT_DIM], rng: &mut R) -> [f64; ARMS] {
        let m = self.mean_rewards(x);
        let mut r = [0.0; ARMS];
        for (a, out) in r.iter_mut().enumerate() {
            let sd = if m[a] == self.mu_large {
                self.sigma_large
            } else {
                self.sigma_small
            };
            let z: f64 = rng.sample(StandardNormal);
            *out = m[a] + sd * z;
        }
        r
    }

    /// A context uniform on the unit disc (rejection from the square [−1, 1]², as the
    /// reference implementation).
    pub fn sample_context<R: Rng>(rng: &mut R) -> [f64; CONTEXT_DIM] {
        loop {
            let x: [f64; CONTEXT_DIM] = [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
            if x[0].hypot(x[1]) <= 1.0 {
                return x;
            }
        }
    }

    /// `n` contexts with their rewards, from the stream keyed by `seed` (the same seed
    /// gives the same problem for every policy).
    pub fn sample(&self, n: usize, seed: u64) -> WheelData {
        let mut rng = stream_of(seed, Purpose::Split, 0xBA_u64, 0);
        let mut data = WheelData {
            wheel: *self,
            contexts: Vec::with_capacity(n),
            rewards: Vec::with_capacity(n),
            means: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let x = Self::sample_context(&mut rng);
            data.rewards.push(self.sample_rewards(&x, &mut rng));
            data.means.push(self.mean_rewards(&x));
            data.contexts.push(x);
        }
        data
    }

    /// The expected regret per decision of the uniform policy, averaged over contexts:
    /// δ² · 0.8 (1.2 − 1.0) + (1 − δ²) [0.2 (50 − 1.2) + 0.6 (50 − 1.0)].
    pub fn uniform_regret_per_step(&self) -> f64 {
        let d2 = self.delta * self.delta;
        let inner = 0.8 * (self.mu_medium - self.mu_small);
        let outer = 0.2 * (self.mu_large - self.mu_medium) + 0.6 * (self.mu_large - self.mu_small);
        d2 * inner + (1.0 - d2) * outer
    }
}

impl WheelData {
    /// Number of decisions.
    pub fn len(&self) -> usize {
        self.contexts.len()
    }

    /// Whether there are no decisions.
    pub fn is_empty(&self) -> bool {
        self.contexts.is_empty()
    }

    /// Expected regret of pulling `arm` at decision `t`: best mean − the arm's mean.
    pub fn regret(&self, t: usize, arm: usize) -> f64 {
        let m = &self.means[t];
        m.iter().copied().fold(f64::NEG_INFINITY, f64::max) - m[arm]
    }

    /// The uniform policy's expected cumulative regret over these contexts:
    /// `Σ_t (max_a μ_a(x_t) − mean_a μ_a(x_t))`, the normaliser of the paper's tables.
    pub fn uniform_regret(&self) -> f64 {
        self.means
            .iter()
            .map(|m| {
                m.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                    - m.iter().sum::<f64>() / ARMS as f64
            })
            .sum()
    }
}
