//! Format-independent row handling: classifying cells, detecting the header, checking
//! row lengths and collecting the values into a [`Table`].

use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::table::{Header, Table};
use crate::error::{Error, Result};

/// What one (trimmed) cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    /// A finite number.
    Value(f64),
    /// Empty, NaN, infinite, or a number that overflows to infinity.
    Missing,
    /// Anything else.
    NotNumber,
}

impl Cell {
    /// Classifies a cell; surrounding whitespace is ignored.
    pub(crate) fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.is_empty() {
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

/// Collects rows one by one (in file order) and builds the [`Table`].
#[derive(Debug)]
pub(crate) struct RowCollector {
    path: PathBuf,
    drop_missing: bool,
    header_rule: Header,
    /// The 1-based line of a first row read as data by [`Header::Auto`] although it holds
    /// text (it holds numbers too): its text cells get a message saying so.
    guessed_data: Option<usize>,
    /// Cells per row, fixed by the first non-empty row (header or data).
    width: Option<usize>,
    header: Option<Vec<String>>,
    values: Vec<f64>,
    lines: Vec<usize>,
    dropped: usize,
}

impl RowCollector {
    pub(crate) fn new(path: &Path, drop_missing: bool, header_rule: Header) -> Self {
        Self {
            path: path.to_path_buf(),
            drop_missing,
            header_rule,
            guessed_data: None,
            width: None,
            header: None,
            values: Vec::new(),
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
            let has_text = parsed.contains(&Cell::NotNumber);
            let has_number = parsed.iter().any(|c| matches!(c, Cell::Value(_)));
            let is_header = match self.header_rule {
                Header::Yes => true,
                Header::No => false,
                Header::Auto => has_text && !has_number,
            };
            if is_header {
                self.header = Some(cells.iter().map(|c| (*c).to_owned()).collect());
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

    fn push_data(&mut self, line: usize, cells: &[&str], parsed: &[Cell]) -> Result<()> {
        // A non-number is an error even when rows with missing values are dropped.
        if let Some(i) = parsed.iter().position(|c| *c == Cell::NotNumber) {
            if self.guessed_data == Some(line) {
                return Err(Error::NonNumericFirstRow {
                    path: self.path.clone(),
                    line,
                    column: self.column_label(i),
                    value: cells[i].to_owned(),
                });
            }
            return Err(Error::NonNumeric {
                path: self.path.clone(),
                line,
                column: self.column_label(i),
                value: cells[i].to_owned(),
            });
        }
        if let Some(i) = parsed.iter().position(|c| *c == Cell::Missing) {
            if self.drop_missing {
                self.dropped += 1;
                return Ok(());
            }
            return Err(Error::MissingValue {
                path: self.path.clone(),
                line,
                column: self.column_label(i),
                value: cells[i].to_owned(),
            });
        }
        self.values.extend(parsed.iter().filter_map(|c| match c {
            Cell::Value(v) => Some(*v),
            _ => None,
        }));
        self.lines.push(line);
        Ok(())
    }

    /// `NAME (index i)` with a header, `index i` without.
    fn column_label(&self, i: usize) -> String {
        match self.header.as_ref().and_then(|h| h.get(i)) {
            Some(name) => format!("{name} (index {i})"),
            None => format!("index {i}"),
        }
    }

    /// Builds the table, or reports an empty file / a file without data rows.
    pub(crate) fn finish(self) -> Result<Table> {
        let Some(width) = self.width else {
            return Err(Error::EmptyFile { path: self.path });
        };
        if self.lines.is_empty() {
            return Err(Error::NoDataRows { path: self.path });
        }
        let data = Array2::from_shape_vec((self.lines.len(), width), self.values)
            .map_err(|e| Error::Shape(format!("{}: {e}", self.path.display())))?;
        Ok(Table {
            path: self.path,
            header: self.header,
            data,
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
        for text in ["abc", "1,5", "NA", "?", "1.2.3"] {
            assert_eq!(Cell::parse(text), Cell::NotNumber, "{text:?}");
        }
    }
}
