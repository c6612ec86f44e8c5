//! The model-file reader of every kind (network, classifier, GP): any bytes give a model
//! or an error; a model that loads predicts one row without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcdropout::predict::McOptions;
use mcdropout::{classify, gp, model};
use ndarray::Array2;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.model");
    let opts = McOptions::new(2, 0);
    if let Ok(m) = model::load_bytes(data, path) {
        let x = Array2::zeros((1, m.feature_names.len()));
        let _ = m.predict_mc(x.view(), &opts);
    }
    if let Ok(c) = classify::load_classifier_bytes(data, path) {
        let x = Array2::zeros((1, c.feature_names.len()));
        let _ = c.predict_mc(x.view(), &opts);
    }
    if let Ok(g) = gp::load_gp_bytes(data, path) {
        let x = Array2::zeros((1, g.feature_names.len()));
        let _ = g.predict(x.view(), 0.95);
    }
});
