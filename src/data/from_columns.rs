//! A [`Table`] from columns held in memory (a DataFrame's), read by the same rules as a
//! file: each cell is classified as a number, missing or text exactly as a CSV cell is, so
//! the same table gives the same encoding and the same model from either.

use std::path::Path;

use super::cells::{RowCollector, number_text};
use super::table::{Header, LoadOptions, Table};
use crate::error::{Error, Result};

/// One column's cells.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Numbers; NaN (and ±∞) is a missing cell.
    Numbers(Vec<f64>),
    /// Cells as text (`None` is a missing cell); a cell that reads as a number is one, as
    /// in a file.
    Cells(Vec<Option<String>>),
}

impl ColumnValues {
    fn len(&self) -> usize {
        match self {
            ColumnValues::Numbers(v) => v.len(),
            ColumnValues::Cells(v) => v.len(),
        }
    }
}

/// Builds a table from columns `columns` named `names`, as [`crate::data::read_table`]
/// reads a file with that header (`opts.header` is ignored: the names are the header).
/// `path` names the source in messages; row `i` (0-based) is reported as line `i + 2`, as
/// in a file whose first line is the header.
///
/// # Errors
///
/// [`Error::Shape`] when the names and columns differ in number or the columns in length;
/// otherwise as [`crate::data::read_table`].
///
/// ```
/// use mcdropout::data::{ColumnValues, LoadOptions, table_from_columns};
/// let names = ["size".to_string(), "colour".to_string()];
/// let cols = [
///     ColumnValues::Numbers(vec![50.0, 70.0]),
///     ColumnValues::Cells(vec![Some("red".into()), Some("blue".into())]),
/// ];
/// let t = table_from_columns("X".as_ref(), &names, &cols, &LoadOptions::default())?;
/// assert_eq!(t.text[&1], [Some("red".to_string()), Some("blue".to_string())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn table_from_columns(
    path: &Path,
    names: &[String],
    columns: &[ColumnValues],
    opts: &LoadOptions,
) -> Result<Table> {
    collect_columns(path, names, columns, opts, 2)
}

/// As [`table_from_columns`], with row `i` (0-based) reported as line `first_line + i`.
pub(crate) fn collect_columns(
    path: &Path,
    names: &[String],
    columns: &[ColumnValues],
    opts: &LoadOptions,
    first_line: usize,
) -> Result<Table> {
    if names.len() != columns.len() {
        return Err(Error::Shape(format!(
            "{}: {} column names for {} columns",
            path.display(),
            names.len(),
            columns.len()
        )));
    }
    let n = columns.first().map_or(0, ColumnValues::len);
    if let Some((j, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
        return Err(Error::Shape(format!(
            "{}: column {:?} has {} rows, the first has {n}",
            path.display(),
            names[j],
            c.len()
        )));
    }
    let opts = LoadOptions {
        header: Header::Yes,
        ..opts.clone()
    };
    let mut rows = RowCollector::new(path, &opts);
    rows.push(
        first_line.saturating_sub(1),
        names.iter().map(String::as_str),
    )?;
    let mut cells: Vec<String> = vec![String::new(); columns.len()];
    for i in 0..n {
        for (cell, col) in cells.iter_mut().zip(columns) {
            *cell = match col {
                ColumnValues::Numbers(v) if v[i].is_finite() => number_text(v[i]),
                ColumnValues::Numbers(_) => String::new(),
                ColumnValues::Cells(v) => v[i].clone().unwrap_or_default(),
            };
        }
        rows.push(first_line + i, cells.iter().map(String::as_str))?;
    }
    rows.finish()
}
