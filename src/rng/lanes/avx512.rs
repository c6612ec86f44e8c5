//! The AVX-512 refill of [`super::refill`].

use super::{BATCH, LANES, Lanes, TAIL, Tables};
const _: () = assert!(LANES == 8); // one register of u64 per state word
use std::arch::x86_64::*;

/// [`super::refill`] on AVX-512F: the eight lanes in four registers, sixteen gaps per
/// step by a gather from the guide table and gathers from the thresholds until no
/// lane's uniform is at or beyond its threshold.
///
/// # Safety
/// The processor must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn refill(lanes: &mut Lanes, t: Tables<'_>, buf: &mut [u32; BATCH]) {
    let (thresh, guide, last) = t.gather_bases();
    // SAFETY: `Lanes` is four rows of eight u64, 64-byte aligned; every gather index is
    // in bounds: guide by `u >> 20 < 4096 = guide.len()`, thresholds by `g`
    // within the table (a lane is gathered only while `u` is below the last threshold,
    // so its `g` never passes the last index, the thresholds being non-decreasing).
    unsafe {
        let p = lanes.s.as_mut_ptr() as *mut __m512i;
        let (mut s0, mut s1, mut s2, mut s3) = (
            _mm512_load_si512(p),
            _mm512_load_si512(p.add(1)),
            _mm512_load_si512(p.add(2)),
            _mm512_load_si512(p.add(3)),
        );
        let t_last = _mm512_set1_epi32(last);
        let tail = _mm512_set1_epi32(TAIL as i32);
        let one = _mm512_set1_epi32(1);
        for chunk in buf.chunks_exact_mut(2 * LANES) {
            let u = _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(s0, s3)), s0);
            let x = _mm512_slli_epi64::<17>(s1);
            s2 = _mm512_xor_si512(s2, s0);
            s3 = _mm512_xor_si512(s3, s1);
            s1 = _mm512_xor_si512(s1, s2);
            s0 = _mm512_xor_si512(s0, s3);
            s2 = _mm512_xor_si512(s2, x);
            s3 = _mm512_rol_epi64::<45>(s3);
            // The 16 uniforms in memory order: lane l's low half, then its high half.
            let beyond = _mm512_cmpge_epu32_mask(u, t_last);
            let mut live = !beyond;
            let mut g = _mm512_i32gather_epi32::<4>(_mm512_srli_epi32::<20>(u), guide);
            loop {
                let th = _mm512_mask_i32gather_epi32::<4>(one, live, g, thresh);
                live = _mm512_mask_cmpge_epu32_mask(live, u, th);
                if live == 0 {
                    break;
                }
                g = _mm512_mask_add_epi32(g, live, g, one);
            }
            g = _mm512_mask_mov_epi32(g, beyond, tail);
            _mm512_storeu_si512(chunk.as_mut_ptr() as *mut __m512i, g);
        }
        _mm512_store_si512(p, s0);
        _mm512_store_si512(p.add(1), s1);
        _mm512_store_si512(p.add(2), s2);
        _mm512_store_si512(p.add(3), s3);
    }
}
