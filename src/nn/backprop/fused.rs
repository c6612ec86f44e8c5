//! The way from the training buffers to the fused step of [`crate::nn::shallow_step`]:
//! whether it runs (decided once per step, in [`plan`]), and its `f32` views of the
//! parameters, buffers and gradients.

use super::{Gradients, Masks, Tensors, TrainBuffers};
use crate::nn::shallow_step::Plan;
use crate::nn::{Activation, Architecture, Real};

/// The fused step's plan for a training step of `rows` rows in `T`, or `None` for the
/// general path: `f32`, one hidden ReLU, tanh or sigmoid layer of at most 64 units, one
/// output, products small enough for the register-blocked kernel (so that the general
/// path sums in the same order, and the bits agree), and a fused kernel at the SIMD level
/// in force ([`Plan::new`]).
pub(super) fn plan<T: Real>(arch: &Architecture, rows: usize) -> Option<Plan> {
    T::as_f32(&[])?;
    Plan::new(shallow(arch, rows)?, crate::simd::level())
}

/// The shape of the fused step when the network has the fused step's layout.
fn shallow(arch: &Architecture, rows: usize) -> Option<crate::nn::shallow_step::Shape> {
    use crate::nn::shallow_step::Act;
    let (k, h) = (arch.sizes[0], *arch.sizes.get(1)?);
    let act = match arch.activation_of(0) {
        Activation::Relu => Act::Relu,
        Activation::Tanh => Act::Tanh,
        Activation::Sigmoid => Act::Sigmoid,
        Activation::Identity => return None,
    };
    let fits = arch.n_layers() == 2
        && arch.sizes[2] == 1
        && h <= crate::nn::shallow_step::MAX_HIDDEN
        && crate::nn::matmul::small(rows, k, h)
        && crate::nn::matmul::small(k, rows, h)
        && crate::nn::matmul::small(1, rows, h);
    fits.then_some(crate::nn::shallow_step::Shape { act, rows, k, h })
}

/// The hidden layer's dropout scale (as `f32`) and drops, for the fused step.
fn hidden_mask(masks: &Masks) -> (f32, &[u32]) {
    masks
        .layers
        .get(1)
        .and_then(|m| m.as_ref())
        .map_or((1.0, &[][..]), |m| (m.scale as f32, &m.dropped[..]))
}

/// [`crate::nn::shallow_step::forward`] on the buffers, sized by the plan; false (nothing
/// done) only if `T` is not `f32`, which [`plan`] rules out.
pub(super) fn fused_forward<T: Real>(
    plan: &Plan,
    params: &Tensors<T>,
    masks: &Masks,
    buf: &mut TrainBuffers<T>,
) -> bool {
    let sh = plan.shape();
    let (s1, dropped) = hidden_mask(masks);
    let len = plan.hidden_len();
    let (first, rest) = buf.inputs.split_at_mut(1);
    let (hact, out) = buf.outputs.split_at_mut(1);
    rest[0].resize(len, T::ZERO);
    if sh.act != crate::nn::shallow_step::Act::Relu {
        hact[0].resize(len, T::ZERO);
    }
    out[0].resize(sh.rows, T::ZERO);
    let (Some(x), Some(w1), Some(b1), Some(w2), Some(b2)) = (
        T::as_f32(&first[0]),
        T::as_f32(&params.weights[0]),
        T::as_f32(&params.bias[0]),
        T::as_f32(&params.weights[1]),
        T::as_f32(&params.bias[1]),
    ) else {
        return false;
    };
    let (Some(hm), Some(hact), Some(out)) = (
        T::as_f32_mut(&mut rest[0]),
        T::as_f32_mut(&mut hact[0]),
        T::as_f32_mut(&mut out[0]),
    ) else {
        return false;
    };
    crate::nn::shallow_step::forward(plan, x, w1, b1, s1, dropped, w2, b2[0], hm, hact, out);
    true
}

/// [`crate::nn::shallow_step::backward`] after [`fused_forward`] with the same plan; false
/// (nothing done) only if `T` is not `f32`.
pub(super) fn fused_backward<T: Real>(
    plan: &Plan,
    params: &Tensors<T>,
    masks: &Masks,
    buf: &mut TrainBuffers<T>,
    grads: &mut Gradients<T>,
) -> bool {
    let (s1, dropped) = hidden_mask(masks);
    let (gw0, gw1) = grads.weights.split_at_mut(1);
    let (Some(delta), Some(x), Some(hm), Some(hact), Some(w2)) = (
        T::as_f32(&buf.delta),
        T::as_f32(&buf.inputs[0]),
        T::as_f32(&buf.inputs[1]),
        T::as_f32(&buf.outputs[0]),
        T::as_f32(&params.weights[1]),
    ) else {
        return false;
    };
    let (Some(dw1), Some(db1), Some(dw2), Some(scratch)) = (
        T::as_f32_mut(&mut gw0[0]),
        T::as_f32_mut(&mut grads.bias[0]),
        T::as_f32_mut(&mut gw1[0]),
        T::as_f32_vec(&mut buf.dh),
    ) else {
        return false;
    };
    crate::nn::shallow_step::backward(
        plan, delta, x, hm, hact, dropped, w2, s1, dw1, db1, dw2, scratch,
    );
    true
}
