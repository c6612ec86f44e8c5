//! Optimisers: Adam (Keras' form, Gal's defaults) and SGD with momentum. Weight decay is
//! applied here as the gradient term `2 λ W` of the penalty `λ ‖W‖²`, fused with the update.

use crate::error::{Error, Result};
use crate::nn::backprop::{Gradients, Tensors};
use crate::nn::{Network, Real};
use serde::{Deserialize, Serialize};

/// An optimiser and its hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Optimizer {
    /// Adam in Keras' form: `lr_t = lr √(1 − β2ᵗ) / (1 − β1ᵗ)`,
    /// `w ← w − lr_t m / (√v + ε)`.
    Adam {
        /// Learning rate (default 1e-3).
        lr: f64,
        /// First-moment decay (default 0.9).
        beta1: f64,
        /// Second-moment decay (default 0.999).
        beta2: f64,
        /// ε (default 1e-7, Keras).
        eps: f64,
    },
    /// SGD with momentum: `v ← μ v − lr g`, `w ← w + v`.
    Sgd {
        /// Learning rate.
        lr: f64,
        /// Momentum μ in [0, 1).
        momentum: f64,
    },
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer::Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-7,
        }
    }
}

impl Optimizer {
    /// Checks the hyper-parameters.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &str, reason: String| {
            Err(Error::InvalidParameter {
                name: name.into(),
                reason,
            })
        };
        let lr = match *self {
            Optimizer::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => {
                if !(0.0..1.0).contains(&beta1) || !(0.0..1.0).contains(&beta2) {
                    return bad(
                        "adam betas",
                        format!("must be in [0, 1), got {beta1}, {beta2}"),
                    );
                }
                if !(eps > 0.0 && eps.is_finite()) {
                    return bad("adam epsilon", format!("must be positive, got {eps}"));
                }
                lr
            }
            Optimizer::Sgd { lr, momentum } => {
                if !(0.0..1.0).contains(&momentum) {
                    return bad("--momentum", format!("must be in [0, 1), got {momentum}"));
                }
                lr
            }
        };
        if !(lr > 0.0 && lr.is_finite()) {
            return bad(
                "--lr",
                format!("the learning rate must be positive, got {lr}"),
            );
        }
        Ok(())
    }
}

/// Optimiser state (moments), shaped like the network, in the engine's float type.
#[derive(Debug, Clone)]
pub struct OptimizerState<T = f64> {
    opt: Optimizer,
    step: u64,
    m: Gradients<T>,
    v: Gradients<T>,
}

impl<T: Real> OptimizerState<T> {
    /// Fresh state for `net`.
    pub fn new(opt: Optimizer, net: &Network) -> Self {
        Self {
            opt,
            step: 0,
            m: Gradients::zeros(net),
            v: Gradients::zeros(net),
        }
    }

    /// One update of every parameter from the data gradient `g`, adding `2 λ_i W_i` for
    /// kernels and `2 λ_b b` for biases.
    pub fn step(
        &mut self,
        params: &mut Tensors<T>,
        g: &Gradients<T>,
        decay: &[f64],
        bias_decay: f64,
    ) {
        self.step += 1;
        let t = self.step as i32;
        let f = T::from_f64;
        // Adam's bias-corrected rate, the same for every layer: computed once per step.
        let lr_t = match self.opt {
            Optimizer::Adam {
                lr, beta1, beta2, ..
            } => lr * (1.0 - beta2.powi(t)).sqrt() / (1.0 - beta1.powi(t)),
            Optimizer::Sgd { .. } => 0.0,
        };
        for (i, (w, b)) in params
            .weights
            .iter_mut()
            .zip(params.bias.iter_mut())
            .enumerate()
        {
            let (mw, vw) = (&mut self.m.weights[i], &mut self.v.weights[i]);
            let (mb, vb) = (&mut self.m.bias[i], &mut self.v.bias[i]);
            match self.opt {
                Optimizer::Adam {
                    beta1, beta2, eps, ..
                } => {
                    crate::nn::kernels::adam(
                        w,
                        &g.weights[i],
                        mw,
                        vw,
                        f(2.0 * decay[i]),
                        f(lr_t),
                        f(beta1),
                        f(beta2),
                        f(eps),
                    );
                    crate::nn::kernels::adam(
                        b,
                        &g.bias[i],
                        mb,
                        vb,
                        f(2.0 * bias_decay),
                        f(lr_t),
                        f(beta1),
                        f(beta2),
                        f(eps),
                    );
                }
                Optimizer::Sgd { lr, momentum } => {
                    sgd(w, &g.weights[i], mw, f(2.0 * decay[i]), f(lr), f(momentum));
                    sgd(b, &g.bias[i], mb, f(2.0 * bias_decay), f(lr), f(momentum));
                }
            }
        }
    }
}

#[inline]
fn sgd<T: Real>(w: &mut [T], g: &[T], vel: &mut [T], d: T, lr: T, mu: T) {
    for ((w, &g), v) in w.iter_mut().zip(g).zip(vel.iter_mut()) {
        let g = g + d * *w;
        *v = mu * *v - lr * g;
        *w += *v;
    }
}
