//! The paper's experiments.

pub mod co2;
pub mod uci;
