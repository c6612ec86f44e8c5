//! Columns of kernel matrices for a single SE or Matérn leaf, vectorised: the pairwise
//! path ([`Prepared::eval`](super::prepared::Prepared)) evaluates one pair at a time
//! through a match and a libm `exp` call, which was about a fifth of an n = 2000 fit's
//! time (`perf`, BENCHMARKS.md issue 11 item 6). Here the points are laid out by
//! dimension, so a column `k(a_i, b)` for `i = start..n` is a few vector sweeps: the
//! squared scaled distance `r² = Σ_d ((a_id − b_d) / l_d)²` (summed over `d` in order from
//! zero, as the pairwise path does), then the kernel of `r²` with the vectorisable
//! [`exp_nonpositive_f64`] (at most
//! [`EXP_F64_MAX_ULP`](crate::nn::vmath::EXP_F64_MAX_ULP) from libm's `exp`, so an entry
//! differs from the pairwise path's by a few ulps at most).
//!
//! The likelihood gradient's column sums `Σ_i w_i ∂k(a_i, b)/∂ln θ` run the same way,
//! from the kernel values of the Gram matrix (SE, Matérn: `∂k/∂ln σ² = k`,
//! `∂k/∂ln l_d = h(r) r_d²`), in eight partial sums.
//!
//! Every entry is a function of the two points alone, and every column sum of one column
//! alone, so results do not depend on the number of threads.

use super::kernel::Kernel;
use crate::nn::vmath::exp_nonpositive_f64;

/// The stationary kernels with a vectorised column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SquaredExp,
    Matern32,
    Matern52,
}

/// Which stationary kernel, with σ² and the inverse length-scales.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stationary<'a> {
    kind: Kind,
    s2: f64,
    inv_l: &'a [f64],
}

impl<'a> Stationary<'a> {
    /// `k` when it is an SE or Matérn leaf, with σ² and 1/l_d as prepared.
    pub(crate) fn new(k: &Kernel, s2: f64, inv_l: &'a [f64]) -> Option<Self> {
        let kind = match k {
            Kernel::SquaredExp(_) => Kind::SquaredExp,
            Kernel::Matern32(_) => Kind::Matern32,
            Kernel::Matern52(_) => Kind::Matern52,
            _ => return None,
        };
        Some(Self { kind, s2, inv_l })
    }
}

/// Points stored by dimension: `data[d · n + i]` is coordinate `d` of point `i`.
#[derive(Debug, Clone)]
pub(crate) struct ByDim {
    data: Vec<f64>,
    n: usize,
}

impl ByDim {
    /// The `n` points of the row-major `rows` (`n × dim`) by dimension.
    pub(crate) fn new(rows: &[f64], dim: usize) -> Self {
        let n = rows.len().checked_div(dim).unwrap_or(0);
        let mut data = vec![0.0; n * dim];
        for (i, row) in rows.chunks_exact(dim.max(1)).enumerate() {
            for (d, &v) in row.iter().enumerate() {
                data[d * n + i] = v;
            }
        }
        Self { data, n }
    }

    /// Coordinate `d` of points `start..n`.
    fn dim(&self, d: usize, start: usize) -> &[f64] {
        &self.data[d * self.n + start..(d + 1) * self.n]
    }
}

crate::multiversioned! {
/// `r2[i − start] = Σ_d ((a_id − b_d) / l_d)²` for `i = start..n`, summed over `d` in order
/// from zero (the pairwise path's order and operations).
fn scaled_sq_dist(a: &ByDim, start: usize, b: &[f64], inv_l: &[f64], r2: &mut [f64]) {
    r2.iter_mut().for_each(|r| *r = 0.0);
    for (d, (&bd, &il)) in b.iter().zip(inv_l).enumerate() {
        for (r, &x) in r2.iter_mut().zip(a.dim(d, start)) {
            let t = (x - bd) * il;
            *r += t * t;
        }
    }
}
}

crate::multiversioned! {
/// `out[i] ← k(r2[i])`: SE `σ² e^{−r²/2}`; Matérn 3/2 `σ² (1 + √3 r) e^{−√3 r}`; Matérn 5/2
/// `σ² (1 + √5 r + 5r²/3) e^{−√5 r}` (the pairwise path's formulas).
fn values_of(k: Stationary<'_>, r2: &[f64], out: &mut [f64]) {
    let s2 = k.s2;
    match k.kind {
        Kind::SquaredExp => {
            for (o, &q) in out.iter_mut().zip(r2) {
                *o = s2 * exp_nonpositive_f64(-0.5 * q);
            }
        }
        Kind::Matern32 => {
            let s3 = 3f64.sqrt();
            for (o, &q) in out.iter_mut().zip(r2) {
                let r = q.sqrt();
                *o = s2 * (1.0 + s3 * r) * exp_nonpositive_f64(-s3 * r);
            }
        }
        Kind::Matern52 => {
            let s5 = 5f64.sqrt();
            for (o, &q) in out.iter_mut().zip(r2) {
                let r = q.sqrt();
                *o = s2 * (1.0 + s5 * r + 5.0 * q / 3.0) * exp_nonpositive_f64(-s5 * r);
            }
        }
    }
}
}

/// `out[i − start] ← k(a_i, b)` for `i = start..n` (`out` has `n − start` entries);
/// `r2` is scratch of the same length.
pub(crate) fn column(
    k: Stationary<'_>,
    a: &ByDim,
    start: usize,
    b: &[f64],
    r2: &mut [f64],
    out: &mut [f64],
) {
    scaled_sq_dist(a, start, b, k.inv_l, r2);
    values_of(k, r2, out);
}

/// `acc[0] += Σ_i w_i v_i` and `acc[1 + d] += Σ_i w_i h_i r_{d,i}²` over `i = start..n`,
/// where `v_i = k(a_i, b)` (given), `r_{d,i} = (a_id − b_d) / l_d` and `h_i` is SE `v_i`,
/// Matérn 3/2 `3 v_i / (1 + √3 r_i)`, Matérn 5/2
/// `(5/3) v_i (1 + √5 r_i) / (1 + √5 r_i + 5 r_i²/3)` — the log-parameter gradient of
/// `k(a_i, b)` weighted by `w_i`. `h` is scratch of `n − start` entries.
#[allow(clippy::too_many_arguments)]
pub(crate) fn weighted_grad(
    k: Stationary<'_>,
    a: &ByDim,
    start: usize,
    b: &[f64],
    v: &[f64],
    w: &[f64],
    h: &mut [f64],
    acc: &mut [f64],
) {
    if k.kind == Kind::SquaredExp {
        h.copy_from_slice(v);
    } else {
        scaled_sq_dist(a, start, b, k.inv_l, h);
        slopes(k.kind, v, h);
    }
    acc[0] += crate::nn::kernels::dot(w, v);
    for (d, (&bd, &il)) in b.iter().zip(k.inv_l).enumerate() {
        acc[1 + d] += weighted_sq_sum(w, h, a.dim(d, start), bd, il);
    }
}

crate::multiversioned! {
/// `h[i] ← h(r_i)` of the Matérn kernels from `h[i] = r_i²` and `v[i]` (see
/// [`weighted_grad`]).
fn slopes(kind: Kind, v: &[f64], h: &mut [f64]) {
    if kind == Kind::Matern32 {
        let s3 = 3f64.sqrt();
        for (hh, &vv) in h.iter_mut().zip(v) {
            *hh = 3.0 * vv / (1.0 + s3 * hh.sqrt());
        }
    } else {
        let s5 = 5f64.sqrt();
        for (hh, &vv) in h.iter_mut().zip(v) {
            let q = *hh;
            let r = q.sqrt();
            *hh = (5.0 / 3.0) * vv * (1.0 + s5 * r) / (1.0 + s5 * r + 5.0 * q / 3.0);
        }
    }
}
}

crate::multiversioned! {
/// `Σ_i w_i h_i ((x_i − c) l⁻¹)²`, in eight partial sums added in order.
fn weighted_sq_sum(w: &[f64], h: &[f64], x: &[f64], c: f64, il: f64) -> f64 {
    let term = |w: f64, h: f64, x: f64| {
        let t = (x - c) * il;
        w * h * (t * t)
    };
    let mut acc = [0.0; 8];
    let n8 = w.len() / 8 * 8;
    for i in (0..n8).step_by(8) {
        for q in 0..8 {
            acc[q] += term(w[i + q], h[i + q], x[i + q]);
        }
    }
    let tail: f64 = (n8..w.len()).map(|i| term(w[i], h[i], x[i])).sum();
    acc.iter().sum::<f64>() + tail
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gp::prepared::Prepared;

    fn points(n: usize, dim: usize) -> Vec<f64> {
        (0..n * dim)
            .map(|i| ((i * 7919 + 13) % 1009) as f64 / 250.0 - 2.0)
            .collect()
    }

    fn kernels() -> Vec<Kernel> {
        let p = vec![0.3, -0.2, 0.4, 0.1];
        vec![
            Kernel::SquaredExp(p.clone()),
            Kernel::Matern32(p.clone()),
            Kernel::Matern52(p),
        ]
    }

    /// Each column entry is the pairwise path's value up to the vectorised `exp`'s error
    /// (≤ 1 ulp from libm) carried through one or two products: 4 ulps of the value
    /// (relative 4 · 2⁻⁵²) bound it; the squared distances are the same operations.
    #[test]
    fn columns_match_pairwise_values() {
        let (n, dim) = (37, 3);
        let x = points(n, dim);
        let xd = ByDim::new(&x, dim);
        for k in kernels() {
            let prep = Prepared::new(&k);
            let st = prep.columns().expect("a stationary leaf");
            for j in [0, 5, 36] {
                let b = &x[j * dim..(j + 1) * dim];
                for start in [0, j] {
                    let m = n - start;
                    let (mut r2, mut out) = (vec![0.0; m], vec![0.0; m]);
                    column(st, &xd, start, b, &mut r2, &mut out);
                    for (i, &v) in (start..n).zip(&out) {
                        let want = prep.eval(&x[i * dim..(i + 1) * dim], b);
                        assert!(
                            (v - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                            "{k:?} ({i}, {j}): {v} vs {want}"
                        );
                    }
                }
            }
        }
    }

    /// The weighted gradient sums equal the pairwise sums of `w_i ∂k/∂ln θ` (from the same
    /// values): the terms are the same operations, only the order of the additions
    /// differs, so they agree to rounding (1e-13 relative to the sum of |terms|).
    #[test]
    fn weighted_gradients_match_pairwise_sums() {
        let (n, dim) = (41, 3);
        let x = points(n, dim);
        let xd = ByDim::new(&x, dim);
        let w: Vec<f64> = (0..n).map(|i| ((i * 31) % 17) as f64 / 8.0 - 1.0).collect();
        for k in kernels() {
            let prep = Prepared::new(&k);
            let st = prep.columns().expect("a stationary leaf");
            let j = 3;
            let b = &x[j * dim..(j + 1) * dim];
            let start = j + 1;
            let m = n - start;
            let (mut r2, mut v) = (vec![0.0; m], vec![0.0; m]);
            column(st, &xd, start, b, &mut r2, &mut v);
            let mut acc = vec![0.0; dim + 1];
            let mut h = vec![0.0; m];
            weighted_grad(st, &xd, start, b, &v, &w[start..], &mut h, &mut acc);
            let (mut want, mut scale) = (vec![0.0; dim + 1], vec![0.0; dim + 1]);
            let mut g = vec![0.0; dim + 1];
            for (i, &vi) in (start..n).zip(&v) {
                prep.grad_from_value(vi, &x[i * dim..(i + 1) * dim], b, &mut g);
                for q in 0..=dim {
                    want[q] += w[i] * g[q];
                    scale[q] += (w[i] * g[q]).abs();
                }
            }
            for q in 0..=dim {
                assert!(
                    (acc[q] - want[q]).abs() <= 1e-13 * scale[q],
                    "{k:?} parameter {q}: {} vs {}",
                    acc[q],
                    want[q]
                );
            }
        }
    }
}
