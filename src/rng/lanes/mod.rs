//! The generator behind a drop process ([`super::DropSampler`]): eight xoshiro256++
//! generators side by side ("lanes"), stepped together; each step's eight 64-bit outputs
//! are split into sixteen 32-bit uniforms (lane `l`'s low half, then its high half, lane by
//! lane), and each uniform is turned into a Geometric(p) gap by table inversion. A refill
//! makes [`BATCH`] gaps (four steps).
//!
//! The AVX-512 refill ([`avx512`]) steps all eight lanes in one set of vector registers
//! and looks the gaps up with gathers; the AVX2 refill ([`avx2`]) does the same in pairs of
//! registers; the portable refill does the same arithmetic lane by lane. All give the same
//! gaps, bit for bit (tested), so drop masks — and every result — do not depend on the
//! processor.

use rand::RngCore;

/// Generators stepped together.
pub(crate) const LANES: usize = 8;

/// Steps per refill.
const STEPS: usize = 4;

/// Gaps per refill: two per lane and step.
pub(crate) const BATCH: usize = 2 * LANES * STEPS;

/// The code of a gap beyond the table: the gap is the table's length plus the next gap
/// (the distribution is memoryless), so the reader adds the length and reads on.
pub(crate) const TAIL: u32 = u32::MAX;

/// The tables of the inversion: `thresh[g]` = ⌊P(G ≤ g) · 2³²⌋, `guide[b]` = the smallest
/// `g` with `thresh[g] > b · 2^(32 − GUIDE_BITS)`.
#[derive(Clone, Copy)]
pub(crate) struct Tables<'a> {
    pub(crate) thresh: &'a [u32],
    pub(crate) guide: &'a [u32],
}

impl Tables<'_> {
    /// For the vector refills: the thresholds' and the guide table's addresses as gather
    /// bases, and the last threshold (a uniform at or beyond it is a [`TAIL`]).
    #[cfg(mcdropout_x86)]
    fn gather_bases(&self) -> (*const i32, *const i32, i32) {
        let last = self.thresh[self.thresh.len() - 1];
        (
            self.thresh.as_ptr() as *const i32,
            self.guide.as_ptr() as *const i32,
            last as i32,
        )
    }
}

/// Buckets of the guide table: 2^GUIDE_BITS, indexed by the top bits of the uniform.
pub(crate) const GUIDE_BITS: u32 = 12;

/// The state of the eight generators, word-major (`s[w][lane]`), so that one 64-byte row
/// is one vector register.
#[derive(Debug, Clone, Default)]
#[repr(C, align(64))]
pub(crate) struct Lanes {
    s: [[u64; LANES]; 4],
}

impl Lanes {
    /// Eight generators whose states are the next 32 outputs of `rng` (a lane whose four
    /// words are all zero, the one state xoshiro cannot leave, gets a one).
    pub(crate) fn seeded<R: RngCore>(rng: &mut R) -> Self {
        let mut s = [[0u64; LANES]; 4];
        for lane in 0..LANES {
            for word in &mut s {
                word[lane] = rng.next_u64();
            }
            if s.iter().all(|w| w[lane] == 0) {
                s[0][lane] = 1;
            }
        }
        Self { s }
    }

    /// The next output of every lane (one xoshiro256++ step each).
    #[inline(always)]
    fn step(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0u64; LANES];
        for l in 0..LANES {
            out[l] = s0[l]
                .wrapping_add(s3[l])
                .rotate_left(23)
                .wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }
}

/// The gap of uniform `u`: the smallest `g` with `u < thresh[g]`, or [`TAIL`] when `u` is
/// at or beyond the table's last threshold.
#[inline(always)]
fn gap_of(u: u32, t: Tables<'_>) -> u32 {
    let last = t.thresh.len() - 1;
    if u >= t.thresh[last] {
        return TAIL;
    }
    let mut g = t.guide[(u >> (32 - GUIDE_BITS)) as usize] as usize;
    while u >= t.thresh[g] {
        g += 1;
    }
    g as u32
}

/// Fills `buf` with the next [`BATCH`] gaps of the lanes' stream, at the SIMD level in
/// force (the same gaps at every level).
#[inline]
pub(crate) fn refill(lanes: &mut Lanes, t: Tables<'_>, buf: &mut [u32; BATCH]) {
    match crate::simd::level() {
        // SAFETY: a level is set only when the processor has it.
        #[cfg(mcdropout_x86)]
        crate::simd::Level::Avx512 => unsafe { avx512::refill(lanes, t, buf) },
        // SAFETY: as above.
        #[cfg(mcdropout_x86)]
        crate::simd::Level::Avx2 => unsafe { avx2::refill(lanes, t, buf) },
        _ => refill_portable(lanes, t, buf),
    }
}

/// [`refill`] without SIMD: the same gaps, lane by lane.
pub(crate) fn refill_portable(lanes: &mut Lanes, t: Tables<'_>, buf: &mut [u32; BATCH]) {
    for chunk in buf.chunks_exact_mut(2 * LANES) {
        let out = lanes.step();
        for (l, &x) in out.iter().enumerate() {
            chunk[2 * l] = gap_of(x as u32, t);
            chunk[2 * l + 1] = gap_of((x >> 32) as u32, t);
        }
    }
}

#[cfg(mcdropout_x86)]
mod avx2;
#[cfg(mcdropout_x86)]
mod avx512;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Each lane is a xoshiro256++ generator: its outputs are those of `rand_xoshiro`'s
    /// from the same state.
    #[test]
    fn lanes_are_xoshiro256plusplus() {
        let mut lanes = Lanes::seeded(&mut stream(5, Purpose::McMasks, 1));
        let mut refs: Vec<Xoshiro256PlusPlus> = (0..LANES)
            .map(|l| {
                let mut seed = [0u8; 32];
                for w in 0..4 {
                    seed[8 * w..8 * w + 8].copy_from_slice(&lanes.s[w][l].to_le_bytes());
                }
                Xoshiro256PlusPlus::from_seed(seed)
            })
            .collect();
        for _ in 0..100 {
            let out = lanes.step();
            for (l, r) in refs.iter_mut().enumerate() {
                assert_eq!(out[l], r.next_u64());
            }
        }
    }

    /// The vector refills (the dispatched one, and AVX2 where the processor has it; every
    /// level is also compared end to end in `tests/simd_levels.rs`) give the portable
    /// refill's gaps, bit for bit, for rates with short and long tables and many
    /// refills (tails included).
    #[test]
    fn vector_refill_equals_portable() {
        for &p in &[0.5, 0.2, 0.05, 0.005, 0.0005] {
            let s = crate::rng::DropSampler::new(10, p);
            let t = s.tables();
            let mut a = Lanes::seeded(&mut stream(9, Purpose::TrainMasks, 0));
            let mut b = a.clone();
            let (mut ba, mut bb) = ([0u32; BATCH], [0u32; BATCH]);
            let mut tails = 0;
            #[cfg(mcdropout_x86)]
            let (mut c, mut bc) = (a.clone(), [0u32; BATCH]);
            #[cfg(mcdropout_x86)]
            let avx2 = crate::simd::Level::Avx2.is_supported();
            for _ in 0..20_000 {
                refill(&mut a, t, &mut ba);
                refill_portable(&mut b, t, &mut bb);
                assert_eq!(ba, bb, "p {p}");
                #[cfg(mcdropout_x86)]
                if avx2 {
                    // SAFETY: the processor has AVX2 (checked above).
                    unsafe { avx2::refill(&mut c, t, &mut bc) };
                    assert_eq!(bc, bb, "p {p}: AVX2");
                }
                tails += ba.iter().filter(|&&g| g == TAIL).count();
            }
            assert!(tails > 0, "p {p}: no tail met");
        }
    }
}
