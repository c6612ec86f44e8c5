//! Dropout masks as a geometric-gap process ([`DropSampler`]).

use super::lanes::{self, BATCH, GUIDE_BITS, Lanes, TAIL, Tables};
use rand::RngCore;

/// Draws which units are dropped, each independently with probability `p`, as a
/// geometric-gap process: the units of a layer are laid end to end over all the rows (or
/// passes) it is used for, and the distance from one dropped unit to the next is drawn
/// from the Geometric(p) distribution (number of kept units before the next drop,
/// P(G = g) = (1 − p)^g p). The drops are then exactly independent Bernoulli(p), and the
/// cost is one 32-bit uniform per dropped unit: with the small rates of MC dropout
/// (0.005–0.1) almost all units are kept.
///
/// Gaps are drawn by inversion of a 32-bit uniform through a guide table over the
/// tabulated distribution (its first 1 − 10⁻³ of mass, thresholds rounded to multiples of
/// 2⁻³², so each probability is exact to 2.3 × 10⁻¹⁰), with integer arithmetic only; a
/// gap beyond the table is, by memorylessness, the table's length plus the next gap. The
/// uniforms come from eight xoshiro256++ generators seeded by [`DropSampler::start`] and
/// stepped together (both halves of each 64-bit output are used), sixteen gaps at a time
/// (AVX-512 or AVX2 where the processor has them; the same gaps without).
///
/// ```
/// use mcdropout::rng::{DropSampler, Purpose, stream};
/// let s = DropSampler::new(100, 0.05);
/// let mut state = s.start(&mut stream(1, Purpose::McMasks, 0));
/// let mut dropped = Vec::new();
/// s.sample(&mut state, &mut dropped); // the drops of one row of 100 units
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
}

/// Gaps tabulated at most.
const MAX_TABLE: usize = 1 << 14;

/// A drop process in progress: where its next drop is, relative to the start of the next
/// segment, and its generator with the gaps drawn but not used yet.
#[derive(Debug, Clone)]
pub struct DropState {
    next: u64,
    /// Position of the next unused gap in `buf` (`BATCH`: none left).
    pos: usize,
    lanes: Lanes,
    buf: [u32; BATCH],
}

impl Default for DropState {
    /// A process that drops nothing (as [`DropSampler::start`] gives for `p = 0`): a
    /// placeholder for [`DropSampler::restart`] to overwrite.
    fn default() -> Self {
        Self {
            next: u64::MAX,
            pos: BATCH,
            lanes: Lanes::default(),
            buf: [0; BATCH],
        }
    }
}

impl DropState {
    /// The next gap; a gap beyond the table adds the table's length and reads on.
    #[inline(always)]
    fn gap(&mut self, t: Tables<'_>) -> u64 {
        let mut extra = 0u64;
        loop {
            if self.pos == BATCH {
                lanes::refill(&mut self.lanes, t, &mut self.buf);
                self.pos = 0;
            }
            let g = self.buf[self.pos];
            self.pos += 1;
            if g != TAIL {
                return extra + u64::from(g);
            }
            extra += t.thresh.len() as u64;
        }
    }
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

    pub(super) fn tables(&self) -> Tables<'_> {
        Tables {
            thresh: &self.thresh,
            guide: &self.guide,
        }
    }

    /// The state at the start of a process: its generator seeded from `rng` (32 draws),
    /// and the first gap drawn. With `p = 0` nothing is drawn.
    pub fn start<R: RngCore>(&self, rng: &mut R) -> DropState {
        let mut state = DropState::default();
        self.restart(&mut state, rng);
        state
    }

    /// Makes `state` what [`start`](Self::start) would return, in place (no new state of
    /// half a kilobyte moved per row of the Monte-Carlo engine; the same draws).
    pub fn restart<R: RngCore>(&self, state: &mut DropState, rng: &mut R) {
        state.next = u64::MAX;
        state.pos = BATCH;
        if self.p > 0.0 {
            state.lanes = Lanes::seeded(rng);
            state.next = state.gap(self.tables());
        }
    }

    /// Appends the dropped units (`0..units`) of the next row to `out`, in increasing order.
    #[inline(always)]
    pub fn sample(&self, state: &mut DropState, out: &mut Vec<u32>) {
        self.sample_span(state, self.units as u64, out);
    }

    /// Appends the dropped positions of the next `rows` rows, as flat indices
    /// `row · units + unit`, to `out`, in increasing order.
    #[inline]
    pub fn sample_rows(&self, state: &mut DropState, rows: usize, out: &mut Vec<u32>) {
        self.sample_span(state, (rows * self.units) as u64, out);
    }

    #[inline(always)]
    fn sample_span(&self, state: &mut DropState, span: u64, out: &mut Vec<u32>) {
        if state.next == u64::MAX {
            return;
        }
        // The position in the buffer and in the span in locals, and the drops staged in
        // a stack array that is appended to `out` at each refill and at the end: each drop
        // consumes at least one gap, so at most `BATCH + 1` drops are staged between two
        // flushes, and the loop neither checks `out`'s capacity nor stores its length.
        let t = self.tables();
        let table_len = t.thresh.len() as u64;
        let mut next = state.next;
        let mut pos = state.pos;
        let mut staged = [0u32; BATCH + 1];
        let mut n = 0;
        while next < span {
            staged[n] = next as u32;
            n += 1;
            loop {
                let g = match state.buf.get(pos) {
                    Some(&g) => g,
                    None => {
                        out.extend_from_slice(&staged[..n]);
                        n = 0;
                        lanes::refill(&mut state.lanes, t, &mut state.buf);
                        pos = 0;
                        state.buf[0]
                    }
                };
                pos += 1;
                if g != TAIL {
                    next += 1 + u64::from(g);
                    break;
                }
                next += table_len;
            }
        }
        out.extend_from_slice(&staged[..n]);
        state.next = next - span;
        state.pos = pos;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    /// A state restarted in place (after use, mid-buffer) draws exactly what a fresh
    /// `start` from the same stream draws; with `p = 0` both drop nothing.
    #[test]
    fn restart_in_place_equals_a_fresh_start() {
        for p in [0.0, 0.05, 0.5] {
            let s = DropSampler::new(100, p);
            let mut used = s.start(&mut stream(1, Purpose::McMasks, 0));
            let mut sink = Vec::new();
            s.sample_rows(&mut used, 7, &mut sink);
            s.restart(&mut used, &mut stream(2, Purpose::McMasks, 0));
            let mut fresh = s.start(&mut stream(2, Purpose::McMasks, 0));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            s.sample_rows(&mut used, 300, &mut a);
            s.sample_rows(&mut fresh, 300, &mut b);
            assert_eq!(a, b, "p {p}");
            assert_eq!(a.is_empty(), p == 0.0);
        }
    }

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
            let mut state = s.start(&mut stream(1, Purpose::McMasks, 0));
            let n = 200_000;
            let mut counts = vec![0usize; units];
            let mut out = Vec::new();
            let (mut pairs, mut across, mut prev_last) = (0usize, 0usize, false);
            for _ in 0..n {
                out.clear();
                s.sample(&mut state, &mut out);
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
            let mut state = s.start(&mut stream(7, Purpose::McMasks, 3));
            let n = 400_000;
            let cut = s.thresh.len() as u64; // beyond: the ln path
            let probes = [0, 1, 2, 5, cut - 1, cut, cut + 3];
            let mut counts = vec![0usize; probes.len()];
            let mut beyond = 0usize;
            for _ in 0..n {
                let g = state.gap(s.tables());
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

    /// Gaps at lags 1 (the two halves of one output), 2 (neighbouring lanes) and 16 (one
    /// lane's consecutive outputs) are independent: P(Gᵢ ≤ m, Gᵢ₊ₗ ≤ m) = P(G ≤ m)² at the
    /// median m, within 5 binomial standard errors, for small and large rates.
    #[test]
    fn gaps_at_lane_lags_are_independent() {
        for &p in &[0.05, 0.5] {
            let s = DropSampler::new(1, p);
            let mut state = s.start(&mut stream(11, Purpose::TrainMasks, 2));
            let n = 400_000;
            let gaps: Vec<u64> = (0..n + 16).map(|_| state.gap(s.tables())).collect();
            let q: f64 = 1.0 - p;
            // The median of Geometric(p) and P(G ≤ m) = 1 − q^(m+1).
            let m = ((0.5f64).ln() / q.ln()).ceil() as u64 - 1;
            let single = 1.0 - q.powi(m as i32 + 1);
            let want = single * single;
            let se = (want * (1.0 - want) / n as f64).sqrt();
            for lag in [1usize, 2, 16] {
                let both = (0..n)
                    .filter(|&i| gaps[i] <= m && gaps[i + lag] <= m)
                    .count();
                let f = both as f64 / n as f64;
                assert!(
                    (f - want).abs() < 5.0 * se,
                    "p {p} lag {lag}: {f} vs {want}"
                );
            }
        }
    }

    /// Drawing many rows at once gives the same drops as row by row.
    #[test]
    fn rows_at_once_equal_row_by_row() {
        let s = DropSampler::new(7, 0.2);
        let mut st1 = s.start(&mut stream(3, Purpose::TrainMasks, 0));
        let mut st2 = s.start(&mut stream(3, Purpose::TrainMasks, 0));
        let mut flat = Vec::new();
        s.sample_rows(&mut st1, 50, &mut flat);
        let mut rows = Vec::new();
        for r in 0..50u32 {
            let mut one = Vec::new();
            s.sample(&mut st2, &mut one);
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
            s.sample(&mut state, &mut out);
        }
        assert!(out.is_empty());
    }
}
