#![doc = include_str!("../README.md")]
pub mod cancel;
pub mod classify;
pub mod data;
pub mod error;
pub mod experiments;
pub mod gp;
pub mod limits;
pub mod metrics;
pub mod nn;
pub mod predict;
pub mod prior;
pub mod rng;
pub mod simd;
pub mod train;

pub use error::{Error, Result};
pub mod acquire;
pub mod bandit;
pub mod elbo;
pub mod methods;
pub mod model;
pub mod output;
pub mod plot;
pub mod search;
