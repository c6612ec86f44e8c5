//! Exact GP regression: posterior against a dense LU solve, marginal-likelihood gradients
//! against finite differences for every kernel, hyper-parameter recovery, bad input,
//! thread-count independence and model files.

use faer::Mat;
use faer::prelude::*;
use mcdropout::Error;
use mcdropout::gp::{
    Cholesky, GpParams, Kernel, Points, cross_matrix, gram_matrix, load_gp,
    log_marginal_likelihood, parse_kernel, save_gp,
};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

fn random_points(n: usize, dim: usize, seed: u64) -> Points {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    Points {
        data: (0..n * dim).map(|_| rng.random_range(-2.0..2.0)).collect(),
        dim,
    }
}

/// Every leaf kernel and two composites, with non-default parameters so no derivative
/// vanishes by symmetry.
fn kernels(dim: usize) -> Vec<(&'static str, Kernel)> {
    let specs = [
        "se",
        "matern32",
        "matern52",
        "periodic",
        "linear",
        "white",
        "constant",
        "arccos0",
        "arccos1",
        "se+periodic",
        "se*periodic+white",
        "(matern52+linear)*constant",
    ];
    specs
        .iter()
        .map(|s| {
            let mut k = parse_kernel(s, dim).unwrap();
            let p: Vec<f64> = (0..k.n_params())
                .map(|i| 0.3 * ((i as f64 * 1.7).sin()) - 0.1)
                .collect();
            k.set_params(&p);
            (*s, k)
        })
        .collect()
}

/// Posterior mean and variance against a direct solve with faer's partial-pivoting LU
/// (a different factorisation): mean = k*ᵀ K⁻¹ y, var = k** − k*ᵀ K⁻¹ k*. Tolerance: both
/// are backward stable, so each differs from the exact value by O(eps · n · cond(K)) times
/// the scale of the terms; we allow 10 · eps · n · cond(K) · scale.
#[test]
fn posterior_matches_dense_solve() {
    let x = random_points(30, 2, 1);
    let xs = random_points(7, 2, 2);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let y: Vec<f64> = (0..30).map(|_| rng.sample(StandardNormal)).collect();
    for (name, k) in kernels(2) {
        let noise = 0.05;
        let post = mcdropout::gp::Posterior::new(k.clone(), noise, x.clone(), &y).unwrap();
        let (mean, var) = post.mean_var(&xs).unwrap();
        let kmat = gram_matrix(&k, &x, noise).unwrap();
        let eig = kmat.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
        let cond = eig.iter().cloned().fold(0.0, f64::max)
            / eig.iter().cloned().fold(f64::INFINITY, f64::min);
        let lu = kmat.partial_piv_lu();
        let ks = cross_matrix(&k, &x, &xs).unwrap();
        let sol = lu.solve(&ks);
        let yv = Mat::from_fn(30, 1, |i, _| y[i]);
        let alpha = lu.solve(&yv);
        let tol = 10.0 * f64::EPSILON * 30.0 * cond;
        for j in 0..xs.len() {
            let m: f64 = (0..30).map(|i| ks[(i, j)] * alpha[(i, 0)]).sum();
            let scale_m: f64 = (0..30)
                .map(|i| (ks[(i, j)] * alpha[(i, 0)]).abs())
                .sum::<f64>()
                .max(1e-300);
            assert!(
                (mean[j] - m).abs() <= tol * scale_m,
                "{name}: mean {} vs {m}",
                mean[j]
            );
            let kss = k.eval(xs.row(j), xs.row(j));
            let v = (kss - (0..30).map(|i| ks[(i, j)] * sol[(i, j)]).sum::<f64>()).max(0.0);
            assert!(
                (var[j] - v).abs() <= tol * kss.max(1e-300),
                "{name}: var {} vs {v} (tol {})",
                var[j],
                tol * kss
            );
            assert!(var[j] >= 0.0);
        }
    }
}

/// ∂ ln p / ∂θ against central differences (step h = 1e-5 in log-parameters). Error of
/// the difference: O(h² f''') ≈ 1e-10 plus rounding eps·|f|/h ≈ 1e-9 for |f| ≲ 100; we
/// allow 1e-6 · max(1, |g|).
#[test]
fn lml_gradient_matches_finite_differences() {
    let x = random_points(20, 2, 4);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let y: Vec<f64> = (0..20).map(|_| rng.sample(StandardNormal)).collect();
    let log_noise = 0.2f64.ln();
    for (name, k) in kernels(2) {
        let (_, g, _) = log_marginal_likelihood(&k, log_noise, &x, &y, true).unwrap();
        let g = g.unwrap();
        let mut theta = k.params();
        theta.push(log_noise);
        let p = k.n_params();
        let f = |t: &[f64]| {
            let mut kk = k.clone();
            kk.set_params(&t[..p]);
            log_marginal_likelihood(&kk, t[p], &x, &y, false).unwrap().0
        };
        let h = 1e-5;
        for i in 0..=p {
            let mut tp = theta.clone();
            let mut tm = theta.clone();
            tp[i] += h;
            tm[i] -= h;
            let fd = (f(&tp) - f(&tm)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() <= 1e-6 * g[i].abs().max(1.0),
                "{name} parameter {i}: analytic {} vs finite difference {fd}",
                g[i]
            );
        }
    }
}

/// Kernel values on hand-worked cases.
#[test]
fn kernel_closed_forms() {
    let k = parse_kernel("se", 1).unwrap();
    assert!((k.eval(&[0.0], &[1.0]) - (-0.5f64).exp()).abs() < 1e-15);
    let k = parse_kernel("matern32", 1).unwrap();
    let r = 3f64.sqrt();
    assert!((k.eval(&[0.0], &[1.0]) - (1.0 + r) * (-r).exp()).abs() < 1e-15);
    let k = parse_kernel("periodic", 1).unwrap();
    assert!(
        (k.eval(&[0.0], &[1.0]) - 1.0).abs() < 1e-12,
        "a full period apart"
    );
    assert!((k.eval(&[0.0], &[0.5]) - (-2.0f64).exp()).abs() < 1e-15);
    // E[relu(u)²] = var(u)/2 and P(u > 0) = 1/2 for u ~ N(0, |x|² + 1).
    let k = parse_kernel("arccos1", 2).unwrap();
    assert!((k.eval(&[1.0, 2.0], &[1.0, 2.0]) - 3.0).abs() < 1e-12);
    let k = parse_kernel("arccos0", 2).unwrap();
    assert!((k.eval(&[1.0, 2.0], &[1.0, 2.0]) - 0.5).abs() < 1e-15);
    // Orthogonal augmented inputs (x·x' + 1 = 0): θ = π/2, so order 0 gives 1/4 and
    // order 1 gives √(ab)/(2π).
    let (a, b) = ([1.0, 0.0], [-1.0, 0.0]);
    assert!((parse_kernel("arccos0", 2).unwrap().eval(&a, &b) - 0.25).abs() < 1e-15);
    let want = 2.0 / (2.0 * std::f64::consts::PI);
    assert!((parse_kernel("arccos1", 2).unwrap().eval(&a, &b) - want).abs() < 1e-15);
}

/// Draws y = f + ε from a GP with SE kernel (ℓ = 0.8, σ_f² = 1.5, σ_n² = 0.04) on
/// x ~ U(−3, 3), n = 300, for 8 seeds, and fits. The asymptotic standard error of the
/// ML estimate of ln σ_n² is √(2/n) ≈ 0.08 (the noise is identified by the n residual
/// degrees of freedom); we require each estimate within 4 s.e. (0.33) and the mean of the
/// 8 within 3·sd/√8 + 0.05 of the truth (0.05 for the O(1/n) bias of ML). For ln ℓ the
/// same mean-of-8 check uses the observed spread.
#[test]
fn fitting_recovers_length_scale_and_noise() {
    let (ell, sf2, sn2) = (0.8f64, 1.5f64, 0.04f64);
    let n = 300;
    let mut est_l = Vec::new();
    let mut est_n = Vec::new();
    for seed in 0..8u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(100 + seed);
        let xv: Vec<f64> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
        let mut k = parse_kernel("se", 1).unwrap();
        k.set_params(&[sf2.ln(), ell.ln()]);
        let pts = Points {
            data: xv.clone(),
            dim: 1,
        };
        let chol = Cholesky::new(gram_matrix(&k, &pts, 0.0).unwrap().as_ref()).unwrap();
        let z: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        let y: Array1<f64> = (0..n)
            .map(|i| {
                let f: f64 = (0..=i).map(|j| chol.l[(i, j)] * z[j]).sum();
                f + sn2.sqrt() * rng.sample::<f64, _>(StandardNormal)
            })
            .collect();
        let x = Array2::from_shape_vec((n, 1), xv).unwrap();
        let model = GpParams::default().fit(x.view(), y.view()).unwrap();
        let params = model.parameters();
        let ell_hat = params[1].1 * model.x_scaler.std[0];
        est_l.push(ell_hat.ln());
        est_n.push(model.noise_var().ln());
        assert!(
            (model.noise_var().ln() - sn2.ln()).abs() < 0.33,
            "seed {seed}: noise {}",
            model.noise_var()
        );
    }
    let check = |name: &str, v: &[f64], truth: f64| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        let tol = 3.0 * sd / (v.len() as f64).sqrt() + 0.05;
        assert!(
            (m - truth).abs() < tol,
            "{name}: mean ln estimate {m} vs {truth} (tol {tol}); {v:?}"
        );
    };
    check("length-scale", &est_l, ell.ln());
    check("noise", &est_n, sn2.ln());
}

#[test]
fn bad_input_is_an_error() {
    let x = Array2::from_shape_fn((10, 1), |(i, _)| i as f64);
    let y = x.column(0).mapv(f64::sin);
    let p = GpParams::default();
    assert!(matches!(
        p.fit(x.slice(ndarray::s![..1, ..]), y.slice(ndarray::s![..1])),
        Err(Error::TooFewRows { needed: 2, got: 1 })
    ));
    let mut yn = y.clone();
    yn[3] = f64::NAN;
    assert!(matches!(
        p.fit(x.view(), yn.view()),
        Err(Error::NonFinite { index: 3, .. })
    ));
    let mut xn = x.clone();
    xn[(4, 0)] = f64::INFINITY;
    assert!(matches!(
        p.fit(xn.view(), y.view()),
        Err(Error::NonFinite { index: 4, .. })
    ));
    let mut bad = GpParams::default();
    bad.kernel = "se+*white".into();
    let e = bad.fit(x.view(), y.view()).unwrap_err();
    assert!(matches!(e, Error::KernelSyntax { position: 4, .. }), "{e}");
    // A variance of e^800 overflows to ∞: the kernel matrix is not positive definite at
    // any jitter, and the error names the first pivot.
    let mut inf = GpParams::default();
    inf.init = Some(vec![800.0, 0.0]);
    inf.optimise = false;
    let e = inf.fit(x.view(), y.view()).unwrap_err();
    assert!(
        matches!(e, Error::NotPositiveDefinite { pivot: 0, .. }),
        "{e}"
    );
    let mut wrong = GpParams::default();
    wrong.init = Some(vec![0.0]);
    assert!(matches!(
        wrong.fit(x.view(), y.view()),
        Err(Error::InvalidParameter { .. })
    ));
    let yc = Array1::from_elem(10, 2.0);
    assert!(matches!(
        p.fit(x.view(), yc.view()),
        Err(Error::ConstantTarget { .. })
    ));
}

/// Same seed → the same numbers with 1 and 2 threads (bitwise).
#[test]
fn results_do_not_depend_on_threads() {
    let x = Array2::from_shape_fn((200, 2), |(i, j)| ((i * (j + 3)) as f64 * 0.37).sin());
    let y = x.column(0).mapv(|v| v * v) + x.column(1);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut p = GpParams::default();
                p.kernel = "matern52+linear".into();
                let m = p.fit(x.view(), y.view()).unwrap();
                (
                    m.report.log_marginal_likelihood,
                    m.predict(x.view(), 0.9).unwrap().std.to_vec(),
                )
            })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn model_file_round_trip_and_samples() {
    let x = Array2::from_shape_fn((25, 1), |(i, _)| i as f64 / 5.0);
    let y = x.column(0).mapv(|v| (2.0 * v).sin());
    let mut p = GpParams::default();
    p.kernel = "se+periodic".into();
    let m = p.fit(x.view(), y.view()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gp.safetensors");
    save_gp(&m, &path).unwrap();
    assert_eq!(mcdropout::gp::model_kind(&path).unwrap(), "gp");
    let back = load_gp(&path).unwrap();
    let xs = Array2::from_shape_fn((9, 1), |(i, _)| i as f64 * 0.7 - 1.0);
    let (a, b) = (
        m.predict(xs.view(), 0.95).unwrap(),
        back.predict(xs.view(), 0.95).unwrap(),
    );
    assert_eq!(a.mean, b.mean);
    assert_eq!(a.std, b.std);
    // The sample covariance of 4000 joint draws matches the posterior covariance; each
    // entry's s.e. is ≈ √((C_ii C_jj + C_ij²)/T), we allow 5 s.e.
    let c = m.covariance(xs.view()).unwrap();
    let s = m.sample(xs.view(), 4000, 9).unwrap();
    let mean = s.mean_axis(ndarray::Axis(0)).unwrap();
    for i in 0..9 {
        for j in 0..9 {
            let emp = s
                .column(i)
                .iter()
                .zip(s.column(j))
                .map(|(a, b)| (a - mean[i]) * (b - mean[j]))
                .sum::<f64>()
                / 4000.0;
            let se = ((c[(i, i)] * c[(j, j)] + c[(i, j)].powi(2)) / 4000.0).sqrt();
            assert!(
                (emp - c[(i, j)]).abs() < 5.0 * se + 1e-12,
                "({i},{j}): {emp} vs {}",
                c[(i, j)]
            );
        }
        assert!((mean[i] - a.mean[i]).abs() < 5.0 * (c[(i, i)] / 4000.0).sqrt() + 1e-12);
    }
}

/// A kernel's white-noise terms are reported as noise: the aleatoric variance is σ_n² plus
/// every white variance (here 0.1 + 0.05, times the target variance), the epistemic part
/// loses the same amount, and the total is unchanged.
#[test]
fn white_noise_terms_count_as_noise() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let x = Array2::from_shape_fn((30, 1), |_| rng.random_range(-2.0..2.0));
    let y = x.column(0).mapv(|v: f64| v.sin() * 3.0 + 1.0);
    let mut p = GpParams::default();
    p.kernel = "se + white + white*constant".into();
    p.optimise = false;
    p.init = Some(vec![0.0, 0.0, 0.1f64.ln(), 0.1f64.ln(), 0.5f64.ln()]);
    let model = p.fit(x.view(), y.view()).unwrap();
    assert_eq!(
        model.posterior.kernel.white_variance(),
        Some(0.1 + 0.1 * 0.5)
    );
    let s2 = model.y_std * model.y_std;
    let want = (model.posterior.noise + 0.15) * s2;
    assert!((model.noise_var() - want).abs() < 1e-12 * want);
    let xt = Array2::from_shape_fn((5, 1), |(i, _)| i as f64 * 0.7 - 1.3);
    let pred = model.predict(xt.view(), 0.9).unwrap();
    assert!((pred.aleatoric_var - want).abs() < 1e-12 * want);
    let pts = Points {
        data: xt
            .column(0)
            .mapv(|v| (v - model.x_scaler.mean[0]) / model.x_scaler.std[0])
            .to_vec(),
        dim: 1,
    };
    let (_, v) = model.posterior.mean_var(&pts).unwrap();
    for (i, &vi) in v.iter().enumerate() {
        let total = (vi + model.posterior.noise) * s2;
        assert!((pred.total_var[i] - total).abs() < 1e-10 * total, "row {i}");
        assert!(pred.epistemic_var[i] >= 0.0);
    }
}
