//! Monte-Carlo dropout prediction: the engine, the parallel driver and the predictive
//! summaries.

mod engine;
mod mc;
mod shallow;

pub use engine::reference_row_samples;
pub use mc::{McOptions, mc_map};
