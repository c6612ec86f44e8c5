//! The (p, τ) search of `mcdropout::search` against closed forms: with known Gaussian
//! noise, the validation log-likelihood ½ log τ − τ/2 · MSE is maximised at τ = 1/MSE, so on
//! standardised targets the search must find τ ≈ σ_y² / σ² (the data's total variance over
//! the noise variance). Also: widening at the edges, seeds, bad settings.

use mcdropout::Error;
use mcdropout::search::{Epochs, SearchConfig, Validation, search};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// n rows of y = 0.6 x0 + 0.8 x1 + N(0, σ²), x ~ N(0, I₂): var f = 1, so the closed-form
/// standardised τ is (1 + σ²) / σ².
fn linear_data(n: usize, sigma: f64, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 2), |_| rng.sample::<f64, _>(StandardNormal));
    let y = Array1::from_shape_fn(n, |i| {
        0.6 * x[[i, 0]] + 0.8 * x[[i, 1]] + sigma * rng.sample::<f64, _>(StandardNormal)
    });
    (x, y)
}

fn config(taus: &[f64], widenings: usize) -> SearchConfig {
    let mut cfg = SearchConfig::default();
    cfg.dropout_rates = vec![0.01];
    cfg.tau_values = taus.to_vec();
    cfg.max_widenings = widenings;
    cfg.epochs = Epochs::Steps(2_000);
    cfg.samples = 200;
    cfg.base.hidden = vec![20];
    cfg.seed = 3;
    cfg
}

#[test]
fn search_finds_the_closed_form_tau_order_of_magnitude() {
    // Grid spaced ×10: the winner must be the grid value within a factor √10 of the closed
    // form, i.e. the one nearest on a log scale. The fit's own error inflates the
    // validation MSE above σ² / σ_y², which lowers the best τ; a factor below √10 (≈3.2)
    // leaves the same grid value nearest.
    for (sigma, expected) in [(0.1f64, 100.0f64), (0.3, 10.0)] {
        let closed_form = (1.0 + sigma * sigma) / (sigma * sigma);
        assert!((closed_form / expected).log10().abs() < 0.5);
        let (x, y) = linear_data(500, sigma, 11);
        let (_, r) = search(x.view(), y.view(), &config(&[1.0, 10.0, 100.0, 1000.0], 0)).unwrap();
        assert_eq!(r.best.tau, expected, "σ = {sigma}: {:#?}", r.points);
        // The final model's τ in target units: τ_s / σ_y² with σ_y² ≈ 1 + σ²; its noise
        // std must be within a factor √10 of σ.
        assert!((r.noise_std / sigma).log10().abs() < 0.5, "{}", r.noise_std);
    }
}

#[test]
fn widening_moves_an_edge_optimum_inside() {
    let (x, y) = linear_data(500, 0.3, 12);
    // τ ≈ 12 lies far below the grid: the low edge wins and the grid grows downwards
    // (×2 steps: 100, 50, 25, 12.5, …) until the best is inside.
    let (_, r) = search(x.view(), y.view(), &config(&[200.0, 400.0], 10)).unwrap();
    assert!(r.widenings >= 3, "{r:#?}");
    assert!(r.on_edge.is_empty(), "{:?}", r.on_edge);
    assert!(r.points.iter().any(|p| p.round == r.widenings));
    let closed_form = 1.09 / 0.09;
    assert!(
        (r.best.tau / closed_form).log2().abs() < 1.6,
        "best τ {}",
        r.best.tau
    );
    // Bounded: two rounds at most, then the report says the winner is still on the edge.
    let (_, r2) = search(x.view(), y.view(), &config(&[200.0, 400.0], 2)).unwrap();
    assert_eq!(r2.widenings, 2);
    assert_eq!(r2.tau_grid, vec![50.0, 100.0, 200.0, 400.0]);
    assert_eq!(r2.best.tau, 50.0);
    assert_eq!(r2.on_edge.len(), 1, "{:?}", r2.on_edge);
    // A one-value axis is the user's fixed choice: never widened.
    assert_eq!(r2.dropout_grid, vec![0.01]);
}

#[test]
fn same_seed_same_search_for_any_thread_count() {
    let (x, y) = linear_data(200, 0.3, 13);
    let mut cfg = config(&[4.0, 16.0], 1);
    cfg.validation = Validation::Folds(3);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| search(x.view(), y.view(), &cfg).unwrap())
    };
    let ((m1, r1), (m2, r2)) = (run(1), run(2));
    let strip = |r: &mcdropout::search::SearchReport| {
        r.points
            .iter()
            .map(|p| (p.dropout, p.tau, p.val_ll, p.val_rmse))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&r1), strip(&r2));
    assert_eq!(m1.network, m2.network);
    cfg.seed += 1;
    let (_, r3) = search(x.view(), y.view(), &cfg).unwrap();
    assert_ne!(strip(&r1), strip(&r3));
}

fn invalid_name(cfg: &SearchConfig) -> String {
    let (x, y) = linear_data(50, 0.3, 14);
    match search(x.view(), y.view(), cfg) {
        Err(Error::InvalidParameter { name, .. }) => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn bad_settings_are_named() {
    let mut c = config(&[], 0);
    assert_eq!(invalid_name(&c), "--grid-tau");
    c = config(&[1.0], 0);
    c.dropout_rates.clear();
    assert_eq!(invalid_name(&c), "--grid-dropout");
    c = config(&[1.0], 0);
    c.dropout_rates = vec![1.0];
    assert_eq!(invalid_name(&c), "--grid-dropout");
    c = config(&[-1.0], 0);
    assert_eq!(invalid_name(&c), "--grid-tau");
    c = config(&[1.0], 0);
    c.validation = Validation::Folds(1);
    assert_eq!(invalid_name(&c), "--folds");
    for f in [0.0, 1.0, 1.5, f64::NAN] {
        c.validation = Validation::Holdout(f);
        assert_eq!(invalid_name(&c), "--validation-fraction");
    }
    c = config(&[1.0], 0);
    c.samples = 0;
    assert_eq!(invalid_name(&c), "--samples");
    c = config(&[1.0], 0);
    c.epochs = Epochs::Steps(0);
    assert_eq!(invalid_name(&c), "--target-steps");
}
