//! The UCI layout reader (Gal's `<name>/data/` folder): the input is the files' contents
//! separated by NUL bytes, in the order of `FILES`; any input gives a dataset or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcdropout::experiments::uci::UciDataset;

const FILES: [&str; 12] = [
    "data.txt",
    "index_features.txt",
    "index_target.txt",
    "n_splits.txt",
    "n_epochs.txt",
    "n_hidden.txt",
    "dropout_rates.txt",
    "tau_values.txt",
    "index_train_0.txt",
    "index_test_0.txt",
    "index_train_1.txt",
    "index_test_1.txt",
];

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let files = |name: &str| {
        let i = FILES.iter().position(|f| *f == name)?;
        parts.get(i).map(|p| p.to_vec())
    };
    if let Ok(ds) = UciDataset::from_files("fuzz", &files) {
        assert_eq!(ds.x.nrows(), ds.y.len());
        for (train, test) in &ds.splits {
            assert!(train.iter().chain(test).all(|&r| r < ds.y.len()));
        }
    }
});
