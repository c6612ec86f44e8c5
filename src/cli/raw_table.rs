//! A user's table as it is: text (categorical) columns and missing cells, read for
//! fitting (`--categorical`, `--max-categories`, `--missing`) and for scoring with a
//! model's stored encoding (`--unknown-category`).

use super::common::{CliError, CliResult, ReadRule, invalid, note};
use clap::{Args, ValueEnum};
use mcdropout::data::{
    Categorical, ColumnCode, DEFAULT_MAX_CATEGORIES, Encoding, EncodingOptions, LoadOptions,
    Missing, PART_ROWS, Table, UnknownCategory, prepare_fit, prepare_score, read_table,
};
use std::path::Path;

/// `--missing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MissingArg {
    /// A missing cell is an error naming its line and column.
    Error,
    /// Rows with a missing cell are skipped (as --drop-missing).
    Drop,
    /// Numeric cells get the training mean and a missing-indicator input; text cells a
    /// "missing" category of their own. Stored in the model, applied at prediction.
    Impute,
}

/// `--unknown-category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnknownArg {
    /// A category not seen in training is an error naming line, column and value.
    Error,
    /// Its inputs are all zeros (counted on stderr).
    Ignore,
}

/// How a table to fit on is read: the flags of every command that fits a model.
#[derive(Debug, Clone, Args)]
pub struct FitColumns {
    /// Text columns: `auto` (a column with a cell that is neither a number nor missing is
    /// one-hot encoded over its categories), `none` (text is an error, as before), or
    /// `COL,..`: these columns are categorical even when they hold numbers (codes),
    /// besides the automatic ones.
    #[arg(long, value_name = "auto|none|COL,..", default_value = "auto")]
    pub categorical: String,
    /// The most categories a text column may have; more is an error naming the column.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CATEGORIES)]
    pub max_categories: usize,
    /// What a missing cell (empty, NA, NaN, null, inf, …) does.
    #[arg(long, value_enum, value_name = "RULE", conflicts_with = "drop_missing")]
    pub missing: Option<MissingArg>,
}

/// How a table is read for a saved model: the flags of every command that scores one.
#[derive(Debug, Clone, Args)]
pub struct ScoreColumns {
    /// A category the model did not see in training: `error` (naming line, column and
    /// value) or `ignore` (all-zero inputs, counted on stderr).
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = UnknownArg::Error)]
    pub unknown_category: UnknownArg,
    /// What a missing cell does: `error` or `drop`. A model fitted with `--missing impute`
    /// fills missing cells itself.
    #[arg(long, value_enum, value_name = "RULE", conflicts_with = "drop_missing")]
    pub missing: Option<MissingArg>,
}

fn missing_rule(flag: Option<MissingArg>, drop_missing: bool) -> Missing {
    match flag {
        Some(MissingArg::Error) => Missing::Error,
        Some(MissingArg::Drop) => Missing::Drop,
        Some(MissingArg::Impute) => Missing::Impute,
        None if drop_missing => Missing::Drop,
        None => Missing::Error,
    }
}

/// Reads `path` with `opts`, noting dropped rows on stderr.
fn read(path: &Path, opts: &LoadOptions) -> CliResult<Table> {
    let table = read_table(path, opts).map_err(|e| match e {
        mcdropout::Error::NoDataRows { .. } if opts.missing == Missing::Drop => CliError::Msg(
            format!("{e} (every data row held a missing cell and --missing drop skipped it)"),
        ),
        e => e.into(),
    })?;
    if table.dropped_rows > 0 {
        note!(
            "{}: dropped {} row{} with missing cells (--missing drop); {} rows remain",
            path.display(),
            table.dropped_rows,
            if table.dropped_rows == 1 { "" } else { "s" },
            table.n_rows()
        );
    }
    Ok(table)
}

/// A table read for fitting: encoded when it has text columns or imputed cells.
pub struct FitTable {
    /// The table the model is fitted on: the encoded inputs first when there is an
    /// encoding, then the other columns.
    pub table: Table,
    /// The encoding to store in the model (`None`: the columns as they are).
    pub encoding: Option<Encoding>,
    /// The feature columns to fit on: the encoded inputs' names when there is an
    /// encoding, else the `--features` given.
    pub features: Option<Vec<String>>,
}

/// Reads the table at `path` for fitting a model with target column(s) `targets`
/// (`--target`, comma-separated for several) and `features` (`--features`, or every other
/// column): text feature columns are one-hot encoded and, with `--missing impute`,
/// missing cells filled, as [`Encoding::fit`] says; the rule is reported on stderr.
pub fn load_for_fit(
    path: &Path,
    drop_missing: bool,
    rule: ReadRule,
    cols: &FitColumns,
    targets: &str,
    features: Option<&[String]>,
) -> CliResult<FitTable> {
    if cols.max_categories == 0 {
        return Err(invalid("--max-categories", "must be at least 1"));
    }
    let missing = missing_rule(cols.missing, drop_missing);
    let (categorical, named) = match cols.categorical.trim() {
        "auto" => (Categorical::Auto, Vec::new()),
        "none" => (Categorical::Off, Vec::new()),
        list => {
            let named: Vec<String> = list.split(',').map(|s| s.trim().to_owned()).collect();
            if named.iter().any(String::is_empty) {
                return Err(invalid(
                    "--categorical",
                    format!("empty column name in {list:?}: give auto, none or COL,COL"),
                ));
            }
            (Categorical::Auto, named)
        }
    };
    let opts = LoadOptions {
        missing,
        header: rule.header,
        categorical,
        categorical_columns: named,
        format: rule.format,
    };
    let raw = read(path, &opts)?;
    raw.check_unique_header()?;
    // A single target whose name holds a comma is that column, not a list.
    let spec = match raw
        .header
        .as_ref()
        .and_then(|h| h.iter().position(|n| n == targets))
    {
        Some(i) if targets.contains(',') => i.to_string(),
        _ => targets.to_owned(),
    };
    let (t, f) = super::train::multi::columns(&raw, &spec, features)?;
    let opts = EncodingOptions {
        max_categories: cols.max_categories,
        impute: missing == Missing::Impute,
    };
    let prepared = prepare_fit(raw, &t, &f, &opts)?;
    if let Some(enc) = &prepared.encoding {
        report(&prepared.table, enc);
    }
    Ok(FitTable {
        features: prepared
            .features
            .or_else(|| features.map(<[String]>::to_vec)),
        table: prepared.table,
        encoding: prepared.encoding,
    })
}

/// Says on stderr what the encoding does with each column it changes (`encoded`: the
/// encoded table, whose inputs come first).
fn report(encoded: &Table, enc: &Encoding) {
    for code in &enc.columns {
        match code {
            ColumnCode::Category {
                name,
                levels,
                missing_level,
            } => {
                let shown: Vec<String> = levels.iter().take(8).cloned().collect();
                note!(
                    "{}: column {name:?} is categorical: one-hot over {} categories ({}{}){}",
                    encoded.path.display(),
                    levels.len(),
                    shown.join(", "),
                    if levels.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    },
                    if *missing_level {
                        ", plus one for missing cells"
                    } else {
                        ""
                    }
                );
            }
            ColumnCode::Number {
                name,
                mean: Some(m),
                indicator: true,
            } => {
                // The indicator input is 1 where the cell was missing.
                let n = enc
                    .output_names()
                    .iter()
                    .position(|o| *o == format!("{name} (missing)"))
                    .map_or(0, |j| {
                        encoded.data.column(j).iter().filter(|&&v| v == 1.0).count()
                    });
                note!(
                    "{}: column {name:?}: {n} missing cell{} filled with the training mean {m:.6} (and a missing-indicator input)",
                    encoded.path.display(),
                    if n == 1 { "" } else { "s" },
                );
            }
            ColumnCode::Number { .. } => {}
        }
    }
}

/// Reads the table at `path` for the saved model at `model`: with the model's stored
/// encoding (read from the file, any model kind) its raw columns are encoded as in
/// training, so the result has the model's feature names; without one, the columns are
/// taken as they are.
pub fn load_for_model(
    path: &Path,
    model: &Path,
    drop_missing: bool,
    rule: ReadRule,
    cols: &ScoreColumns,
) -> CliResult<Table> {
    ScoreReader::new(model, drop_missing, rule, cols)?.read(path)
}

/// How tables are read for a saved model: the load options its encoding requires, and the
/// encoding.
pub struct ScoreReader {
    opts: LoadOptions,
    encoding: Option<Encoding>,
    unknown: UnknownCategory,
}

impl ScoreReader {
    /// The reader for the model file `model` and the scoring flags.
    pub fn new(
        model: &Path,
        drop_missing: bool,
        rule: ReadRule,
        cols: &ScoreColumns,
    ) -> CliResult<Self> {
        let encoding = mcdropout::model::file_encoding(model)?;
        let imputes = encoding.as_ref().is_some_and(Encoding::imputes);
        let missing = match cols.missing {
            Some(MissingArg::Impute) if !imputes => {
                return Err(invalid(
                    "--missing",
                    format!(
                        "impute: the model {} was not fitted with --missing impute, so it has no training means to fill cells with; use --missing drop, or refit with --missing impute",
                        model.display()
                    ),
                ));
            }
            _ if imputes => Missing::Impute,
            flag => missing_rule(flag, drop_missing),
        };
        let opts = LoadOptions {
            missing,
            header: rule.header,
            categorical: Categorical::Auto,
            categorical_columns: Vec::new(),
            format: rule.format,
        };
        let unknown = match cols.unknown_category {
            UnknownArg::Error => UnknownCategory::Error,
            UnknownArg::Ignore => UnknownCategory::Ignore,
        };
        Ok(Self {
            opts,
            encoding,
            unknown,
        })
    }

    /// Reads the whole table at `path`, encoded for the model.
    pub fn read(&self, path: &Path) -> CliResult<Table> {
        let raw = read(path, &self.opts)?;
        let (table, unknown) = self.encode(raw)?;
        note_unknown(path, unknown);
        Ok(table)
    }

    /// Reads the Parquet file at `path` part by part ([`PART_ROWS`] rows at most), each
    /// encoded for the model, and calls `each` with it; dropped rows and unknown categories
    /// are counted over the whole file and reported once.
    pub fn for_each_part(
        &self,
        path: &Path,
        mut each: impl FnMut(Table) -> CliResult<()>,
    ) -> CliResult<()> {
        let (mut dropped, mut unknown) = (0usize, 0usize);
        mcdropout::data::for_each_part(path, &self.opts, PART_ROWS, |raw: Table| {
            dropped += raw.dropped_rows;
            let (table, n) = self.encode(raw)?;
            unknown += n;
            each(table)
        })
        .map_err(|e| match e {
            CliError::Lib(mcdropout::Error::NoDataRows { .. })
                if self.opts.missing == Missing::Drop =>
            {
                CliError::Msg(format!(
                    "{e} (every data row held a missing cell and --missing drop skipped it)"
                ))
            }
            e => e,
        })?;
        if dropped > 0 {
            note!(
                "{}: dropped {dropped} row{} with missing cells (--missing drop)",
                path.display(),
                if dropped == 1 { "" } else { "s" },
            );
        }
        note_unknown(path, unknown);
        Ok(())
    }

    fn encode(&self, raw: Table) -> CliResult<(Table, usize)> {
        let e = prepare_score(raw, self.encoding.as_ref(), self.unknown)?;
        Ok((e.table, e.unknown))
    }
}

fn note_unknown(path: &Path, unknown: usize) {
    if unknown > 0 {
        note!(
            "{}: {unknown} cell{} of a category not seen in training encoded as all zeros (--unknown-category ignore)",
            path.display(),
            if unknown == 1 { "" } else { "s" }
        );
    }
}
