//! The paper's experiments.

pub mod uci;
pub mod digits;
