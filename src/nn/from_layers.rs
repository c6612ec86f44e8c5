//! Building a network from parameters trained elsewhere (e.g. a PyTorch module's weights).

use super::network::{Architecture, Layer, Network};
use crate::error::{Error, Result};

impl Network {
    /// A network with the given architecture and parameters, checked: one layer per entry
    /// of `arch.dropout`, kernel `i` of shape `sizes[i] × sizes[i + 1]` (fan-in × fan-out),
    /// bias `i` of length `sizes[i + 1]`, every value finite. Kernels are copied into
    /// standard (row-major) layout where they are not already.
    ///
    /// ```
    /// use mcdropout::nn::{Activation, Architecture, Layer, Network};
    /// use ndarray::{Array1, Array2};
    /// let arch = Architecture::new(2, &[3], 1, Activation::Tanh, 0.1).unwrap();
    /// let layers = vec![
    ///     Layer { weights: Array2::ones((2, 3)), bias: Array1::zeros(3) },
    ///     Layer { weights: Array2::ones((3, 1)), bias: Array1::zeros(1) },
    /// ];
    /// let net = Network::from_layers(arch, layers).unwrap();
    /// assert_eq!(net.n_params(), 13);
    /// ```
    pub fn from_layers(arch: Architecture, layers: Vec<Layer>) -> Result<Self> {
        arch.validate()?;
        if layers.len() != arch.n_layers() {
            return Err(Error::Shape(format!(
                "the architecture {:?} has {} layers, got parameters for {}",
                arch.sizes,
                arch.n_layers(),
                layers.len()
            )));
        }
        let mut checked = Vec::with_capacity(layers.len());
        for (i, (layer, w)) in layers.into_iter().zip(arch.sizes.windows(2)).enumerate() {
            if layer.weights.dim() != (w[0], w[1]) || layer.bias.len() != w[1] {
                return Err(Error::Shape(format!(
                    "layer {i}: expected a {}×{} kernel and {} biases, got {:?} and {}",
                    w[0],
                    w[1],
                    w[1],
                    layer.weights.dim(),
                    layer.bias.len()
                )));
            }
            let bad = layer
                .weights
                .iter()
                .chain(layer.bias.iter())
                .find(|v| !v.is_finite());
            if let Some(v) = bad {
                return Err(Error::Shape(format!(
                    "layer {i}: parameters must be finite, found {v}"
                )));
            }
            checked.push(Layer {
                weights: layer.weights.as_standard_layout().into_owned(),
                bias: layer.bias.as_standard_layout().into_owned(),
            });
        }
        Ok(Network {
            arch,
            layers: checked,
        })
    }
}
