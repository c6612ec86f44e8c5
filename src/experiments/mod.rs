//! The paper's experiments.

pub mod active;
pub mod bandit;
pub mod co2;
pub mod digits;
pub mod uci;
