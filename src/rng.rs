//! Reproducible randomness.
//!
//! Every random draw in the crate comes from a [`Xoshiro256PlusPlus`] stream whose seed is
//! derived from `(seed, purpose, index)` by a SplitMix64-style mix ([`stream`]). Training
//! uses one stream per purpose (initialisation, shuffling, masks), consumed in a fixed
//! order by one thread. Monte-Carlo prediction uses one stream per test row and layer
//! ([`stream_of`]): the drops of a layer over the T passes of a row are one process drawn
//! from it in order, so the samples of a row do not depend on which thread handles it, on
//! the number of threads, on how rows are chunked or on how passes are blocked.

use rand::{Rng, SeedableRng};
pub use rand_xoshiro::Xoshiro256PlusPlus;

/// What a stream is used for; part of the key, so that streams for different purposes
/// never coincide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// Weight initialisation.
    Init = 1,
    /// Minibatch shuffling.
    Shuffle = 2,
    /// Dropout masks during training.
    TrainMasks = 3,
    /// Dropout masks of Monte-Carlo prediction (indexed by row).
    McMasks = 4,
    /// Observation noise added to predictive draws (indexed by row).
    Noise = 5,
    /// Masks of an ELBO estimate.
    Elbo = 6,
    /// Dataset splits (demo, holdout).
    Split = 7,
    /// Random units of the network–GP link check (`gp::feature_covariance`).
    GpLink = 8,
    /// Starting points of Gaussian-process hyper-parameter restarts.
    GpRestarts = 9,
    /// Gaussian-process posterior samples.
    GpSamples = 10,
}

/// The generator for `(seed, purpose, index, sub)`, e.g. a test row and a layer.
pub fn stream_of(seed: u64, purpose: Purpose, index: u64, sub: u64) -> Xoshiro256PlusPlus {
    let key =
        mix(mix(mix(mix(seed) ^ (purpose as u64)) ^ index)
            ^ sub.wrapping_add(0x5851_F42D_4C95_7F2D));
    Xoshiro256PlusPlus::seed_from_u64(key)
}

/// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator for `(seed, purpose, index)`.
///
/// ```
/// use mcdropout::rng::{stream, Purpose};
/// use rand::Rng;
/// let a: f64 = stream(7, Purpose::McMasks, 3).random();
/// let b: f64 = stream(7, Purpose::McMasks, 3).random();
/// assert_eq!(a, b);
/// ```
pub fn stream(seed: u64, purpose: Purpose, index: u64) -> Xoshiro256PlusPlus {
    let key = mix(mix(mix(seed) ^ (purpose as u64)) ^ index);
    Xoshiro256PlusPlus::seed_from_u64(key)
}

/// Draws which units are dropped, each independently with probability `p`, as a
/// geometric-gap process: the units of a layer are laid end to end over all the rows (or
/// passes) it is used for, and the distance from one dropped unit to the next is drawn
/// from the Geometric(p) distribution (number of kept units before the next drop,
/// P(G = g) = (1 − p)^g p). The drops are then exactly independent Bernoulli(p), and the
/// cost is one uniform per dropped unit: with the small rates of MC dropout (0.005–0.1)
/// almost all units are kept.
///
/// Gaps are drawn by inversion of a 32-bit uniform through a guide table over the
/// tabulated distribution (its first 1 − 10⁻³ of mass, thresholds rounded to multiples of
/// 2⁻³², so each probability is exact to 2.3 × 10⁻¹⁰), with integer arithmetic only; a
/// gap beyond the table is, by memorylessness, the table's length plus a fresh Geometric(p)
/// drawn as `⌊ln(1 − U)/ln(1 − p)⌋` from a 53-bit uniform.
///
/// ```
/// use mcdropout::rng::{DropSampler, Purpose, stream};
/// let s = DropSampler::new(100, 0.05);
/// let mut rng = stream(1, Purpose::McMasks, 0);
/// let mut state = s.start(&mut rng);
/// let mut dropped = Vec::new();
/// s.sample(&mut state, &mut rng, &mut dropped); // the drops of one row of 100 units
/// assert!(dropped.iter().all(|&j| j < 100));
/// ```
#[derive(Debug, Clone)]
pub struct DropSampler {
    units: usize,
    p: f64,
    /// `thresh[g]` = ⌊P(G ≤ g) · 2³²⌋ with P(G ≤ g) = 1 − (1 − p)^(g+1).
    thresh: Vec<u32>,
    /// `guide[b]` = the smallest g with `thresh[g] > b · 2²⁰` (4096 buckets).
    guide: Vec<u32>,
    ln_q: f64,
}

/// Buckets of the guide table: 2^GUIDE_BITS, indexed by the top bits of the uniform.
const GUIDE_BITS: u32 = 12;
/// Gaps tabulated at most.
const MAX_TABLE: usize = 1 << 14;

/// One Geometric(p) gap from the tables of a [`DropSampler`] (`thresh`, `guide`) and
/// ln(1 − p).
#[inline(always)]
fn gap_in<R: Rng>(thresh: &[u32], guide: &[u32], ln_q: f64, rng: &mut R) -> u64 {
    let u = (rng.next_u64() >> 32) as u32;
    let last = thresh.len() - 1;
    if u >= thresh[last] {
        // G > last: last + 1 plus a fresh Geometric(p) (memorylessness).
        let v: f64 = rng.random();
        return last as u64 + 1 + ((1.0 - v).ln() / ln_q) as u64;
    }
    let mut g = guide[(u >> (32 - GUIDE_BITS)) as usize] as usize;
    while u >= thresh[g] {
        g += 1;
    }
    g as u64
}

/// Where the next drop of a layer's process is, relative to the start of the next segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DropState {
    next: u64,
}

impl DropSampler {
    /// A sampler for `units` units with drop probability `p` in `[0, 1)`.
    pub fn new(units: usize, p: f64) -> Self {
        let mut thresh = Vec::new();
        let mut guide = Vec::new();
        let q = 1.0 - p;
        if p > 0.0 {
            let mut q_pow = 1.0;
            while thresh.len() < MAX_TABLE {
                q_pow *= q;
                let t = ((1.0 - q_pow) * 4_294_967_296.0).floor();
                thresh.push(t.min(u32::MAX as f64) as u32);
                if q_pow < 1e-3 {
                    break;
                }
            }
            let mut g = 0;
            for b in 0..1u64 << GUIDE_BITS {
                let lo = b << (32 - GUIDE_BITS);
                while g + 1 < thresh.len() && u64::from(thresh[g]) <= lo {
                    g += 1;
                }
                guide.push(g as u32);
            }
        }
        Self {
            units,
            p,
            thresh,
            guide,
            ln_q: q.ln(),
        }
    }

    /// Number of units.
    pub fn units(&self) -> usize {
        self.units
    }

    /// Drop probability.
    pub fn rate(&self) -> f64 {
        self.p
    }

    /// One Geometric(p) gap.
    #[cfg(test)]
    fn gap<R: Rng>(&self, rng: &mut R) -> u64 {
        gap_in(&self.thresh, &self.guide, self.ln_q, rng)
    }

    /// The state at the start of a process (draws the first gap).
    #[inline]
    pub fn start<R: Rng>(&self, rng: &mut R) -> DropState {
        DropState {
            next: if self.p > 0.0 {
                gap_in(&self.thresh, &self.guide, self.ln_q, rng)
            } else {
                u64::MAX
            },
        }
    }

    /// Appends the dropped units (`0..units`) of the next row to `out`, in increasing order.
    #[inline(always)]
    pub fn sample<R: Rng>(&self, state: &mut DropState, rng: &mut R, out: &mut Vec<u32>) {
        self.sample_span(state, rng, self.units as u64, out);
    }

    /// Appends the dropped positions of the next `rows` rows, as flat indices
    /// `row · units + unit`, to `out`, in increasing order.
    #[inline]
    pub fn sample_rows<R: Rng>(
        &self,
        state: &mut DropState,
        rng: &mut R,
        rows: usize,
        out: &mut Vec<u32>,
    ) {
        self.sample_span(state, rng, (rows * self.units) as u64, out);
    }

    #[inline(always)]
    fn sample_span<R: Rng>(
        &self,
        state: &mut DropState,
        rng: &mut R,
        span: u64,
        out: &mut Vec<u32>,
    ) {
        if state.next == u64::MAX {
            return;
        }
        // The same draws as `while next < span { push(next); next += 1 + self.gap(rng) }`,
        // with the tables, the position and the output held in locals: through `self`
        // and `out` the compiler reloaded the tables' addresses and stored the position
        // and the output's length on every drop.
        let (thresh, guide) = (&self.thresh[..], &self.guide[..]);
        let mut next = state.next;
        let mut v = std::mem::take(out);
        while next < span {
            v.push(next as u32);
            next += 1 + gap_in(thresh, guide, self.ln_q, rng);
        }
        *out = v;
        state.next = next - span;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empirical drop frequency per unit and of a pair of units (within a row and across
    /// the boundary between two rows) match independent Bernoulli(p) within 5 Monte-Carlo
    /// standard errors, for small and large rates.
    #[test]
    fn drop_frequencies_match_bernoulli() {
        for &(units, p) in &[
            (9usize, 0.05),
            (100, 0.05),
            (50, 0.5),
            (13, 0.3),
            (1, 0.2),
            (40, 0.005),
        ] {
            let s = DropSampler::new(units, p);
            let mut rng = stream(1, Purpose::McMasks, 0);
            let mut state = s.start(&mut rng);
            let n = 200_000;
            let mut counts = vec![0usize; units];
            let mut out = Vec::new();
            let (mut pairs, mut across, mut prev_last) = (0usize, 0usize, false);
            for _ in 0..n {
                out.clear();
                s.sample(&mut state, &mut rng, &mut out);
                let mut seen = vec![false; units];
                for &j in &out {
                    assert!(!seen[j as usize], "duplicate drop");
                    seen[j as usize] = true;
                    counts[j as usize] += 1;
                }
                if units > 1 && seen[0] && seen[1] {
                    pairs += 1;
                }
                if prev_last && seen[0] {
                    across += 1;
                }
                prev_last = seen[units - 1];
            }
            let se = (p * (1.0 - p) / n as f64).sqrt();
            for &c in &counts {
                let f = c as f64 / n as f64;
                assert!((f - p).abs() < 5.0 * se, "units {units} p {p}: freq {f}");
            }
            let pp = p * p;
            let se2 = (pp * (1.0 - pp) / n as f64).sqrt();
            for (count, what) in [(pairs, "pair"), (across, "across rows")] {
                if units > 1 || what == "across rows" {
                    let f = count as f64 / n as f64;
                    assert!(
                        (f - pp).abs() < 5.0 * se2 + 1e-12,
                        "{what} freq {f} vs {pp}"
                    );
                }
            }
        }
    }

    /// The gaps follow Geometric(p), P(G = g) = (1 − p)^g p, inside the table and in its
    /// tail: every count within 5 binomial standard errors.
    #[test]
    fn gaps_are_geometric() {
        for &p in &[0.005, 0.05, 0.5] {
            let s = DropSampler::new(1, p);
            let mut rng = stream(7, Purpose::McMasks, 3);
            let n = 400_000;
            let cut = s.thresh.len() as u64; // beyond: the ln path
            let probes = [0, 1, 2, 5, cut - 1, cut, cut + 3];
            let mut counts = vec![0usize; probes.len()];
            let mut beyond = 0usize;
            for _ in 0..n {
                let g = s.gap(&mut rng);
                for (c, &v) in counts.iter_mut().zip(&probes) {
                    *c += usize::from(g == v);
                }
                beyond += usize::from(g >= cut);
            }
            let q: f64 = 1.0 - p;
            for (&c, &v) in counts.iter().zip(&probes) {
                let want = q.powi(v as i32) * p;
                let se = (want * (1.0 - want) / n as f64).sqrt();
                let f = c as f64 / n as f64;
                assert!(
                    (f - want).abs() < 5.0 * se + 1e-9,
                    "p {p} g {v}: {f} vs {want}"
                );
            }
            let want = q.powi(cut as i32);
            let se = (want * (1.0 - want) / n as f64).sqrt();
            let f = beyond as f64 / n as f64;
            assert!((f - want).abs() < 5.0 * se, "p {p} tail: {f} vs {want}");
        }
    }

    /// Drawing many rows at once gives the same drops as row by row.
    #[test]
    fn rows_at_once_equal_row_by_row() {
        let s = DropSampler::new(7, 0.2);
        let (mut r1, mut r2) = (
            stream(3, Purpose::TrainMasks, 0),
            stream(3, Purpose::TrainMasks, 0),
        );
        let (mut st1, mut st2) = (s.start(&mut r1), s.start(&mut r2));
        let mut flat = Vec::new();
        s.sample_rows(&mut st1, &mut r1, 50, &mut flat);
        let mut rows = Vec::new();
        for r in 0..50u32 {
            let mut one = Vec::new();
            s.sample(&mut st2, &mut r2, &mut one);
            rows.extend(one.iter().map(|j| r * 7 + j));
        }
        assert_eq!(flat, rows);
    }

    #[test]
    fn rate_zero_never_drops() {
        let s = DropSampler::new(10, 0.0);
        let mut rng = stream(1, Purpose::McMasks, 0);
        let mut state = s.start(&mut rng);
        let mut out = Vec::new();
        for _ in 0..100 {
            s.sample(&mut state, &mut rng, &mut out);
        }
        assert!(out.is_empty());
    }

    #[test]
    fn streams_differ_by_key() {
        let a: u64 = stream(1, Purpose::McMasks, 0).random();
        let b: u64 = stream(1, Purpose::McMasks, 1).random();
        let c: u64 = stream(1, Purpose::Noise, 0).random();
        let d: u64 = stream(2, Purpose::McMasks, 0).random();
        assert!(a != b && a != c && a != d && b != c);
    }
}
