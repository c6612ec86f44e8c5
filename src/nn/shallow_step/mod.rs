//! The training step of Gal's network — one hidden ReLU (or tanh, or sigmoid) layer of at
//! most 64 units and one output, in `f32` — with the forward pass fused into one sweep over
//! blocks of four rows and the backward pass into one sweep over the rows plus one product
//! (AVX-512). The general path ([`super::backprop`]) sweeps the batch once per operation
//! (forwards the product, the epilogue, the zeroing of the drops, the output's dot
//! products; backwards the output weights' product, the masked outer product with the
//! bias gradient, the input weights' product) through buffers that together exceed L1;
//! here a block's hidden rows stay in registers from the product to the output.
//!
//! **The same bits as the general path.** Every element goes through the same operations
//! in the same order: the hidden pre-activation `Σ_j x_j W_jc` by fused multiply-adds in
//! `j` order from zero (as the register-blocked kernel `gemm_simd`); the epilogue `v = z + b`,
//! `h = v > 0 ? v · s : 0` (tanh and the sigmoid: `a = act(v)` by the general path's own
//! kernel, `h = a · s`), then the drops set to zero; the output as [`super::kernels::dot`]
//! computes it (eight partial sums over chunks of eight, added in order, plus the tail's
//! products) plus the bias; backwards `dW₂ = Σ_r δ_r h_r` and `dW₁ = Σ_r x_r ⊗ dh_r` by
//! multiply-adds in row order from zero, `dh = h > 0 ? (δ s) w : 0` (tanh, sigmoid:
//! `dh = ((δ w, zero where dropped) · s) · (c₀ + a (c₁ − a))`) and `db₁ = Σ_r dh_r` by
//! additions in row order. So a model trained on a processor with AVX-512 is bit for
//! bit the model trained on one without (tested in `tests/shallow_step.rs` against the
//! general path).
//!
//! Measured: `examples/stepprof.rs` and `mcdropout bench` (BENCHMARKS.md, issue 11).

/// Units of the hidden layer handled (four vectors of 16 lanes).
pub const MAX_HIDDEN: usize = 64;

/// Rows of a batch handled (the register-blocked products take at most 512).
pub const MAX_ROWS: usize = 512;

/// Length of the buffer for the hidden layer between [`forward`] and [`backward`]: rows of
/// `h` rounded up to whole vectors (16 floats), from the buffer's first 64-byte boundary,
/// so that every row is written and read by aligned full-width accesses.
pub fn hidden_len(rows: usize, h: usize) -> usize {
    rows * h.div_ceil(16) * 16 + 16
}

/// Where the padded rows of a buffer of [`hidden_len`] start (elements), or `None` when
/// the buffer cannot be aligned.
fn hidden_offset(hm: &[f32]) -> Option<usize> {
    Some(hm.as_ptr().align_offset(64)).filter(|&o| o < 16)
}

/// The hidden layer's activation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Act {
    /// max(z, 0).
    Relu,
    /// tanh z, as [`super::kernels::smooth_scale_copy`] computes it.
    Tanh,
    /// 1 / (1 + e^{−z}), likewise.
    Sigmoid,
}

/// Where the rows of `hm` and (tanh, sigmoid) `hact` start: their first 64-byte
/// boundaries; for ReLU `hact` is not used (its end is returned). `None` when a buffer
/// cannot be aligned or is too short.
fn offsets(sh: Shape, hm: &[f32], hact: &[f32]) -> Option<(usize, usize)> {
    let off = hidden_offset(hm)?;
    let off_a = match sh.act {
        Act::Relu => hact.len(),
        _ if hact.len() >= hidden_len(sh.rows, sh.h) => hidden_offset(hact)?,
        _ => return None,
    };
    Some((off, off_a))
}

/// The shapes one block works on.
#[derive(Clone, Copy)]
pub struct Shape {
    /// The hidden layer's activation.
    pub act: Act,
    /// Rows of the batch.
    pub rows: usize,
    /// Inputs.
    pub k: usize,
    /// Hidden units, `1..=MAX_HIDDEN`.
    pub h: usize,
}

/// Fused training forward pass: `hm ← mask(act(x · W₁ + b₁) · s)` (`rows × h`, the
/// dropped flat positions `dropped` set to 0; in `hm`'s own padded layout, of
/// [`hidden_len`] floats, read back by [`backward`]; for tanh and the sigmoid also
/// `hact ← act(x · W₁ + b₁)`, likewise) and `out ← hm · w₂ + b₂` (`rows`).
/// `x` is the masked, scaled input (`rows × k`). Returns false (doing nothing) when the
/// processor has no AVX-512 or the shape is not handled.
#[allow(clippy::too_many_arguments)]
pub fn forward(
    sh: Shape,
    x: &[f32],
    w1: &[f32],
    b1: &[f32],
    s: f32,
    dropped: &[u32],
    w2: &[f32],
    b2: f32,
    hm: &mut [f32],
    hact: &mut [f32],
    out: &mut [f32],
) -> bool {
    let Shape { rows, k, h, .. } = sh;
    if h == 0 || h > MAX_HIDDEN || k == 0 || rows > MAX_ROWS {
        return false;
    }
    assert!(x.len() >= rows * k && w1.len() >= k * h && b1.len() >= h && w2.len() >= h);
    assert!(hm.len() >= hidden_len(rows, h) && out.len() >= rows);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    let Some((off, off_a)) = offsets(sh, hm, hact) else {
        return false;
    };
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the feature is present; the slices hold the shapes (asserted), and the
        // kernel reads only lanes < h of each row of its inputs; `hm[off..]` (and for
        // tanh and the sigmoid `hact[off_a..]`) hold `rows` padded rows, 64-byte aligned.
        unsafe {
            avx512::forward(
                sh,
                x,
                w1,
                b1,
                s,
                dropped,
                w2,
                b2,
                &mut hm[off..],
                &mut hact[off_a..],
                out,
            )
        };
        return true;
    }
    let _ = (x, w1, b1, s, dropped, w2, b2, hm, hact, out, off, off_a);
    false
}

/// Fused backward pass through the network of [`forward`] (`hm` as [`forward`] left it):
/// from `delta` = dL/d(out) (`rows`), writes `dw1` (`k × h`), `db1` (`h`) and `dw2`
/// (`h`); `scratch` holds the hidden layer's gradient between the sweep over the rows and
/// the product for `dw1`.
/// Returns false (doing nothing) when [`forward`] would.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    sh: Shape,
    delta: &[f32],
    x: &[f32],
    hm: &[f32],
    hact: &[f32],
    dropped: &[u32],
    w2: &[f32],
    s: f32,
    dw1: &mut [f32],
    db1: &mut [f32],
    dw2: &mut [f32],
    scratch: &mut Vec<f32>,
) -> bool {
    let Shape { rows, k, h, .. } = sh;
    if h == 0 || h > MAX_HIDDEN || k == 0 || rows > MAX_ROWS {
        return false;
    }
    assert!(delta.len() >= rows && x.len() >= rows * k && hm.len() >= hidden_len(rows, h));
    assert!(w2.len() >= h && dw1.len() >= k * h && db1.len() >= h && dw2.len() >= h);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    let Some((off, off_a)) = offsets(sh, hm, hact) else {
        return false;
    };
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: as in `forward`.
        unsafe {
            avx512::backward(
                sh,
                delta,
                x,
                &hm[off..],
                &hact[off_a..],
                dropped,
                w2,
                s,
                dw1,
                db1,
                dw2,
                scratch,
            )
        };
        return true;
    }
    let _ = (
        delta, x, hm, hact, dropped, w2, s, dw1, db1, dw2, scratch, off, off_a,
    );
    false
}

#[cfg(target_arch = "x86_64")]
mod avx512;
