//! The AVX2 + FMA kernels of the fused step ([`super`]): 8-lane vectors, so a row of up
//! to 64 hidden units is up to eight vectors — more accumulators, for a block of four
//! rows, than the sixteen registers hold. The products therefore run by groups of at most
//! [`GROUP`] vectors of columns (balanced, [`super::blocks::split`]: 7 = 3 + 2 + 2), each
//! element's sum still whole in one register. There are no mask registers: the drops,
//! kept as one bit set of units per row ([`crate::nn::shallow_step::drops`]), become
//! vector lane masks ([`dropped_lanes`]) applied by bitwise `and`; the operands read whole
//! vectors from copies padded with zeros ([`Vector`], [`padded`]), and only the
//! gradients' last vectors are written through masked stores ([`store_lanes`]). The
//! hidden buffers hold rows of `⌈h/8⌉` vectors, 32-byte aligned, inside
//! [`super::hidden_len`].

#![allow(clippy::needless_range_loop)]

use crate::nn::shallow_step::MAX_HIDDEN;
use std::arch::x86_64::*;

/// Lanes of a vector.
const L: usize = 8;

/// Vectors of a group of columns: a block of four rows (or of dW₁'s inputs) by three
/// vectors is twelve accumulators, three vectors of the other operand and a broadcast —
/// all sixteen registers (the compiler spills one accumulator per input in the forward
/// product). Groups of two vectors spill nothing but leave a group of one for an odd
/// count (7 = 2 + 2 + 2 + 1), too few accumulators for the multiply-adds' latency:
/// measured, the same speed (`examples/stepprof.rs`: within 0.15 µs of a step of 8 µs,
/// the noise).
const GROUP: usize = 3;

const _: () = assert!(
    GROUP <= 4,
    "a group's drop bits are one 32-bit word (four vectors)"
);

/// Inputs of a block of dW₁.
const INPUTS: usize = 4;

/// One vector's floats on a 32-byte boundary (aligned full-width loads and stores).
#[derive(Clone, Copy)]
#[repr(align(32))]
struct Vector([f32; L]);

/// The lanes `< h` of vector `q` of a row, as a mask of `_mm256_maskload_ps` and
/// `_mm256_maskstore_ps` (all bits set where valid).
#[target_feature(enable = "avx2,fma")]
#[inline]
fn lanes(h: usize, q: usize) -> __m256i {
    let w = h.saturating_sub(q * L).min(L) as i32;
    _mm256_cmpgt_epi32(
        _mm256_set1_epi32(w),
        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
    )
}

/// The lanes of vector `g < 4` of a group whose units are dropped (all bits set), from
/// `bits`: the row's drop bits shifted to the group's first unit, broadcast (bit `8g + l`
/// of every lane is unit `l` of vector `g`).
#[target_feature(enable = "avx2,fma")]
#[inline]
fn dropped_lanes(bits: __m256i, g: usize) -> __m256 {
    let one = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    let c = _mm256_sllv_epi32(one, _mm256_set1_epi32((g * L) as i32));
    _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(bits, c), c))
}

/// A row's drop bits from unit `8 · q0` on, broadcast, for [`dropped_lanes`] of the
/// vectors `q0..q0 + 4`.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn drop_bits(kill: u64, q0: usize) -> __m256i {
    _mm256_set1_epi32((kill >> (q0 * L)) as u32 as i32)
}

/// The first `h ≤ 64` floats of `v` as whole vectors, zero beyond `h`.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn padded(v: &[f32], h: usize) -> [Vector; MAX_HIDDEN / L] {
    assert!(h <= v.len() && h <= MAX_HIDDEN);
    let mut p = [Vector([0.0; L]); MAX_HIDDEN / L];
    for q in 0..h.div_ceil(L) {
        // SAFETY: q · 8 < h ≤ v.len(), and the lanes loaded are < h.
        let x = unsafe { _mm256_maskload_ps(v.as_ptr().add(q * L), lanes(h, q)) };
        // SAFETY: `p[q]` is one aligned vector.
        unsafe { _mm256_store_ps(p[q].0.as_mut_ptr(), x) };
    }
    p
}

/// Lanes `< h` of `v` to vector `q` of a row at `p`: a full store, or a masked one for
/// the row's last, partial vector.
///
/// # Safety
/// `p` points to lane 0 of vector `q` of a row of `h` writable floats.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn store_lanes(p: *mut f32, v: __m256, h: usize, q: usize) {
    // SAFETY: the lanes written are < h (the caller's row).
    unsafe {
        if (q + 1) * L <= h {
            _mm256_storeu_ps(p, v)
        } else {
            _mm256_maskstore_ps(p, lanes(h, q), v)
        }
    }
}

/// `$f::<R, G>(args)` for a constant `R` and a count `$g` of vectors in `1..=4`, as a
/// constant.
macro_rules! by_vectors {
    ($f:ident::<$r:ident>, $g:expr, ($($arg:expr),*)) => {
        match $g {
            1 => $f::<$r, 1>($($arg),*),
            2 => $f::<$r, 2>($($arg),*),
            3 => $f::<$r, 3>($($arg),*),
            _ => $f::<$r, 4>($($arg),*),
        }
    };
}

/// `$f::<R>(args)` for a count `$r` of rows in `1..=4`, as a constant.
macro_rules! by_rows {
    ($f:ident, $r:expr, ($($arg:expr),*)) => {
        match $r {
            4 => $f::<4>($($arg),*),
            3 => $f::<3>($($arg),*),
            2 => $f::<2>($($arg),*),
            _ => $f::<1>($($arg),*),
        }
    };
}

mod backward;
mod forward;

pub(super) use backward::backward;
pub(super) use forward::forward;
