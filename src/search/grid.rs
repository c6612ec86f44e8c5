//! The (dropout, τ) grid of a search and its widening: when the best point sits on an edge
//! of an axis, the axis is extended one step beyond that edge (log-spaced, by the ratio of
//! the two values at that edge, at least ×2), within fixed bounds.

/// Gal's dropout grid (`dropout_rates.txt` of every UCI set in his repository).
pub const GAL_DROPOUT_RATES: [f64; 4] = [0.005, 0.01, 0.05, 0.1];

/// The default τ grid in standardised units (the noise precision of the standardised
/// target, τ σ_y²; noise std = σ_y / √τ): powers of two from 1 to 128. Gal's per-dataset τ
/// grids, multiplied by the variance of each dataset's target, span 1.6 (wine) to 172
/// (yacht), so this grid covers seven of the eight with a step of ×2, and one widening
/// (to 256) covers yacht's top value.
pub const DEFAULT_TAU_STANDARDISED: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

/// Smallest dropout rate a widening adds.
pub const MIN_DROPOUT: f64 = 1e-4;
/// Largest dropout rate a widening adds.
pub const MAX_DROPOUT: f64 = 0.5;
/// Smallest τ a widening adds.
pub const MIN_TAU: f64 = 1e-6;
/// Largest τ a widening adds.
pub const MAX_TAU: f64 = 1e12;

/// One axis of the grid, kept sorted ascending without duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    values: Vec<f64>,
    lo: f64,
    hi: f64,
}

/// Which edge of an axis a widening extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// Below the smallest value.
    Low,
    /// Above the largest value.
    High,
}

impl Axis {
    /// An axis over `values` (sorted and deduplicated here), widened only within
    /// `[lo, hi]`.
    pub fn new(values: &[f64], lo: f64, hi: f64) -> Self {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        v.dedup();
        Self { values: v, lo, hi }
    }

    /// The values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Whether `v` is the smallest (`Low`) or largest (`High`) value; `None` inside and
    /// for a one-value axis (a single value is the user's fixed choice, never widened).
    pub fn edge_of(&self, v: f64) -> Option<Edge> {
        let (first, last) = (self.values[0], self.values[self.values.len() - 1]);
        if self.values.len() == 1 {
            None
        } else if v == first {
            Some(Edge::Low)
        } else if v == last {
            Some(Edge::High)
        } else {
            None
        }
    }

    /// Extends the axis one step beyond the edge `v` sits on; returns the values added
    /// (none when `v` is inside, the axis has one value or the bound is reached).
    pub fn widen(&mut self, v: f64) -> Vec<f64> {
        let n = self.values.len();
        let mut added = Vec::new();
        if n == 1 {
            return added;
        }
        if v == self.values[0] {
            let ratio = (self.values[1] / self.values[0]).max(2.0);
            let new = self.values[0] / ratio;
            if new >= self.lo {
                added.push(new);
            }
        }
        if v == self.values[n - 1] {
            let ratio = (self.values[n - 1] / self.values[n - 2]).max(2.0);
            let new = self.values[n - 1] * ratio;
            if new <= self.hi {
                added.push(new);
            }
        }
        self.values.extend(&added);
        self.values.sort_by(f64::total_cmp);
        self.values.dedup();
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_steps_by_the_edge_ratio_within_bounds() {
        let mut a = Axis::new(&[0.05, 0.005, 0.01, 0.1], MIN_DROPOUT, MAX_DROPOUT);
        assert_eq!(a.values(), &[0.005, 0.01, 0.05, 0.1]);
        assert_eq!(a.edge_of(0.01), None);
        assert!(a.widen(0.01).is_empty());
        assert_eq!(a.widen(0.1), vec![0.2]);
        assert_eq!(a.widen(0.2), vec![0.4]);
        // 0.8 is beyond MAX_DROPOUT: nothing is added.
        assert!(a.widen(0.4).is_empty());
        assert_eq!(a.widen(0.005), vec![0.0025]);
        let mut t = Axis::new(&[1.0, 1.5], MIN_TAU, MAX_TAU);
        // The edge ratio is 1.5 < 2, so the step is ×2.
        assert_eq!(t.widen(1.5), vec![3.0]);
        let mut one = Axis::new(&[4.0], MIN_TAU, MAX_TAU);
        assert!(one.widen(4.0).is_empty());
        assert_eq!(one.edge_of(4.0), None);
    }
}
