//! Format-independent row handling: classifying cells, detecting the header, checking
//! row lengths and collecting the values into a [`Table`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::table::{Categorical, Header, LoadOptions, Missing, Table};
use crate::error::{Error, Result};

/// What one (trimmed) cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    /// A finite number.
    Value(f64),
    /// Empty, a missing-value marker ([`MISSING_MARKERS`]), NaN, infinite, or a number
    /// that overflows to infinity.
    Missing,
    /// Anything else.
    NotNumber,
}

/// Cells that mean "no value", as pandas' `read_csv` reads them by default (its
/// `na_values`), besides the empty cell and the spellings of NaN and infinity that
/// `f64::from_str` accepts.
pub const MISSING_MARKERS: [&str; 16] = [
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A", "NA", "NULL", "None", "n/a", "null",
];

impl Cell {
    /// Classifies a cell; surrounding whitespace is ignored.
    pub(crate) fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.is_empty() || MISSING_MARKERS.contains(&text) {
            return Cell::Missing;
        }
        // `f64::from_str` accepts "NaN", "inf", "infinity" in any case, with a sign.
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Cell::Value(v),
            Ok(_) => Cell::Missing,
            Err(_) => Cell::NotNumber,
        }
    }
}

/// The text of a number in a text (categorical) column: its shortest round-trip form, so
/// that `1`, `1.0` and `01` are one category however a file or a DataFrame wrote them.
pub(crate) fn number_text(v: f64) -> String {
    format!("{v}")
}

/// Collects rows one by one (in file order) and builds the [`Table`].
#[derive(Debug)]
pub(crate) struct RowCollector {
    path: PathBuf,
    missing: Missing,
    header_rule: Header,
    categorical: Categorical,
    /// Columns named to be read as text (`--categorical COL,..`): names or 0-based indices.
    named_text: Vec<String>,
    /// The 1-based line of a first row read as data by [`Header::Auto`] although it holds
    /// text (it holds numbers too): a text cell of it in a column that is otherwise
    /// numeric is a header cell, reported as such.
    guessed_data: Option<usize>,
    /// Cells per row, fixed by the first non-empty row (header or data).
    width: Option<usize>,
    header: Option<Vec<String>>,
    values: Vec<f64>,
    /// The cells of each column read as text so far (`None` for a numeric column).
    text: Vec<Option<Vec<Option<String>>>>,
    /// For each text column, the first cell that is not a number: (line, text).
    first_text: Vec<Option<(usize, String)>>,
    lines: Vec<usize>,
    dropped: usize,
}

impl RowCollector {
    pub(crate) fn new(path: &Path, opts: &LoadOptions) -> Self {
        Self {
            path: path.to_path_buf(),
            missing: opts.missing,
            header_rule: opts.header,
            categorical: opts.categorical,
            named_text: opts.categorical_columns.clone(),
            guessed_data: None,
            width: None,
            header: None,
            values: Vec::new(),
            text: Vec::new(),
            first_text: Vec::new(),
            lines: Vec::new(),
            dropped: 0,
        }
    }

    /// Adds the non-blank row found at 1-based `line`. The first such row becomes the
    /// header as [`Header`] says: with [`Header::Auto`], when none of its cells is a
    /// number and at least one is text (not a missing-value marker).
    pub(crate) fn push<'a, I>(&mut self, line: usize, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = &'a str>,
    {
        let cells: Vec<&str> = cells.into_iter().map(str::trim).collect();
        let parsed: Vec<Cell> = cells.iter().map(|c| Cell::parse(c)).collect();

        let Some(width) = self.width else {
            self.width = Some(cells.len());
            self.text = vec![None; cells.len()];
            self.first_text = vec![None; cells.len()];
            let has_text = parsed.contains(&Cell::NotNumber);
            let has_number = parsed.iter().any(|c| matches!(c, Cell::Value(_)));
            let is_header = match self.header_rule {
                Header::Yes => true,
                Header::No => false,
                Header::Auto => has_text && !has_number,
            };
            if is_header {
                self.header = Some(cells.iter().map(|c| (*c).to_owned()).collect());
            }
            self.start_named_text()?;
            if is_header {
                return Ok(());
            }
            if self.header_rule == Header::Auto && has_text {
                self.guessed_data = Some(line);
            }
            return self.push_data(line, &cells, &parsed);
        };
        if cells.len() != width {
            return Err(Error::RaggedRow {
                path: self.path.clone(),
                line,
                expected: width,
                found: cells.len(),
            });
        }
        self.push_data(line, &cells, &parsed)
    }

    /// Marks the columns named by `--categorical` as text, once the header (or its
    /// absence) is known.
    fn start_named_text(&mut self) -> Result<()> {
        let width = self.text.len();
        for spec in &self.named_text {
            let found = match &self.header {
                Some(h) => h.iter().position(|n| n == spec),
                None => None,
            }
            .or_else(|| spec.parse::<usize>().ok().filter(|&i| i < width));
            let Some(i) = found else {
                let available = match &self.header {
                    Some(h) => crate::error::name_list(h),
                    None => format!("0..{} (the file has no header)", width.saturating_sub(1)),
                };
                return Err(Error::UnknownColumn {
                    path: self.path.clone(),
                    spec: spec.clone(),
                    available,
                });
            };
            self.text[i] = Some(Vec::new());
        }
        Ok(())
    }

    fn push_data(&mut self, line: usize, cells: &[&str], parsed: &[Cell]) -> Result<()> {
        for (i, c) in parsed.iter().enumerate() {
            if *c != Cell::NotNumber || self.text[i].is_some() {
                continue;
            }
            if self.categorical == Categorical::Off {
                return Err(self.non_numeric(line, i, cells[i]));
            }
            // The column turns out to be text: its earlier cells were numbers (or missing).
            let rows = self.lines.len();
            let width = cells.len();
            let earlier = (0..rows)
                .map(|r| {
                    let v = self.values[r * width + i];
                    v.is_finite().then(|| number_text(v))
                })
                .collect();
            self.text[i] = Some(earlier);
        }
        if let Some(i) = parsed.iter().position(|c| *c == Cell::Missing) {
            match self.missing {
                Missing::Drop => {
                    self.dropped += 1;
                    return Ok(());
                }
                Missing::Error => {
                    return Err(Error::MissingValue {
                        path: self.path.clone(),
                        line,
                        column: self.column_label(i),
                        value: cells[i].to_owned(),
                    });
                }
                Missing::Impute => {}
            }
        }
        for (i, (c, cell)) in parsed.iter().zip(cells).enumerate() {
            if let Some(col) = &mut self.text[i] {
                col.push(match c {
                    Cell::Value(v) => Some(number_text(*v)),
                    Cell::Missing => None,
                    Cell::NotNumber => {
                        if self.first_text[i].is_none() {
                            self.first_text[i] = Some((line, (*cell).to_owned()));
                        }
                        Some((*cell).to_owned())
                    }
                });
                self.values.push(f64::NAN);
            } else {
                self.values.push(match c {
                    Cell::Value(v) => *v,
                    _ => f64::NAN,
                });
            }
        }
        self.lines.push(line);
        Ok(())
    }

    fn non_numeric(&self, line: usize, i: usize, value: &str) -> Error {
        if self.guessed_data == Some(line) {
            return Error::NonNumericFirstRow {
                path: self.path.clone(),
                line,
                column: self.column_label(i),
                value: value.to_owned(),
            };
        }
        Error::NonNumeric {
            path: self.path.clone(),
            line,
            column: self.column_label(i),
            value: value.to_owned(),
        }
    }

    /// Whether column `i` was named by `--categorical`.
    fn is_named(&self, i: usize) -> bool {
        self.named_text.iter().any(|s| {
            s.parse::<usize>().ok() == Some(i)
                || self.header.as_ref().and_then(|h| h.get(i)) == Some(s)
        })
    }

    /// `NAME (index i)` with a header, `index i` without.
    fn column_label(&self, i: usize) -> String {
        match self.header.as_ref().and_then(|h| h.get(i)) {
            Some(name) => format!("{name} (index {i})"),
            None => format!("index {i}"),
        }
    }

    /// Builds the table, or reports an empty file / a file without data rows. A column
    /// whose only text cell is in a first row read as data (because it also holds
    /// numbers) is a header the rule did not recognise: [`Error::NonNumericFirstRow`].
    pub(crate) fn finish(self) -> Result<Table> {
        let Some(width) = self.width else {
            return Err(Error::EmptyFile { path: self.path });
        };
        if self.lines.is_empty() {
            return Err(Error::NoDataRows { path: self.path });
        }
        if let Some(first) = self.guessed_data {
            let named = |i: usize| self.is_named(i);
            for (i, col) in self.text.iter().enumerate() {
                let Some(col) = col else { continue };
                let only_first = col
                    .iter()
                    .skip(1)
                    .all(|c| c.as_deref().is_none_or(|t| t.parse::<f64>().is_ok()));
                if let Some((line, value)) = &self.first_text[i]
                    && *line == first
                    && only_first
                    && !named(i)
                {
                    return Err(self.non_numeric(first, i, value));
                }
            }
        }
        for (i, col) in self.text.iter().enumerate() {
            let (Some(col), Some((line, value))) = (col, &self.first_text[i]) else {
                continue;
            };
            let numbers = col
                .iter()
                .flatten()
                .filter(|t| t.parse::<f64>().is_ok())
                .count();
            let texts = col.iter().flatten().count() - numbers;
            if numbers > texts && !self.is_named(i) {
                return Err(Error::MostlyNumbers {
                    path: self.path.clone(),
                    line: *line,
                    column: self.column_label(i),
                    value: value.clone(),
                    numbers,
                    texts,
                });
            }
        }
        let data = Array2::from_shape_vec((self.lines.len(), width), self.values)
            .map_err(|e| Error::Shape(format!("{}: {e}", self.path.display())))?;
        let text: BTreeMap<usize, Vec<Option<String>>> = self
            .text
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| (i, c)))
            .collect();
        Ok(Table {
            path: self.path,
            header: self.header,
            data,
            text,
            lines: self.lines,
            dropped_rows: self.dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Cell;

    #[test]
    fn classifies_cells() {
        assert_eq!(Cell::parse(" 1.5 "), Cell::Value(1.5));
        assert_eq!(Cell::parse("-2e3"), Cell::Value(-2000.0));
        for missing in [
            "", "  ", "NaN", "nan", "inf", "-inf", "Infinity", "-INF", "1e999",
        ] {
            assert_eq!(Cell::parse(missing), Cell::Missing, "{missing:?}");
        }
        for marker in super::MISSING_MARKERS {
            assert_eq!(Cell::parse(marker), Cell::Missing, "{marker:?}");
        }
        for text in ["abc", "1,5", "na", "?", "1.2.3"] {
            assert_eq!(Cell::parse(text), Cell::NotNumber, "{text:?}");
        }
    }
}
