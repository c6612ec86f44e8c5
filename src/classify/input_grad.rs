//! The gradient of the cross-entropy loss with respect to the *input* of the
//! deterministic pass, `∂(−ln softmax(f(x))_y)/∂x` — what the fast gradient sign method
//! (FGSM, Goodfellow et al. 2015) perturbs along.

use super::classifier::Classifier;
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::train::softmax::softmax_into;
use ndarray::{Array2, ArrayView2};

/// Per-row gradient of `−ln softmax(f(x_r))_{y_r}` with respect to `x_r`, for the
/// deterministic (no-dropout) pass of `net` on `xs` (`N × inputs`, in the network's
/// standardised units). Returns `N × inputs`.
pub fn input_gradient(net: &Network, xs: ArrayView2<f64>, y: &[usize]) -> Result<Array2<f64>> {
    let c = net.n_outputs();
    if xs.ncols() != net.n_inputs() || xs.nrows() != y.len() || y.iter().any(|&k| k >= c) {
        return Err(Error::Shape(format!(
            "inputs {:?} and {} labels do not fit a {:?} network",
            xs.dim(),
            y.len(),
            net.arch.sizes
        )));
    }
    // Forward, keeping every layer's output (after activation).
    let mut hs: Vec<Array2<f64>> = vec![xs.to_owned()];
    for (i, layer) in net.layers.iter().enumerate() {
        let mut z = hs[i].dot(&layer.weights) + &layer.bias;
        for mut row in z.rows_mut() {
            if let Some(s) = row.as_slice_mut() {
                net.arch.activation_of(i).apply(s);
            }
        }
        hs.push(z);
    }
    // δ at the logits: softmax − one-hot.
    let mut delta = hs[net.layers.len()].clone();
    let mut p = vec![0.0; c];
    for (mut row, &k) in delta.rows_mut().into_iter().zip(y) {
        let z = row.to_vec();
        softmax_into(&z, &mut p);
        row.iter_mut().zip(&p).for_each(|(d, &v)| *d = v);
        row[k] -= 1.0;
    }
    for i in (0..net.layers.len()).rev() {
        let mut dh = delta.dot(&net.layers[i].weights.t());
        if i > 0 {
            let act = net.arch.activation_of(i - 1);
            for (mut g, h) in dh.rows_mut().into_iter().zip(hs[i].rows()) {
                if let (Some(g), Some(h)) = (g.as_slice_mut(), h.as_slice()) {
                    act.backprop(h, g);
                }
            }
        }
        delta = dh;
    }
    Ok(delta)
}

impl Classifier {
    /// Per-row gradient of the deterministic pass's cross-entropy with respect to the
    /// input in original units (`x` is `N × features`, `y` class indices).
    pub fn input_gradient(&self, x: ArrayView2<f64>, y: &[usize]) -> Result<Array2<f64>> {
        let xs = self.standardise(x)?;
        let g = input_gradient(&self.network, xs.view(), y)?;
        Ok(g / &self.x_scaler.std)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, Architecture, Init};

    /// Central differences of the per-row loss; tolerance as in tests/gradients.rs
    /// (five-point stencil, h = 1e-4: truncation ≈ 1e-16, rounding ≈ 1e-12·|L|/|g|).
    #[test]
    fn matches_finite_differences() {
        for act in [Activation::Relu, Activation::Tanh] {
            let arch = Architecture::new(3, &[7, 4], 3, act, 0.2).unwrap();
            let mut net = Network::init(arch, Init::GlorotUniform, 0.0, 3).unwrap();
            net.layers[0].bias.mapv_inplace(|_| 0.1);
            let x = Array2::from_shape_fn((4, 3), |(i, j)| ((i * 3 + j) as f64 * 0.77).sin());
            let y = [0, 2, 1, 2];
            let g = input_gradient(&net, x.view(), &y).unwrap();
            let loss = |x: &Array2<f64>, r: usize| {
                let out = net.forward(x.view()).unwrap();
                let mut p = vec![0.0; 3];
                let z = out.row(r).to_vec();
                let lse = softmax_into(&z, &mut p);
                lse - z[y[r]]
            };
            let h = 1e-4;
            for r in 0..4 {
                for j in 0..3 {
                    let at = |d: f64| {
                        let mut xx = x.clone();
                        xx[[r, j]] += d;
                        loss(&xx, r)
                    };
                    let fd =
                        (-at(2.0 * h) + 8.0 * at(h) - 8.0 * at(-h) + at(-2.0 * h)) / (12.0 * h);
                    let err = (g[[r, j]] - fd).abs() / g[[r, j]].abs().max(fd.abs()).max(1e-8);
                    assert!(
                        err < 1e-6,
                        "{act:?} row {r} input {j}: {} vs {fd}",
                        g[[r, j]]
                    );
                }
            }
        }
    }
}
