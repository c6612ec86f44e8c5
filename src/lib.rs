//! # mcdropout
//!
//! Honest predictive uncertainty from dropout networks, treating dropout as approximate
//! Bayesian inference (Gal & Ghahramani, ICML 2016).
pub mod data;
pub mod error;
pub mod metrics;
pub mod nn;
pub mod predict;
pub mod prior;
pub mod rng;
pub mod train;

pub use error::{Error, Result};
pub mod elbo;
pub mod model;
pub mod output;
