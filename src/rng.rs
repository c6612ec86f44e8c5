//! Reproducible randomness.
//!
//! Every random draw in the crate comes from a [`Xoshiro256PlusPlus`] stream whose seed is
//! derived from `(seed, purpose, index)` by a SplitMix64-style mix ([`stream`]). Training
//! uses one stream per purpose (initialisation, shuffling, masks), consumed in a fixed
//! order by one thread. Monte-Carlo prediction uses one stream per test row: the T passes
//! of a row are drawn from it in pass order, layer by layer, so the samples of a row do not
//! depend on which thread handles it, on the number of threads, on how rows are chunked or
//! on how passes are blocked.

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

/// Threshold on the expected number of drops per row above which [`DropSampler`] draws one
/// Bernoulli per unit instead of a binomial count plus positions.
const DENSE_EXPECTED_DROPS: f64 = 12.0;

/// Draws the set of dropped units of one row of one layer: each of `k` units is dropped
/// independently with probability `p`.
///
/// Two exact methods, chosen from `(k, p)` alone (so the choice never depends on threads or
/// blocking): for few expected drops, the number of drops is drawn from the Binomial(k, p)
/// distribution by inversion of a precomputed table and the positions as a uniform random
/// subset by Floyd's algorithm (cost proportional to the number of drops, no logarithms);
/// otherwise one uniform per unit. Both give independent Bernoulli(p) drops.
#[derive(Debug, Clone)]
pub struct DropSampler {
    units: usize,
    p: f64,
    /// `cdf[j]` = P(count ≤ j); empty when the dense method is used.
    cdf: Vec<f64>,
    /// `guide[g]` = the smallest j with `cdf[j] > g / GUIDE`: where the search for a uniform
    /// in `[g/GUIDE, (g+1)/GUIDE)` starts (a guide table; the result is the same as a
    /// linear scan from 0).
    guide: Vec<u16>,
}

/// Buckets of the guide table.
const GUIDE: usize = 1024;

impl DropSampler {
    /// A sampler for `units` units with drop probability `p` in `[0, 1)`.
    pub fn new(units: usize, p: f64) -> Self {
        let mut cdf = Vec::new();
        let q = 1.0 - p;
        let p0 = q.powi(units as i32);
        if p > 0.0 && (units as f64) * p <= DENSE_EXPECTED_DROPS && p0 > 1e-300 {
            let ratio = p / q;
            let mut pmf = p0;
            let mut acc = 0.0;
            for j in 0..=units {
                acc += pmf;
                cdf.push(acc);
                if acc >= 1.0 - 1e-17 {
                    break;
                }
                pmf *= (units - j) as f64 / (j + 1) as f64 * ratio;
            }
        }
        let mut guide = Vec::new();
        if !cdf.is_empty() {
            let mut j = 0;
            for g in 0..GUIDE {
                let lo = g as f64 / GUIDE as f64;
                while j + 1 < cdf.len() && cdf[j] <= lo {
                    j += 1;
                }
                guide.push(j as u16);
            }
        }
        Self {
            units,
            p,
            cdf,
            guide,
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

    /// Appends the indices of the dropped units to `out` (in no particular order).
    #[inline(always)]
    pub fn sample<R: Rng>(&self, rng: &mut R, out: &mut Vec<u32>) {
        if self.p <= 0.0 {
            return;
        }
        if self.cdf.is_empty() {
            for j in 0..self.units {
                if rng.random::<f64>() < self.p {
                    out.push(j as u32);
                }
            }
            return;
        }
        let u: f64 = rng.random();
        if u < self.cdf[0] {
            return;
        }
        let mut count = self.guide[((u * GUIDE as f64) as usize).min(GUIDE - 1)] as usize;
        while count < self.cdf.len() && u >= self.cdf[count] {
            count += 1;
        }
        let count = count.min(self.units);
        // Floyd's algorithm: a uniform random `count`-subset of 0..units.
        let start = out.len();
        for j in (self.units - count)..self.units {
            let r = below(rng, j as u64 + 1) as u32;
            if out[start..].contains(&r) {
                out.push(j as u32);
            } else {
                out.push(r);
            }
        }
    }
}

/// A uniform integer in `0..range` (Lemire's multiply-and-reject method: exact, and one
/// multiplication in all but a vanishing fraction of calls).
#[inline]
fn below<R: Rng>(rng: &mut R, range: u64) -> u64 {
    let mut m = (rng.next_u64() as u128) * (range as u128);
    if (m as u64) < range {
        let threshold = range.wrapping_neg() % range;
        while (m as u64) < threshold {
            m = (rng.next_u64() as u128) * (range as u128);
        }
    }
    (m >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empirical drop frequency per unit and mean count match Bernoulli(p) within 5
    /// Monte-Carlo standard errors, for both methods.
    #[test]
    fn drop_frequencies_match_bernoulli() {
        for &(units, p) in &[(9usize, 0.05), (100, 0.05), (50, 0.5), (13, 0.3), (1, 0.2)] {
            let s = DropSampler::new(units, p);
            let mut rng = stream(1, Purpose::McMasks, 0);
            let n = 200_000;
            let mut counts = vec![0usize; units];
            let mut out = Vec::new();
            let mut pairs = 0usize;
            for _ in 0..n {
                out.clear();
                s.sample(&mut rng, &mut out);
                let mut seen = vec![false; units];
                for &j in &out {
                    assert!(!seen[j as usize], "duplicate drop");
                    seen[j as usize] = true;
                    counts[j as usize] += 1;
                }
                if units > 1 && seen[0] && seen[1] {
                    pairs += 1;
                }
            }
            let se = (p * (1.0 - p) / n as f64).sqrt();
            for &c in &counts {
                let f = c as f64 / n as f64;
                assert!((f - p).abs() < 5.0 * se, "units {units} p {p}: freq {f}");
            }
            if units > 1 {
                // independence of two units: P(both) = p².
                let pp = p * p;
                let se2 = (pp * (1.0 - pp) / n as f64).sqrt();
                let f = pairs as f64 / n as f64;
                assert!((f - pp).abs() < 5.0 * se2 + 1e-12, "pair freq {f} vs {pp}");
            }
        }
    }

    #[test]
    fn rate_zero_never_drops() {
        let s = DropSampler::new(10, 0.0);
        let mut rng = stream(1, Purpose::McMasks, 0);
        let mut out = Vec::new();
        for _ in 0..100 {
            s.sample(&mut rng, &mut out);
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
