//! The digits experiments on the shared data (`$MCDROPOUT_DATA`, else `../shared/data`
//! next to the crate); skipped with a printed reason when the file is absent. A reduced
//! configuration (few epochs and passes) checks the file's format and the experiments'
//! structure and direction; the full figures come from `mcdropout digits` (README).

use mcdropout::experiments::digits::{DigitsConfig, read_digits, run_digits};
use std::path::PathBuf;

mod shared_data;

fn data_file(test: &str) -> Option<PathBuf> {
    shared_data::require(test, "digits", &["digits.csv.gz"]).map(|d| d.join("digits.csv.gz"))
}

#[test]
fn digits_file_has_the_documented_format() {
    let Some(f) = data_file("digits_file_has_the_documented_format") else {
        return;
    };
    let d = read_digits(&f).unwrap();
    assert_eq!(d.x.dim(), (1797, 64));
    assert!(d.x.iter().all(|&v| (0.0..=16.0).contains(&v)));
    let mut counts = [0usize; 10];
    for &y in &d.y {
        counts[y as usize] += 1;
    }
    // Every digit 0–9 occurs (about 180 each in the UCI test set).
    assert!(counts.iter().all(|&c| c > 150), "{counts:?}");
}

#[test]
fn reduced_digits_run_is_consistent() {
    let Some(f) = data_file("reduced_digits_run_is_consistent") else {
        return;
    };
    let d = read_digits(&f).unwrap();
    let mut cfg = DigitsConfig::default();
    cfg.hidden = vec![64];
    cfg.epochs = 60;
    cfg.samples = 50;
    cfg.sweep_samples = 20;
    cfg.epsilons = vec![0.0, 4.0];
    let r = run_digits(&d, &cfg, &mut |_| {}).unwrap();
    assert_eq!(r.n_train + r.n_test, 1797);
    // A 64-unit MLP gets well above chance (0.1) on 8×8 digits even after 60 epochs.
    assert!(
        r.deterministic.accuracy > 0.85,
        "{}",
        r.deterministic.accuracy
    );
    assert_eq!(r.rotation.angles.len(), 12);
    assert_eq!(r.rotation.angles[11], 180.0);
    assert_eq!(r.rotation.logit_scatter.len(), r.rotation.top_classes.len());
    assert!(r.rotation.logit_scatter[0][0].len() == cfg.scatter_points.min(cfg.samples));
    assert!((0.0..=1.0).contains(&r.ood.auroc_mutual_info));
    // FGSM moves along the sign of the loss gradient, so ε = 4 (a quarter of the pixel
    // range) must hurt the deterministic accuracy badly; if the gradient's sign were wrong
    // the attack would help instead.
    assert_eq!(r.fgsm[0].eps, 0.0);
    assert!(
        r.fgsm[1].det_accuracy < 0.5 * r.fgsm[0].det_accuracy,
        "{:?}",
        r.fgsm
    );
}
