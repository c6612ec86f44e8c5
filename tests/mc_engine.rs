//! The Monte-Carlo engine against a one-pass-at-a-time reference, against the
//! deterministic pass, against closed forms, and for independence from threads and chunking.

use mcdropout::model::{Noise, RegressorParams};
use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::predict::{McOptions, mc_map, reference_row_samples};
use mcdropout::rng::{Purpose, stream};
use ndarray::{Array1, Array2, Axis};
use rand::Rng;

fn inputs(rows: usize, k: usize, seed: u64) -> Array2<f64> {
    let mut rng = stream(seed, Purpose::Split, 1);
    Array2::from_shape_fn((rows, k), |_| rng.random_range(-2.0..2.0))
}

fn network(sizes: &[usize], act: Activation, rates: &[f64], seed: u64) -> Network {
    let hidden = &sizes[1..sizes.len() - 1];
    let mut arch = Architecture::new(sizes[0], hidden, sizes[sizes.len() - 1], act, 0.0).unwrap();
    arch.dropout = rates.to_vec();
    let mut net = Network::init(arch, Init::GlorotUniform, 0.0, seed).unwrap();
    let mut rng = stream(seed, Purpose::Init, 3);
    for l in &mut net.layers {
        l.bias.mapv_inplace(|_| rng.random_range(-0.5..0.5));
    }
    net
}

fn all_samples(net: &Network, x: &Array2<f64>, opts: &McOptions) -> Vec<Vec<f64>> {
    mc_map(net, x.view(), opts, |_, s| s.to_vec()).unwrap()
}

/// Engine = reference up to rounding. The engine scales after the product and subtracts
/// dropped terms from a shared product, so each output differs from the reference by a few
/// ulps of the sum of |terms| it accumulates: with weights and activations of order 1 and
/// at most ~100 terms per unit over ≤ 3 layers, 1e-12 (absolute, on outputs of order 1)
/// bounds it with margin.
#[test]
fn engine_matches_one_pass_at_a_time_reference() {
    let cases: &[(&[usize], Activation, &[f64])] = &[
        (&[9, 100, 1], Activation::Relu, &[0.05, 0.05]),
        (&[5, 20, 30, 2], Activation::Tanh, &[0.1, 0.5, 0.2]),
        (&[3, 64, 1], Activation::Sigmoid, &[0.5, 0.5]),
        (&[4, 16, 1], Activation::Relu, &[0.0, 0.3]),
        (&[6, 40, 1], Activation::Relu, &[0.005, 0.005]),
    ];
    for (c, &(sizes, act, rates)) in cases.iter().enumerate() {
        let net = network(sizes, act, rates, c as u64);
        let x = inputs(13, sizes[0], c as u64);
        let mut opts = McOptions::new(300, 21);
        opts.block = Some(37);
        let got = all_samples(&net, &x, &opts);
        for (r, g) in got.iter().enumerate() {
            let row: Vec<f64> = x.row(r).to_vec();
            let want = reference_row_samples(&net, &row, 21, r as u64, 300);
            assert_eq!(g.len(), want.len());
            for (a, b) in g.iter().zip(&want) {
                assert!(
                    (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                    "case {c} row {r}: {a} vs {b}"
                );
            }
        }
    }
}

/// Identical bits for 1 and 2 threads, two row-chunk sizes and two block sizes.
#[test]
fn results_do_not_depend_on_threads_or_chunking() {
    let net = network(&[5, 30, 20, 1], Activation::Relu, &[0.1, 0.05, 0.2], 9);
    let x = inputs(41, 5, 2);
    let run = |threads: usize, chunk_rows: usize, block: Option<usize>| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut opts = McOptions::new(500, 77);
        opts.chunk_rows = chunk_rows;
        opts.block = block;
        pool.install(|| all_samples(&net, &x, &opts))
    };
    let base = run(1, 8, None);
    assert_eq!(base, run(2, 8, None));
    assert_eq!(base, run(2, 3, None));
    assert_eq!(base, run(1, 1, Some(16)));
    assert_eq!(base, run(2, 5, Some(128)));
}

/// With every rate 0 each pass is the deterministic pass, so the MC mean equals it; the
/// only difference is the rounding of the mean of T equal values (≤ T·ε relative).
#[test]
fn mc_mean_without_dropout_equals_deterministic_pass() {
    let net = network(&[4, 25, 10, 1], Activation::Tanh, &[0.0, 0.0, 0.0], 5);
    let x = inputs(20, 4, 5);
    let det = net.forward(x.view()).unwrap();
    let t = 100;
    let means = mc_map(&net, x.view(), &McOptions::new(t, 1), |_, s| {
        s.iter().sum::<f64>() / t as f64
    })
    .unwrap();
    for (m, d) in means.iter().zip(det.column(0)) {
        assert!(
            (m - d).abs() <= t as f64 * f64::EPSILON * d.abs().max(1.0),
            "{m} vs {d}"
        );
    }
}

/// For a single linear layer y = (x ∘ z / (1 − p)) w + b the MC samples have mean x·w + b
/// and variance Σ_j x_j² w_j² p / (1 − p). With T = 200 000 the sample mean and variance
/// must fall within 5 standard errors (var of a sample variance ≈ (μ4 − σ⁴)/T, bounded here
/// by the kurtosis of a sum of scaled Bernoullis, which is below 3 + 1/(p(1−p) k) ≈ 4).
#[test]
fn linear_net_matches_closed_form_moments() {
    let p = 0.2;
    let net = network(&[6, 1], Activation::Identity, &[p], 3);
    let x = inputs(3, 6, 4);
    let t = 200_000;
    let stats = mc_map(&net, x.view(), &McOptions::new(t, 5), |_, s| {
        mcdropout::metrics::mean_var(s)
    })
    .unwrap();
    let w = net.layers[0].weights.column(0);
    let b = net.layers[0].bias[0];
    for (r, (mean, var)) in stats.iter().enumerate() {
        let xr = x.row(r);
        let mu = xr.dot(&w) + b;
        let sigma2: f64 = xr
            .iter()
            .zip(w.iter())
            .map(|(x, w)| x * x * w * w)
            .sum::<f64>()
            * p
            / (1.0 - p);
        assert!(
            (mean - mu).abs() < 5.0 * (sigma2 / t as f64).sqrt(),
            "mean {mean} vs {mu}"
        );
        let se_var = sigma2 * (3.0 / t as f64).sqrt();
        assert!((var - sigma2).abs() < 5.0 * se_var, "var {var} vs {sigma2}");
    }
}

/// total variance = sample variance of the T samples + τ⁻¹, and the kept samples are the
/// de-standardised network outputs (to rounding of the standardisation).
#[test]
fn total_variance_is_sample_variance_plus_noise() {
    let x = inputs(200, 3, 6);
    let y: Array1<f64> = x.map_axis(Axis(1), |r| r[0].sin() * 5.0 + r[1] + 10.0);
    let mut params = RegressorParams::default();
    params.noise = Noise::Tau(0.5);
    params.dropout = 0.1;
    params.train.epochs = 20;
    let model = params.fit(x.view(), y.view()).unwrap();
    let mut opts = McOptions::new(400, 3);
    opts.keep_samples = true;
    let pred = model.predict_mc(x.view(), &opts).unwrap();
    let samples = pred.samples.as_ref().unwrap();
    assert_eq!(samples.dim(), (400, 200));
    let var = samples.var_axis(Axis(0), 0.0);
    let mean = samples.mean_axis(Axis(0)).unwrap();
    for j in 0..200 {
        assert!((pred.total_var[j] - (var[j] + 2.0)).abs() < 1e-10 * pred.total_var[j]);
        assert!((pred.mean[j] - mean[j]).abs() < 1e-12 * mean[j].abs().max(1.0));
        assert!(pred.lower[j] < pred.mean[j] && pred.mean[j] < pred.upper[j]);
    }
    assert_eq!(pred.aleatoric_var, 2.0);
}

/// Same seed, same numbers; a different seed, different masks.
#[test]
fn seeded_reproducibility() {
    let net = network(&[3, 10, 1], Activation::Relu, &[0.2, 0.2], 1);
    let x = inputs(5, 3, 1);
    let a = all_samples(&net, &x, &McOptions::new(50, 1));
    assert_eq!(a, all_samples(&net, &x, &McOptions::new(50, 1)));
    assert_ne!(a, all_samples(&net, &x, &McOptions::new(50, 2)));
}
