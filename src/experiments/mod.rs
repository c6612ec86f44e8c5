//! The paper's experiments.

pub mod co2;
pub mod digits;
pub mod uci;
pub mod active;
pub mod bandit;
