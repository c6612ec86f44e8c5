//! Which kind of model `predict` and `evaluate` work with.

use super::common::CliResult;
use clap::ValueEnum;
use std::path::Path;

/// `--task` of `predict` and `evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelTask {
    /// Whatever the model file holds.
    Auto,
    /// A regression model (mean, std, interval).
    Regress,
    /// A classifier (class probabilities and uncertainty); a regression model is an error.
    Classify,
}

/// Whether to treat `model` as a classifier. With `Classify` or `Regress`, loading the
/// model of the other kind fails later with a message naming the file and the kinds.
pub fn is_classifier(task: ModelTask, model: &Path) -> CliResult<bool> {
    Ok(match task {
        ModelTask::Auto => mcdropout::model::model_kind(model)? == "classifier",
        ModelTask::Regress => false,
        ModelTask::Classify => true,
    })
}
