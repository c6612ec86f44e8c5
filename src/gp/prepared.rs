//! A kernel with its parameters exponentiated once, for the n² evaluations of one Gram
//! matrix or likelihood gradient: σ² and the inverse length-scales of the SE and Matérn
//! leaves are computed here instead of at every pair (`examples/gp_bench.rs`: five `exp`
//! per pair down to one for a 3-input SE kernel).

use super::columns::Stationary;
use super::kernel::{Kernel, stationary_scaled};

/// See the module documentation.
#[derive(Debug, Clone)]
pub(crate) enum Prepared<'a> {
    /// An SE or Matérn leaf with σ² and 1/l_d.
    Stationary {
        kind: &'a Kernel,
        s2: f64,
        inv_l: Vec<f64>,
    },
    /// Any other leaf, evaluated as is.
    Leaf(&'a Kernel),
    /// Sum of two kernels (the first has `n_a` parameters).
    Sum(Box<Prepared<'a>>, Box<Prepared<'a>>, usize),
    /// Product of two kernels (the first has `n_a` parameters).
    Product(Box<Prepared<'a>>, Box<Prepared<'a>>, usize),
}

impl<'a> Prepared<'a> {
    /// Prepares `k`.
    pub(crate) fn new(k: &'a Kernel) -> Self {
        match k {
            Kernel::SquaredExp(p) | Kernel::Matern32(p) | Kernel::Matern52(p) => {
                Prepared::Stationary {
                    kind: k,
                    s2: p[0].exp(),
                    inv_l: p[1..].iter().map(|ll| (-ll).exp()).collect(),
                }
            }
            Kernel::Sum(a, b) => {
                Prepared::Sum(Box::new(Self::new(a)), Box::new(Self::new(b)), a.n_params())
            }
            Kernel::Product(a, b) => {
                Prepared::Product(Box::new(Self::new(a)), Box::new(Self::new(b)), a.n_params())
            }
            _ => Prepared::Leaf(k),
        }
    }

    /// k(x, x'), as [`Kernel::eval`].
    pub(crate) fn eval(&self, x: &[f64], y: &[f64]) -> f64 {
        match self {
            Prepared::Stationary { kind, s2, inv_l } => {
                stationary_scaled(kind, *s2, inv_l, x, y, None)
            }
            Prepared::Leaf(k) => k.eval(x, y),
            Prepared::Sum(a, b, _) => a.eval(x, y) + b.eval(x, y),
            Prepared::Product(a, b, _) => a.eval(x, y) * b.eval(x, y),
        }
    }

    /// A single SE or Matérn leaf, for the vectorised columns of [`super::columns`].
    pub(crate) fn columns(&self) -> Option<Stationary<'_>> {
        match self {
            Prepared::Stationary { kind, s2, inv_l } => Stationary::new(kind, *s2, inv_l),
            _ => None,
        }
    }

    /// Whether this is a single SE or Matérn leaf, whose gradient
    /// [`grad_from_value`](Self::grad_from_value) can give from k(x, x') without an `exp`.
    pub(crate) fn is_stationary(&self) -> bool {
        matches!(self, Prepared::Stationary { .. })
    }

    /// For a single SE or Matérn leaf: the log-parameter gradient at (x, x') from the value
    /// `v` = k(x, x') computed before (a kernel matrix entry), as [`eval_grad`]
    /// (Self::eval_grad) would give it: ∂k/∂ln σ² = v, ∂k/∂ln l_d = h r_d² with h = v (SE),
    /// 3v / (1 + √3 r) (Matérn 3/2), (5/3) v (1 + √5 r) / (1 + √5 r + 5r²/3) (Matérn 5/2),
    /// the same h as [`stationary_scaled`] with the common factor e^(−√ν r) taken from v.
    /// Any other kernel: falls back to [`eval_grad`](Self::eval_grad).
    pub(crate) fn grad_from_value(&self, v: f64, x: &[f64], y: &[f64], grad: &mut [f64]) {
        let Prepared::Stationary { kind, inv_l, .. } = self else {
            self.eval_grad(x, y, grad);
            return;
        };
        let h = match kind {
            Kernel::SquaredExp(_) => v,
            _ => {
                let mut r2 = 0.0;
                for ((a, b), il) in x.iter().zip(y).zip(inv_l) {
                    let r = (a - b) * il;
                    r2 += r * r;
                }
                let r = r2.sqrt();
                if matches!(kind, Kernel::Matern32(_)) {
                    3.0 * v / (1.0 + 3f64.sqrt() * r)
                } else {
                    let s5 = 5f64.sqrt();
                    (5.0 / 3.0) * v * (1.0 + s5 * r) / (1.0 + s5 * r + 5.0 * r2 / 3.0)
                }
            }
        };
        grad[0] = v;
        for (((gd, a), b), il) in grad[1..].iter_mut().zip(x).zip(y).zip(inv_l) {
            let r = (a - b) * il;
            *gd = h * r * r;
        }
    }

    /// k(x, x') and its log-parameter gradient, as [`Kernel::eval_grad`].
    pub(crate) fn eval_grad(&self, x: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
        match self {
            Prepared::Stationary { kind, s2, inv_l } => {
                stationary_scaled(kind, *s2, inv_l, x, y, Some(grad))
            }
            Prepared::Leaf(k) => k.eval_grad(x, y, grad),
            Prepared::Sum(a, b, na) => {
                let (ga, gb) = grad.split_at_mut(*na);
                a.eval_grad(x, y, ga) + b.eval_grad(x, y, gb)
            }
            Prepared::Product(a, b, na) => {
                let (ga, gb) = grad.split_at_mut(*na);
                let ka = a.eval_grad(x, y, ga);
                let kb = b.eval_grad(x, y, gb);
                ga.iter_mut().for_each(|g| *g *= kb);
                gb.iter_mut().for_each(|g| *g *= ka);
                ka * kb
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Prepared;
    use crate::gp::parse_kernel;

    /// The prepared kernel gives the same values and gradients as the kernel itself
    /// (up to the rounding of x·(1/l) against x·e^(−ln l): 1e-14 relative).
    #[test]
    fn prepared_matches_kernel() {
        for spec in [
            "se",
            "matern32",
            "matern52",
            "matern32+periodic",
            "se*matern52+white",
            "se*linear+constant",
        ] {
            let mut k = parse_kernel(spec, 2).unwrap();
            let n = k.n_params();
            k.set_params(&(0..n).map(|i| 0.1 * i as f64 - 0.2).collect::<Vec<_>>());
            let p = Prepared::new(&k);
            let (x, y) = ([0.3, -1.2], [1.1, 0.4]);
            let (mut g1, mut g2) = (vec![0.0; n], vec![0.0; n]);
            let v1 = k.eval_grad(&x, &y, &mut g1);
            let v2 = p.eval_grad(&x, &y, &mut g2);
            assert!((v1 - v2).abs() <= 1e-14 * v1.abs().max(1.0), "{spec}");
            assert!((k.eval(&x, &y) - p.eval(&x, &y)).abs() <= 1e-14 * v1.abs().max(1.0));
            let mut g3 = vec![0.0; n];
            p.grad_from_value(v2, &x, &y, &mut g3);
            for (a, b) in g1.iter().zip(&g3) {
                assert!(
                    (a - b).abs() <= 1e-14 * a.abs().max(1.0),
                    "{spec} (from value): {a} vs {b}"
                );
            }
            for (a, b) in g1.iter().zip(&g2) {
                assert!(
                    (a - b).abs() <= 1e-14 * a.abs().max(1.0),
                    "{spec}: {a} vs {b}"
                );
            }
        }
    }
}
