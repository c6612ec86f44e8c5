//! The method models through the library: the heteroscedastic head recovers a noise
//! curve, the ensemble mixture matches a direct computation and does not depend on the
//! thread count, model files round-trip and say which method made them, bad settings are
//! clear errors.

use mcdropout::methods::{Method, MethodModel, MethodParams, io};
use mcdropout::predict::McOptions;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// y = sin(2πx) + ε, ε ~ N(0, σ(x)²) with σ(x) = 0.05 + 0.5 x: noise growing with x.
fn noisy(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 1), |_| rng.random::<f64>());
    let y = x.column(0).mapv(|v| {
        (2.0 * std::f64::consts::PI * v).sin() + sigma(v) * rng.sample::<f64, _>(StandardNormal)
    });
    (x, y)
}

fn sigma(x: f64) -> f64 {
    0.05 + 0.5 * x
}

fn params(method: Method, epochs: usize) -> MethodParams {
    let mut p = MethodParams::new(method);
    p.base.train.epochs = epochs;
    p.base.train.seed = 3;
    p
}

#[test]
fn heteroscedastic_concrete_dropout_recovers_a_growing_noise_curve() {
    let (x, y) = noisy(4000, 1);
    let model = params(Method::Concrete, 400)
        .fit(x.view(), y.view())
        .unwrap();
    let grid = Array2::from_shape_fn((9, 1), |(i, _)| 0.1 * (i + 1) as f64);
    let pred = model
        .predict_mc(grid.view(), &McOptions::new(2000, 7))
        .unwrap();
    // Statistical error of a local noise estimate: the net averages over a window of
    // roughly ±0.05 in x, i.e. ≈ 400 of the 4000 points; the relative standard error of a
    // standard deviation from n points is 1/√(2n) ≈ 3.5 %. We allow 15 % (≈ 4 s.e.),
    // which also absorbs the MC error of T = 2000 passes (< 1 %).
    for (i, &a) in pred.aleatoric_var.iter().enumerate() {
        let xv = grid[[i, 0]];
        let (got, want) = (a.sqrt(), sigma(xv));
        eprintln!(
            "x {xv}: {got} vs {want}, epistemic {}",
            pred.epistemic_var[i].sqrt()
        );
        assert!(
            (got - want).abs() / want < 0.15,
            "x = {xv}: predicted noise std {got}, true {want}"
        );
    }
    // And the learned rates stay proper probabilities, away from the initial 0.1.
    for p in &model.dropout_rates()[0] {
        assert!(*p > 0.0 && *p < 1.0 && (*p - 0.1).abs() > 1e-3, "rate {p}");
    }
}

#[test]
fn ensemble_mixture_log_likelihood_and_moments_match_a_direct_computation() {
    let (x, y) = noisy(300, 2);
    let mut p = params(Method::Ensemble, 20);
    p.members = 3;
    let model = p.fit(x.view(), y.view()).unwrap();
    let opts = McOptions::new(10, 1);
    let e = model.evaluate(x.view(), y.view(), &opts).unwrap();
    let pred = model.predict_mc(x.view(), &opts).unwrap();
    // Direct: each member's Gaussian from its deterministic pass, mixed with weight 1/3.
    let xs = model.x_scaler.transform(x.view()).unwrap();
    let outs: Vec<Array2<f64>> = model
        .members
        .iter()
        .map(|m| m.forward(xs.view()).unwrap())
        .collect();
    let mut ll = 0.0;
    for r in 0..x.nrows() {
        let comps: Vec<(f64, f64)> = outs
            .iter()
            .map(|o| {
                (
                    o[[r, 0]] * model.y_std + model.y_mean,
                    o[[r, 1]].exp() * model.y_std * model.y_std,
                )
            })
            .collect();
        let dens: f64 = comps
            .iter()
            .map(|&(m, v)| {
                (-(y[r] - m).powi(2) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
            })
            .sum::<f64>()
            / 3.0;
        ll += dens.ln();
        let mean = comps.iter().map(|c| c.0).sum::<f64>() / 3.0;
        let alea = comps.iter().map(|c| c.1).sum::<f64>() / 3.0;
        let epi = comps.iter().map(|c| (c.0 - mean).powi(2)).sum::<f64>() / 3.0;
        // Float precision: sums of three terms of order 1.
        assert!((pred.mean[r] - mean).abs() < 1e-12);
        assert!((pred.aleatoric_var[r] - alea).abs() < 1e-12 * alea.max(1.0));
        assert!((pred.epistemic_var[r] - epi).abs() < 1e-12);
    }
    ll /= x.nrows() as f64;
    assert!((e.ll - ll).abs() < 1e-10, "{} vs {ll}", e.ll);
}

#[test]
fn ensembles_do_not_depend_on_the_thread_count() {
    let (x, y) = noisy(200, 4);
    let mut p = params(Method::Ensemble, 10);
    p.members = 4;
    let fit = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| p.fit(x.view(), y.view()).unwrap())
    };
    let (a, b): (MethodModel, MethodModel) = (fit(1), fit(2));
    assert_eq!(a.members, b.members);
    // Members differ from each other (different seeds).
    assert_ne!(
        a.members[0].layers[0].weights,
        a.members[1].layers[0].weights
    );
}

#[test]
fn every_method_round_trips_through_a_model_file_that_names_it() {
    let (x, y) = noisy(200, 5);
    let dir = tempfile::tempdir().unwrap();
    let mut homo = params(Method::Concrete, 5);
    homo.heteroscedastic = false;
    homo.base.noise = mcdropout::model::Noise::Tau(4.0);
    let mut hetero_mc = params(Method::McDropout, 5);
    hetero_mc.heteroscedastic = true;
    let mut ens = params(Method::Ensemble, 5);
    ens.members = 2;
    for (i, p) in [params(Method::Concrete, 5), homo, hetero_mc, ens]
        .iter()
        .enumerate()
    {
        let m = p.fit(x.view(), y.view()).unwrap();
        let path = dir.path().join(format!("m{i}.model"));
        io::save(&m, &path).unwrap();
        let back = io::load(&path).unwrap();
        assert_eq!(back, m);
        let meta = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        // The metadata is JSON inside the safetensors header's JSON, so its quotes are
        // escaped there.
        let field = format!("\\\"method\\\":\\\"{}\\\"", p.method.name());
        assert!(meta.contains(&field), "{field} not in the header");
        assert!(io::file_is_method_model(&path).unwrap());
        // A loader of plain MC-dropout regressors refuses it, naming the method.
        let err = mcdropout::model::load(&path).unwrap_err().to_string();
        assert!(err.contains(p.method.name()), "{err}");
    }
}

#[test]
fn plain_mc_dropout_files_load_as_method_models() {
    let (x, y) = noisy(100, 6);
    let mut p = mcdropout::model::RegressorParams::default();
    p.train.epochs = 3;
    let r = p.fit(x.view(), y.view()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.model");
    mcdropout::model::save(&r, &path).unwrap();
    assert!(!io::file_is_method_model(&path).unwrap());
    let m = io::load(&path).unwrap();
    assert_eq!(m.method, Method::McDropout);
    assert_eq!(m.tau().unwrap(), r.tau());
    // Same MC predictive mean as the regressor (the same engine and seeds: member 0
    // uses the options' seed).
    let opts = McOptions::new(50, 2);
    let a = m.predict_mc(x.view(), &opts).unwrap();
    let b = r.predict_mc(x.view(), &opts).unwrap();
    // The regressor sums the T passes, the mixture updates a running mean: equal up to
    // float rounding (a few ulps of values of order 1).
    for (a, b) in a.mean.iter().zip(&b.mean) {
        assert!((a - b).abs() < 1e-13, "{a} vs {b}");
    }
}

#[test]
fn bad_settings_are_clear_errors() {
    let (x, y) = noisy(50, 7);
    let err = |p: &MethodParams| p.fit(x.view(), y.view()).unwrap_err().to_string();
    for p0 in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        let mut p = params(Method::Concrete, 1);
        p.initial_dropout = p0;
        let e = err(&p);
        assert!(e.contains("--dropout") && e.contains("(0, 1)"), "{e}");
    }
    let mut p = params(Method::Ensemble, 1);
    p.members = 0;
    assert!(err(&p).contains("--members"));
    let mut p = params(Method::Concrete, 1);
    p.members = 3;
    assert!(err(&p).contains("--members"));
    let mut p = params(Method::Ensemble, 1);
    p.heteroscedastic = false;
    assert!(err(&p).contains("--heteroscedastic"));
    let mut p = params(Method::Concrete, 1);
    p.base.noise = mcdropout::model::Noise::WeightDecay(1e-4);
    assert!(err(&p).contains("--weight-decay"));
    // A heteroscedastic model has no single τ.
    let m = params(Method::Concrete, 1).fit(x.view(), y.view()).unwrap();
    let e = m.tau().unwrap_err().to_string();
    assert!(e.contains("heteroscedastic") && e.contains("τ"), "{e}");
}

/// `bytes` (a model file of the current version) rewritten as format version `version`
/// wrote it: without the fields in `drop` (`,"name":value` as serialised), resealed.
fn as_older(bytes: &[u8], version: u32, drop: &[&str]) -> Vec<u8> {
    use safetensors::SafeTensors;
    use std::collections::HashMap;
    let st = SafeTensors::deserialize(bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let json = header.metadata().as_ref().unwrap()["mcdropout"].clone();
    let current = format!("\"format_version\":{}", mcdropout::model::FORMAT_VERSION);
    assert!(json.contains(&current), "{json}");
    let mut old = json.replace(&current, &format!("\"format_version\":{version}"));
    for field in drop {
        assert!(old.contains(field), "{field} in {old}");
        old = old.replace(field, "");
    }
    let crc_at = old.find("\"mcdropout_crc32\":\"").unwrap() + 19;
    old.replace_range(crc_at..crc_at + 8, "00000000");
    let views: Vec<(String, safetensors::tensor::TensorView)> = st.tensors().into_iter().collect();
    let mut out =
        safetensors::serialize(views, Some(HashMap::from([("mcdropout".to_string(), old)])))
            .unwrap();
    let needle = b"\\\"mcdropout_crc32\\\":\\\"00000000";
    let at = out.windows(needle.len()).position(|w| w == needle).unwrap() + needle.len() - 8;
    let crc = format!("{:08x}", crc32fast::hash(&out));
    out[at..at + 8].copy_from_slice(crc.as_bytes());
    out
}

#[test]
fn version_2_and_3_files_written_before_the_method_and_transform_fields_still_load() {
    let (x, y) = noisy(80, 8);
    let mut p = mcdropout::model::RegressorParams::default();
    p.train.epochs = 2;
    let r = p.fit(x.view(), y.view()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("current.model");
    mcdropout::model::save(&r, &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let opts = mcdropout::predict::McOptions::new(50, 3);
    let want = r.predict_mc(x.view(), &opts).unwrap();
    let transform = ",\"target_transform\":\"none\"";
    for (version, drop) in [
        // Version 2: no "method" field (and no transform).
        (2, vec![",\"method\":\"mc-dropout\"", transform]),
        // Version 3: the method, no transform.
        (3, vec![transform]),
    ] {
        let old = dir.path().join(format!("v{version}.model"));
        std::fs::write(&old, as_older(&bytes, version, &drop)).unwrap();
        let back = mcdropout::model::load(&old).unwrap();
        assert_eq!(back.network, r.network);
        assert_eq!(
            back.target_transform,
            mcdropout::model::TargetTransform::None
        );
        // Predicts as before, bit for bit.
        assert_eq!(back.predict_mc(x.view(), &opts).unwrap(), want);
        let m = io::load(&old).unwrap();
        assert_eq!(m.method, Method::McDropout);
    }
}
