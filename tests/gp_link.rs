//! The network–GP link (DESIGN §6): the empirical feature covariance of K random step /
//! ReLU units approaches the arc-cosine kernel, with a Monte-Carlo error ~ 1/√K.

use mcdropout::gp::feature_covariance;
use ndarray::array;

fn inputs() -> ndarray::Array2<f64> {
    array![[0.5, -1.0], [1.0, 0.3], [-0.7, 0.2], [2.0, 1.5]]
}

/// At K = 10⁴ every entry is within 3 Monte-Carlo standard errors of the kernel. The
/// s.e. of an entry is the sample standard deviation of its K per-unit products
/// φ_k(x_i) φ_k(x_j) over √K: the units are i.i.d., so the entry is a mean of K i.i.d.
/// terms whose expectation is the kernel.
#[test]
fn feature_covariance_matches_arccos_kernel_at_10k_units() {
    for order in [0u8, 1] {
        let fc = feature_covariance(inputs().view(), order, 10_000, 1.0, 0.5, 11).unwrap();
        let z = fc.max_z();
        assert!(z < 3.0, "order {order}: max |error|/s.e. = {z}");
        // The s.e. is bounded by (E[φ_i⁴] E[φ_j⁴])^¼ / √K (Cauchy–Schwarz on the
        // product's second moment), with E[H(u)⁴] = ½ and E[relu(u)⁴] = (3/2) var(u)²
        // for u ~ N(0, var(u)), var(u) = |x|² σ_w² + σ_b²; the estimate may exceed its
        // bound by sampling error, a few % at this K (we allow 10 %).
        let x = inputs();
        let m4 = |i: usize| {
            let v = x.row(i).dot(&x.row(i)) + 0.5;
            if order == 0 { 0.5 } else { 1.5 * v * v }
        };
        for i in 0..4 {
            for j in 0..4 {
                let bound = (m4(i) * m4(j)).powf(0.25) / 100.0;
                assert!(
                    fc.std_error[(i, j)] <= 1.1 * bound,
                    "order {order} ({i},{j}): s.e. {} > {bound}",
                    fc.std_error[(i, j)]
                );
            }
        }
    }
}

/// The standard error is honest: over 300 independent layers of K = 100 units, the
/// spread of each empirical entry matches the mean reported s.e. The ratio of a sample
/// std over 300 draws to its truth has relative s.e. ≈ 1/√600 ≈ 0.04 (plus the spread
/// of the reported s.e., ~0.1/√300); we allow 0.8–1.2. The error also shrinks as 1/√K: the
/// mean s.e. at K = 400 is half that at K = 100 within the same 20 %.
#[test]
fn standard_error_is_calibrated_and_shrinks_like_one_over_sqrt_k() {
    let x = inputs();
    for order in [0u8, 1] {
        let reps = 300;
        let mut vals = vec![Vec::new(); 16];
        let mut ses = [0.0; 16];
        let mut ses400 = [0.0; 16];
        for r in 0..reps {
            let fc = feature_covariance(x.view(), order, 100, 1.0, 0.5, 1000 + r).unwrap();
            for (e, (v, s)) in fc.empirical.iter().zip(fc.std_error.iter()).enumerate() {
                vals[e].push(*v);
                ses[e] += s / reps as f64;
            }
            let fc4 = feature_covariance(x.view(), order, 400, 1.0, 0.5, 5000 + r).unwrap();
            for (e, s) in fc4.std_error.iter().enumerate() {
                ses400[e] += s / reps as f64;
            }
        }
        for e in 0..16 {
            let m = vals[e].iter().sum::<f64>() / reps as f64;
            let sd =
                (vals[e].iter().map(|v| (v - m).powi(2)).sum::<f64>() / (reps - 1) as f64).sqrt();
            let ratio = sd / ses[e];
            assert!(
                (0.8..1.2).contains(&ratio),
                "order {order} entry {e}: spread {sd} vs s.e. {}",
                ses[e]
            );
            let shrink = ses400[e] / ses[e];
            assert!(
                (0.4..0.6).contains(&shrink),
                "order {order} entry {e}: s.e. ratio {shrink}"
            );
        }
    }
}

#[test]
fn bad_arguments() {
    let x = inputs();
    assert!(feature_covariance(x.view(), 2, 100, 1.0, 1.0, 0).is_err());
    assert!(feature_covariance(x.view(), 1, 1, 1.0, 1.0, 0).is_err());
    assert!(feature_covariance(x.view(), 1, 100, 0.0, 1.0, 0).is_err());
}
