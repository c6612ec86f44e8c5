//! The paper's experiments.

pub mod digits;
pub mod uci;
