//! Beyond Gal's (p, τ) grid: Concrete dropout (learned drop probabilities; Gal, Hron &
//! Kendall, NeurIPS 2017), heteroscedastic regression (a mean and log-variance head;
//! Kendall & Gal, NeurIPS 2017) and deep ensembles (Lakshminarayanan, Pritzel & Blundell,
//! NeurIPS 2017), trained by one engine ([`engine`]) and predicting with the uniform
//! mixture of Gaussians over members and MC passes ([`MethodModel`]).

pub mod engine;
pub mod fit;
pub mod io;
pub mod mixture;
mod model;
mod params;

pub use model::{MethodModel, MixturePrediction};
pub use params::{Method, MethodParams, member_seed};
mod multi;
mod multi_predict;

pub use multi::MultiMethodModel;
pub use multi_predict::{MultiMixturePrediction, log_mean_exp, mixture_log_density};
