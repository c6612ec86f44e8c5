//! Helpers shared by the subcommands: the error type, thread pools, argument checks,
//! loading data and writing output.

use clap::Args;
use mcdropout::data::{LoadOptions, Table, read_table};
use mcdropout::output::write_atomic;
use ndarray::{Array1, Array2};
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// `eprintln!` that ignores a closed stderr instead of panicking.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use note;

/// Why a subcommand failed.
#[derive(Debug)]
pub enum CliError {
    /// A library error (its message names the file, line, column or argument).
    Lib(mcdropout::Error),
    /// A message of the tool itself.
    Msg(String),
    /// A usage error found after parsing; printed by clap, exit code 2.
    Usage(clap::Error),
    /// Standard output was closed (for example `| head`); not an error.
    BrokenPipe,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Lib(e) => e.fmt(f),
            CliError::Msg(m) => f.write_str(m),
            CliError::Usage(e) => e.fmt(f),
            CliError::BrokenPipe => f.write_str("broken pipe"),
        }
    }
}

impl From<mcdropout::Error> for CliError {
    fn from(e: mcdropout::Error) -> Self {
        CliError::Lib(e)
    }
}

/// Result of a subcommand.
pub type CliResult<T> = Result<T, CliError>;

/// An invalid argument, named as on the command line.
pub fn invalid(name: &str, reason: impl Into<String>) -> CliError {
    CliError::Lib(mcdropout::Error::InvalidParameter {
        name: name.to_owned(),
        reason: reason.into(),
    })
}

/// Checks that `v` is a positive finite number.
pub fn check_positive(name: &str, v: f64) -> CliResult<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(
            name,
            format!("must be a positive finite number, got {v}"),
        ))
    }
}

/// Checks that a dropout rate lies in [0, 1).
pub fn check_rate(name: &str, p: f64) -> CliResult<()> {
    if (0.0..1.0).contains(&p) {
        Ok(())
    } else {
        Err(invalid(
            name,
            format!("a dropout rate must be in [0, 1), got {p}"),
        ))
    }
}

/// Options every computing command takes.
#[derive(Debug, Clone, Args)]
pub struct Compute {
    /// Seed of every random draw (initialisation, shuffling, dropout masks, splits).
    /// The same seed gives the same results for any --threads.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl Compute {
    /// Checks `--threads`.
    pub fn validate(&self) -> CliResult<()> {
        if self.threads == Some(0) {
            return Err(invalid("--threads", "must be at least 1"));
        }
        Ok(())
    }

    /// Runs `work` inside a rayon pool of `--threads` threads.
    pub fn run<T: Send>(&self, work: impl FnOnce() -> CliResult<T> + Send) -> CliResult<T> {
        self.validate()?;
        thread_pool(self.threads)?.install(work)
    }
}

/// A rayon pool of `threads` threads (all cores when `None`).
pub fn thread_pool(threads: Option<usize>) -> CliResult<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder
        .build()
        .map_err(|e| CliError::Msg(format!("cannot start the thread pool: {e}")))
}

/// Checks that the folder of an output file exists, before any work is done.
pub fn check_output_path(name: &str, path: &Path) -> CliResult<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(invalid(
            name,
            format!(
                "{}: the output folder {} does not exist",
                path.display(),
                dir.display()
            ),
        ));
    }
    if path.is_dir() {
        return Err(invalid(
            name,
            format!("{} is a folder, not a file", path.display()),
        ));
    }
    Ok(())
}

/// Reads a data table and reports on stderr how many rows `--drop-missing` skipped.
pub fn load_table(path: &Path, drop_missing: bool) -> CliResult<Table> {
    let table = read_table(path, &LoadOptions { drop_missing }).map_err(|e| match e {
        mcdropout::Error::NoDataRows { .. } if drop_missing => CliError::Msg(format!(
            "{e} (every data row held an empty, NaN or infinite cell and --drop-missing skipped it)"
        )),
        e => e.into(),
    })?;
    if table.dropped_rows > 0 {
        note!(
            "{}: dropped {} row{} with empty, NaN or infinite cells (--drop-missing); {} rows remain",
            path.display(),
            table.dropped_rows,
            if table.dropped_rows == 1 { "" } else { "s" },
            table.n_rows()
        );
    }
    Ok(table)
}

/// The model's feature columns (`names`) of `table`: by the model's feature names when the file's
/// header names them all; otherwise every column (except `target`) by position, which must
/// then be exactly as many as the model has features. Returns the features and, when
/// `target` is given, the target column.
pub fn model_inputs(
    table: &Table,
    names: &[String],
    target: Option<&str>,
) -> CliResult<(Array2<f64>, Option<Array1<f64>>)> {
    let path = table.path.display();
    let target_idx = target.map(|t| table.column_index(t)).transpose()?;
    let by_name: Option<Vec<usize>> = table.header.as_ref().and_then(|h| {
        names
            .iter()
            .map(|n| h.iter().position(|c| c == n))
            .collect()
    });
    let cols = match by_name {
        Some(cols) => {
            if let Some(t) = target_idx.filter(|t| cols.contains(t)) {
                return Err(CliError::Msg(format!(
                    "{path}: the target column {:?} is one of the model's features",
                    table.column_name(t)
                )));
            }
            cols
        }
        None => {
            let cols: Vec<usize> = (0..table.n_cols())
                .filter(|&i| Some(i) != target_idx)
                .collect();
            if cols.len() != names.len() {
                let besides = match target_idx {
                    Some(t) => format!(" besides the target {:?}", table.column_name(t)),
                    None => String::new(),
                };
                let header_note = if table.header.is_some() {
                    " (the header does not name all of the model's features)"
                } else {
                    ""
                };
                return Err(CliError::Msg(format!(
                    "{path}: wrong number of feature columns: the model expects {} ({}), found {}{besides}{header_note}",
                    names.len(),
                    names.join(", "),
                    cols.len()
                )));
            }
            if table.header.is_some() {
                note!(
                    "note: {path}: the header does not name all of the model's features ({}); using the columns by position",
                    names.join(", ")
                );
            }
            cols
        }
    };
    let x = table.select_columns(&cols);
    let y = target_idx.map(|t| table.data.column(t).to_owned());
    Ok((x, y))
}

/// Writes through `fill` to `out` atomically, or to stdout when `out` is `None`.
/// A closed stdout gives [`CliError::BrokenPipe`].
pub fn emit(
    out: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> CliResult<()> {
    match out {
        Some(path) => Ok(write_atomic(path, fill)?),
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            fill(&mut w).and_then(|()| w.flush()).map_err(|e| {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    CliError::BrokenPipe
                } else {
                    CliError::Msg(format!("writing to standard output: {e}"))
                }
            })
        }
    }
}

/// Seconds with a sensible number of digits.
pub fn fmt_seconds(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}
