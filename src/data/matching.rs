//! Finding a model's feature columns in a data file: by name when the file has a header,
//! by position only for a header-less file (or when asked to).

use ndarray::{Array1, Array2};

use super::table::Table;
use crate::error::{Error, Result};

/// How [`Table::model_columns`] finds the model's features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColumnMatch {
    /// By name when the file has a header (every feature must be named exactly once);
    /// by position when it has none.
    #[default]
    ByName,
    /// Every column except the target, in order, whatever the header says.
    ByPosition,
}

/// Up to ten names, quoted and comma-separated, then `… (N more)`.
pub(crate) fn quoted(names: &[&str]) -> String {
    const SHOWN: usize = 10;
    let mut s: Vec<String> = names.iter().take(SHOWN).map(|n| format!("{n:?}")).collect();
    if names.len() > SHOWN {
        s.push(format!("… ({} more)", names.len() - SHOWN));
    }
    s.join(", ")
}

impl Table {
    /// The first header name that appears more than once, with its two 0-based positions.
    pub fn duplicate_header(&self) -> Option<(String, usize, usize)> {
        let h = self.header.as_ref()?;
        let mut seen = std::collections::HashMap::new();
        h.iter()
            .enumerate()
            .find_map(|(j, n)| seen.insert(n.as_str(), j).map(|i| (n.clone(), i, j)))
    }

    /// The model's feature columns `names` and, when `target` is given (a name or 0-based
    /// index), the target column.
    ///
    /// With [`ColumnMatch::ByName`] and a header, every feature must be named exactly once
    /// (other columns are ignored); a missing, misspelled or duplicated name is
    /// [`Error::ColumnMismatch`] listing the missing and the unexpected names. Without a
    /// header (or with [`ColumnMatch::ByPosition`]) every column but the target is a
    /// feature, in order, and there must be exactly as many as `names`.
    ///
    /// ```
    /// use mcdropout::data::{ColumnMatch, LoadOptions, read_table};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("new.csv");
    /// std::fs::write(&path, "b,a\n2,1\n4,3\n")?;
    /// let table = read_table(&path, &LoadOptions::default())?;
    /// let names = ["a".to_string(), "b".to_string()];
    /// let (x, _) = table.model_columns(&names, None, ColumnMatch::ByName)?;
    /// assert_eq!(x.row(0).to_vec(), [1.0, 2.0]);
    /// let wrong = ["a".to_string(), "c".to_string()];
    /// let e = table.model_columns(&wrong, None, ColumnMatch::ByName).unwrap_err();
    /// assert!(e.to_string().contains("missing \"c\"; unexpected \"b\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn model_columns(
        &self,
        names: &[String],
        target: Option<&str>,
        how: ColumnMatch,
    ) -> Result<(Array2<f64>, Option<Array1<f64>>)> {
        self.check_unique_header()?;
        let target_idx = target.map(|t| self.column_index(t)).transpose()?;
        let exclude: Vec<usize> = target_idx.into_iter().collect();
        let cols = self.feature_columns(names, &exclude, how)?;
        let x = self.select_columns(&cols);
        let y = target_idx.map(|t| self.data.column(t).to_owned());
        Ok((x, y))
    }

    /// [`Error::ColumnMismatch`] when the header names a column twice.
    pub fn check_unique_header(&self) -> Result<()> {
        match self.duplicate_header() {
            Some((name, i, j)) => Err(Error::ColumnMismatch {
                path: self.path.clone(),
                reason: format!(
                    "the header names column {name:?} twice (columns {i} and {j}, 0-based)"
                ),
            }),
            None => Ok(()),
        }
    }

    /// The indices of the model's feature columns `names`, the target columns `targets`
    /// (0-based indices) excluded: as [`Table::model_columns`] describes.
    pub(crate) fn feature_columns(
        &self,
        names: &[String],
        targets: &[usize],
        how: ColumnMatch,
    ) -> Result<Vec<usize>> {
        let mismatch = |reason: String| Error::ColumnMismatch {
            path: self.path.clone(),
            reason,
        };
        let cols: Vec<usize> = match (&self.header, how) {
            (Some(header), ColumnMatch::ByName) => {
                let found: Vec<Option<usize>> = names
                    .iter()
                    .map(|n| header.iter().position(|c| c == n))
                    .collect();
                let missing: Vec<&str> = names
                    .iter()
                    .zip(&found)
                    .filter(|(_, f)| f.is_none())
                    .map(|(n, _)| n.as_str())
                    .collect();
                if !missing.is_empty() {
                    let unexpected: Vec<&str> = header
                        .iter()
                        .enumerate()
                        .filter(|&(i, c)| !targets.contains(&i) && !names.contains(c))
                        .map(|(_, c)| c.as_str())
                        .collect();
                    let unexpected = if unexpected.is_empty() {
                        "none".to_owned()
                    } else {
                        quoted(&unexpected)
                    };
                    return Err(mismatch(format!(
                        "the header does not name every feature of the model: missing {}; unexpected {unexpected} (the model's features, in order: {}; columns are matched by name when the file has a header, use --by-position to take them in order)",
                        quoted(&missing),
                        quoted(&names.iter().map(String::as_str).collect::<Vec<_>>()),
                    )));
                }
                let cols: Vec<usize> = found.into_iter().flatten().collect();
                if let Some(t) = targets.iter().find(|t| cols.contains(t)) {
                    return Err(mismatch(format!(
                        "the target column {:?} is one of the model's features",
                        self.column_name(*t)
                    )));
                }
                cols
            }
            _ => {
                let cols: Vec<usize> = (0..self.n_cols())
                    .filter(|i| !targets.contains(i))
                    .collect();
                if cols.len() != names.len() {
                    let besides = match targets {
                        [] => String::new(),
                        [t] => format!(" besides the target {:?}", self.column_name(*t)),
                        ts => format!(
                            " besides the targets {}",
                            ts.iter()
                                .map(|&t| format!("{:?}", self.column_name(t)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    return Err(mismatch(format!(
                        "wrong number of feature columns: the model expects {} ({}), found {}{besides}",
                        names.len(),
                        quoted(&names.iter().map(String::as_str).collect::<Vec<_>>()),
                        cols.len()
                    )));
                }
                cols
            }
        };
        Ok(cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use std::path::PathBuf;

    fn table(header: Option<&[&str]>) -> Table {
        Table {
            path: PathBuf::from("t.csv"),
            header: header.map(|h| h.iter().map(|s| (*s).to_owned()).collect()),
            data: array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            lines: vec![2, 3],
            text: Default::default(),
            dropped_rows: 0,
        }
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn by_name_reorders_and_ignores_extra_columns() {
        let t = table(Some(&["c", "a", "b"]));
        let (x, y) = t
            .model_columns(&names(&["a", "b"]), None, ColumnMatch::ByName)
            .unwrap();
        assert_eq!(x.row(0).to_vec(), [2.0, 3.0]);
        assert!(y.is_none());
        let (x, y) = t
            .model_columns(&names(&["b", "a"]), Some("c"), ColumnMatch::ByName)
            .unwrap();
        assert_eq!(x.row(1).to_vec(), [6.0, 5.0]);
        assert_eq!(y.unwrap().to_vec(), [1.0, 4.0]);
    }

    #[test]
    fn a_partly_named_header_is_an_error_listing_missing_and_unexpected() {
        let t = table(Some(&["a", "bb", "y"]));
        let e = t
            .model_columns(&names(&["a", "b"]), Some("y"), ColumnMatch::ByName)
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing \"b\"; unexpected \"bb\""), "{e}");
        assert!(e.starts_with("t.csv: "), "{e}");
        let dup = table(Some(&["a", "a", "b"]));
        let e = dup
            .model_columns(&names(&["a", "b"]), None, ColumnMatch::ByName)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"a\" twice"), "{e}");
    }

    #[test]
    fn position_only_without_header_or_when_asked() {
        let t = table(None);
        let (x, _) = t
            .model_columns(&names(&["p", "q"]), Some("2"), ColumnMatch::ByName)
            .unwrap();
        assert_eq!(x.row(0).to_vec(), [1.0, 2.0]);
        let e = t
            .model_columns(&names(&["p", "q"]), None, ColumnMatch::ByName)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expects 2"), "{e}");
        let named = table(Some(&["u", "v", "w"]));
        assert!(
            named
                .model_columns(&names(&["p", "q"]), Some("w"), ColumnMatch::ByPosition)
                .is_ok()
        );
    }
}
