//! A kernel with its parameters exponentiated once, for the n² evaluations of one Gram
//! matrix or likelihood gradient: σ² and the inverse length-scales of the SE and Matérn
//! leaves are computed here instead of at every pair (`examples/gp_bench.rs`: five `exp`
//! per pair down to one for a 3-input SE kernel).

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
            for (a, b) in g1.iter().zip(&g2) {
                assert!(
                    (a - b).abs() <= 1e-14 * a.abs().max(1.0),
                    "{spec}: {a} vs {b}"
                );
            }
        }
    }
}
