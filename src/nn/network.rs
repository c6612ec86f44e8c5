//! The dense dropout network: architecture, parameters, initialisation and the
//! deterministic (weight-averaged) forward pass.

use super::activation::Activation;
use super::matmul::gemm;
use crate::error::{Error, Result};
use crate::rng::{Purpose, stream};
use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How kernels are initialised (biases start at `bias_init`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Init {
    /// U(−a, a) with a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio; Keras' default).
    #[default]
    GlorotUniform,
    /// U(−a, a) with a = sqrt(6 / fan_in) (He et al., for ReLU nets).
    HeUniform,
}

/// Architecture of a dense dropout network.
///
/// Layer `i` maps `h_{i-1}` (width `sizes[i]`) to `h_i` (width `sizes[i+1]`):
/// `h_i = act_i((h_{i-1} ∘ z_i / (1 − p_i)) W_i + b_i)` with `z_i ~ Bernoulli(1 − p_i)`
/// while sampling; the last layer is linear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Architecture {
    /// Layer widths: input, hidden..., output.
    pub sizes: Vec<usize>,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// Drop probability of the units entering each layer (`sizes.len() - 1` entries;
    /// the first is the input layer's).
    pub dropout: Vec<f64>,
}

impl Architecture {
    /// `input → hidden… → output`, one activation for every hidden layer, the same drop
    /// probability `p` before every layer (Gal's setting).
    pub fn new(
        input: usize,
        hidden: &[usize],
        output: usize,
        activation: Activation,
        p: f64,
    ) -> Result<Self> {
        let mut sizes = vec![input];
        sizes.extend_from_slice(hidden);
        sizes.push(output);
        let dropout = vec![p; sizes.len() - 1];
        let arch = Self {
            sizes,
            activation,
            dropout,
        };
        arch.validate()?;
        Ok(arch)
    }

    /// Checks widths and rates.
    pub fn validate(&self) -> Result<()> {
        if self.sizes.len() < 2 || self.sizes.contains(&0) {
            return Err(Error::InvalidParameter {
                name: "--hidden".into(),
                reason: format!("every layer needs at least one unit, got {:?}", self.sizes),
            });
        }
        if self.dropout.len() != self.sizes.len() - 1 {
            return Err(Error::InvalidParameter {
                name: "--dropout".into(),
                reason: format!(
                    "need one rate per layer ({}), got {}",
                    self.sizes.len() - 1,
                    self.dropout.len()
                ),
            });
        }
        for &p in &self.dropout {
            if !(0.0..1.0).contains(&p) {
                return Err(Error::InvalidParameter {
                    name: "--dropout".into(),
                    reason: format!("a dropout rate must be in [0, 1), got {p}"),
                });
            }
        }
        crate::limits::check_network(&self.sizes)
    }

    /// Number of dense layers.
    pub fn n_layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// Activation of layer `i` (identity for the last).
    pub fn activation_of(&self, i: usize) -> Activation {
        if i + 1 == self.n_layers() {
            Activation::Identity
        } else {
            self.activation
        }
    }
}

/// One dense layer's parameters: `weights` is `fan_in × fan_out` (row `j` holds the
/// outgoing weights of input unit `j`).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Kernel, `fan_in × fan_out`.
    pub weights: Array2<f64>,
    /// Bias, `fan_out`.
    pub bias: Array1<f64>,
}

/// A dense dropout network (architecture + parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// The architecture.
    pub arch: Architecture,
    /// Parameters, one entry per layer.
    pub layers: Vec<Layer>,
}

impl Network {
    /// A network with freshly initialised kernels (stream `(seed, Init)`) and biases set to
    /// `bias_init`.
    ///
    /// ```
    /// use mcdropout::nn::{Activation, Architecture, Init, Network};
    /// let arch = Architecture::new(3, &[8], 1, Activation::Relu, 0.1).unwrap();
    /// let net = Network::init(arch, Init::GlorotUniform, 0.0, 42).unwrap();
    /// assert_eq!(net.layers[0].weights.dim(), (3, 8));
    /// ```
    pub fn init(arch: Architecture, init: Init, bias_init: f64, seed: u64) -> Result<Self> {
        arch.validate()?;
        let mut rng = stream(seed, Purpose::Init, 0);
        let layers = arch
            .sizes
            .windows(2)
            .map(|w| {
                let (fan_in, fan_out) = (w[0], w[1]);
                let a = match init {
                    Init::GlorotUniform => (6.0 / (fan_in + fan_out) as f64).sqrt(),
                    Init::HeUniform => (6.0 / fan_in as f64).sqrt(),
                };
                let weights = Array2::from_shape_fn((fan_in, fan_out), |_| rng.random_range(-a..a));
                Layer {
                    weights,
                    bias: Array1::from_elem(fan_out, bias_init),
                }
            })
            .collect();
        Ok(Self { arch, layers })
    }

    /// Input width.
    pub fn n_inputs(&self) -> usize {
        self.arch.sizes[0]
    }

    /// Output width.
    pub fn n_outputs(&self) -> usize {
        *self.arch.sizes.last().unwrap_or(&0)
    }

    /// One drop sampler per layer, for the units entering it at that layer's rate.
    pub fn drop_samplers(&self) -> Vec<crate::rng::DropSampler> {
        self.arch
            .sizes
            .iter()
            .zip(&self.arch.dropout)
            .map(|(&k, &p)| crate::rng::DropSampler::new(k, p))
            .collect()
    }

    /// Total number of parameters.
    pub fn n_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.len() + l.bias.len())
            .sum()
    }

    /// The deterministic pass (no masks, no scaling: the weight-averaging approximation).
    /// `x` is `rows × n_inputs`, already standardised.
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.n_inputs() {
            return Err(Error::Shape(format!(
                "the network expects {} inputs, got {}",
                self.n_inputs(),
                x.ncols()
            )));
        }
        let rows = x.nrows();
        if crate::limits::uses_large_products(&self.arch.sizes, rows) {
            crate::limits::products::prepare()?;
        }
        let mut h: Vec<f64> = x.iter().copied().collect();
        for (i, layer) in self.layers.iter().enumerate() {
            let (k, n) = layer.weights.dim();
            let mut out = crate::limits::alloc::try_vec(
                rows.saturating_mul(n),
                0.0,
                "the outputs of a layer for every row",
            )?;
            gemm(&mut out, &h, weights_slice(layer), rows, k, n, false);
            let b = layer.bias.as_slice().unwrap_or(&[]);
            for row in out.chunks_exact_mut(n) {
                row.iter_mut().zip(b).for_each(|(o, &b)| *o += b);
                self.arch.activation_of(i).apply(row);
            }
            h = out;
        }
        Array2::from_shape_vec((rows, self.n_outputs()), h).map_err(|e| Error::Shape(e.to_string()))
    }
}

/// The kernel as a row-major slice. Kernels are created in standard layout and never
/// reshaped, so this always succeeds for networks built by this crate.
#[inline]
pub(crate) fn weights_slice(layer: &Layer) -> &[f64] {
    layer
        .weights
        .as_slice()
        .expect("kernels are stored in standard (row-major) layout")
}
