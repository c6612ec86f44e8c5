//! Exact Gaussian-process regression (DESIGN §6): kernels with gradients, a kernel
//! expression parser, the posterior, the log marginal likelihood and its gradient, fitting
//! by L-BFGS with restarts, model files, and the network–GP link (arc-cosine kernels).
//!
//! Everything is f64. Hyper-parameters → [`GpParams::fit`] → a fitted [`GpModel`] that
//! predicts with the network regressor's summary types.

mod arccos;
mod columns;
mod exact;
mod io;
mod kernel;
mod lbfgs;
mod linalg;
mod model;
mod params;
mod parse;
mod prepared;

pub use arccos::{FeatureCovariance, feature_covariance};
pub use exact::{Posterior, log_marginal_likelihood};
pub use io::{GP_KIND, load_gp, load_gp_bytes, model_kind, save_gp};
pub use kernel::Kernel;
pub use lbfgs::{Minimum, Objective, minimise};
pub use linalg::{Cholesky, JITTER_STEPS, Points, cross_matrix, gram_matrix};
pub use model::{GpModel, GpReport};
pub use params::GpParams;
pub use parse::{KERNEL_NAMES, parse_kernel};
