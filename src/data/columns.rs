//! Choosing columns of a [`Table`] by name or index.

use ndarray::{Array1, Array2, Axis};

use super::table::Table;
use crate::error::{Error, Result};

/// What [`Table::features_and_target`] returns: the feature matrix (rows × features),
/// the target vector, the feature names and the target name.
pub type FeaturesAndTarget = (Array2<f64>, Array1<f64>, Vec<String>, String);

impl Table {
    /// Resolves a column given as a header name (exact match, tried first) or as a
    /// 0-based index.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownColumn`] listing the available names (or `0..n-1` when the file
    /// has no header).
    ///
    /// ```
    /// # use mcdropout::data::{LoadOptions, read_table};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("t.csv");
    /// std::fs::write(&path, "age,price\n30,1.5\n40,2.5\n")?;
    /// let table = read_table(&path, &LoadOptions::default())?;
    /// assert_eq!(table.column_index("price")?, 1);
    /// assert_eq!(table.column_index("0")?, 0);
    /// assert!(table.column_index("size").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn column_index(&self, spec: &str) -> Result<usize> {
        if let Some(i) = self
            .header
            .as_ref()
            .and_then(|h| h.iter().position(|name| name == spec))
        {
            return Ok(i);
        }
        match spec.trim().parse::<usize>() {
            Ok(i) if i < self.n_cols() => Ok(i),
            _ => Err(Error::UnknownColumn {
                path: self.path.clone(),
                spec: spec.to_owned(),
                available: self.available_columns(),
            }),
        }
    }

    /// The header name of column `idx`, or the index as text when there is no header.
    pub fn column_name(&self, idx: usize) -> String {
        match self.header.as_ref().and_then(|h| h.get(idx)) {
            Some(name) => name.clone(),
            None => idx.to_string(),
        }
    }

    /// Resolves the target column and the feature columns and returns
    /// `(features, target, feature names, target name)`.
    ///
    /// The features are the given columns in the given order, or every column except the
    /// target when `features` is `None`.
    ///
    /// # Errors
    ///
    /// * [`Error::UnknownColumn`] for a column that does not exist;
    /// * [`Error::InvalidParameter`] (`--features`) when a feature is the target, a
    ///   feature is listed twice, or no feature column remains.
    ///
    /// ```
    /// # use mcdropout::data::{LoadOptions, read_table};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("t.csv");
    /// std::fs::write(&path, "a,b,c\n1,2,3\n4,5,6\n")?;
    /// let table = read_table(&path, &LoadOptions::default())?;
    /// let features = vec!["c".to_string(), "0".to_string()];
    /// let (x, y, names, target) = table.features_and_target("b", Some(&features))?;
    /// assert_eq!(names, ["c", "a"]);
    /// assert_eq!(target, "b");
    /// assert_eq!(x.row(1).to_vec(), [6.0, 4.0]);
    /// assert_eq!(y.to_vec(), [2.0, 5.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn features_and_target(
        &self,
        target: &str,
        features: Option<&[String]>,
    ) -> Result<FeaturesAndTarget> {
        let (t, cols) = self.fit_columns(target, features)?;
        let target_name = self.column_name(t);
        self.check_numbers(&cols, "a numeric feature")?;
        self.check_numbers(&[t], "the target")?;
        let x = self.select_columns(&cols);
        let y = self.data.column(t).to_owned();
        let names = cols.iter().map(|&i| self.column_name(i)).collect();
        Ok((x, y, names, target_name))
    }

    /// The 0-based indices of the target column `target` (a name or an index) and of the
    /// feature columns (`features`, or every other column) of a table to fit on, checked
    /// as [`Table::features_and_target`] checks them (but not for numbers: a raw table's
    /// text columns are encoded first).
    ///
    /// # Errors
    ///
    /// [`Error::ColumnMismatch`] or [`Error::InvalidParameter`] naming a column that is
    /// missing, repeated, or both a feature and the target, or when no feature is left.
    pub fn fit_columns(
        &self,
        target: &str,
        features: Option<&[String]>,
    ) -> Result<(usize, Vec<usize>)> {
        if let Some((name, i, j)) = self.duplicate_header() {
            return Err(Error::ColumnMismatch {
                path: self.path.clone(),
                reason: format!(
                    "the header names column {name:?} twice (columns {i} and {j}, 0-based); every column needs its own name"
                ),
            });
        }
        let t = self.column_index(target)?;
        let target_name = self.column_name(t);
        let cols: Vec<usize> = match features {
            None => (0..self.n_cols()).filter(|&i| i != t).collect(),
            Some(specs) => {
                let mut cols = Vec::with_capacity(specs.len());
                for spec in specs {
                    let i = self.column_index(spec)?;
                    if i == t {
                        return Err(features_error(format!(
                            "feature {spec:?} is the target column {target_name:?}"
                        )));
                    }
                    if cols.contains(&i) {
                        return Err(features_error(format!(
                            "column {:?} is listed twice",
                            self.column_name(i)
                        )));
                    }
                    cols.push(i);
                }
                cols
            }
        };
        if cols.is_empty() {
            return Err(features_error(format!(
                "no feature columns (the target is {target_name:?}, columns: {})",
                self.available_columns()
            )));
        }
        Ok((t, cols))
    }

    /// Checks that columns `cols` hold numbers only: a text column is
    /// [`Error::TextInNumericColumn`] naming its first text cell, a missing cell (kept by
    /// [`crate::data::Missing::Impute`]) is [`Error::MissingValue`]; `why` says in the
    /// message what the column is used as.
    pub fn check_numbers(&self, cols: &[usize], why: &str) -> Result<()> {
        for &j in cols {
            let label = match self.header.as_ref().and_then(|h| h.get(j)) {
                Some(name) => format!("{name} (index {j})"),
                None => format!("index {j}"),
            };
            if let Some(cells) = self.text.get(&j) {
                let (r, value) = cells
                    .iter()
                    .enumerate()
                    .find_map(|(r, c)| {
                        c.as_ref()
                            .filter(|t| t.parse::<f64>().is_err())
                            .map(|t| (r, t))
                    })
                    .or_else(|| {
                        cells
                            .iter()
                            .enumerate()
                            .find_map(|(r, c)| c.as_ref().map(|t| (r, t)))
                    })
                    .map_or((0, String::new()), |(r, t)| (r, t.clone()));
                return Err(Error::TextInNumericColumn {
                    path: self.path.clone(),
                    line: self.lines.get(r).copied().unwrap_or(0),
                    column: label,
                    value,
                    why: format!(
                        "{why}; a text column is one-hot encoded only as a feature of a model fitted with it"
                    ),
                });
            }
            if let Some(r) = self.data.column(j).iter().position(|v| v.is_nan()) {
                return Err(Error::MissingValue {
                    path: self.path.clone(),
                    line: self.lines.get(r).copied().unwrap_or(0),
                    column: label,
                    value: String::new(),
                });
            }
        }
        Ok(())
    }

    /// Copies the given columns, in the given order, into a new array.
    ///
    /// # Panics
    ///
    /// When an index is not below [`Table::n_cols`]; resolve user input with
    /// [`Table::column_index`] first.
    pub fn select_columns(&self, cols: &[usize]) -> Array2<f64> {
        self.data.select(Axis(1), cols)
    }

    fn available_columns(&self) -> String {
        match &self.header {
            Some(names) => names.join(", "),
            None if self.n_cols() == 0 => "none".to_owned(),
            None => format!("0..{}", self.n_cols() - 1),
        }
    }
}

fn features_error(reason: String) -> Error {
    Error::InvalidParameter {
        name: "--features".to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use ndarray::array;

    use super::*;

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

    #[test]
    fn column_index_by_name_and_index() {
        let t = table(Some(&["a", "b", "c"]));
        assert_eq!(t.column_index("b").unwrap(), 1);
        assert_eq!(t.column_index("2").unwrap(), 2);
        assert_eq!(t.column_name(2), "c");
        let t = table(None);
        assert_eq!(t.column_index("0").unwrap(), 0);
        assert_eq!(t.column_name(1), "1");
    }

    #[test]
    fn header_name_wins_over_index() {
        let t = table(Some(&["2", "x", "y"]));
        assert_eq!(t.column_index("2").unwrap(), 0);
    }

    #[test]
    fn unknown_column_lists_available() {
        let t = table(Some(&["a", "b", "c"]));
        let msg = t.column_index("d").unwrap_err().to_string();
        assert!(matches!(
            t.column_index("d"),
            Err(Error::UnknownColumn { .. })
        ));
        assert!(msg.contains("t.csv") && msg.contains("\"d\"") && msg.contains("a, b, c"));
        let msg = t.column_index("3").unwrap_err().to_string();
        assert!(msg.contains("\"3\""), "{msg}");
        let msg = table(None).column_index("a").unwrap_err().to_string();
        assert!(msg.contains("0..2"), "{msg}");
    }

    #[test]
    fn default_features_are_all_but_target() {
        let t = table(Some(&["a", "b", "c"]));
        let (x, y, names, target) = t.features_and_target("a", None).unwrap();
        assert_eq!(x, array![[2.0, 3.0], [5.0, 6.0]]);
        assert_eq!(y, array![1.0, 4.0]);
        assert_eq!(names, ["b", "c"]);
        assert_eq!(target, "a");
    }

    #[test]
    fn feature_equal_to_target_is_rejected() {
        let t = table(None);
        let feats = vec!["0".to_owned(), "2".to_owned()];
        let err = t.features_and_target("2", Some(&feats)).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParameter { name, .. } if name == "--features"),
            "{err}"
        );
        let twice = vec!["0".to_owned(), "0".to_owned()];
        assert!(t.features_and_target("2", Some(&twice)).is_err());
        assert!(t.features_and_target("9", None).is_err());
    }
}
