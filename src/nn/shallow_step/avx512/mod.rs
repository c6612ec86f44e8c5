//! The AVX-512 kernels of the fused step ([`super`]): the lane masks shared by the
//! forward pass ([`forward`]) and the backward pass ([`backward`]) (the block shapes, the
//! drop bit sets and the output's sum are [`super::blocks`], [`super::drops`] and
//! [`super::output`], shared with the AVX2 kernels).

#![allow(clippy::needless_range_loop)]

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

/// One vector's floats on a 64-byte boundary (aligned full-width stores).
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Padded(#[allow(dead_code)] [f32; L]);

mod backward;
mod forward;

pub(super) use backward::backward;
pub(super) use forward::forward;
