//! Contextual bandits that act on uncertainty: the wheel bandit of Riquelme, Tucker &
//! Snoek ("Deep Bayesian Bandits Showdown", ICLR 2018) and four policies — Thompson
//! sampling with an MC-dropout network (one fresh set of dropout masks per decision),
//! greedy (the same network with dropout off), uniform, and exact Bayesian linear
//! regression Thompson sampling (a Normal-inverse-gamma posterior per arm).
//!
//! Every policy is reproducible: the same seed gives the same decisions whatever the
//! thread count.
//!
//! ```
//! use mcdropout::bandit::{LinearTs, LinearTsConfig, Wheel, simulate};
//! let wheel = Wheel::new(0.5).unwrap();
//! let data = wheel.sample(200, 3);
//! let mut policy = LinearTs::new(2, 5, LinearTsConfig::default(), 3).unwrap();
//! let run = simulate(&data, &mut policy).unwrap();
//! assert_eq!(run.actions.len(), 200);
//! ```

mod dropout;
mod linear;
mod run;
mod wheel;

pub use dropout::{DropoutConfig, DropoutMode, DropoutPolicy};
pub use linear::{LinearTs, LinearTsConfig};
pub use run::{Trajectory, simulate};
pub use wheel::{ARMS, CONTEXT_DIM, Wheel, WheelData};

use crate::error::{Error, Result};
use crate::rng::{Purpose, Xoshiro256PlusPlus, stream_of};
use rand::Rng;

/// A contextual bandit policy over `k` arms and `d`-dimensional contexts.
pub trait Policy {
    /// Short name for reports.
    fn name(&self) -> &str;
    /// The arm to pull at decision `t` (0-based) for context `x`.
    fn choose(&mut self, t: usize, x: &[f64]) -> Result<usize>;
    /// Records the reward of pulling `arm` at decision `t` for context `x`.
    fn update(&mut self, t: usize, x: &[f64], arm: usize, reward: f64) -> Result<()>;
}

/// The uniform policy: every arm with probability 1/k, from the stream keyed by its seed.
#[derive(Debug, Clone)]
pub struct Uniform {
    arms: usize,
    rng: Xoshiro256PlusPlus,
}

impl Uniform {
    /// Uniform over `arms` (≥ 1) arms with seed `seed`.
    pub fn new(arms: usize, seed: u64) -> Result<Self> {
        check_arms(arms)?;
        Ok(Self {
            arms,
            rng: stream_of(seed, Purpose::Split, 0xBA_u64, 1),
        })
    }
}

impl Policy for Uniform {
    fn name(&self) -> &str {
        "uniform"
    }
    fn choose(&mut self, _t: usize, _x: &[f64]) -> Result<usize> {
        Ok(self.rng.random_range(0..self.arms))
    }
    fn update(&mut self, _t: usize, _x: &[f64], _arm: usize, _r: f64) -> Result<()> {
        Ok(())
    }
}

/// Index of the largest value (the first one on ties).
pub fn argmax(v: &[f64]) -> usize {
    crate::classify::uncertainty::argmax(v)
}

pub(crate) fn check_arms(arms: usize) -> Result<()> {
    if arms == 0 {
        return Err(Error::InvalidParameter {
            name: "arms".into(),
            reason: "a bandit needs at least one arm".into(),
        });
    }
    Ok(())
}

pub(crate) fn check_context(x: &[f64], d: usize) -> Result<()> {
    if x.len() != d {
        return Err(Error::Shape(format!(
            "the policy expects contexts of {d} values, got {}",
            x.len()
        )));
    }
    if let Some(v) = x.iter().find(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "context".into(),
            reason: format!("every context value must be finite, found {v}"),
        });
    }
    Ok(())
}

pub(crate) fn check_pull(arm: usize, arms: usize, reward: f64) -> Result<()> {
    if arm >= arms {
        return Err(Error::InvalidParameter {
            name: "arm".into(),
            reason: format!("arm {arm} does not exist (the bandit has {arms} arms, 0-based)"),
        });
    }
    if !reward.is_finite() {
        return Err(Error::InvalidParameter {
            name: "reward".into(),
            reason: format!("must be finite, got {reward}"),
        });
    }
    Ok(())
}
