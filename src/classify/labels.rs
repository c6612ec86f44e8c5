//! Class labels: any integer values in a column, mapped to class indices `0..C` in
//! increasing order of the label.

use crate::error::{Error, Result};
use ndarray::ArrayView1;

/// Largest label magnitude accepted: 2⁵³ − 1. From 2⁵³ on, a double cannot tell
/// neighbouring integers apart (the text 9007199254740993 reads as 2⁵³), so a label there
/// may already have merged with another one when the file was read.
const MAX_LABEL: f64 = 9_007_199_254_740_991.0;

/// Reads a label column: every value must be a finite integer (`column` names it in
/// errors, rows are reported 1-based).
pub fn integer_labels(y: ArrayView1<f64>, column: &str) -> Result<Vec<i64>> {
    y.iter()
        .enumerate()
        .map(|(r, &v)| {
            if v.is_finite() && v.fract() == 0.0 && v.abs() <= MAX_LABEL {
                Ok(v as i64)
            } else {
                Err(Error::NonIntegerLabel {
                    column: column.into(),
                    row: r + 1,
                    value: v,
                })
            }
        })
        .collect()
}

/// The sorted distinct labels of the training data; at least two are required.
pub fn classes_of(labels: &[i64], column: &str) -> Result<Vec<i64>> {
    let mut classes = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    match classes.as_slice() {
        [] => Err(Error::TooFewRows { needed: 2, got: 0 }),
        [only] => Err(Error::SingleClass {
            column: column.into(),
            label: *only,
        }),
        _ => Ok(classes),
    }
}

/// Index of every label in `classes`; a label not in `classes` is
/// [`Error::UnseenClass`] naming its (1-based) row.
pub fn class_indices(labels: &[i64], classes: &[i64]) -> Result<Vec<usize>> {
    labels
        .iter()
        .enumerate()
        .map(|(r, l)| {
            classes.binary_search(l).map_err(|_| Error::UnseenClass {
                row: r + 1,
                label: *l,
                known: classes
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn labels_map_to_sorted_indices() {
        let l = integer_labels(array![7.0, -2.0, 7.0, 3.0].view(), "y").unwrap();
        let c = classes_of(&l, "y").unwrap();
        assert_eq!(c, vec![-2, 3, 7]);
        assert_eq!(class_indices(&l, &c).unwrap(), vec![2, 0, 2, 1]);
    }

    #[test]
    fn non_integer_label_names_the_row() {
        let e = integer_labels(array![1.0, 2.5].view(), "y").unwrap_err();
        assert!(matches!(e, Error::NonIntegerLabel { row: 2, .. }), "{e}");
    }

    #[test]
    fn single_class_is_an_error() {
        let e = classes_of(&[4, 4, 4], "y").unwrap_err();
        assert!(matches!(e, Error::SingleClass { label: 4, .. }), "{e}");
    }

    #[test]
    fn unseen_class_is_an_error() {
        let e = class_indices(&[1, 9], &[0, 1]).unwrap_err();
        assert!(
            matches!(
                e,
                Error::UnseenClass {
                    row: 2,
                    label: 9,
                    ..
                }
            ),
            "{e}"
        );
    }
}
