//! The [`Table`] type and [`read_table`], the entry point for loading a data file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::cells::RowCollector;
use super::formats;
use super::parquet;
use crate::error::{Error, Result};

/// Whether the first non-empty row of a file is a header line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Header {
    /// A header when no cell of the row is a number and at least one is text that is not
    /// a missing-value marker (empty, `NaN`, `inf`). A row holding a number is data, even
    /// when another of its cells is text (`1,x,3`, `1,NA,3`): its text cell is then an
    /// [`Error::NonNumeric`] whose message says so and suggests [`Header::Yes`].
    #[default]
    Auto,
    /// The first row is the header, whatever it holds.
    Yes,
    /// There is no header: every row is data.
    No,
}

/// What happens to a row holding a missing cell (empty, a marker such as `NA`, NaN or
/// infinite): `--missing error|drop|impute`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// An [`Error::MissingValue`] naming the line and column (the default).
    #[default]
    Error,
    /// The row is skipped and counted in [`Table::dropped_rows`].
    Drop,
    /// The cell is kept as missing (NaN in [`Table::data`], `None` in a text column), to
    /// be filled by an [`crate::data::Encoding`] fitted with imputation.
    Impute,
}

/// Whether columns holding text are read as categorical columns (`--categorical`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Categorical {
    /// A column with a cell that is neither a number nor missing is a text column, kept
    /// in [`Table::text`] (the default).
    #[default]
    Auto,
    /// Every cell must be a number or missing: text is an [`Error::NonNumeric`]
    /// (`--categorical none`).
    Off,
}

/// The format of a data file (`--data-format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataFormat {
    /// Parquet when the name ends in `.parquet` or `.pq` or the file starts with the
    /// Parquet magic bytes `PAR1`; text (CSV or whitespace-separated) otherwise.
    #[default]
    Auto,
    /// CSV or whitespace-separated text, whatever the name.
    Text,
    /// Parquet, whatever the name.
    Parquet,
}

/// How [`read_table`] treats questionable input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// What a missing cell does (default [`Missing::Error`]). Text that is not a number
    /// is not missing: it makes its column a text column (or an error, see
    /// [`LoadOptions::categorical`]).
    pub missing: Missing,
    /// Whether the first row is a header (default [`Header::Auto`]).
    pub header: Header,
    /// Whether text columns are allowed (default [`Categorical::Auto`]).
    pub categorical: Categorical,
    /// Columns read as text even when every cell is a number (numeric codes): header
    /// names, or 0-based indices for a file without a header.
    pub categorical_columns: Vec<String>,
    /// The file's format (default [`DataFormat::Auto`]).
    pub format: DataFormat,
}

impl LoadOptions {
    /// Options that skip rows with missing cells (as `--missing drop`).
    pub fn dropping_missing() -> Self {
        Self {
            missing: Missing::Drop,
            ..Self::default()
        }
    }
}

/// A table read from a file: rows × columns of numbers, and text columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file the table was read from, as given (used in messages).
    pub path: PathBuf,
    /// Column names, if the file has a header line.
    pub header: Option<Vec<String>>,
    /// The values, rows × columns: finite numbers, except NaN for a missing cell kept by
    /// [`Missing::Impute`] and in every cell of a text column.
    pub data: Array2<f64>,
    /// The cells of the text (categorical) columns by 0-based column index, one per row
    /// (`None` for a missing cell kept by [`Missing::Impute`]). A number in a text column
    /// is held in its shortest form (`1.0` and `01` are `1`).
    pub text: BTreeMap<usize, Vec<Option<String>>>,
    /// The 1-based line number in the file of each row of [`Table::data`].
    pub lines: Vec<usize>,
    /// Rows skipped because of missing or non-finite cells (only with
    /// [`Missing::Drop`]).
    pub dropped_rows: usize,
}

impl Table {
    /// Number of (kept) data rows.
    ///
    /// ```
    /// # use mcdropout::data::{LoadOptions, read_table};
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("t.txt");
    /// std::fs::write(&path, "1 2 3\n4 5 6\n")?;
    /// let table = read_table(&path, &LoadOptions::default())?;
    /// assert_eq!((table.n_rows(), table.n_cols()), (2, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn n_rows(&self) -> usize {
        self.data.nrows()
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.data.ncols()
    }
}

/// Reads a table from `path`, detecting CSV or whitespace-separated format and
/// an optional header line (see [`Header`] for the rule).
///
/// Blank lines are skipped (they still count for the line numbers in
/// [`Table::lines`] and in error messages). Cells are trimmed.
///
/// # Errors
///
/// * [`Error::Io`] when the file cannot be read;
/// * [`Error::EmptyFile`] when it holds nothing but blank lines;
/// * [`Error::NoDataRows`] when it holds a header only, or every row was dropped;
/// * [`Error::RaggedRow`] when a row's cell count differs from the first row's;
/// * [`Error::NonNumeric`] when a data cell is not a number and text columns are
///   [`Categorical::Off`]; [`Error::NonNumericFirstRow`] when a column's only text is in
///   a first row read as data because it also holds numbers (a header the rule missed);
/// * [`Error::MissingValue`] when a cell is missing (empty, a marker such as `NA`, NaN,
///   infinite, a number that overflows) and [`LoadOptions::missing`] is [`Missing::Error`].
///
/// ```
/// use mcdropout::data::{LoadOptions, read_table};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("data.csv");
/// std::fs::write(&path, "a,b\n1,2\n\n3,NaN\n5,6\n")?;
///
/// // By default a NaN cell is an error that names the file, line and column.
/// let err = read_table(&path, &LoadOptions::default()).unwrap_err();
/// assert!(err.to_string().contains(":4: column b (index 1)"));
///
/// // With `Missing::Drop` the row is skipped and counted.
/// let opts = LoadOptions::dropping_missing();
/// let table = read_table(&path, &opts)?;
/// assert_eq!(table.n_rows(), 2);
/// assert_eq!(table.lines, [2, 5]);
/// assert_eq!(table.dropped_rows, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_table(path: &Path, opts: &LoadOptions) -> Result<Table> {
    if opts.format == DataFormat::Parquet
        || (opts.format == DataFormat::Auto && parquet::has_parquet_name(path))
    {
        return parquet::read_parquet(path, opts);
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_table(&bytes, path, opts)
}

/// Whether the file at `path` is read as Parquet under `format` (by its name, else by its
/// first four bytes).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened or read.
pub fn is_parquet(path: &Path, format: DataFormat) -> Result<bool> {
    use std::io::Read;
    match format {
        DataFormat::Text => Ok(false),
        DataFormat::Parquet => Ok(true),
        DataFormat::Auto if parquet::has_parquet_name(path) => Ok(true),
        DataFormat::Auto => {
            let io = |source| Error::Io {
                path: path.to_path_buf(),
                source,
            };
            let mut head = Vec::with_capacity(4);
            std::fs::File::open(path)
                .map_err(io)?
                .take(4)
                .read_to_end(&mut head)
                .map_err(io)?;
            Ok(head == parquet::MAGIC)
        }
    }
}

/// As [`read_table`], on the bytes of a file already read; `path` is used in messages.
pub fn parse_table(bytes: &[u8], path: &Path, opts: &LoadOptions) -> Result<Table> {
    if opts.format == DataFormat::Parquet
        || (opts.format == DataFormat::Auto && bytes.starts_with(parquet::MAGIC))
    {
        return parquet::parse_parquet(bytes, path, opts);
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);

    formats::check_text(text, path)?;
    let mut rows = RowCollector::new(path, opts);
    if formats::is_csv(text) {
        formats::read_csv(text, path, &mut rows)?;
    } else {
        formats::read_whitespace(text, &mut rows)?;
    }
    rows.finish()
}
