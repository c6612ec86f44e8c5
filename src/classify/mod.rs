//! Dropout classification (DESIGN §4): softmax networks trained with cross-entropy and
//! the prior's weight decay, Monte-Carlo dropout predictions with their uncertainty
//! (predictive entropy, mutual information / BALD, variation ratio), calibration and
//! out-of-distribution metrics, model files, and the input gradient used by FGSM.

mod classifier;
pub mod input_grad;
mod io;
pub mod labels;
pub mod metrics;
mod params;
pub mod uncertainty;

pub use classifier::{ClassEvaluation, ClassPrediction, Classifier, Scores, softmax_rows};
pub use io::{load_classifier, load_classifier_bytes, save_classifier};
pub use params::ClassifierParams;
