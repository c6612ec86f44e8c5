//! Top-k batch selection with deterministic tie-breaking.

use crate::error::{Error, Result};

/// Checks a batch size `k` against a pool of `pool` candidates: `k` must be at least 1
/// and at most `pool`.
pub fn check_batch(k: usize, pool: usize) -> Result<()> {
    if k == 0 {
        return Err(Error::InvalidParameter {
            name: "batch size".into(),
            reason: "must be at least 1, got 0".into(),
        });
    }
    if k > pool {
        return Err(Error::InvalidParameter {
            name: "batch size".into(),
            reason: format!("{k} is larger than the pool of {pool} candidates"),
        });
    }
    Ok(())
}

/// The indices of the `k` largest scores, largest first; equal scores are taken in
/// increasing index order, so the result is a function of the scores alone. Errors:
/// `k` = 0, `k` > the number of scores, or a NaN score.
pub fn top_k(scores: &[f64], k: usize) -> Result<Vec<usize>> {
    check_batch(k, scores.len())?;
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(Error::InvalidParameter {
            name: "acquisition scores".into(),
            reason: format!("score {i} (0-based) is NaN"),
        });
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    // Descending score, then ascending index: a total order (no NaN), so the selection
    // does not depend on the sort algorithm.
    let order = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, order);
        idx.truncate(k);
    }
    idx.sort_unstable_by(order);
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_lower_index() {
        let s = [0.5, 0.9, 0.5, 0.9, 0.1, 0.5];
        assert_eq!(top_k(&s, 1).unwrap(), vec![1]);
        assert_eq!(top_k(&s, 2).unwrap(), vec![1, 3]);
        assert_eq!(top_k(&s, 4).unwrap(), vec![1, 3, 0, 2]);
        assert_eq!(top_k(&s, 6).unwrap(), vec![1, 3, 0, 2, 5, 4]);
    }

    #[test]
    fn bad_k_and_nan_are_errors() {
        assert!(
            top_k(&[1.0], 0)
                .unwrap_err()
                .to_string()
                .contains("batch size")
        );
        assert!(
            top_k(&[1.0], 2)
                .unwrap_err()
                .to_string()
                .contains("larger than the pool")
        );
        assert!(
            top_k(&[1.0, f64::NAN], 1)
                .unwrap_err()
                .to_string()
                .contains("NaN")
        );
    }
}
