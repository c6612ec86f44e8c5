//! Training: optimisers, the loss, and the minibatch loop.

mod fit;
pub mod loss;
mod optimizer;
mod prefetch;
pub mod softmax;

pub use fit::{Precision, Regularisation, TrainConfig, TrainReport, train_network};
pub use optimizer::{Optimizer, OptimizerState};
pub use softmax::Objective;
