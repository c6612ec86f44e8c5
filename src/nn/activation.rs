//! Activation functions and their derivatives.

use super::real::Real;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A unit's non-linearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Activation {
    /// max(0, z) (Gal's default).
    #[default]
    Relu,
    /// tanh(z).
    Tanh,
    /// 1 / (1 + e^{−z}).
    Sigmoid,
    /// z.
    Identity,
}

impl Activation {
    /// Applies the activation in place.
    #[inline]
    pub fn apply<T: Real>(self, z: &mut [T]) {
        match self {
            Activation::Relu => super::kernels::relu(z),
            Activation::Tanh => super::kernels::tanh(z),
            Activation::Sigmoid => super::kernels::sigmoid(z),
            Activation::Identity => {}
        }
    }

    /// Multiplies `grad` (dL/dh) in place by dh/dz, given the activation's output `h`.
    /// Every supported activation's derivative is a function of its output
    /// (ReLU: h > 0; tanh: 1 − h²; sigmoid: h (1 − h)).
    #[inline]
    pub fn backprop<T: Real>(self, h: &[T], grad: &mut [T]) {
        match self {
            Activation::Relu => super::kernels::relu_backprop(h, grad),
            Activation::Tanh | Activation::Sigmoid => {
                let (c0, c1) = self.derivative_coefficients::<T>();
                super::kernels::smooth_backprop(h, grad, c0, c1);
            }
            Activation::Identity => {}
        }
    }

    /// `(c0, c1)` with dh/dz = c0 + h (c1 − h) for the smooth activations (tanh:
    /// 1 − h²; sigmoid: h (1 − h)); `(1, 0)` otherwise (unused).
    #[inline]
    pub(crate) fn derivative_coefficients<T: Real>(self) -> (T, T) {
        match self {
            Activation::Sigmoid => (T::ZERO, T::ONE),
            _ => (T::ONE, T::ZERO),
        }
    }

    /// The lower-case name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Identity => "identity",
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "relu" => Ok(Activation::Relu),
            "tanh" => Ok(Activation::Tanh),
            "sigmoid" => Ok(Activation::Sigmoid),
            "identity" | "linear" => Ok(Activation::Identity),
            other => Err(format!(
                "unknown activation {other:?} (expected relu, tanh, sigmoid or identity)"
            )),
        }
    }
}
