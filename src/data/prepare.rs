//! The preprocessing step fitted with a model (issue 23, item 5): a raw table's feature
//! columns — text (categorical) columns, and missing cells kept for imputation — are
//! encoded by an [`Encoding`] fitted on them, which the model stores and applies again to
//! any table it scores. The command line, the Python binding and Ray scoring all go through
//! these two functions, so a model file alone is enough to score a raw table.

use super::encoding::{Encoded, Encoding, EncodingOptions, UnknownCategory};
use super::table::Table;
use crate::error::Result;

/// A raw table prepared for fitting.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The table to fit on: the encoded inputs first when there is an encoding, then the
    /// other (target) columns; the raw table itself when there is none.
    pub table: Table,
    /// The encoding to store in the model (`None`: the feature columns are numbers as they
    /// are, with nothing to impute).
    pub encoding: Option<Encoding>,
    /// The names of the feature columns of [`Prepared::table`] when there is an encoding
    /// (its inputs' names, `colour=red`, `age (missing)`, …).
    pub features: Option<Vec<String>>,
}

/// Fits the encoding of the feature columns `features` of `raw` (0-based) and encodes the
/// table with it; the target columns `targets` must hold numbers only.
///
/// # Errors
///
/// [`crate::Error::TextInNumericColumn`] or [`crate::Error::MissingValue`] for a target
/// column, and whatever [`Encoding::fit`] and [`Encoding::encode_table`] report (too many
/// categories, a column of numbers with a few text cells).
///
/// ```
/// use mcdropout::data::{EncodingOptions, LoadOptions, parse_table, prepare_fit};
/// let raw = parse_table(b"size,colour,y\n50,red,1\n70,blue,2\n60,red,3\n", "t.csv".as_ref(), &LoadOptions::default())?;
/// let (t, f) = raw.fit_columns("y", None)?;
/// let p = prepare_fit(raw, &[t], &f, &EncodingOptions::default())?;
/// assert_eq!(p.features.unwrap(), ["size", "colour=blue", "colour=red"]);
/// assert_eq!(p.table.data.row(1).to_vec(), [70.0, 1.0, 0.0, 2.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn prepare_fit(
    raw: Table,
    targets: &[usize],
    features: &[usize],
    opts: &EncodingOptions,
) -> Result<Prepared> {
    raw.check_numbers(targets, "a target")?;
    let enc = Encoding::fit(&raw, features, opts)?;
    if enc.is_identity() {
        return Ok(Prepared {
            table: raw,
            encoding: None,
            features: None,
        });
    }
    let encoded = enc.encode_table(&raw, UnknownCategory::Error)?;
    Ok(Prepared {
        table: encoded.table,
        features: Some(enc.output_names()),
        encoding: Some(enc),
    })
}

/// `raw` as a model with `encoding` (stored in its file) takes it: encoded when the model
/// has an encoding, as it is otherwise (with no unknown categories).
///
/// # Errors
///
/// As [`Encoding::encode_table`]: a category not seen in training under
/// [`UnknownCategory::Error`], a missing column, text in a numeric column.
pub fn prepare_score(
    raw: Table,
    encoding: Option<&Encoding>,
    unknown: UnknownCategory,
) -> Result<Encoded> {
    match encoding {
        Some(enc) => enc.encode_table(&raw, unknown),
        None => Ok(Encoded {
            table: raw,
            unknown: 0,
        }),
    }
}
