//! The squared-error data term of the training loss and its gradient.

use crate::prior::LossConvention;

/// Data loss of a minibatch (`rows × d` outputs and targets, row-major) under `conv`, and
/// its gradient with respect to the outputs written into `dout`.
///
/// - [`LossConvention::Gal`]: `L = (1/(rows·d)) Σ (ŷ − y)²`, `dL/dŷ = 2 (ŷ − y) / (rows·d)`;
/// - [`LossConvention::Halved`]: `L = (1/rows) Σ ½ (ŷ − y)²`, `dL/dŷ = (ŷ − y) / rows`.
pub fn squared_error(
    conv: LossConvention,
    out: &[f64],
    y: &[f64],
    rows: usize,
    dout: &mut Vec<f64>,
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
    dout.extend(out.iter().zip(y).map(|(&o, &t)| {
        let r = o - t;
        sum += r * r;
        grad_scale * r
    }));
    scale * sum
}

/// The weight-decay penalty `Σ_i λ_i ‖W_i‖² + λ_b Σ_i ‖b_i‖²`.
pub fn decay_penalty(net: &crate::nn::Network, decay: &[f64], bias_decay: f64) -> f64 {
    net.layers
        .iter()
        .zip(decay)
        .map(|(l, &d)| {
            d * l.weights.iter().map(|v| v * v).sum::<f64>()
                + bias_decay * l.bias.iter().map(|v| v * v).sum::<f64>()
        })
        .sum()
}
