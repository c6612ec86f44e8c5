//! Acquisition scores on hand-made probability samples against their closed forms, top-k
//! selection with ties, the seeded random scores, and the consistency of the model-based
//! scores with the sample-based ones.
//!
//! Tolerances: each closed form below is a sum of at most a few terms of size ≤ ln 2, so
//! the computed values agree to a few ulps (1e-14 is used); the MC-based consistency test
//! compares two evaluations of the same masks (same arithmetic up to summation order, 1e-12).

use approx::assert_abs_diff_eq;
use mcdropout::acquire::{
    Acquisition, check_batch, class_scores, class_scores_from_probs, random_scores,
    regression_scores_from_samples, top_k,
};
use mcdropout::classify::ClassifierParams;
use mcdropout::predict::McOptions;
use ndarray::{Array1, Array2, Array3};

/// T = 2 passes, N = 4 candidates, C = 2 classes (pass-major T × N × C).
fn samples() -> Array3<f64> {
    let pass0 = [[1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [0.8, 0.2]];
    let pass1 = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.4, 0.6]];
    Array3::from_shape_fn(
        (2, 4, 2),
        |(t, i, c)| if t == 0 { pass0[i][c] } else { pass1[i][c] },
    )
}

fn h(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|v| **v > 0.0)
        .map(|v| v * v.ln())
        .sum::<f64>()
}

fn scores(a: Acquisition) -> Vec<f64> {
    class_scores_from_probs(a, samples().view(), 0).unwrap()
}

#[test]
fn bald_is_the_mutual_information() {
    let s = scores(Acquisition::Bald);
    let ln2 = 2f64.ln();
    // 0: identical one-hot passes → 0. 1: disagreeing one-hots → H(½,½) − 0 = ln 2.
    // 2: identical uniform passes → ln 2 − ln 2 = 0.
    // 3: H(0.6, 0.4) − ½[H(0.8, 0.2) + H(0.4, 0.6)].
    let want = [
        0.0,
        ln2,
        0.0,
        h(&[0.6, 0.4]) - 0.5 * (h(&[0.8, 0.2]) + h(&[0.4, 0.6])),
    ];
    for (g, w) in s.iter().zip(want) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-14);
    }
}

#[test]
fn max_entropy_is_the_entropy_of_the_mean() {
    let s = scores(Acquisition::MaxEntropy);
    let ln2 = 2f64.ln();
    let want = [0.0, ln2, ln2, h(&[0.6, 0.4])];
    for (g, w) in s.iter().zip(want) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-14);
    }
}

#[test]
fn variation_ratio_counts_the_modal_votes() {
    // 0: both vote 0 → 0. 1: votes 0 and 1 → 1 − 1/2. 2: ties go to class 0 in both
    // passes → 0. 3: votes 0 and 1 → ½.
    assert_eq!(
        scores(Acquisition::VariationRatio),
        vec![0.0, 0.5, 0.0, 0.5]
    );
}

#[test]
fn mean_std_is_the_class_averaged_spread() {
    let s = scores(Acquisition::MeanStd);
    // Population std (divisor T) of two values a, b is |a − b| / 2: candidate 1 has 0.5
    // for both classes, candidate 3 has |0.8 − 0.4| / 2 = 0.2 for both.
    let want = [0.0, 0.5, 0.0, 0.2];
    for (g, w) in s.iter().zip(want) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-14);
    }
}

#[test]
fn max_variance_of_regression_samples() {
    // Columns (1, 3), (2, 2), (0, 4): variances (divisor T) 1, 0, 4.
    let s = Array2::from_shape_vec((2, 3), vec![1.0, 2.0, 0.0, 3.0, 2.0, 4.0]).unwrap();
    let v = regression_scores_from_samples(Acquisition::MaxVariance, s.view(), 0).unwrap();
    assert_eq!(v, vec![1.0, 0.0, 4.0]);
    assert_eq!(top_k(&v, 2).unwrap(), vec![2, 0]);
    let err = regression_scores_from_samples(Acquisition::Bald, s.view(), 0).unwrap_err();
    assert!(
        err.to_string().contains("does not apply to regressors"),
        "{err}"
    );
}

#[test]
fn top_k_breaks_ties_by_index_whatever_the_order_of_equal_scores() {
    // BALD of the samples: candidates 0 and 2 tie at 0.
    let s = scores(Acquisition::Bald);
    assert_eq!(top_k(&s, 4).unwrap(), vec![1, 3, 0, 2]);
    let flat = vec![0.25; 7];
    assert_eq!(top_k(&flat, 3).unwrap(), vec![0, 1, 2]);
    assert_eq!(top_k(&flat, 7).unwrap(), (0..7).collect::<Vec<_>>());
}

#[test]
fn random_scores_are_seeded_and_keyed() {
    let a = random_scores(50, 7, None).unwrap();
    assert_eq!(a, random_scores(50, 7, None).unwrap());
    assert_ne!(a, random_scores(50, 8, None).unwrap());
    assert!(a.iter().all(|v| (0.0..1.0).contains(v)));
    // With keys, a candidate's score does not depend on the rest of the pool.
    let keys: Vec<u64> = (100..150).collect();
    let all = random_scores(50, 7, Some(&keys)).unwrap();
    let some = random_scores(3, 7, Some(&keys[10..13])).unwrap();
    assert_eq!(&all[10..13], some.as_slice());
    let r = scores(Acquisition::Random);
    assert_eq!(r, random_scores(4, 0, None).unwrap());
}

#[test]
fn bad_inputs_are_named() {
    let e = "bald-ish".parse::<Acquisition>().unwrap_err().to_string();
    assert!(
        e.contains("unknown acquisition function \"bald-ish\""),
        "{e}"
    );
    let e = check_batch(0, 10).unwrap_err().to_string();
    assert!(e.contains("batch size") && e.contains("at least 1"), "{e}");
    let e = check_batch(11, 10).unwrap_err().to_string();
    assert!(e.contains("larger than the pool of 10"), "{e}");
    let e = class_scores_from_probs(Acquisition::MaxVariance, samples().view(), 0).unwrap_err();
    assert!(
        e.to_string().contains("does not apply to classifiers"),
        "{e}"
    );
    let mut bad = samples();
    bad[(0, 0, 0)] = 1.5;
    let e = class_scores_from_probs(Acquisition::Bald, bad.view(), 0).unwrap_err();
    assert!(e.to_string().contains("[0, 1]"), "{e}");
    assert!(top_k(&[0.1, f64::NAN], 1).is_err());
}

/// The model path (one MC run, scores computed per row from the logits) gives the same
/// numbers as the sample path on the kept probabilities of the same MC run.
#[test]
fn model_scores_match_scores_of_the_kept_samples() {
    let x = Array2::from_shape_fn((60, 3), |(i, j)| ((i * (j + 2)) % 13) as f64 / 13.0);
    let y: Array1<f64> = x
        .rows()
        .into_iter()
        .map(|r| ((r[0] + r[1]) * 2.0).floor().min(2.0))
        .collect();
    let mut params = ClassifierParams::default();
    params.hidden = vec![16];
    params.dropout = 0.3;
    params.train.epochs = 30;
    let model = params.fit(x.view(), y.view()).unwrap();
    let mut opts = McOptions::new(25, 11);
    opts.keep_samples = true;
    let pred = model.predict_mc(x.view(), &opts).unwrap();
    let probs = pred.prob_samples.unwrap();
    for a in [
        Acquisition::Bald,
        Acquisition::MaxEntropy,
        Acquisition::VariationRatio,
        Acquisition::MeanStd,
        Acquisition::Random,
    ] {
        let direct = class_scores(&model, x.view(), a, &opts).unwrap();
        let from = class_scores_from_probs(a, probs.view(), 11).unwrap();
        for (d, f) in direct.iter().zip(&from) {
            assert_abs_diff_eq!(*d, *f, epsilon = 1e-12);
        }
    }
    // BALD is never above the entropy (the expected entropy is ≥ 0).
    let b = class_scores(&model, x.view(), Acquisition::Bald, &opts).unwrap();
    let e = class_scores(&model, x.view(), Acquisition::MaxEntropy, &opts).unwrap();
    assert!(b.iter().zip(&e).all(|(b, e)| *b <= *e + 1e-12));
}

/// The regressor path: max-variance scores are the epistemic variance of the same MC run
/// (in target units²), equal to the variance (divisor T) of the kept samples — the same
/// T = 30 numbers summed in possibly different orders, so equal to ~1e-15 relative
/// (1e-12 is used).
#[test]
fn regressor_scores_are_the_epistemic_variance() {
    use mcdropout::acquire::regression_scores;
    use mcdropout::model::RegressorParams;
    let x = Array2::from_shape_fn((50, 2), |(i, j)| ((i * (j + 3)) % 11) as f64 / 11.0);
    let y: Array1<f64> = x.rows().into_iter().map(|r| 2.0 * r[0] - r[1]).collect();
    let mut params = RegressorParams::default();
    params.dropout = 0.2;
    params.train.epochs = 20;
    let model = params.fit(x.view(), y.view()).unwrap();
    let mut opts = McOptions::new(30, 5);
    opts.keep_samples = true;
    let pred = model.predict_mc(x.view(), &opts).unwrap();
    let scores = regression_scores(&model, x.view(), Acquisition::MaxVariance, &opts).unwrap();
    let from =
        regression_scores_from_samples(Acquisition::MaxVariance, pred.samples.unwrap().view(), 0)
            .unwrap();
    for ((s, f), e) in scores.iter().zip(&from).zip(pred.epistemic_var.iter()) {
        assert_abs_diff_eq!(*s, *e, epsilon = 1e-12);
        assert_abs_diff_eq!(*s, *f, epsilon = 1e-12 * (1.0 + f.abs()));
    }
    let e = regression_scores(&model, x.view(), Acquisition::Bald, &opts).unwrap_err();
    assert!(
        e.to_string().contains("does not apply to regressors"),
        "{e}"
    );
}
