//! Loading numeric tables from disk, choosing feature and target columns, and
//! standardising them with training statistics.
//!
//! Three file formats are detected automatically:
//!
//! * **Parquet**, by the name (`.parquet`, `.pq`) or the magic bytes `PAR1`, read by the
//!   rules below column by column (see [`read_parquet`]);
//! * **CSV** (comma-separated), chosen when the first non-empty line contains a comma;
//! * **whitespace-separated** numbers (any run of spaces or tabs separates cells), as in
//!   the `data.txt` files of the UCI regression benchmarks.
//!
//! A text file may start with a header line: with [`Header::Auto`] (the default) the first
//! non-empty row is one when none of its cells is a number and at least one is text other
//! than a missing-value marker (empty, `NaN`, `inf`); a row that holds a number is data.
//! [`Header::Yes`] and [`Header::No`] decide it explicitly. Every value of a loaded
//! [`Table`] is finite; empty, NaN and infinite cells are an error unless
//! [`LoadOptions::missing`] says otherwise (skip the row, or keep it to be imputed).
//!
//! ```
//! use mcdropout::data::{LoadOptions, Standardizer, read_table};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("toy.csv");
//! std::fs::write(&path, "x1,x2,y\n1,10,0.5\n2,20,1.5\n3,30,2.5\n")?;
//!
//! let table = read_table(&path, &LoadOptions::default())?;
//! let (x, y, names, target) = table.features_and_target("y", None)?;
//! assert_eq!(names, ["x1", "x2"]);
//! assert_eq!(target, "y");
//!
//! let scaler = Standardizer::fit(x.view())?;
//! let z = scaler.transform(x.view())?;
//! assert!(z.column(0).sum().abs() < 1e-12);
//! assert_eq!(y.len(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod finite;
pub use finite::{check_finite, check_finite_1d};

mod cells;
mod columns;
mod encoding;
mod formats;
mod from_columns;
mod matching;
mod model_data;
mod parquet;
mod prepare;
mod standardize;
mod table;

#[cfg(test)]
mod tests_header;
#[cfg(test)]
mod tests_read;

pub use cells::MISSING_MARKERS;
pub use columns::FeaturesAndTarget;
pub use encoding::{
    ColumnCode, DEFAULT_MAX_CATEGORIES, Encoded, Encoding, EncodingOptions, UnknownCategory,
};
pub use from_columns::{ColumnValues, table_from_columns};
pub use matching::ColumnMatch;
pub use model_data::{ModelData, Naming};
pub use parquet::{PART_ROWS, decoding_parquet, for_each_part, read_parquet};
pub use prepare::{Prepared, prepare_fit, prepare_score};
pub use standardize::Standardizer;
pub use table::{
    Categorical, DataFormat, Header, LoadOptions, Missing, Table, is_parquet, parse_table,
    read_table,
};
