//! Several targets against closed forms.
//!
//! A linear network (no hidden layer) with input dropout p has, for a standardised input
//! row x, outputs ŷ = ((x ∘ z) / (1 − p)) W + b with z_j ~ Bernoulli(1 − p) independent, so
//! exactly E[ŷ] = x W + b and Cov[ŷ] = (p / (1 − p)) Σ_j x_j² w_jᵀ w_j (w_j the j-th row of
//! W), in standardised units; in target units both are scaled by the target stds. The MC
//! predictive covariance must be that sample covariance plus τ⁻¹ I_D (standardised), i.e.
//! diag(σ_d² / τ) in target units.

use mcdropout::model::{MultiRegressor, Noise, RegressorParams};
use mcdropout::predict::McOptions;
use mcdropout::train::Precision;
use ndarray::{Array1, Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// n rows, 4 inputs, 3 targets of different scales: y = x A + noise.
fn data(n: usize) -> (Array2<f64>, Array2<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let x = Array2::from_shape_fn((n, 4), |_| rng.sample::<f64, _>(StandardNormal));
    let a = ndarray::array![
        [1.0, 10.0, -0.1],
        [0.5, -20.0, 0.2],
        [-1.0, 5.0, 0.0],
        [0.2, 0.0, 0.3]
    ];
    let mut y = x.dot(&a);
    y.mapv_inplace(|v| v + 0.3 * rng.sample::<f64, _>(StandardNormal));
    y.column_mut(1).mapv_inplace(|v| v + 100.0);
    (x, y)
}

fn fit_linear(p: f64) -> (MultiRegressor, Array2<f64>) {
    let (x, y) = data(300);
    let mut params = RegressorParams::default();
    params.hidden = vec![];
    params.dropout = p;
    params.noise = Noise::Tau(8.0);
    params.train.epochs = 200;
    params.train.precision = Precision::F64;
    let model = params.fit_multi(x.view(), y.view(), None).unwrap();
    (model, x)
}

#[test]
fn mc_covariance_is_noise_plus_the_sample_covariance_of_the_passes() {
    let (model, x) = fit_linear(0.2);
    assert_eq!(model.d(), 3);
    let rows = x.slice(ndarray::s![0..5, ..]);
    let mut opts = McOptions::new(2000, 9);
    opts.keep_samples = true;
    let pred = model.predict_mc(rows, &opts).unwrap();
    let samples = pred.samples.as_ref().unwrap(); // T × N × D
    let sd = &model.y_scaler.std;
    for i in 0..rows.nrows() {
        let s = samples.index_axis(Axis(1), i); // T × D
        let mean = s.mean_axis(Axis(0)).unwrap();
        for a in 0..3 {
            for b in 0..3 {
                // Sample covariance (ddof 0), computed here from the raw passes.
                let c = s
                    .axis_iter(Axis(0))
                    .map(|r| (r[a] - mean[a]) * (r[b] - mean[b]))
                    .sum::<f64>()
                    / s.nrows() as f64;
                let noise = if a == b {
                    sd[a] * sd[a] / model.tau()
                } else {
                    0.0
                };
                let got = pred.cov[[i, a, b]];
                // Same sums in a different order: float rounding only.
                assert!(
                    (got - (c + noise)).abs() <= 1e-9 * (c.abs() + noise).max(1e-12),
                    "row {i} ({a},{b}): {got} vs {}",
                    c + noise
                );
            }
            assert!(
                (pred.std[[i, a]] - pred.cov[[i, a, a]].sqrt()).abs() < 1e-12 * pred.std[[i, a]]
            );
        }
    }
}

#[test]
fn linear_net_covariance_matches_the_bernoulli_closed_form() {
    let p = 0.2;
    let (model, x) = fit_linear(p);
    let rows = x.slice(ndarray::s![0..4, ..]);
    let t = 200_000;
    let mut opts = McOptions::new(t, 3);
    opts.keep_samples = true;
    let pred = model.predict_mc(rows, &opts).unwrap();
    let samples = pred.samples.as_ref().unwrap();
    let w = &model.network.layers[0].weights; // 4 × 3
    let b = &model.network.layers[0].bias;
    let xs = model.x_scaler.transform(rows).unwrap();
    let (mu, sd) = (&model.y_scaler.mean, &model.y_scaler.std);
    for i in 0..rows.nrows() {
        let xr = xs.row(i);
        let exact_mean: Array1<f64> = (xr.dot(w) + b) * sd + mu;
        let s = samples.index_axis(Axis(1), i);
        let m = s.mean_axis(Axis(0)).unwrap();
        for a in 0..3 {
            for c in 0..3 {
                let exact = p / (1.0 - p)
                    * (0..4)
                        .map(|j| xr[j] * xr[j] * w[[j, a]] * w[[j, c]])
                        .sum::<f64>()
                    * sd[a]
                    * sd[c];
                // MC error of a sample covariance: the std over passes of the products of
                // deviations, over √T; 5 standard errors.
                let prods: Vec<f64> = s
                    .axis_iter(Axis(0))
                    .map(|r| (r[a] - m[a]) * (r[c] - m[c]))
                    .collect();
                let pm = prods.iter().sum::<f64>() / t as f64;
                let se = (prods.iter().map(|v| (v - pm) * (v - pm)).sum::<f64>() / t as f64).sqrt()
                    / (t as f64).sqrt();
                let got = pred.epistemic_cov[[i, a, c]];
                assert!(
                    (got - exact).abs() <= 5.0 * se + 1e-12,
                    "row {i} ({a},{c}): MC {got}, exact {exact}, se {se}"
                );
            }
            // The mean: 5 standard errors of a mean of T passes.
            let se = pred.epistemic_cov[[i, a, a]].sqrt() / (t as f64).sqrt();
            assert!(
                (pred.mean[[i, a]] - exact_mean[a]).abs() <= 5.0 * se,
                "row {i} target {a}"
            );
        }
    }
    // p = 0: every pass is the deterministic one, the covariance is the noise alone.
    let (model0, x0) = fit_linear(0.0);
    let pred0 = model0
        .predict_mc(x0.slice(ndarray::s![0..3, ..]), &McOptions::new(50, 1))
        .unwrap();
    let det = model0.predict(x0.slice(ndarray::s![0..3, ..])).unwrap();
    for i in 0..3 {
        for a in 0..3 {
            let noise = model0.y_scaler.std[a].powi(2) / model0.tau();
            for c in 0..3 {
                let expect = if a == c { noise } else { 0.0 };
                assert!((pred0.cov[[i, a, c]] - expect).abs() <= 1e-9 * noise);
            }
            assert!((pred0.mean[[i, a]] - det[[i, a]]).abs() <= 1e-9 * det[[i, a]].abs().max(1.0));
        }
    }
}

#[test]
fn joint_log_likelihoods_match_their_formulas() {
    let (model, x) = fit_linear(0.1);
    let (_, y) = data(300);
    let (xr, yr) = (
        x.slice(ndarray::s![0..6, ..]),
        y.slice(ndarray::s![0..6, ..]),
    );
    let mut opts = McOptions::new(500, 4);
    opts.keep_samples = true;
    let pred = model.predict_mc(xr, &opts).unwrap();
    let e = model.evaluate(xr, yr, &McOptions::new(500, 4)).unwrap();
    let s = pred.samples.unwrap();
    let noise: Vec<f64> = model.noise_var();
    let two_pi = 2.0 * std::f64::consts::PI;
    let (mut mix, mut gauss) = (0.0, 0.0);
    for i in 0..6 {
        // Mixture: mean over passes of the product of the three 1-D densities (the passes'
        // densities are far from underflow here, so no log-sum-exp is needed).
        let dens: f64 = s
            .index_axis(Axis(1), i)
            .axis_iter(Axis(0))
            .map(|o| {
                (0..3)
                    .map(|k| {
                        (-(yr[[i, k]] - o[k]).powi(2) / (2.0 * noise[k])).exp()
                            / (two_pi * noise[k]).sqrt()
                    })
                    .product::<f64>()
            })
            .sum::<f64>()
            / 500.0;
        mix += dens.ln() / 6.0;
        // Gaussian: log N(y; m, C) by the 3 × 3 determinant and inverse (cofactors).
        let c = pred.cov.index_axis(Axis(0), i);
        let det = c[[0, 0]] * (c[[1, 1]] * c[[2, 2]] - c[[1, 2]] * c[[2, 1]])
            - c[[0, 1]] * (c[[1, 0]] * c[[2, 2]] - c[[1, 2]] * c[[2, 0]])
            + c[[0, 2]] * (c[[1, 0]] * c[[2, 1]] - c[[1, 1]] * c[[2, 0]]);
        let cof = |r: usize, q: usize| {
            let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
            let (q1, q2) = ((q + 1) % 3, (q + 2) % 3);
            c[[r1, q1]] * c[[r2, q2]] - c[[r1, q2]] * c[[r2, q1]]
        };
        let dv: Vec<f64> = (0..3).map(|k| yr[[i, k]] - pred.mean[[i, k]]).collect();
        let quad: f64 = (0..3)
            .flat_map(|a| (0..3).map(move |b| (a, b)))
            .map(|(a, b)| dv[a] * cof(b, a) / det * dv[b])
            .sum();
        gauss += (-0.5 * (3.0 * two_pi.ln() + det.ln() + quad)) / 6.0;
    }
    // Same quantities by other arithmetic: float rounding only (relative 1e-9).
    assert!(
        (e.ll_mixture - mix).abs() <= 1e-9 * mix.abs(),
        "{} vs {mix}",
        e.ll_mixture
    );
    assert!(
        (e.ll_gaussian - gauss).abs() <= 1e-9 * gauss.abs(),
        "{} vs {gauss}",
        e.ll_gaussian
    );
}

#[test]
fn one_target_through_fit_multi_is_the_one_dimensional_model() {
    // fit with τ in target units and TauUnits::Standardised puts τ σ_y² into λ; fit_multi
    // takes that standardised τ directly. Same data, seed and λ: the same network, and
    // the per-target log-likelihood is the 1-D MC log-likelihood.
    let (x, y2) = data(200);
    let y = y2.column(1).to_owned();
    let sd = mcdropout::data::Standardizer::fit_1d(y.view()).unwrap().std[0];
    let mut params = RegressorParams::default();
    params.train.epochs = 30;
    params.tau_units = mcdropout::prior::TauUnits::Standardised;
    params.noise = Noise::Tau(5.0 / (sd * sd));
    let one = params.fit(x.view(), y.view()).unwrap();
    params.noise = Noise::Tau(5.0);
    let multi = params
        .fit_multi(x.view(), y.view().insert_axis(Axis(1)), None)
        .unwrap();
    assert_eq!(one.network, multi.network);
    let opts = McOptions::new(300, 2);
    let e1 = one.evaluate(x.view(), y.view(), &opts).unwrap();
    let em = multi
        .evaluate(x.view(), y.view().insert_axis(Axis(1)), &opts)
        .unwrap();
    assert!(
        (e1.ll - em.ll[0]).abs() <= 1e-9 * e1.ll.abs(),
        "{} vs {}",
        e1.ll,
        em.ll[0]
    );
    // With one target the mixture is that same 1-D mixture.
    assert!((e1.ll - em.ll_mixture).abs() <= 1e-9 * e1.ll.abs());
    assert!((e1.mc_rmse - em.mc_rmse[0]).abs() <= 1e-9 * e1.mc_rmse);
}

#[test]
fn model_files_round_trip_and_keep_their_kind() {
    let (model, x) = fit_linear(0.1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.model");
    mcdropout::model::save_multi(&model, &path).unwrap();
    assert_eq!(
        mcdropout::model::model_kind(&path).unwrap(),
        mcdropout::model::MULTI_KIND
    );
    let back = mcdropout::model::load_multi(&path).unwrap();
    assert_eq!(back, model);
    let opts = McOptions::new(100, 1);
    assert_eq!(
        back.predict_mc(x.view(), &opts).unwrap(),
        model.predict_mc(x.view(), &opts).unwrap()
    );
    // The single-target loader refuses it by kind, and vice versa.
    assert!(matches!(
        mcdropout::model::load(&path),
        Err(mcdropout::Error::WrongModelKind { .. })
    ));
    let mut one = RegressorParams::default();
    one.train.epochs = 1;
    let single = one.fit(x.view(), x.column(0)).unwrap();
    let p1 = dir.path().join("one.model");
    mcdropout::model::save(&single, &p1).unwrap();
    assert!(matches!(
        mcdropout::model::load_multi(&p1),
        Err(mcdropout::Error::WrongModelKind { .. })
    ));
}

#[test]
fn a_stored_column_encoding_survives_the_model_file() {
    use mcdropout::data::{ColumnCode, Encoding};
    let (mut model, _) = fit_linear(0.1);
    let columns = model
        .feature_names
        .iter()
        .map(|name| ColumnCode::Number {
            name: name.clone(),
            mean: Some(0.25),
            indicator: false,
        })
        .collect();
    model.encoding = Some(Encoding { columns });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.model");
    mcdropout::model::save_multi(&model, &path).unwrap();
    let back = mcdropout::model::load_multi(&path).unwrap();
    assert_eq!(back.encoding, model.encoding);
    assert_eq!(back, model);
}
