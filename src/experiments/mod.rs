//! The paper's experiments.

pub mod uci;
