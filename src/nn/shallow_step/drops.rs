//! The hidden layer's drops as one bit set of units per row, for both x86 kernels of the
//! fused step (AVX-512 reads them as lane masks, AVX2 expands them to vector masks).

use super::{MAX_ROWS, Shape};

/// The drops (flat indices d = row · h + unit < rows · h ≤ 2¹⁵) as one bit set of units
/// per row, in one pass without data-dependent branches. The row is ⌊d / h⌋ by a
/// multiply-shift: with m = ⌈2³²/h⌉ = (2³² + e)/h, 0 ≤ e < h, d·m/2³² = d/h +
/// d·e/(h·2³²), and d·e < 2³² makes the excess below 1/h, too small to reach the next
/// integer from d/h (whose fraction is at most 1 − 1/h).
pub(super) fn kill_masks(sh: Shape, dropped: &[u32]) -> [u64; MAX_ROWS] {
    let mut kill = [0u64; MAX_ROWS];
    let m = (1u64 << 32).div_ceil(sh.h as u64);
    for &d in dropped {
        let row = ((u64::from(d) * m) >> 32) as usize;
        let unit = d as usize - row * sh.h;
        kill[row] |= 1u64 << unit;
    }
    kill
}
