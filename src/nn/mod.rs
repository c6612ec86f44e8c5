//! Dense dropout networks: layers, activations, masks, forward and backward passes.

mod activation;
pub mod backprop;
mod denormals;
mod from_layers;
mod gemm_simd;
#[doc(hidden)]
pub mod kernels;
#[doc(hidden)]
pub mod matmul;
mod network;
pub mod real;
#[doc(hidden)]
pub mod reductions;
#[doc(hidden)]
pub mod shallow_step;
#[doc(hidden)]
pub mod vmath;

pub use activation::Activation;
pub use denormals::FlushDenormals;
pub use network::{Architecture, Init, Layer, Network};
pub use real::Real;

/// Row-major kernel of layer `i`.
#[inline]
pub(crate) fn weights_of(net: &Network, i: usize) -> &[f64] {
    network::weights_slice(&net.layers[i])
}
