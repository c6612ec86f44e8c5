//! The squared-error data term of the training loss and its gradient.

use crate::nn::Real;
use crate::nn::backprop::Tensors;
use crate::prior::LossConvention;

/// Data loss of a minibatch (`rows × d` outputs and targets, row-major) under `conv`, and
/// its gradient with respect to the outputs written into `dout`.
///
/// - [`LossConvention::Gal`]: `L = (1/(rows·d)) Σ (ŷ − y)²`, `dL/dŷ = 2 (ŷ − y) / (rows·d)`;
/// - [`LossConvention::Halved`]: `L = (1/rows) Σ ½ (ŷ − y)²`, `dL/dŷ = (ŷ − y) / rows`.
pub fn squared_error<T: Real>(
    conv: LossConvention,
    out: &[T],
    y: &[T],
    rows: usize,
    dout: &mut Vec<T>,
) -> f64 {
    let (scale, grad_scale) = match conv {
        LossConvention::Gal => {
            let s = 1.0 / out.len() as f64;
            (s, 2.0 * s)
        }
        LossConvention::Halved => {
            let s = 1.0 / rows as f64;
            (0.5 * s, s)
        }
    };
    dout.clear();
    let mut sum = 0.0;
    let g = T::from_f64(grad_scale);
    dout.extend(out.iter().zip(y).map(|(&o, &t)| {
        let r = o - t;
        let r64 = r.to_f64();
        sum += r64 * r64;
        g * r
    }));
    scale * sum
}

/// The weight-decay penalty `Σ_i λ_i ‖W_i‖² + λ_b Σ_i ‖b_i‖²`, summed in `f64`.
pub fn decay_penalty<T: Real>(params: &Tensors<T>, decay: &[f64], bias_decay: f64) -> f64 {
    let sq = |v: &[T]| v.iter().map(|x| x.to_f64() * x.to_f64()).sum::<f64>();
    params
        .weights
        .iter()
        .zip(&params.bias)
        .zip(decay)
        .map(|((w, b), &d)| d * sq(w) + bias_decay * sq(b))
        .sum()
}
