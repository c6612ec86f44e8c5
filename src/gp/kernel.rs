//! Covariance functions with their gradients with respect to their log-parameters.
//!
//! Every parameter is stored as its natural logarithm, so any real vector is a valid
//! parameter vector and fitting is unconstrained. `r_d = (x_d − x'_d) / l_d` below.
//!
//! | kernel | k(x, x') | log-parameters |
//! |---|---|---|
//! | `se` | σ² exp(−½ Σ_d r_d²) | σ², l_1..l_D (ARD) |
//! | `matern32` | σ² (1 + √3 r) exp(−√3 r), r = ‖r‖ | σ², l_1..l_D |
//! | `matern52` | σ² (1 + √5 r + 5r²/3) exp(−√5 r) | σ², l_1..l_D |
//! | `periodic` | σ² exp(−2 Σ_d sin²(π (x_d − x'_d) / P) / l²) | σ², l, P |
//! | `linear` | σ² x·x' | σ² |
//! | `white` | σ² if x = x' (same values), else 0 | σ² |
//! | `constant` | σ² | σ² |
//! | `arccos0` | σ² (π − θ) / (2π) | σ², σ_w², σ_b² |
//! | `arccos1` | σ² (√(ab − c²) + (π − θ) c) / (2π) | σ², σ_w², σ_b² |
//!
//! For the arc-cosine kernels (Cho & Saul 2009, with Gaussian weights w ~ N(0, σ_w² I) and
//! biases b ~ N(0, σ_b²)): a = σ_w² x·x + σ_b², b = σ_w² x'·x' + σ_b², c = σ_w² x·x' + σ_b²
//! and cos θ = c / √(ab). Then `arccos0` is σ² E[H(w·x+b) H(w·x'+b)] (step units) and
//! `arccos1` is σ² E[relu(w·x+b) relu(w·x'+b)] (ReLU units): the covariance of an
//! infinitely wide one-hidden-layer network whose output weights have variance σ²/K.
//! Sums and products combine kernels; their parameters are the left operand's, then the
//! right's.

use std::f64::consts::PI;

/// A covariance function of inputs of a fixed dimension, with log-parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Kernel {
    /// Squared exponential with one length-scale per input dimension: `[ln σ², ln l_d..]`.
    SquaredExp(Vec<f64>),
    /// Matérn ν = 3/2 with ARD length-scales: `[ln σ², ln l_d..]`.
    Matern32(Vec<f64>),
    /// Matérn ν = 5/2 with ARD length-scales: `[ln σ², ln l_d..]`.
    Matern52(Vec<f64>),
    /// Periodic (MacKay): `[ln σ², ln l, ln P]`.
    Periodic([f64; 3]),
    /// Linear (dot product): `[ln σ²]`.
    Linear([f64; 1]),
    /// White noise on identical inputs: `[ln σ²]`.
    White([f64; 1]),
    /// Constant: `[ln σ²]`.
    Constant([f64; 1]),
    /// Arc-cosine of order 0 (step units): `[ln σ², ln σ_w², ln σ_b²]`.
    ArcCos0([f64; 3]),
    /// Arc-cosine of order 1 (ReLU units): `[ln σ², ln σ_w², ln σ_b²]`.
    ArcCos1([f64; 3]),
    /// Sum of two kernels.
    Sum(Box<Kernel>, Box<Kernel>),
    /// Product of two kernels.
    Product(Box<Kernel>, Box<Kernel>),
}

impl Kernel {
    /// Number of log-parameters.
    pub fn n_params(&self) -> usize {
        match self {
            Kernel::SquaredExp(p) | Kernel::Matern32(p) | Kernel::Matern52(p) => p.len(),
            Kernel::Periodic(_) | Kernel::ArcCos0(_) | Kernel::ArcCos1(_) => 3,
            Kernel::Linear(_) | Kernel::White(_) | Kernel::Constant(_) => 1,
            Kernel::Sum(a, b) | Kernel::Product(a, b) => a.n_params() + b.n_params(),
        }
    }

    /// The log-parameters, in order.
    pub fn params(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.n_params());
        self.push_params(&mut v);
        v
    }

    fn push_params(&self, v: &mut Vec<f64>) {
        match self {
            Kernel::SquaredExp(p) | Kernel::Matern32(p) | Kernel::Matern52(p) => {
                v.extend_from_slice(p)
            }
            Kernel::Periodic(p) | Kernel::ArcCos0(p) | Kernel::ArcCos1(p) => v.extend_from_slice(p),
            Kernel::Linear(p) | Kernel::White(p) | Kernel::Constant(p) => v.extend_from_slice(p),
            Kernel::Sum(a, b) | Kernel::Product(a, b) => {
                a.push_params(v);
                b.push_params(v);
            }
        }
    }

    /// Sets the log-parameters from `p` (length [`n_params`](Self::n_params); a caller bug
    /// otherwise).
    #[track_caller]
    pub fn set_params(&mut self, p: &[f64]) {
        assert_eq!(p.len(), self.n_params(), "kernel parameter count");
        match self {
            Kernel::SquaredExp(q) | Kernel::Matern32(q) | Kernel::Matern52(q) => {
                q.copy_from_slice(p)
            }
            Kernel::Periodic(q) | Kernel::ArcCos0(q) | Kernel::ArcCos1(q) => q.copy_from_slice(p),
            Kernel::Linear(q) | Kernel::White(q) | Kernel::Constant(q) => q.copy_from_slice(p),
            Kernel::Sum(a, b) | Kernel::Product(a, b) => {
                let na = a.n_params();
                a.set_params(&p[..na]);
                b.set_params(&p[na..]);
            }
        }
    }

    /// The variance the kernel adds on identical inputs only — its white-noise part, which
    /// acts as observation noise — when it can be separated: white terms in sums, and in
    /// products whose other factor has a constant k(x, x) (stationary kernels, constants).
    /// `None` when a white term multiplies an input-dependent kernel (linear, arc-cosine).
    pub fn white_variance(&self) -> Option<f64> {
        match self {
            Kernel::White(p) => Some(p[0].exp()),
            Kernel::Sum(a, b) => Some(a.white_variance()? + b.white_variance()?),
            Kernel::Product(a, b) => {
                let (aw, bw) = (a.white_variance()?, b.white_variance()?);
                if aw == 0.0 && bw == 0.0 {
                    return Some(0.0);
                }
                let (asv, bsv) = (a.smooth_diag()?, b.smooth_diag()?);
                Some(aw * bw + aw * bsv + asv * bw)
            }
            _ => Some(0.0),
        }
    }

    /// k(x, x) without the white-noise part, when it does not depend on x.
    fn smooth_diag(&self) -> Option<f64> {
        match self {
            Kernel::SquaredExp(p) | Kernel::Matern32(p) | Kernel::Matern52(p) => Some(p[0].exp()),
            Kernel::Periodic(p) => Some(p[0].exp()),
            Kernel::Constant(p) => Some(p[0].exp()),
            Kernel::White(_) => Some(0.0),
            Kernel::Sum(a, b) => Some(a.smooth_diag()? + b.smooth_diag()?),
            Kernel::Product(a, b) => Some(a.smooth_diag()? * b.smooth_diag()?),
            Kernel::Linear(_) | Kernel::ArcCos0(_) | Kernel::ArcCos1(_) => None,
        }
    }

    /// Human-readable names of the parameters, in order (e.g. `se.lengthscale[0]`).
    pub fn param_names(&self) -> Vec<String> {
        let mut v = Vec::new();
        self.push_names(&mut v);
        v
    }

    fn push_names(&self, v: &mut Vec<String>) {
        let ard = |v: &mut Vec<String>, name: &str, p: &[f64]| {
            v.push(format!("{name}.variance"));
            v.extend((1..p.len()).map(|d| format!("{name}.lengthscale[{}]", d - 1)));
        };
        match self {
            Kernel::SquaredExp(p) => ard(v, "se", p),
            Kernel::Matern32(p) => ard(v, "matern32", p),
            Kernel::Matern52(p) => ard(v, "matern52", p),
            Kernel::Periodic(_) => {
                v.extend(["variance", "lengthscale", "period"].map(|s| format!("periodic.{s}")))
            }
            Kernel::Linear(_) => v.push("linear.variance".into()),
            Kernel::White(_) => v.push("white.variance".into()),
            Kernel::Constant(_) => v.push("constant.variance".into()),
            Kernel::ArcCos0(_) | Kernel::ArcCos1(_) => {
                let n = if matches!(self, Kernel::ArcCos0(_)) {
                    0
                } else {
                    1
                };
                v.extend(
                    ["variance", "weight_variance", "bias_variance"]
                        .map(|s| format!("arccos{n}.{s}")),
                )
            }
            Kernel::Sum(a, b) | Kernel::Product(a, b) => {
                a.push_names(v);
                b.push_names(v);
            }
        }
    }

    /// k(x, x').
    pub fn eval(&self, x: &[f64], y: &[f64]) -> f64 {
        match self {
            Kernel::Sum(a, b) => a.eval(x, y) + b.eval(x, y),
            Kernel::Product(a, b) => a.eval(x, y) * b.eval(x, y),
            _ => self.leaf(x, y, None),
        }
    }

    /// k(x, x'), writing ∂k/∂(log-parameter) into `grad` (length
    /// [`n_params`](Self::n_params)).
    pub fn eval_grad(&self, x: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
        match self {
            Kernel::Sum(a, b) => {
                let (ga, gb) = grad.split_at_mut(a.n_params());
                a.eval_grad(x, y, ga) + b.eval_grad(x, y, gb)
            }
            Kernel::Product(a, b) => {
                let (ga, gb) = grad.split_at_mut(a.n_params());
                let ka = a.eval_grad(x, y, ga);
                let kb = b.eval_grad(x, y, gb);
                ga.iter_mut().for_each(|g| *g *= kb);
                gb.iter_mut().for_each(|g| *g *= ka);
                ka * kb
            }
            _ => self.leaf(x, y, Some(grad)),
        }
    }

    /// One leaf kernel, with its gradient when `grad` is given.
    fn leaf(&self, x: &[f64], y: &[f64], grad: Option<&mut [f64]>) -> f64 {
        match self {
            Kernel::SquaredExp(p) | Kernel::Matern32(p) | Kernel::Matern52(p) => {
                stationary(self, p, x, y, grad)
            }
            Kernel::Periodic(p) => periodic(p, x, y, grad),
            Kernel::Linear(p) | Kernel::White(p) | Kernel::Constant(p) => {
                let s2 = p[0].exp();
                let base = match self {
                    Kernel::Linear(_) => dot(x, y),
                    Kernel::White(_) => f64::from(u8::from(x == y)),
                    _ => 1.0,
                };
                if let Some(g) = grad {
                    g[0] = s2 * base;
                }
                s2 * base
            }
            Kernel::ArcCos0(p) => super::arccos::arccos(0, p, x, y, grad),
            Kernel::ArcCos1(p) => super::arccos::arccos(1, p, x, y, grad),
            Kernel::Sum(..) | Kernel::Product(..) => {
                unreachable!("composite kernels are not leaves")
            }
        }
    }
}

pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// SE and Matérn kernels: all functions of the scaled squared distance r² = Σ_d r_d²;
/// ∂k/∂ln l_d = −(∂k/∂r²)·2 r_d² = h(r)·r_d² with h given per kernel below. Computes
/// σ² and 1/l_d from the log-parameters; [`Prepared`] does that once per matrix.
fn stationary(k: &Kernel, p: &[f64], x: &[f64], y: &[f64], grad: Option<&mut [f64]>) -> f64 {
    let mut stack = [0.0; 16];
    let mut heap = Vec::new();
    let inv_l: &mut [f64] = if x.len() <= stack.len() {
        &mut stack[..x.len()]
    } else {
        heap.resize(x.len(), 0.0);
        &mut heap
    };
    inv_l
        .iter_mut()
        .zip(&p[1..])
        .for_each(|(v, ll)| *v = (-ll).exp());
    stationary_scaled(k, p[0].exp(), inv_l, x, y, grad)
}

/// [`stationary`] with σ² and the inverse length-scales given.
pub(crate) fn stationary_scaled(
    k: &Kernel,
    s2: f64,
    inv_l: &[f64],
    x: &[f64],
    y: &[f64],
    grad: Option<&mut [f64]>,
) -> f64 {
    let mut r2 = 0.0;
    for ((a, b), il) in x.iter().zip(y).zip(inv_l) {
        let r = (a - b) * il;
        r2 += r * r;
    }
    let r = r2.sqrt();
    // (value, h) with ∂k/∂ln l_d = h · r_d².
    let (value, h) = match k {
        Kernel::SquaredExp(_) => {
            let v = s2 * (-0.5 * r2).exp();
            (v, v)
        }
        Kernel::Matern32(_) => {
            let e = (-(3f64.sqrt()) * r).exp();
            (s2 * (1.0 + 3f64.sqrt() * r) * e, s2 * 3.0 * e)
        }
        _ => {
            let s5 = 5f64.sqrt();
            let e = (-s5 * r).exp();
            (
                s2 * (1.0 + s5 * r + 5.0 * r2 / 3.0) * e,
                s2 * (5.0 / 3.0) * (1.0 + s5 * r) * e,
            )
        }
    };
    if let Some(g) = grad {
        g[0] = value;
        for (((gd, a), b), il) in g[1..].iter_mut().zip(x).zip(y).zip(inv_l) {
            let r = (a - b) * il;
            *gd = h * r * r;
        }
    }
    value
}

/// ∂k/∂ln l = k · 4S/l², ∂k/∂ln P = k · (2π/(l² P)) Σ_d Δ_d sin(2π Δ_d / P), with
/// S = Σ_d sin²(π Δ_d / P).
fn periodic(p: &[f64; 3], x: &[f64], y: &[f64], grad: Option<&mut [f64]>) -> f64 {
    let (s2, l2, period) = (p[0].exp(), (2.0 * p[1]).exp(), p[2].exp());
    let mut s = 0.0;
    let mut t = 0.0;
    for (a, b) in x.iter().zip(y) {
        let d = a - b;
        let sn = (PI * d / period).sin();
        s += sn * sn;
        t += d * (2.0 * PI * d / period).sin();
    }
    let value = s2 * (-2.0 * s / l2).exp();
    if let Some(g) = grad {
        g[0] = value;
        g[1] = value * 4.0 * s / l2;
        g[2] = value * 2.0 * PI * t / (l2 * period);
    }
    value
}
