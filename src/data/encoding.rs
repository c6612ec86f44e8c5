//! The numbers a network takes from a table's raw feature columns: a text (categorical)
//! column one-hot encoded over the categories seen in training, a missing numeric cell
//! filled with the training mean beside a missing-indicator column. An [`Encoding`] is
//! fitted with a model, stored in its file and applied to every table the model scores,
//! so a raw table goes in as it is.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::table::Table;
use crate::error::{Error, Result};

/// The most distinct values a text column may have by default (`--max-categories`).
pub const DEFAULT_MAX_CATEGORIES: usize = 100;

/// How one raw column becomes network inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ColumnCode {
    /// A numeric column: its value, as it is.
    Number {
        /// The column's name (header name, or 0-based index for a header-less file).
        name: String,
        /// With imputation: the training mean, which fills a missing cell.
        #[serde(default)]
        mean: Option<f64>,
        /// Whether a missing-indicator input (1 where the cell was missing) follows; only
        /// for a column that had missing cells in training.
        #[serde(default)]
        indicator: bool,
    },
    /// A text column: one input per category, 1 for the row's category and 0 elsewhere.
    Category {
        /// The column's name.
        name: String,
        /// The categories seen in training, in the order of their inputs (sorted).
        levels: Vec<String>,
        /// Whether missing cells are a category of their own (the last input); only with
        /// imputation and when training had missing cells in this column.
        #[serde(default)]
        missing_level: bool,
    },
}

/// The name of the missing-indicator input of numeric column `name`.
fn indicator_name(name: &str) -> String {
    format!("{name} (missing)")
}

/// The name of the input of category `level` of column `name`.
fn level_name(name: &str, level: &str) -> String {
    format!("{name}={level}")
}

/// The name of the missing category's input of column `name`.
fn missing_level_name(name: &str) -> String {
    format!("{name}=(missing)")
}

impl ColumnCode {
    /// The raw column's name.
    pub fn name(&self) -> &str {
        match self {
            ColumnCode::Number { name, .. } | ColumnCode::Category { name, .. } => name,
        }
    }

    /// The names of the network inputs this column becomes, in order.
    pub fn outputs(&self) -> Vec<String> {
        match self {
            ColumnCode::Number {
                name, indicator, ..
            } => {
                let mut v = vec![name.clone()];
                if *indicator {
                    v.push(indicator_name(name));
                }
                v
            }
            ColumnCode::Category {
                name,
                levels,
                missing_level,
            } => {
                let mut v: Vec<String> = levels.iter().map(|l| level_name(name, l)).collect();
                if *missing_level {
                    v.push(missing_level_name(name));
                }
                v
            }
        }
    }
}

/// What an [`Encoding`] does with a category it was not fitted on (`--unknown-category`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnknownCategory {
    /// An [`Error::UnknownCategory`] naming the line, column and value (the default).
    #[default]
    Error,
    /// The column's inputs are all zero for that row (counted in [`Encoded::unknown`]).
    Ignore,
}

/// How [`Encoding::fit`] encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingOptions {
    /// The most categories a text column may have ([`DEFAULT_MAX_CATEGORIES`]).
    pub max_categories: usize,
    /// Whether missing cells are imputed (the table was read with
    /// [`crate::data::Missing::Impute`]).
    pub impute: bool,
}

impl Default for EncodingOptions {
    fn default() -> Self {
        Self {
            max_categories: DEFAULT_MAX_CATEGORIES,
            impute: false,
        }
    }
}

/// A table's feature columns turned into network inputs (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// One entry per raw feature column, in the model's order.
    pub columns: Vec<ColumnCode>,
}

/// What [`Encoding::encode_table`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// The encoded table: the encoding's inputs first, under [`Encoding::output_names`],
    /// then every other column of the raw table (under its header name, or its 0-based
    /// index in the raw table when it has no header).
    pub table: Table,
    /// Cells of a category not seen in training, encoded as zeros
    /// ([`UnknownCategory::Ignore`]).
    pub unknown: usize,
}

impl Encoding {
    /// Fits the encoding of `table`'s columns `columns` (0-based): a text column
    /// ([`Table::text`]) becomes a [`ColumnCode::Category`] over its sorted distinct
    /// values; a numeric column a [`ColumnCode::Number`], with the mean of its present
    /// cells when `opts.impute`, and an indicator when it had missing cells.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyCategories`] for a text column with more than
    /// `opts.max_categories` values; [`Error::MissingValue`] for a numeric column with no
    /// value at all; [`Error::ColumnMismatch`] when two inputs would get the same name.
    ///
    /// ```
    /// use mcdropout::data::{Encoding, EncodingOptions, LoadOptions, parse_table};
    /// let csv = b"size,colour,price\n50,red,3\n70,blue,5\n60,red,4\n";
    /// let table = parse_table(csv, "t.csv".as_ref(), &LoadOptions::default())?;
    /// let enc = Encoding::fit(&table, &[0, 1], &EncodingOptions::default())?;
    /// assert_eq!(enc.output_names(), ["size", "colour=blue", "colour=red"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit(table: &Table, columns: &[usize], opts: &EncodingOptions) -> Result<Encoding> {
        let mut codes = Vec::with_capacity(columns.len());
        for &j in columns {
            let name = table.column_name(j);
            let code = match table.text.get(&j) {
                Some(cells) => {
                    let mut levels: Vec<String> = cells.iter().flatten().cloned().collect();
                    levels.sort_unstable();
                    levels.dedup();
                    if levels.len() > opts.max_categories {
                        return Err(Error::TooManyCategories {
                            path: table.path.clone(),
                            column: name,
                            count: levels.len(),
                            max: opts.max_categories,
                        });
                    }
                    ColumnCode::Category {
                        name,
                        levels,
                        missing_level: cells.iter().any(Option::is_none),
                    }
                }
                None => {
                    let col = table.data.column(j);
                    let present: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
                    let had_missing = present.len() < col.len();
                    if present.is_empty() {
                        return Err(Error::MissingValue {
                            path: table.path.clone(),
                            line: table.lines.first().copied().unwrap_or(0),
                            column: format!("{name} (index {j})"),
                            value: "every cell of the column is missing".into(),
                        });
                    }
                    let mean = present.iter().sum::<f64>() / present.len() as f64;
                    ColumnCode::Number {
                        name,
                        mean: opts.impute.then_some(mean),
                        indicator: opts.impute && had_missing,
                    }
                }
            };
            codes.push(code);
        }
        let enc = Encoding { columns: codes };
        enc.check_names(&table.path)?;
        Ok(enc)
    }

    /// Whether the encoding changes nothing: every column numeric, without imputation.
    /// A model fitted with such an encoding stores none.
    pub fn is_identity(&self) -> bool {
        self.columns
            .iter()
            .all(|c| matches!(c, ColumnCode::Number { mean: None, .. }))
    }

    /// Whether missing cells are filled (the model was fitted with imputation).
    pub fn imputes(&self) -> bool {
        self.columns.iter().any(|c| match c {
            ColumnCode::Number { mean, .. } => mean.is_some(),
            ColumnCode::Category { missing_level, .. } => *missing_level,
        })
    }

    /// The raw columns' names, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name().to_owned()).collect()
    }

    /// The names of the categorical columns.
    pub fn categorical_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| matches!(c, ColumnCode::Category { .. }))
            .map(|c| c.name().to_owned())
            .collect()
    }

    /// The names of the network inputs, in order.
    pub fn output_names(&self) -> Vec<String> {
        self.columns.iter().flat_map(ColumnCode::outputs).collect()
    }

    /// Checks the encoding read from a model file: names unique, levels unique, numbers
    /// finite; `path` names the file in messages.
    pub fn check(&self, path: &std::path::Path) -> Result<()> {
        for c in &self.columns {
            match c {
                ColumnCode::Number { mean: Some(m), .. } if !m.is_finite() => {
                    return Err(Error::ModelFormat {
                        path: path.to_path_buf(),
                        reason: format!("the imputed mean of column {:?} is {m}", c.name()),
                    });
                }
                ColumnCode::Category { levels, .. } if levels.is_empty() => {
                    return Err(Error::ModelFormat {
                        path: path.to_path_buf(),
                        reason: format!("categorical column {:?} has no categories", c.name()),
                    });
                }
                _ => {}
            }
        }
        self.check_names(path)
    }

    fn check_names(&self, path: &std::path::Path) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for name in self.column_names() {
            if !seen.insert(name.clone()) {
                return Err(Error::ColumnMismatch {
                    path: path.to_path_buf(),
                    reason: format!("column {name:?} is encoded twice"),
                });
            }
        }
        let mut seen = std::collections::HashSet::new();
        for name in self.output_names() {
            if !seen.insert(name.clone()) {
                return Err(Error::ColumnMismatch {
                    path: path.to_path_buf(),
                    reason: format!(
                        "two encoded inputs are both named {name:?} (a column name and a category together spell another column's name); rename a column"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Encodes `table`: finds each of the encoding's columns by name
    /// ([`Table::column_index`]) and writes its inputs, then copies every other column.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownColumn`] for a column the table lacks;
    /// [`Error::TextInNumericColumn`] for text in a numeric column;
    /// [`Error::MissingValue`] for a missing numeric cell without imputation;
    /// [`Error::UnknownCategory`] for a category not seen in training (or a missing cell
    /// of a column that had none in training) with [`UnknownCategory::Error`].
    pub fn encode_table(&self, table: &Table, unknown: UnknownCategory) -> Result<Encoded> {
        let n = table.n_rows();
        let raw: Vec<usize> = self
            .columns
            .iter()
            .map(|c| table.column_index(c.name()))
            .collect::<Result<_>>()?;
        let rest: Vec<usize> = (0..table.n_cols()).filter(|j| !raw.contains(j)).collect();
        let width = self.output_names().len() + rest.len();
        crate::limits::check_memory("the encoded table", n as f64 * width as f64 * 8.0)?;
        let cells = n.saturating_mul(width);
        let zeros = crate::limits::alloc::try_vec(cells, 0.0, "the encoded table")?;
        let mut data =
            Array2::from_shape_vec((n, width), zeros).map_err(|e| Error::Shape(e.to_string()))?;
        let mut at = 0;
        let mut ignored = 0;
        for (code, &j) in self.columns.iter().zip(&raw) {
            match code {
                ColumnCode::Number {
                    mean, indicator, ..
                } => {
                    if let Some(cells) = table.text.get(&j)
                        && let Some((r, s)) = cells
                            .iter()
                            .enumerate()
                            .find_map(|(r, c)| c.as_ref().map(|s| (r, s)))
                    {
                        return Err(Error::TextInNumericColumn {
                            path: table.path.clone(),
                            line: table.lines[r],
                            column: format!("{} (index {j})", code.name()),
                            value: s.clone(),
                            why: "the model was trained on it as a numeric column".into(),
                        });
                    }
                    for r in 0..n {
                        let v = table.data[[r, j]];
                        if v.is_nan() {
                            let Some(m) = mean else {
                                return Err(Error::MissingValue {
                                    path: table.path.clone(),
                                    line: table.lines[r],
                                    column: format!("{} (index {j})", code.name()),
                                    value: String::new(),
                                });
                            };
                            data[[r, at]] = *m;
                            if *indicator {
                                data[[r, at + 1]] = 1.0;
                            }
                        } else {
                            data[[r, at]] = v;
                        }
                    }
                }
                ColumnCode::Category {
                    levels,
                    missing_level,
                    name,
                } => {
                    let numbers;
                    let cells: &[Option<String>] = match table.text.get(&j) {
                        Some(c) => c,
                        None => {
                            // Codes written as numbers (a file where every cell of the
                            // column is a number): the same shortest form as a text column.
                            numbers = table
                                .data
                                .column(j)
                                .iter()
                                .map(|v| (!v.is_nan()).then(|| super::cells::number_text(*v)))
                                .collect::<Vec<_>>();
                            &numbers
                        }
                    };
                    for (r, cell) in cells.iter().enumerate() {
                        let hit = match cell {
                            Some(s) => levels.binary_search(s).ok(),
                            None if *missing_level => Some(levels.len()),
                            None => None,
                        };
                        match (hit, unknown) {
                            (Some(k), _) => data[[r, at + k]] = 1.0,
                            (None, UnknownCategory::Ignore) => ignored += 1,
                            (None, UnknownCategory::Error) => {
                                return Err(Error::UnknownCategory {
                                    path: table.path.clone(),
                                    line: table.lines[r],
                                    column: name.clone(),
                                    value: cell.clone().unwrap_or_else(|| "(missing)".into()),
                                    known: crate::error::name_list(levels),
                                });
                            }
                        }
                    }
                }
            }
            at += code.outputs().len();
        }
        let mut names = self.output_names();
        let mut text = std::collections::BTreeMap::new();
        for &j in &rest {
            data.column_mut(at).assign(&table.data.column(j));
            if let Some(cells) = table.text.get(&j) {
                text.insert(at, cells.clone());
            }
            names.push(table.column_name(j));
            at += 1;
        }
        Ok(Encoded {
            table: Table {
                path: table.path.clone(),
                header: Some(names),
                data,
                text,
                lines: table.lines.clone(),
                dropped_rows: table.dropped_rows,
            },
            unknown: ignored,
        })
    }
}
