//! Row keys make a row's MC numbers independent of its position: permuting or slicing the
//! rows together with their keys permutes or slices the results bit for bit, and the
//! default keys are the row positions.

use mcdropout::model::{Noise, RegressorParams};
use mcdropout::predict::McOptions;
use ndarray::{Array1, Array2, Axis};
use std::sync::Arc;

fn fitted() -> (mcdropout::model::Regressor, Array2<f64>) {
    let x = Array2::from_shape_fn((60, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
    let y: Array1<f64> = x.rows().into_iter().map(|r| r.sum().sin()).collect();
    let mut p = RegressorParams::default();
    p.noise = Noise::Tau(10.0);
    p.dropout = 0.2;
    p.train.epochs = 5;
    (p.fit(x.view(), y.view()).unwrap(), x)
}

fn opts(keys: Option<Vec<u64>>) -> McOptions {
    let mut o = McOptions::new(300, 9);
    o.keep_samples = true;
    o.predictive_draws = true;
    o.row_keys = keys.map(Arc::from);
    o
}

#[test]
fn default_keys_are_row_positions() {
    let (m, x) = fitted();
    let a = m.predict_mc(x.view(), &opts(None)).unwrap();
    let b = m
        .predict_mc(x.view(), &opts(Some((0..60).collect())))
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn permuted_and_sliced_rows_keep_their_numbers() {
    let (m, x) = fitted();
    let keys: Vec<u64> = (0..60).map(|i| 1_000_003 * i as u64 + 17).collect();
    let all = m.predict_mc(x.view(), &opts(Some(keys.clone()))).unwrap();
    let order: Vec<usize> = (0..60).map(|i| (i * 37) % 60).collect();
    let xp = x.select(Axis(0), &order);
    let kp: Vec<u64> = order.iter().map(|&i| keys[i]).collect();
    let perm = m.predict_mc(xp.view(), &opts(Some(kp))).unwrap();
    for (j, &i) in order.iter().enumerate() {
        assert_eq!(perm.mean[j].to_bits(), all.mean[i].to_bits());
        assert_eq!(perm.std[j].to_bits(), all.std[i].to_bits());
        let (ps, s) = (
            perm.samples.as_ref().unwrap(),
            all.samples.as_ref().unwrap(),
        );
        assert_eq!(ps.column(j), s.column(i));
        let (pd, d) = (perm.draws.as_ref().unwrap(), all.draws.as_ref().unwrap());
        assert_eq!(pd.column(j), d.column(i));
    }
    let slice = m
        .predict_mc(
            x.slice(ndarray::s![20..35, ..]),
            &opts(Some(keys[20..35].to_vec())),
        )
        .unwrap();
    for j in 0..15 {
        assert_eq!(slice.mean[j].to_bits(), all.mean[20 + j].to_bits());
    }
}

#[test]
fn wrong_number_of_keys_is_an_error() {
    let (m, x) = fitted();
    let err = m
        .predict_mc(x.view(), &opts(Some(vec![1, 2, 3])))
        .unwrap_err();
    assert!(err.to_string().contains("3 row keys for 60 rows"), "{err}");
}
