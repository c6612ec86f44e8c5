//! The fitted classifier end to end: learning a separable problem, model files,
//! thread-count independence, and the p = 0 MC path agreeing with the deterministic pass.

use mcdropout::Error;
use mcdropout::classify::{ClassifierParams, load_classifier, save_classifier};
use mcdropout::model::{RegressorParams, load, save};
use mcdropout::predict::McOptions;
use ndarray::{Array1, Array2};

/// Three well-separated blobs with labels 10, 20, 30 (no random numbers needed).
fn blobs(n: usize) -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        let c = (i % 3) as f64;
        let wiggle = ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5;
        if j == 0 {
            4.0 * c + wiggle
        } else {
            -3.0 * c + wiggle
        }
    });
    let y = (0..n).map(|i| 10.0 * (1 + i % 3) as f64).collect();
    (x, y)
}

fn fitted(p: f64) -> mcdropout::classify::Classifier {
    let (x, y) = blobs(150);
    let mut params = ClassifierParams::default();
    params.dropout = p;
    params.train.epochs = 150;
    params.fit(x.view(), y.view()).unwrap()
}

#[test]
fn learns_separable_blobs_and_keeps_labels() {
    let model = fitted(0.1);
    assert_eq!(model.classes, vec![10, 20, 30]);
    let (x, y) = blobs(150);
    let ev = model
        .evaluate(x.view(), y.view(), &McOptions::new(100, 3), 15)
        .unwrap();
    // Separable with margin ≈ 3 units; anything below perfect means training is broken.
    assert_eq!(ev.deterministic.accuracy, 1.0);
    assert_eq!(ev.mc.accuracy, 1.0);
    let pred = model.predict_mc(x.view(), &McOptions::new(50, 1)).unwrap();
    assert_eq!(&pred.labels[..3], &[10, 20, 30]);
}

#[test]
fn model_file_round_trip_and_kind_checks() {
    let dir = tempfile::TempDir::new().unwrap();
    let model = fitted(0.1);
    let path = dir.path().join("c.model");
    save_classifier(&model, &path).unwrap();
    assert_eq!(load_classifier(&path).unwrap(), model);
    assert_eq!(mcdropout::model::model_kind(&path).unwrap(), "classifier");
    // A classifier file is not a regression model, and the other way round.
    assert!(matches!(load(&path), Err(Error::WrongModelKind { .. })));
    let (x, y) = blobs(30);
    let mut rp = RegressorParams::default();
    rp.train.epochs = 2;
    let reg = rp.fit(x.view(), y.view()).unwrap();
    let rpath = dir.path().join("r.model");
    save(&reg, &rpath).unwrap();
    assert_eq!(load(&rpath).unwrap(), reg);
    let e = load_classifier(&rpath).unwrap_err();
    assert!(matches!(e, Error::WrongModelKind { .. }), "{e}");
    assert!(e.to_string().contains("no class probabilities"), "{e}");
}

#[test]
fn mc_prediction_is_thread_count_independent() {
    let model = fitted(0.2);
    let (x, _) = blobs(40);
    let mut opts = McOptions::new(64, 9);
    opts.keep_samples = true;
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| model.predict_mc(x.view(), &opts).unwrap())
    };
    assert_eq!(run(1), run(2));
}

/// With every dropout rate 0 the T passes equal the deterministic pass: p̄ is its softmax
/// (up to rounding of the engine's different summation order, ≲ 1e-12 for O(1) logits),
/// and MI and the variation ratio are exactly or nearly 0.
#[test]
fn zero_dropout_mc_equals_deterministic() {
    let model = fitted(0.0);
    let (x, _) = blobs(20);
    let det = model.predict_proba(x.view()).unwrap();
    let mc = model.predict_mc(x.view(), &McOptions::new(8, 0)).unwrap();
    let worst = (&det - &mc.probs)
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(worst < 1e-12, "{worst:e}");
    assert!(mc.mutual_info.iter().all(|&v| v < 1e-12));
    assert!(mc.variation_ratio.iter().all(|&v| v == 0.0));
}

#[test]
fn bad_labels_are_errors() {
    let (x, mut y) = blobs(30);
    y[4] = 1.5;
    let e = ClassifierParams::default()
        .fit(x.view(), y.view())
        .unwrap_err();
    assert!(matches!(e, Error::NonIntegerLabel { row: 5, .. }), "{e}");
    let e = ClassifierParams::default()
        .fit(x.view(), Array1::from_elem(30, 3.0).view())
        .unwrap_err();
    assert!(matches!(e, Error::SingleClass { label: 3, .. }), "{e}");
    let model = fitted(0.1);
    let (x, mut y) = blobs(6);
    y[2] = 40.0;
    let e = model
        .evaluate(x.view(), y.view(), &McOptions::new(4, 0), 15)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnseenClass {
                row: 3,
                label: 40,
                ..
            }
        ),
        "{e}"
    );
}
