//! Finding a saved model's feature and target columns in a data file by the names the
//! model knows, never silently by position: names or nothing.

use ndarray::Array2;

use super::matching::{ColumnMatch, quoted};
use super::table::Table;
use crate::error::{Error, Result};

/// How a model's columns were named when it was trained, judged from its feature names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Names from a header line or a DataFrame: the model's columns are found by name.
    Named,
    /// Trained on a header-less file: every name is the 0-based index (`"0"`, `"13"`) of
    /// its column in that file.
    Positional,
    /// The library's defaults `x0, x1, …` (trained on bare arrays): the model knows
    /// nothing about the columns.
    Unnamed,
}

impl Naming {
    /// The naming of a model with these feature names.
    ///
    /// ```
    /// use mcdropout::data::Naming;
    /// let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    /// assert_eq!(Naming::of(&names(&["age", "size"])), Naming::Named);
    /// assert_eq!(Naming::of(&names(&["0", "3"])), Naming::Positional);
    /// assert_eq!(Naming::of(&names(&["x0", "x1"])), Naming::Unnamed);
    /// assert_eq!(Naming::of(&names(&["x1", "x0"])), Naming::Named);
    /// ```
    pub fn of(features: &[String]) -> Naming {
        if !features.is_empty() && features.iter().all(|n| is_index(n)) {
            Naming::Positional
        } else if features
            .iter()
            .enumerate()
            .all(|(i, n)| *n == format!("x{i}"))
        {
            Naming::Unnamed
        } else {
            Naming::Named
        }
    }
}

/// A name that is a 0-based column index as a header-less file gives it (`"7"`, not `"07"`).
fn is_index(name: &str) -> bool {
    name.parse::<usize>().is_ok_and(|i| i.to_string() == name)
}

/// What [`Table::model_data`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelData {
    /// The model's features, rows × features, in the model's order.
    pub x: Array2<f64>,
    /// The target columns, rows × targets, in the model's order (when a target was given).
    pub y: Option<Array2<f64>>,
    /// The column of the file used for each of the model's targets, in the model's order:
    /// its header name, or its 0-based index for a header-less file.
    pub target_columns: Vec<String>,
}

impl Table {
    /// The columns of a saved model with feature names `features` and target names
    /// `targets`; `target` (when given) names the file's target columns: header names or
    /// 0-based indices, comma-separated when the model has several targets.
    ///
    /// With [`ColumnMatch::ByName`] the model's names decide (see [`Naming`]):
    ///
    /// * a [`Naming::Named`] model needs a header: a header-less file is
    ///   [`Error::ColumnMismatch`] listing the names expected. Features are found by name
    ///   (as [`Table::model_columns`]); every given target column must carry one of the
    ///   model's target names (given as a name or as an index), each once, in any order;
    /// * a [`Naming::Positional`] model on a header-less file takes its features by
    ///   position, and the given target columns must be the ones it was trained on (same
    ///   indices), in any order;
    /// * a [`Naming::Unnamed`] model takes the columns as given.
    ///
    /// With [`ColumnMatch::ByPosition`] the target columns are the given ones, paired with
    /// the model's targets in the given order, and the features are the other columns in
    /// order. Targets are returned in the model's order.
    ///
    /// # Errors
    ///
    /// [`Error::ColumnMismatch`] as above and as [`Table::model_columns`];
    /// [`Error::UnknownColumn`] for a target column the file does not have;
    /// [`Error::InvalidParameter`] (`--target`) for a wrong number of targets, a column
    /// given twice, or a column that is not the model's target.
    ///
    /// ```
    /// use mcdropout::data::{ColumnMatch, LoadOptions, read_table};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("test.csv");
    /// std::fs::write(&path, "price,size,age\n3,50,10\n5,70,2\n")?;
    /// let table = read_table(&path, &LoadOptions::default())?;
    /// let features = ["age".to_string(), "size".to_string()];
    /// let target = ["price".to_string()];
    /// let d = table.model_data(&features, &target, Some("0"), ColumnMatch::ByName)?;
    /// assert_eq!(d.x.row(0).to_vec(), [10.0, 50.0]);
    /// assert_eq!(d.target_columns, ["price"]);
    /// // Column 1 is "size", not the model's target.
    /// assert!(table.model_data(&features, &target, Some("1"), ColumnMatch::ByName).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn model_data(
        &self,
        features: &[String],
        targets: &[String],
        target: Option<&str>,
        how: ColumnMatch,
    ) -> Result<ModelData> {
        self.check_unique_header()?;
        let naming = Naming::of(features);
        if how == ColumnMatch::ByName && naming == Naming::Named && self.header.is_none() {
            return Err(self.no_header(features, targets));
        }
        let cols = match target {
            Some(spec) => self.target_columns(spec, targets, naming, how)?,
            None => Vec::new(),
        };
        let x_cols = self.feature_columns(features, &cols, how)?;
        self.check_numbers(&x_cols, "a feature of the model")?;
        self.check_numbers(&cols, "a target")?;
        Ok(ModelData {
            x: self.select_columns(&x_cols),
            y: target.map(|_| self.select_columns(&cols)),
            target_columns: cols.iter().map(|&i| self.column_name(i)).collect(),
        })
    }

    fn no_header(&self, features: &[String], targets: &[String]) -> Error {
        let names: Vec<&str> = features.iter().map(String::as_str).collect();
        let t: Vec<&str> = targets.iter().map(String::as_str).collect();
        Error::ColumnMismatch {
            path: self.path.clone(),
            reason: format!(
                "the file has no header line, but the model's columns have names: it expects the features {} and the target{} {}; add a header line naming the columns (--header yes if the first line is one), or pass --by-position to take the columns in order",
                quoted(&names),
                if t.len() == 1 { "" } else { "s" },
                quoted(&t),
            ),
        }
    }

    /// The file's columns of the model's targets, in the model's order.
    fn target_columns(
        &self,
        spec: &str,
        targets: &[String],
        naming: Naming,
        how: ColumnMatch,
    ) -> Result<Vec<usize>> {
        let specs: Vec<&str> = if targets.len() > 1 {
            spec.split(',').map(str::trim).collect()
        } else {
            vec![spec]
        };
        if specs.len() != targets.len() {
            return Err(target_error(format!(
                "the model predicts {} targets ({}); give them all, comma-separated, got {}",
                targets.len(),
                targets.join(","),
                specs.len()
            )));
        }
        let given = specs
            .iter()
            .map(|s| self.column_index(s))
            .collect::<Result<Vec<usize>>>()?;
        if let Some((j, &i)) = given
            .iter()
            .enumerate()
            .find(|&(j, i)| given[..j].contains(i))
        {
            return Err(target_error(format!(
                "{:?} and {:?} are the same column {:?}",
                specs[given.iter().position(|&g| g == i).unwrap_or(0)],
                specs[j],
                self.column_name(i)
            )));
        }
        let checked = how == ColumnMatch::ByName
            && match naming {
                Naming::Named => true,
                Naming::Positional => self.header.is_none(),
                Naming::Unnamed => false,
            };
        if !checked {
            return Ok(given);
        }
        let mut cols = vec![usize::MAX; targets.len()];
        for (s, &i) in specs.iter().zip(&given) {
            let name = self.column_name(i);
            let Some(k) = targets.iter().position(|t| *t == name) else {
                return Err(self.not_a_target(s, i, targets, naming));
            };
            cols[k] = i;
        }
        Ok(cols)
    }

    fn not_a_target(&self, spec: &str, i: usize, targets: &[String], naming: Naming) -> Error {
        let (what, theirs) = match naming {
            Naming::Positional => (
                format!("column {i}"),
                format!(
                    "the model was trained on a header-less file with its target{} in column{} {} (0-based)",
                    if targets.len() == 1 { "" } else { "s" },
                    if targets.len() == 1 { "" } else { "s" },
                    targets.join(", ")
                ),
            ),
            _ => (
                format!("column {:?}", self.column_name(i)),
                format!(
                    "the model's target{} {}",
                    if targets.len() == 1 { " is" } else { "s are" },
                    quoted(&targets.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ),
        };
        target_error(format!(
            "{spec:?} is {what} of {}, which the model was not trained to predict: {theirs}; pass --target {}, or --by-position to use {what} anyway",
            self.path.display(),
            targets.join(","),
        ))
    }
}

fn target_error(reason: String) -> Error {
    Error::InvalidParameter {
        name: "--target".to_owned(),
        reason,
    }
}

#[cfg(test)]
#[path = "tests_model_data.rs"]
mod tests;
