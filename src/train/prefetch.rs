//! A cache hint for the minibatch loop: the next minibatch's rows are asked for while the
//! current one trains (used by [`super::fit`] when the data exceed a core's L2 cache).

/// Asks the processor to bring rows `idx` of `table` (rows of `k`) towards its caches
/// without waiting for them: issued for the next minibatch while the current one trains,
/// so that its gather ([`crate::nn::kernels::gather_scale`]) finds the rows in cache
/// instead of missing on each of a large table's rows. A hint only: no value is read or changed; a no-op on
/// processors other than x86-64 and for rows beyond the table.
#[inline]
pub(crate) fn prefetch_rows<T>(table: &[T], idx: &[usize], k: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        let bytes = k * std::mem::size_of::<T>();
        for &r in idx {
            let Some(row) = table.get(r * k..(r + 1) * k) else {
                continue;
            };
            let p = row.as_ptr().cast::<i8>();
            // Every cache line the row touches (64-byte lines).
            let lines = (p as usize % 64 + bytes).div_ceil(64);
            for l in 0..lines {
                // SAFETY: SSE is part of x86-64; a prefetch reads nothing into the
                // program and never faults (the lines are the row's own anyway).
                unsafe { _mm_prefetch::<_MM_HINT_T1>(p.wrapping_add(l * 64)) };
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (table, idx, k);
}
