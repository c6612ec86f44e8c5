//! The AVX-512 kernels of the fused step ([`super`]): the lane masks, the dispatch to
//! constant block shapes and the per-row drop bit sets shared by the forward pass
//! ([`forward`]) and the backward pass ([`backward`]).

#![allow(clippy::needless_range_loop)]

use crate::nn::shallow_step::Shape;
use std::arch::x86_64::*;

const L: usize = 16;

#[inline(always)]
fn lanes(h: usize, q: usize) -> __mmask16 {
    let w = h.saturating_sub(q * L);
    if w >= L {
        0xffff
    } else {
        ((1u32 << w) - 1) as __mmask16
    }
}

/// `$f::<N, NV>(args)` for a count `$n` of rows or inputs in `1..=5` (the rows of a
/// block: four or the remainder; the inputs of a dW₁ block: at most five) and `$nv`
/// vectors in `1..=4`, as constants.
macro_rules! by_count_and_vectors {
    ($f:ident, $n:expr, $nv:expr, ($($arg:expr),*)) => {
        match ($n, $nv) {
            (5, 1) => $f::<5, 1>($($arg),*),
            (5, 2) => $f::<5, 2>($($arg),*),
            (5, 3) => $f::<5, 3>($($arg),*),
            (5, 4) => $f::<5, 4>($($arg),*),
            (4, 1) => $f::<4, 1>($($arg),*),
            (4, 2) => $f::<4, 2>($($arg),*),
            (4, 3) => $f::<4, 3>($($arg),*),
            (4, 4) => $f::<4, 4>($($arg),*),
            (3, 1) => $f::<3, 1>($($arg),*),
            (3, 2) => $f::<3, 2>($($arg),*),
            (3, 3) => $f::<3, 3>($($arg),*),
            (3, 4) => $f::<3, 4>($($arg),*),
            (2, 1) => $f::<2, 1>($($arg),*),
            (2, 2) => $f::<2, 2>($($arg),*),
            (2, 3) => $f::<2, 3>($($arg),*),
            (2, 4) => $f::<2, 4>($($arg),*),
            (_, 1) => $f::<1, 1>($($arg),*),
            (_, 2) => $f::<1, 2>($($arg),*),
            (_, 3) => $f::<1, 3>($($arg),*),
            _ => $f::<1, 4>($($arg),*),
        }
    };
}

/// The drops (flat indices d = row · h + unit < rows · h ≤ 2¹⁵) as one bit set of units
/// per row, in one pass without data-dependent branches. The row is ⌊d / h⌋ by a
/// multiply-shift: with m = ⌈2³²/h⌉ = (2³² + e)/h, 0 ≤ e < h, d·m/2³² = d/h +
/// d·e/(h·2³²), and d·e < 2³² makes the excess below 1/h, too small to reach the next
/// integer from d/h (whose fraction is at most 1 − 1/h).
fn kill_masks(sh: Shape, dropped: &[u32]) -> [u64; crate::nn::shallow_step::MAX_ROWS] {
    let mut kill = [0u64; crate::nn::shallow_step::MAX_ROWS];
    let m = (1u64 << 32).div_ceil(sh.h as u64);
    for &d in dropped {
        let row = ((u64::from(d) * m) >> 32) as usize;
        let unit = d as usize - row * sh.h;
        kill[row] |= 1u64 << unit;
    }
    kill
}

/// One vector's floats on a 64-byte boundary (aligned full-width stores).
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Padded(#[allow(dead_code)] [f32; L]);

mod backward;
mod forward;

pub(super) use backward::backward;
pub(super) use forward::forward;
