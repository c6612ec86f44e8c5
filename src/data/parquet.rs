//! Parquet files read into a [`Table`] by the rules of a CSV file, whole or part by part.
//!
//! Each column becomes what the same column of a CSV file would: integer, floating,
//! decimal and boolean columns (`true` = 1) are numbers, and a null or NaN in them is a
//! missing cell; string and dictionary (pandas `category`) columns are text, so they are
//! categorical (one-hot encoded by [`crate::data::Encoding`]) even when their values look
//! like numbers, as if named in [`LoadOptions::categorical_columns`]; a null in them is a
//! missing cell. Any other type (dates, timestamps, binary, nested) is an
//! [`Error::InvalidFile`] naming the column and its type. Column names are the header.
//! Rows are numbered from 1 at the first row in messages (`data.parquet:7: column …` is
//! row 7).
//!
//! Decoding runs in batches of at most [`PART_ROWS`] rows: [`for_each_part`] holds one
//! batch (and the decoder's current pages) at a time, so a file of any length is scored in
//! bounded memory.

use std::cell::Cell;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::reader::ChunkReader;

use super::from_columns::{ColumnValues, collect_columns};
use super::table::{Categorical, LoadOptions, Table};
use crate::error::{Error, Result};

/// The most rows decoded at once: 65 536 rows of ten numeric columns are 5 MiB.
pub const PART_ROWS: usize = 65_536;

/// The four bytes that open (and close) every Parquet file.
pub(crate) const MAGIC: &[u8; 4] = b"PAR1";

/// Whether `path`'s name says Parquet (`.parquet`, `.pq`, any case).
pub(crate) fn has_parquet_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

/// Reads the whole Parquet file at `path` into one table (see the module documentation for
/// the rules; `opts.header` does not apply: the column names are the header).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened; [`Error::InvalidFile`] when it is not a
/// readable Parquet file or a column's type is not a number or text; otherwise as
/// [`crate::data::read_table`].
pub fn read_parquet(path: &Path, opts: &LoadOptions) -> Result<Table> {
    let file = open(path)?;
    read_all(path, file, opts)
}

/// As [`read_parquet`], on the bytes of a file already read.
pub(crate) fn parse_parquet(bytes: &[u8], path: &Path, opts: &LoadOptions) -> Result<Table> {
    read_all(path, bytes::Bytes::copy_from_slice(bytes), opts)
}

/// Reads the Parquet file at `path` in parts of at most `part_rows` rows (at least 1) and
/// calls `each` with every part in order, as a table whose [`Table::lines`] are the rows'
/// numbers in the whole file. A part with every row dropped (`--missing drop`) is skipped.
/// Each part is read by the rules of [`read_parquet`], so a column is text in every part
/// or in none.
///
/// # Errors
///
/// As [`read_parquet`], and whatever `each` returns (which stops the reading).
pub fn for_each_part<E: From<Error>>(
    path: &Path,
    opts: &LoadOptions,
    part_rows: usize,
    mut each: impl FnMut(Table) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let file = open(path)?;
    let (reader, layout) = reader(path, file, opts, part_rows.max(1))?;
    let mut first_row = 0usize;
    let mut delivered = 0usize;
    let mut reader = reader;
    while let Some(batch) = guarded(path, || reader.next())? {
        let batch = batch.map_err(|e| invalid(path, e))?;
        let n = batch.num_rows();
        let columns = decode(path, &batch, &layout)?;
        match collect_columns(path, &layout.names, &columns, &layout.opts, first_row + 1) {
            Ok(t) => {
                delivered += 1;
                each(t)?;
            }
            Err(Error::NoDataRows { .. }) if n > 0 => {}
            Err(e) => return Err(e.into()),
        }
        first_row += n;
    }
    if delivered == 0 {
        return Err(Error::NoDataRows {
            path: path.to_path_buf(),
        }
        .into());
    }
    Ok(())
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn invalid(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::InvalidFile {
        path: path.to_path_buf(),
        line: None,
        reason: format!("not a readable Parquet file: {reason}"),
    }
}

/// How the columns of a file are read: their names, which are text, and the load options
/// with the text columns named as categorical.
struct Layout {
    names: Vec<String>,
    text: Vec<bool>,
    opts: LoadOptions,
}

fn read_all<R: ChunkReader + 'static>(path: &Path, input: R, opts: &LoadOptions) -> Result<Table> {
    let (reader, layout) = reader(path, input, opts, PART_ROWS)?;
    let mut columns: Vec<ColumnValues> = layout
        .text
        .iter()
        .map(|&t| {
            if t {
                ColumnValues::Cells(Vec::new())
            } else {
                ColumnValues::Numbers(Vec::new())
            }
        })
        .collect();
    let mut reader = reader;
    while let Some(batch) = guarded(path, || reader.next())? {
        let batch = batch.map_err(|e| invalid(path, e))?;
        for (all, part) in columns.iter_mut().zip(decode(path, &batch, &layout)?) {
            match (all, part) {
                (ColumnValues::Numbers(a), ColumnValues::Numbers(p)) => a.extend(p),
                (ColumnValues::Cells(a), ColumnValues::Cells(p)) => a.extend(p),
                _ => unreachable!("a column's kind is fixed by the schema"),
            }
        }
    }
    collect_columns(path, &layout.names, &columns, &layout.opts, 1)
}

/// Opens the decoder of `input` in batches of `part_rows` rows and reads its schema.
fn reader<R: ChunkReader + 'static>(
    path: &Path,
    input: R,
    opts: &LoadOptions,
    part_rows: usize,
) -> Result<(ParquetRecordBatchReader, Layout)> {
    let builder = guarded(path, || ParquetRecordBatchReaderBuilder::try_new(input))?
        .map_err(|e| invalid(path, e))?;
    let layout = layout(path, builder.schema(), opts)?;
    let reader = builder
        .with_batch_size(part_rows)
        .build()
        .map_err(|e| invalid(path, e))?;
    Ok((reader, layout))
}

fn layout(path: &Path, schema: &Schema, opts: &LoadOptions) -> Result<Layout> {
    let mut names = Vec::new();
    let mut text = Vec::new();
    let mut opts = opts.clone();
    for field in schema.fields() {
        let is_text = match field.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
            DataType::Dictionary(_, _) => true,
            DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Decimal32(_, _)
            | DataType::Decimal64(_, _)
            | DataType::Decimal128(_, _)
            | DataType::Decimal256(_, _)
            | DataType::Null => false,
            other => {
                return Err(Error::InvalidFile {
                    path: path.to_path_buf(),
                    line: None,
                    reason: format!(
                        "column {:?} has Parquet type {other}, which is neither numbers nor text: convert it to one (a date to a number of days, say) before using the file",
                        field.name()
                    ),
                });
            }
        };
        // A text column is categorical by its type, whatever its values look like,
        // unless text is refused (`--categorical none`), when its cells are read as a
        // CSV file's are: numbers where they parse, an error where they do not.
        if is_text && opts.categorical == Categorical::Auto {
            opts.categorical_columns.push(field.name().clone());
        }
        names.push(field.name().clone());
        text.push(is_text);
    }
    Ok(Layout { names, text, opts })
}

/// The columns of one decoded batch: numbers as `f64` (null is NaN, a missing cell), text
/// as strings (null is `None`).
fn decode(path: &Path, batch: &RecordBatch, layout: &Layout) -> Result<Vec<ColumnValues>> {
    let mut out = Vec::with_capacity(batch.num_columns());
    for (j, col) in batch.columns().iter().enumerate() {
        let target = if layout.text[j] {
            DataType::Utf8
        } else {
            DataType::Float64
        };
        let cast = arrow_cast::cast(col.as_ref(), &target).map_err(|e| Error::InvalidFile {
            path: path.to_path_buf(),
            line: None,
            reason: format!("column {:?}: {e}", layout.names[j]),
        })?;
        out.push(if layout.text[j] {
            let s = cast.as_string::<i32>();
            ColumnValues::Cells(
                (0..s.len())
                    .map(|i| s.is_valid(i).then(|| s.value(i).to_owned()))
                    .collect(),
            )
        } else {
            let v = cast.as_primitive::<Float64Type>();
            ColumnValues::Numbers(
                (0..v.len())
                    .map(|i| if v.is_valid(i) { v.value(i) } else { f64::NAN })
                    .collect(),
            )
        });
    }
    Ok(out)
}

thread_local! {
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside the Parquet decoder, whose panics on a damaged file are
/// caught and reported as [`Error::InvalidFile`]: a program's panic hook can stay silent
/// for them (the command-line tool's does).
pub fn decoding_parquet() -> bool {
    DECODING.with(Cell::get)
}

/// Runs `f`, turning a panic of the Parquet decoder on a damaged file into an error.
fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T> {
    DECODING.with(|d| d.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    DECODING.with(|d| d.set(false));
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("the decoder failed");
        invalid(path, format!("damaged file ({what})"))
    })
}
