//! Seeded validation parts: one held-out fraction, or K folds, of a shuffled row order.

use crate::error::{Error, Result};
use crate::rng::{Purpose, stream};
use rand::seq::SliceRandom;

/// How the search scores a grid point.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Validation {
    /// Train on a seeded random (1 − f) of the rows, score on the other f (default 0.2,
    /// the share of Gal's protocol, which takes the last 20 % of each training part).
    Holdout(f64),
    /// K-fold cross-validation on a seeded random order: every row is scored once.
    Folds(usize),
}

impl Default for Validation {
    fn default() -> Self {
        Validation::Holdout(0.2)
    }
}

/// (training rows, validation rows) of every fold of `validation` over `n` rows, from a
/// shuffle seeded by `seed`; each part has at least one row and the training part at least
/// two.
pub fn parts(n: usize, validation: Validation, seed: u64) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(seed, Purpose::Split, 0x5EA2C4));
    let too_few = |needed| Error::TooFewRows { needed, got: n };
    match validation {
        Validation::Holdout(f) => {
            if !(f > 0.0 && f < 1.0) {
                return Err(Error::InvalidParameter {
                    name: "--validation-fraction".into(),
                    reason: format!("must be in (0, 1), got {f}"),
                });
            }
            let n_val = ((n as f64 * f).round() as usize).max(1);
            if n < n_val + 2 {
                return Err(too_few(n_val + 2));
            }
            let (val, train) = order.split_at(n_val);
            Ok(vec![(train.to_vec(), val.to_vec())])
        }
        Validation::Folds(k) => {
            if k < 2 {
                return Err(Error::InvalidParameter {
                    name: "--folds".into(),
                    reason: format!("K-fold cross-validation needs K ≥ 2, got {k}"),
                });
            }
            // Every fold needs a validation row and two training rows.
            if n < k.max(3) || n - n.div_ceil(k) < 2 {
                return Err(Error::InvalidParameter {
                    name: "--folds".into(),
                    reason: format!(
                        "{k} folds need at least {} rows, the data has {n}",
                        k.max(3)
                    ),
                });
            }
            Ok((0..k)
                .map(|i| {
                    let (a, b) = (i * n / k, (i + 1) * n / k);
                    let val = order[a..b].to_vec();
                    let train = order[..a].iter().chain(&order[b..]).copied().collect();
                    (train, val)
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_cover_every_row_once_and_holdout_is_disjoint() {
        let f = parts(10, Validation::Folds(3), 1).unwrap();
        let mut seen: Vec<usize> = f.iter().flat_map(|(_, v)| v.clone()).collect();
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        for (t, v) in &f {
            assert_eq!(t.len() + v.len(), 10);
            assert!(t.iter().all(|i| !v.contains(i)));
        }
        let h = parts(10, Validation::Holdout(0.2), 1).unwrap();
        assert_eq!((h[0].0.len(), h[0].1.len()), (8, 2));
        assert_eq!(h, parts(10, Validation::Holdout(0.2), 1).unwrap());
        assert!(parts(10, Validation::Holdout(1.0), 1).is_err());
        assert!(parts(10, Validation::Folds(1), 1).is_err());
        assert!(parts(2, Validation::Folds(2), 1).is_err());
    }
}
