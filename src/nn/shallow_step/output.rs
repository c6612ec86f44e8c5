//! The network's output from the hidden rows' partial sums, for both x86 kernels of the
//! fused step: the summation order of [`crate::nn::kernels::dot`], in one place.

#![allow(clippy::needless_range_loop)]

use std::arch::x86_64::*;

/// The output of the rows `r0..r0 + R` from their partial sums `acc8s` (lane q of row i:
/// the multiply-adds of units `8c + q`, chunk c = 0, 1, … in order, from zero): the eight
/// partial sums added in order (q = 0, 1, …, 7), as `dot` does — for four rows at once
/// after a 4 × 8 transpose (lane i: row i), otherwise one row at a time — then the tail's
/// products (h mod 8 units) read back from the rows just stored in `hm` (rows of `stride`
/// floats; a full-width store forwards to the loads), `0 + d` and the bias `b2`, as
/// `matvec_acc` and `scale_add_rows` do. (`dot` starts from −0 or 0 where this starts from
/// the first partial sum: the same, as a sum of fused multiply-adds from +0 is never −0;
/// the tail's sign of zero vanishes in `0 + d`.)
///
/// # Safety
/// AVX2 and FMA; rows `r0..r0 + R` of `hm` and of `out` exist, `w2` holds `h` floats.
#[target_feature(enable = "avx2,fma")]
#[inline]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn finish<const R: usize>(
    acc8s: [__m256; R],
    r0: usize,
    h: usize,
    stride: usize,
    hm: &[f32],
    w2: &[f32],
    b2: f32,
    out: &mut [f32],
) {
    let chunks = h / 8;
    let mut sum8 = [0f32; R];
    // SAFETY: rows r0..r0 + R of `hm` exist; lanes < h read.
    unsafe {
        if R == 4 {
            let t0 = _mm256_unpacklo_ps(acc8s[0], acc8s[1 % R]);
            let t1 = _mm256_unpackhi_ps(acc8s[0], acc8s[1 % R]);
            let t2 = _mm256_unpacklo_ps(acc8s[2 % R], acc8s[3 % R]);
            let t3 = _mm256_unpackhi_ps(acc8s[2 % R], acc8s[3 % R]);
            // u_a = (q = a for rows 0..4 | q = a + 4 for rows 0..4).
            let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let mut t = _mm256_castps256_ps128(u0);
            t = _mm_add_ps(t, _mm256_castps256_ps128(u1));
            t = _mm_add_ps(t, _mm256_castps256_ps128(u2));
            t = _mm_add_ps(t, _mm256_castps256_ps128(u3));
            t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u0));
            t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u1));
            t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u2));
            t = _mm_add_ps(t, _mm256_extractf128_ps::<1>(u3));
            _mm_storeu_ps(sum8.as_mut_ptr(), t);
        } else {
            for (i, a) in acc8s.iter().enumerate() {
                let mut part = [0f32; 8];
                _mm256_storeu_ps(part.as_mut_ptr(), *a);
                sum8[i] = part.iter().copied().sum();
            }
        }
        for i in 0..R {
            let row = hm.as_ptr().add((r0 + i) * stride);
            let mut tail = 0f32;
            for c in chunks * 8..h {
                tail += *row.add(c) * w2[c];
            }
            let c = 0.0f32 + (sum8[i] + tail);
            out[r0 + i] = c * 1.0 + b2;
        }
    }
}
