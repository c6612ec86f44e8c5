//! `mcdropout predict --key-column`: per-row keys of the Monte-Carlo mask streams taken
//! from an integer column of the data file, so a row's numbers depend on its key (and the
//! seed and T), not on its position in the file — the same numbers as the Python binding
//! gives with `row_keys`, and as `mcdropout.ray.Scorer` gives on a Ray cluster whatever
//! the blocks and workers.

use super::super::common::{CliError, CliResult};
use clap::Args;
use mcdropout::data::Table;
use mcdropout::predict::McOptions;
use ndarray::Axis;
use std::sync::Arc;

/// Largest key the command line accepts: integers up to 2⁵³ are exact in the float64 the
/// data file is read as.
const MAX_KEY: f64 = 9_007_199_254_740_992.0;

/// The key column, if any.
#[derive(Debug, Args)]
pub struct KeyColumn {
    /// Key each row's MC masks by the non-negative integer in this column (a header name
    /// or a 0-based index) instead of by its position, so the row gets the same numbers
    /// wherever it appears (in another file, batch or order, or on a Ray worker with the
    /// same key, seed and T). The column is not a feature.
    #[arg(long, value_name = "NAME")]
    pub key_column: Option<String>,
}

impl KeyColumn {
    /// Takes the key column out of `table` and returns the table without it and `opts`
    /// with its keys (both unchanged without `--key-column`). A key that is not an integer
    /// in [0, 2⁵³] is an error naming its line.
    pub fn apply(&self, mut table: Table, opts: &McOptions) -> CliResult<(Table, McOptions)> {
        let mut opts = opts.clone();
        let Some(spec) = &self.key_column else {
            return Ok((table, opts));
        };
        let col = table.column_index(spec)?;
        let keys = table
            .data
            .column(col)
            .iter()
            .zip(&table.lines)
            .map(|(&v, line)| {
                if (0.0..=MAX_KEY).contains(&v) && v.fract() == 0.0 {
                    Ok(v as u64)
                } else {
                    Err(CliError::Msg(format!(
                        "{}: line {line}: key column {spec:?} holds {v}, not an integer in [0, 2^53]",
                        table.path.display()
                    )))
                }
            })
            .collect::<CliResult<Vec<u64>>>()?;
        table.data.remove_index(Axis(1), col);
        if let Some(h) = table.header.as_mut() {
            h.remove(col);
        }
        opts.row_keys = Some(Arc::from(keys));
        Ok((table, opts))
    }
}
