//! Running a policy on a sampled wheel problem.

use super::{Policy, WheelData};
use crate::error::Result;
use serde::Serialize;

/// What a policy did on one problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectory {
    /// The arm pulled at each decision.
    pub actions: Vec<usize>,
    /// Cumulative expected regret after each decision (`Σ best mean − pulled arm's mean`).
    pub cumulative_regret: Vec<f64>,
    /// The uniform policy's expected cumulative regret on the same contexts.
    pub uniform_regret: f64,
    /// Wall time of the run (s).
    pub seconds: f64,
}

impl Trajectory {
    /// Total regret as a percentage of the uniform policy's (the paper's normalisation).
    pub fn normalised_regret(&self) -> f64 {
        100.0 * self.cumulative_regret.last().copied().unwrap_or(0.0) / self.uniform_regret
    }
}

/// Runs `policy` over every decision of `data`: choose, observe that arm's reward, update.
pub fn simulate(data: &WheelData, policy: &mut dyn Policy) -> Result<Trajectory> {
    let start = std::time::Instant::now();
    let mut actions = Vec::with_capacity(data.len());
    let mut cumulative = Vec::with_capacity(data.len());
    let mut total = 0.0;
    for (t, x) in data.contexts.iter().enumerate() {
        let arm = policy.choose(t, x)?;
        policy.update(t, x, arm, data.rewards[t][arm])?;
        total += data.regret(t, arm);
        actions.push(arm);
        cumulative.push(total);
    }
    Ok(Trajectory {
        actions,
        cumulative_regret: cumulative,
        uniform_regret: data.uniform_regret(),
        seconds: start.elapsed().as_secs_f64(),
    })
}
