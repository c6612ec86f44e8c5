//! One minibatch step of the beyond-grid methods: forward pass with a relaxed (Concrete),
//! exact Bernoulli or no dropout mask, the per-point Gaussian negative log-likelihood
//! (fixed τ or a learned log-variance head), the prior's KL term, and exact gradients with
//! respect to the weights, the biases and every layer's drop probability.
//!
//! The objective of one minibatch S of M rows out of N is the negative ELBO divided by N
//! (DESIGN §5), with the KL of Gal, Hron & Kendall (2017, eq. 3 and their reference code):
//!
//! ```text
//! L = (1/M) Σ_{r∈S} nll_r  +  (1/N) Σ_i [ l² / (2 (1 − p_i)) ‖W_i‖²  −  K_i H(p_i) ]
//! nll_r = ½ s_r + ½ (y_r − μ_r)² e^{−s_r}      (heteroscedastic head: outputs μ, s = log σ²)
//! nll_r = ½ τ (y_r − μ_r)²                      (fixed τ, in the network's units)
//! H(p)  = −p log p − (1 − p) log(1 − p)          (only when p is learned)
//! ```
//!
//! `W_i` is the kernel as used with inverted dropout (inputs scaled by 1/(1 − p)), so the
//! weight term is the l²(1 − p)/2 ‖M‖² of DESIGN §5 for M = W/(1 − p); `K_i` is the input
//! width of layer i. The reference code's loss is twice this one (no ½ on either term).
//! The Concrete relaxation of the keep mask (temperature t, ε = 1e-7 as in the reference
//! code) is `z̃ = 1 − sigmoid((log(p+ε) − log(1−p+ε) + log(u+ε) − log(1−u+ε)) / t)`.

use crate::nn::matmul::{gemm, gemm_nt, gemm_tn};
use crate::nn::{Architecture, Real};
use rand::Rng;

/// ε inside the logs of the Concrete relaxation (the reference code's value).
pub const CONCRETE_EPS: f64 = 1e-7;

/// How the units entering each layer are masked during training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaskKind {
    /// No dropout (deep-ensemble members).
    None,
    /// Exact Bernoulli masks at fixed rates (MC dropout).
    Bernoulli,
    /// The Concrete relaxation at this temperature, rates learned.
    Concrete(f64),
}

/// What one step optimises (everything except the parameters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    /// The mask.
    pub mask: MaskKind,
    /// Outputs are (means, log-variances), `2·D` wide, instead of `D` means.
    pub heteroscedastic: bool,
    /// τ of the fixed-noise head, in the network's (standardised) units.
    pub tau_net: f64,
    /// Prior length-scale l.
    pub length_scale: f64,
    /// Training-set size N.
    pub n_train: usize,
    /// β of the β-NLL weighting (Seitzer et al., ICLR 2022) of the heteroscedastic head:
    /// each point's NLL gradient is scaled by its predicted variance σ²^β (held constant).
    /// 0 (the default) is the plain Gaussian NLL, whose gradients the checks verify; the
    /// reported loss is the plain NLL in either case.
    pub beta: f64,
}

/// Parameters being trained: kernels, biases and (Concrete) each layer's drop
/// probability as a logit, p = sigmoid(logit).
#[derive(Debug, Clone, PartialEq)]
pub struct Params<T> {
    /// Kernels, row-major `fan_in × fan_out`.
    pub weights: Vec<Vec<T>>,
    /// Biases.
    pub bias: Vec<Vec<T>>,
    /// Logits of the drop probabilities (one per layer).
    pub logit: Vec<f64>,
}

impl<T: Real> Params<T> {
    /// Zeros shaped like `other`.
    pub fn zeros_like(other: &Self) -> Self {
        Self {
            weights: other
                .weights
                .iter()
                .map(|w| vec![T::ZERO; w.len()])
                .collect(),
            bias: other.bias.iter().map(|b| vec![T::ZERO; b.len()]).collect(),
            logit: vec![0.0; other.logit.len()],
        }
    }

    /// The drop probabilities.
    pub fn rates(&self) -> Vec<f64> {
        self.logit.iter().map(|&l| sigmoid(l)).collect()
    }
}

/// The logistic function.
pub fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// The logit, log(p / (1 − p)).
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// The random numbers of one step: per layer, one U(0, 1) per (row, input unit).
#[derive(Debug, Clone, Default)]
pub struct StepNoise {
    /// Per layer, `rows × fan_in` uniforms (empty when the layer is not masked).
    pub uniforms: Vec<Vec<f64>>,
}

impl StepNoise {
    /// Draws the uniforms of a `rows`-row step for `arch` (none for [`MaskKind::None`]).
    pub fn draw<R: Rng>(&mut self, arch: &Architecture, mask: MaskKind, rows: usize, rng: &mut R) {
        self.uniforms.resize(arch.n_layers(), Vec::new());
        for (i, u) in self.uniforms.iter_mut().enumerate() {
            u.clear();
            if mask != MaskKind::None {
                u.extend((0..rows * arch.sizes[i]).map(|_| rng.random::<f64>()));
            }
        }
    }
}

/// Buffers of one step, reused.
#[derive(Debug, Clone, Default)]
pub struct StepBuffers<T> {
    /// Per layer: the layer's input before masking (`rows × fan_in`).
    act: Vec<Vec<T>>,
    /// Per layer: the masked, scaled input.
    masked: Vec<Vec<T>>,
    /// Per layer: the keep mask z̃ (relaxed or exact).
    keep: Vec<Vec<T>>,
    /// The output, `rows × n_out`.
    out: Vec<T>,
    delta: Vec<T>,
    dx: Vec<T>,
}

/// The relaxed keep masks of one layer: `1 − sigmoid((logit_ε(p) + logit_ε(u)) / t)` for
/// every uniform `u`. Written without transcendentals: with `s = (u+ε) / (c (1−u+ε))`,
/// `c = (1−p+ε)/(p+ε)`, the keep value is `1 / (1 + s^(1/t))`; for t = 0.1 (the paper's)
/// the power is four multiplications and the loop vectorises.
fn relaxed_keeps<T: Real>(keep: &mut Vec<T>, uniforms: &[f64], p: f64, t: f64) {
    let c = (1.0 - p + CONCRETE_EPS) / (p + CONCRETE_EPS);
    let inv_t = 1.0 / t;
    let s = |u: f64| (u + CONCRETE_EPS) / (c * (1.0 - u + CONCRETE_EPS));
    if (inv_t - 10.0).abs() < 1e-9 {
        keep.extend(uniforms.iter().map(|&u| {
            let s1 = s(u);
            let s2 = s1 * s1;
            let s4 = s2 * s2;
            T::from_f64(1.0 / (1.0 + s4 * s4 * s2))
        }));
    } else {
        keep.extend(
            uniforms
                .iter()
                .map(|&u| T::from_f64(1.0 / (1.0 + s(u).powf(inv_t)))),
        );
    }
}

/// Forward pass, loss and gradients of one minibatch (`x`: `rows × inputs`, `y`:
/// `rows × D`, both standardised). Writes the gradients of [the objective](self) into
/// `grads` (the logits' entries are dL/dlogit) and returns the objective.
#[allow(clippy::too_many_arguments)]
pub fn loss_and_grad<T: Real>(
    arch: &Architecture,
    obj: &Objective,
    params: &Params<T>,
    x: &[T],
    y: &[T],
    rows: usize,
    noise: &StepNoise,
    buf: &mut StepBuffers<T>,
    grads: &mut Params<T>,
) -> f64 {
    let nl = arch.n_layers();
    let rates: Vec<f64> = match obj.mask {
        MaskKind::Concrete(_) => params.rates(),
        MaskKind::Bernoulli => arch.dropout.clone(),
        MaskKind::None => vec![0.0; nl],
    };
    buf.act.resize(nl, Vec::new());
    buf.masked.resize(nl, Vec::new());
    buf.keep.resize(nl, Vec::new());
    buf.act[0].clear();
    buf.act[0].extend_from_slice(x);
    for i in 0..nl {
        let (k, n) = (arch.sizes[i], arch.sizes[i + 1]);
        let p = rates[i];
        let scale = 1.0 / (1.0 - p);
        let (act, rest) = buf.act.split_at_mut(i + 1);
        let a = &act[i];
        let keep = &mut buf.keep[i];
        keep.clear();
        match obj.mask {
            MaskKind::None => {}
            MaskKind::Bernoulli => keep.extend(
                noise.uniforms[i]
                    .iter()
                    .map(|&u| if u < p { T::ZERO } else { T::ONE }),
            ),
            MaskKind::Concrete(t) => relaxed_keeps(keep, &noise.uniforms[i], p, t),
        }
        let masked = &mut buf.masked[i];
        masked.clear();
        if keep.is_empty() {
            masked.extend_from_slice(a);
        } else {
            let s = T::from_f64(scale);
            masked.extend(a.iter().zip(keep.iter()).map(|(&a, &z)| a * z * s));
        }
        let out: &mut Vec<T> = if i + 1 == nl {
            &mut buf.out
        } else {
            &mut rest[0]
        };
        out.resize(rows * n, T::ZERO);
        gemm(out, masked, &params.weights[i], rows, k, n, false);
        for row in out.chunks_exact_mut(n) {
            row.iter_mut()
                .zip(&params.bias[i])
                .for_each(|(o, &b)| *o += b);
        }
        if i + 1 < nl {
            arch.activation.apply(out);
        }
    }
    // Data term and dL/d(output).
    let d = y.len() / rows.max(1);
    let n_out = arch.sizes[nl];
    buf.delta.resize(rows * n_out, T::ZERO);
    let inv_m = 1.0 / rows as f64;
    let mut data = 0.0;
    for r in 0..rows {
        let o = &buf.out[r * n_out..(r + 1) * n_out];
        let dl = &mut buf.delta[r * n_out..(r + 1) * n_out];
        for j in 0..d {
            let res = y[r * d + j].to_f64() - o[j].to_f64();
            if obj.heteroscedastic {
                let s = o[d + j].to_f64();
                let prec = (-s).exp();
                data += 0.5 * s + 0.5 * res * res * prec;
                let w = if obj.beta == 0.0 {
                    inv_m
                } else {
                    (obj.beta * s).exp() * inv_m
                };
                dl[j] = T::from_f64(-res * prec * w);
                dl[d + j] = T::from_f64((0.5 - 0.5 * res * res * prec) * w);
            } else {
                data += 0.5 * obj.tau_net * res * res;
                dl[j] = T::from_f64(-obj.tau_net * res * inv_m);
            }
        }
    }
    let mut loss = data * inv_m;
    // Backward.
    let l2 = obj.length_scale * obj.length_scale;
    let inv_n = 1.0 / obj.n_train as f64;
    let learn_p = matches!(obj.mask, MaskKind::Concrete(_));
    for i in (0..nl).rev() {
        let (k, n) = (arch.sizes[i], arch.sizes[i + 1]);
        let p = rates[i];
        let scale = 1.0 / (1.0 - p);
        gemm_tn(
            &mut grads.weights[i],
            &buf.masked[i],
            &buf.delta,
            rows,
            k,
            n,
        );
        let gb = &mut grads.bias[i];
        gb.iter_mut().for_each(|g| *g = T::ZERO);
        for row in buf.delta.chunks_exact(n) {
            gb.iter_mut().zip(row).for_each(|(g, &v)| *g += v);
        }
        // The prior's weight term.
        let w = &params.weights[i];
        let coef = l2 * scale * inv_n;
        let sq: f64 = w.iter().map(|&v| v.to_f64() * v.to_f64()).sum();
        loss += 0.5 * coef * sq;
        let cf = T::from_f64(coef);
        grads.weights[i]
            .iter_mut()
            .zip(w)
            .for_each(|(g, &v)| *g += cf * v);
        let need_dx = i > 0 || learn_p;
        if need_dx {
            buf.dx.resize(rows * k, T::ZERO);
            gemm_nt(&mut buf.dx, &buf.delta, w, rows, n, k);
        }
        if learn_p {
            let MaskKind::Concrete(t) = obj.mask else {
                unreachable!()
            };
            let c = 1.0 / (p + CONCRETE_EPS) + 1.0 / (1.0 - p + CONCRETE_EPS);
            let mut dp = 0.0;
            // Σ g a (dz̃/dp / (1−p) + z̃ / (1−p)²), dz̃/dp = −z̃(1−z̃) c / t.
            let (k1, k2) = (-c / t * scale, scale * scale);
            for ((&g, &a), &z) in buf.dx.iter().zip(&buf.act[i]).zip(&buf.keep[i]) {
                let (ga, z) = ((g * a).to_f64(), z.to_f64());
                dp += ga * z * ((1.0 - z) * k1 + k2);
            }
            // The prior: weight term's p-dependence and the entropy term (K log(p/(1−p))).
            dp += 0.5 * l2 * sq * scale * scale * inv_n;
            let kf = k as f64;
            let ent = p * p.ln() + (1.0 - p) * (1.0 - p).ln();
            loss += kf * ent * inv_n;
            dp += kf * (p / (1.0 - p)).ln() * inv_n;
            grads.logit[i] = dp * p * (1.0 - p);
        }
        if i == 0 {
            break;
        }
        // dL/d(act_i) = dx ∘ keep · scale, then through the previous activation.
        if !buf.keep[i].is_empty() {
            let s = T::from_f64(scale);
            buf.dx
                .iter_mut()
                .zip(&buf.keep[i])
                .for_each(|(g, &z)| *g = *g * z * s);
        }
        arch.activation.backprop(&buf.act[i], &mut buf.dx);
        std::mem::swap(&mut buf.delta, &mut buf.dx);
    }
    loss
}
