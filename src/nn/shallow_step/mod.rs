//! The training step of Gal's network — one hidden ReLU (or tanh, or sigmoid) layer of at
//! most 64 units and one output, in `f32` — with the forward pass fused into one sweep over
//! blocks of four rows and the backward pass into one sweep over the rows plus one product,
//! in two kernels: AVX-512 (16-lane vectors, lane masks for the drops; [`Kernel::Avx512`])
//! and AVX2 with FMA (8-lane vectors, the products by groups of at most three vectors of
//! columns so that the accumulators fit in sixteen registers, vector masks for the drops;
//! [`Kernel::Avx2`]). Whether one runs, and which, is decided once per step, in
//! [`Plan::new`] (by the shape and [`crate::simd::level`]); the training buffers record
//! the plan, so the backward pass follows the forward pass's decision and layout. The
//! general path ([`super::backprop`]) sweeps the batch once per operation (forwards the
//! product, the epilogue, the zeroing of the drops, the output's dot products; backwards
//! the output weights' product, the masked outer product with the bias gradient, the input
//! weights' product) through buffers that together exceed L1; here a block's hidden rows
//! stay in registers from the product to the output.
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
//! additions in row order. How the columns are split into vectors and groups changes
//! which register holds an element's sum, never its operations. So a model trained with
//! either kernel is bit for bit the model trained on a processor with neither (tested in
//! `tests/shallow_step.rs` against the general path, for each kernel).
//!
//! Measured: `examples/stepprof.rs` and `mcdropout bench` (BENCHMARKS.md, issue 11).

/// Units of the hidden layer handled (four vectors of 16 lanes).
pub const MAX_HIDDEN: usize = 64;

/// Rows of a batch handled (the register-blocked products take at most 512).
pub const MAX_ROWS: usize = 512;

/// Length of the buffer for the hidden layer between [`forward`] and [`backward`]: rows of
/// `h` rounded up to whole AVX-512 vectors (16 floats), from the buffer's first 64-byte
/// boundary, so that every row is written and read by aligned full-width accesses. (The
/// AVX2 kernel's rows, rounded up to 8 floats, fit in the same length.)
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// A fused kernel of this module, at one SIMD level.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kernel {
    /// The AVX-512 kernel (16-lane vectors, lane masks for the drops).
    #[cfg(mcdropout_x86)]
    Avx512,
    /// The AVX2 + FMA kernel (8-lane vectors by groups of columns, vector masks for the
    /// drops).
    #[cfg(mcdropout_x86)]
    Avx2,
}

/// The decision, made once in [`Plan::new`], that a fused kernel runs a step of this shape:
/// [`forward`] and [`backward`] take it, and the caller sizes its buffers by
/// [`Plan::hidden_len`]. A caller that has no plan takes the general path
/// ([`super::backprop`]) and lays out its buffers as that path does.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    sh: Shape,
    kernel: Kernel,
}

impl Plan {
    /// The fused kernel that runs `sh` at `level`, or `None` when none does (the shape is
    /// not handled, or the level has no fused kernel: the general path then runs, with the
    /// same bits).
    pub fn new(sh: Shape, level: crate::simd::Level) -> Option<Plan> {
        let Shape { rows, k, h, .. } = sh;
        if h == 0 || h > MAX_HIDDEN || k == 0 || rows == 0 || rows > MAX_ROWS {
            return None;
        }
        // Off x86-64 only the portable level exists, and it has no fused kernel.
        #[cfg(not(mcdropout_x86))]
        {
            let _ = (sh, level);
            None
        }
        #[cfg(mcdropout_x86)]
        {
            let kernel = match level {
                crate::simd::Level::Avx512 if level.is_supported() => Kernel::Avx512,
                crate::simd::Level::Avx2 if level.is_supported() => Kernel::Avx2,
                _ => return None,
            };
            Some(Plan { sh, kernel })
        }
    }

    /// The shape planned for.
    pub fn shape(&self) -> Shape {
        self.sh
    }

    /// The kernel that runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The length of the hidden-layer buffers (`hm`, and `hact` for tanh and the sigmoid)
    /// that [`forward`] writes and [`backward`] reads: [`hidden_len`] of the shape.
    pub fn hidden_len(&self) -> usize {
        hidden_len(self.sh.rows, self.sh.h)
    }
}

/// Fused training forward pass of a planned step: `hm ← mask(act(x · W₁ + b₁) · s)`
/// (`rows × h`, the dropped flat positions `dropped` set to 0; in `hm`'s own padded
/// layout, of [`Plan::hidden_len`] floats, read back by [`backward`]; for tanh and the
/// sigmoid also `hact ← act(x · W₁ + b₁)`, likewise) and `out ← hm · w₂ + b₂` (`rows`).
/// `x` is the masked, scaled input (`rows × k`). The buffers' sizes are the caller's
/// contract with the plan (asserted).
#[allow(clippy::too_many_arguments)]
#[cfg_attr(not(mcdropout_x86), allow(unused_variables))]
pub fn forward(
    plan: &Plan,
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
) {
    let sh = plan.sh;
    let Shape { rows, k, h, .. } = sh;
    assert!(x.len() >= rows * k && w1.len() >= k * h && b1.len() >= h && w2.len() >= h);
    assert!(hm.len() >= plan.hidden_len() && out.len() >= rows);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    let (off, off_a) = offsets(sh, hm, hact).expect("buffers sized by Plan::hidden_len");
    match plan.kernel {
        #[cfg(mcdropout_x86)]
        // SAFETY: the plan was made for a level the processor has; the slices hold the
        // shapes (asserted), and the kernel reads only lanes < h of each row of its
        // inputs; `hm[off..]` (and for tanh and the sigmoid `hact[off_a..]`) hold `rows`
        // padded rows, 64-byte aligned.
        Kernel::Avx512 => unsafe {
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
        },
        #[cfg(mcdropout_x86)]
        // SAFETY: as for AVX-512; the padded rows of ⌈h/8⌉ vectors (fewer floats than
        // ⌈h/16⌉ · 16) are 32-byte aligned, from the same 64-byte boundary.
        Kernel::Avx2 => unsafe {
            avx2::forward(
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
        },
    }
}

/// Fused backward pass of a planned step (`hm`, `hact` as [`forward`] left them): from
/// `delta` = dL/d(out) (`rows`), writes `dw1` (`k × h`), `db1` (`h`) and `dw2` (`h`);
/// `scratch` holds the hidden layer's gradient between the sweep over the rows and the
/// product for `dw1`.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(not(mcdropout_x86), allow(unused_variables, clippy::ptr_arg))]
pub fn backward(
    plan: &Plan,
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
) {
    let sh = plan.sh;
    let Shape { rows, k, h, .. } = sh;
    assert!(delta.len() >= rows && x.len() >= rows * k && hm.len() >= plan.hidden_len());
    assert!(w2.len() >= h && dw1.len() >= k * h && db1.len() >= h && dw2.len() >= h);
    assert!(dropped.iter().all(|&d| (d as usize) < rows * h));
    let (off, off_a) = offsets(sh, hm, hact).expect("buffers sized by Plan::hidden_len");
    match plan.kernel {
        #[cfg(mcdropout_x86)]
        // SAFETY: as in `forward`.
        Kernel::Avx512 => unsafe {
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
        },
        #[cfg(mcdropout_x86)]
        // SAFETY: as in `forward`.
        Kernel::Avx2 => unsafe {
            avx2::backward(
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
        },
    }
}

#[cfg(mcdropout_x86)]
#[macro_use]
mod blocks;
#[cfg(mcdropout_x86)]
mod drops;
#[cfg(mcdropout_x86)]
mod output;

#[cfg(mcdropout_x86)]
mod avx2;
#[cfg(mcdropout_x86)]
mod avx512;
