//! The arc-cosine kernels (Cho & Saul 2009) and the network–GP link: a one-hidden-layer
//! network with K random step or ReLU units has, as K grows, the arc-cosine kernel as its
//! covariance (Neal 1996; DESIGN §6).
//!
//! With pre-activations u = w·x + b, w ~ N(0, σ_w² I), b ~ N(0, σ_b²), the pair
//! (u(x), u(x')) is bivariate Gaussian with variances a = σ_w² x·x + σ_b²,
//! b = σ_w² x'·x' + σ_b² and covariance c = σ_w² x·x' + σ_b²; cos θ = c / √(ab). Then
//!
//! - E[H(u) H(u')] = (π − θ) / (2π) (order 0, step units),
//! - E[relu(u) relu(u')] = (√(ab − c²) + (π − θ) c) / (2π) (order 1, ReLU units),
//!
//! i.e. Cho & Saul's k_n = (1/π) ‖x̃‖ⁿ ‖x̃'‖ⁿ J_n(θ) halved, with J_0 = π − θ and
//! J_1 = sin θ + (π − θ) cos θ.

use super::kernel::dot;
use crate::error::{Error, Result};
use crate::rng::{Purpose, stream};
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

/// Value (and gradient w.r.t. `[ln σ², ln σ_w², ln σ_b²]`) of the arc-cosine kernel of
/// order 0 or 1. Derivatives of g(a, b, c) = √(ab − c²) + (π − θ) c are
/// ∂g/∂a = √(ab − c²)/(2a), ∂g/∂b = √(ab − c²)/(2b), ∂g/∂c = π − θ; for order 0,
/// ∂θ/∂a = c/(2a s), ∂θ/∂b = c/(2b s), ∂θ/∂c = −1/s with s = √(ab − c²) (taken as 0 when
/// s vanishes: θ ≡ 0 for parallel augmented inputs, whatever the parameters).
pub(crate) fn arccos(
    order: u8,
    p: &[f64; 3],
    x: &[f64],
    y: &[f64],
    grad: Option<&mut [f64]>,
) -> f64 {
    let (s2, w2, b2) = (p[0].exp(), p[1].exp(), p[2].exp());
    let (xx, yy, xy) = (dot(x, x), dot(y, y), dot(x, y));
    let a = w2 * xx + b2;
    let b = w2 * yy + b2;
    let c = w2 * xy + b2;
    let ab = a * b;
    let s = (ab - c * c).max(0.0).sqrt();
    let theta = (c / ab.sqrt()).clamp(-1.0, 1.0).acos();
    let g = if order == 0 {
        PI - theta
    } else {
        s + (PI - theta) * c
    };
    let value = s2 * g / (2.0 * PI);
    if let Some(grad) = grad {
        // (∂g/∂a, ∂g/∂b, ∂g/∂c)
        let (ga, gb, gc) = if order == 0 {
            if s <= 1e-12 * ab.sqrt() {
                (0.0, 0.0, 0.0)
            } else {
                (-c / (2.0 * a * s), -c / (2.0 * b * s), 1.0 / s)
            }
        } else {
            (s / (2.0 * a), s / (2.0 * b), PI - theta)
        };
        let scale = s2 / (2.0 * PI);
        grad[0] = value;
        grad[1] = scale * w2 * (ga * xx + gb * yy + gc * xy);
        grad[2] = scale * b2 * (ga + gb + gc);
    }
    value
}

/// The empirical covariance of a random hidden layer against the arc-cosine kernel.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FeatureCovariance {
    /// (1/K) Σ_k φ(u_k(x_i)) φ(u_k(x_j)), `n × n`.
    pub empirical: Array2<f64>,
    /// The arc-cosine kernel (σ² = 1), `n × n`.
    pub kernel: Array2<f64>,
    /// Monte-Carlo standard error of each empirical entry: the sample standard deviation
    /// of the K per-unit products φ_k(x_i) φ_k(x_j) over √K.
    pub std_error: Array2<f64>,
    /// Number of units K.
    pub units: usize,
}

impl FeatureCovariance {
    /// The largest |empirical − kernel| / std_error over entries with a positive standard
    /// error (entries whose products are all equal, e.g. step units at points the layer
    /// cannot separate, are compared exactly and contribute ∞ if they differ).
    pub fn max_z(&self) -> f64 {
        let mut z: f64 = 0.0;
        for ((e, k), s) in self.empirical.iter().zip(&self.kernel).zip(&self.std_error) {
            let d = (e - k).abs();
            z = z.max(if *s > 0.0 {
                d / s
            } else if d > 1e-12 {
                f64::INFINITY
            } else {
                0.0
            });
        }
        z
    }
}

/// Draws `units` random units with weights N(0, σ_w² I) and biases N(0, σ_b²) (seeded),
/// applies step (`order` 0) or ReLU (`order` 1) to their pre-activations at the rows of
/// `x`, and returns the empirical feature covariance next to the arc-cosine kernel.
///
/// ```
/// use mcdropout::gp::feature_covariance;
/// use ndarray::array;
/// let x = array![[0.5, -1.0], [1.0, 0.3]];
/// let fc = feature_covariance(x.view(), 1, 20_000, 1.0, 1.0, 7).unwrap();
/// assert!(fc.max_z() < 5.0);
/// ```
pub fn feature_covariance(
    x: ArrayView2<f64>,
    order: u8,
    units: usize,
    weight_var: f64,
    bias_var: f64,
    seed: u64,
) -> Result<FeatureCovariance> {
    if order > 1 {
        return Err(Error::InvalidParameter {
            name: "order".into(),
            reason: format!("arc-cosine order must be 0 or 1, got {order}"),
        });
    }
    if units < 2 {
        return Err(Error::InvalidParameter {
            name: "units".into(),
            reason: format!("need at least 2 units for a standard error, got {units}"),
        });
    }
    for (name, v) in [("weight_var", weight_var), ("bias_var", bias_var)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::InvalidParameter {
                name: name.into(),
                reason: format!("must be a positive finite number, got {v}"),
            });
        }
    }
    let (n, d) = x.dim();
    let mut rng = stream(seed, Purpose::GpLink, 0);
    let (sw, sb) = (weight_var.sqrt(), bias_var.sqrt());
    let mut sum = Array2::<f64>::zeros((n, n));
    let mut sum_sq = Array2::<f64>::zeros((n, n));
    let mut phi = vec![0.0; n];
    let mut w = vec![0.0; d];
    for _ in 0..units {
        w.iter_mut()
            .for_each(|v| *v = sw * rng.sample::<f64, _>(StandardNormal));
        let b = sb * rng.sample::<f64, _>(StandardNormal);
        for (i, row) in x.rows().into_iter().enumerate() {
            let u = row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + b;
            phi[i] = if u > 0.0 {
                if order == 0 { 1.0 } else { u }
            } else {
                0.0
            };
        }
        for i in 0..n {
            for j in 0..n {
                let v = phi[i] * phi[j];
                sum[(i, j)] += v;
                sum_sq[(i, j)] += v * v;
            }
        }
    }
    let k = units as f64;
    let empirical = &sum / k;
    // Sample variance (ddof 1) of the per-unit products, then the s.e. of their mean.
    let std_error = Array2::from_shape_fn((n, n), |(i, j)| {
        let m = empirical[(i, j)];
        ((sum_sq[(i, j)] - k * m * m).max(0.0) / (k - 1.0) / k).sqrt()
    });
    let p = [0.0, weight_var.ln(), bias_var.ln()];
    let kernel = Array2::from_shape_fn((n, n), |(i, j)| {
        let (xi, xj) = (x.row(i).to_vec(), x.row(j).to_vec());
        arccos(order, &p, &xi, &xj, None)
    });
    Ok(FeatureCovariance {
        empirical,
        kernel,
        std_error,
        units,
    })
}
