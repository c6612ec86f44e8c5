//! Dropout regression models: hyper-parameters → fit → a fitted [`Regressor`] that predicts
//! with Monte-Carlo dropout; saving and loading.

pub(crate) mod checksum;
mod finite;
mod import;
pub(crate) mod io;
pub(crate) mod params;
mod regressor;
mod summary;
mod table_fit;
pub mod transform;
pub(crate) mod validate;

pub(crate) mod encoding_io;
pub use encoding_io::file_encoding;
pub use io::{FORMAT_VERSION, OLDEST_FORMAT_VERSION, load, load_bytes, model_kind, save, to_bytes};
pub use params::{Noise, RegressorParams};
pub use regressor::Regressor;
pub use summary::{Evaluation, McPrediction};
pub use transform::TargetTransform;
mod multi;
mod multi_io;
mod multi_predict;
pub use multi::MultiRegressor;
pub use multi_io::{MULTI_KIND, load_multi, load_multi_bytes, save_multi};
pub use multi_predict::{MultiEvaluation, MultiPrediction, gaussian_log_density};
