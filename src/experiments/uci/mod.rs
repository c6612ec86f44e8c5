//! Gal's UCI regression protocol (the paper's Table 1, 2018 grid-search version).

mod files;
mod gp;
mod layout;
mod protocol;
pub mod published;
mod report;
mod tasks;

pub use files::{RESULT_FILES, RunInfo, write_results};
pub use gp::{UciGpConfig, run_dataset_gp};
pub use layout::UciDataset;
pub use protocol::{
    DatasetResult, GridPoint, MeanSe, SplitResult, UciConfig, job_count, run_dataset,
};
pub use report::{markdown_table, worse_than_published};
pub use tasks::{ScoredPoint, ScoredSplit, UciPlan};
mod methods;
pub use methods::{
    Checkpoint, MethodDatasetResult, MethodSplit, MethodsConfig, run_dataset_method,
};
