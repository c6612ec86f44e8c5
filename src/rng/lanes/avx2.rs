//! The AVX2 refill of [`super::refill`], for processors without AVX-512: the same gaps as
//! the AVX-512 and portable refills.

use super::{BATCH, LANES, Lanes, TAIL, Tables};
use std::arch::x86_64::*;

const _: () = assert!(LANES == 8); // two registers of four u64 per state word

/// `x` rotated left by `K` bits in each 64-bit lane (`R` = 64 − `K`).
#[inline(always)]
fn rotl<const K: i32, const R: i32>(x: __m256i) -> __m256i {
    // SAFETY (of the intrinsics): only called from `refill`, which requires AVX2.
    unsafe { _mm256_or_si256(_mm256_slli_epi64::<K>(x), _mm256_srli_epi64::<R>(x)) }
}

/// `a ≥ b` as unsigned 32-bit integers, all ones where true.
#[inline(always)]
fn ge_u32(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: as above.
    unsafe { _mm256_cmpeq_epi32(_mm256_max_epu32(a, b), a) }
}

/// [`super::refill`] on AVX2: each state word in two registers (lanes 0–3, 4–7); per step
/// eight gaps from each half, by a gather from the guide table and gathers from the
/// thresholds until no lane's uniform is at or beyond its threshold.
///
/// # Safety
/// The processor must have AVX2.
#[target_feature(enable = "avx2")]
pub(super) unsafe fn refill(lanes: &mut Lanes, t: Tables<'_>, buf: &mut [u32; BATCH]) {
    let (thresh, guide, last) = t.gather_bases();
    // SAFETY: `Lanes` is four rows of eight u64 (each row two 32-byte halves); every gather
    // index is in bounds as in the AVX-512 refill: guide by `u >> 20 < 4096`, thresholds by
    // `g` within the table (a lane is gathered only while `u` is below the last threshold).
    unsafe {
        let p = lanes.s.as_mut_ptr() as *mut __m256i;
        // Per half (lanes 0–3, 4–7), its four state words.
        let mut s = [[_mm256_setzero_si256(); 4]; 2];
        for (half, words) in s.iter_mut().enumerate() {
            for (w, word) in words.iter_mut().enumerate() {
                *word = _mm256_loadu_si256(p.add(2 * w + half));
            }
        }
        let t_last = _mm256_set1_epi32(last);
        let tail = _mm256_set1_epi32(TAIL as i32);
        let one = _mm256_set1_epi32(1);
        for chunk in buf.chunks_exact_mut(2 * LANES) {
            for (half, words) in s.iter_mut().enumerate() {
                let [s0, s1, s2, s3] = *words;
                let u = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s0, s3)), s0);
                let x = _mm256_slli_epi64::<17>(s1);
                let s2 = _mm256_xor_si256(s2, s0);
                let s3 = _mm256_xor_si256(s3, s1);
                let s1 = _mm256_xor_si256(s1, s2);
                let s0 = _mm256_xor_si256(s0, s3);
                let s2 = _mm256_xor_si256(s2, x);
                let s3 = rotl::<45, 19>(s3);
                *words = [s0, s1, s2, s3];
                // Eight uniforms in memory order: lane l's low half, then its high half.
                let beyond = ge_u32(u, t_last);
                let mut live = _mm256_andnot_si256(beyond, _mm256_set1_epi32(-1));
                let mut g = _mm256_i32gather_epi32::<4>(guide, _mm256_srli_epi32::<20>(u));
                loop {
                    let th = _mm256_mask_i32gather_epi32::<4>(one, thresh, g, live);
                    live = _mm256_and_si256(live, ge_u32(u, th));
                    if _mm256_testz_si256(live, live) != 0 {
                        break;
                    }
                    g = _mm256_sub_epi32(g, live); // + 1 where live (all ones = −1)
                }
                g = _mm256_blendv_epi8(g, tail, beyond);
                _mm256_storeu_si256(chunk.as_mut_ptr().add(8 * half) as *mut __m256i, g);
            }
        }
        for (half, words) in s.iter().enumerate() {
            for (w, &word) in words.iter().enumerate() {
                _mm256_storeu_si256(p.add(2 * w + half), word);
            }
        }
    }
}
