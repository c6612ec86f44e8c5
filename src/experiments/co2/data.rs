//! The Mauna Loa weekly CO2 series (Keeling & Whorf): dates YYYYMMDD and ppmv, missing
//! weeks as empty cells.

use crate::data::{LoadOptions, read_table};
use crate::error::{Error, Result};
use std::path::Path;

/// The series with missing weeks dropped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Co2Series {
    /// Time in decimal years (e.g. 1958.24), increasing.
    pub year: Vec<f64>,
    /// CO2 in ppmv.
    pub ppmv: Vec<f64>,
    /// Rows dropped for an empty (or NaN / infinite) cell.
    pub dropped: usize,
}

/// Decimal year of a YYYYMMDD date: year + (day of year − 1) / (days in the year).
///
/// ```
/// use mcdropout::experiments::co2::decimal_year;
/// assert_eq!(decimal_year(19600101), Some(1960.0));
/// assert_eq!(decimal_year(19600301), Some(1960.0 + 60.0 / 366.0));
/// assert_eq!(decimal_year(19601301), None);
/// ```
pub fn decimal_year(date: u64) -> Option<f64> {
    let (y, m, d) = (date / 10_000, (date / 100) % 100, date % 100);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > lengths[(m - 1) as usize] {
        return None;
    }
    let day: u64 = lengths[..(m - 1) as usize].iter().sum::<u64>() + d - 1;
    let days = if leap { 366.0 } else { 365.0 };
    Some(y as f64 + day as f64 / days)
}

/// Reads the series from a CSV with a date column (YYYYMMDD) and a CO2 column, in that
/// order; rows with an empty cell are dropped and counted. A date that is not a valid
/// YYYYMMDD, or dates out of order, are errors naming the line.
pub fn load_co2(path: &Path) -> Result<Co2Series> {
    let table = read_table(
        path,
        &LoadOptions {
            missing: crate::data::Missing::Drop,
            ..LoadOptions::default()
        },
    )?;
    if table.n_cols() != 2 {
        return Err(Error::InvalidFile {
            path: path.to_path_buf(),
            line: None,
            reason: format!(
                "expected 2 columns (date YYYYMMDD, ppmv), found {}",
                table.n_cols()
            ),
        });
    }
    let mut year = Vec::with_capacity(table.n_rows());
    for (i, &d) in table.data.column(0).iter().enumerate() {
        let line = table.lines.get(i).copied();
        let t = (d >= 0.0 && d.fract() == 0.0)
            .then(|| decimal_year(d as u64))
            .flatten()
            .ok_or_else(|| Error::InvalidFile {
                path: path.to_path_buf(),
                line,
                reason: format!("{d} is not a date YYYYMMDD"),
            })?;
        if year.last().is_some_and(|&p| t <= p) {
            return Err(Error::InvalidFile {
                path: path.to_path_buf(),
                line,
                reason: "dates must increase".into(),
            });
        }
        year.push(t);
    }
    Ok(Co2Series {
        year,
        ppmv: table.data.column(1).to_vec(),
        dropped: table.dropped_rows,
    })
}
