//! Helpers shared by the subcommands: the error type, thread pools, argument checks,
//! loading data and writing output.

use clap::Args;
use mcdropout::data::{ColumnMatch, DataFormat, Header, Table};
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
        match e {
            // Only a pipe, fifo or socket (`--out /dev/stdout | head`) closes on its reader,
            // which is not an error, as on standard output.
            mcdropout::Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe => {
                CliError::BrokenPipe
            }
            e => CliError::Lib(e),
        }
    }
}

static GIVEN: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Records which arguments of the subcommand were given on the command line (as opposed
/// to defaults), for [`not_applicable`].
pub fn record_given(matches: &clap::ArgMatches) {
    let given = matches
        .ids()
        .filter(|id| {
            matches.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine)
        })
        .map(|id| id.as_str().to_owned())
        .collect();
    let _ = GIVEN.set(given);
}

/// Whether the argument with clap id `id` (the field name, e.g. `momentum`) was given on
/// the command line.
pub fn given(id: &str) -> bool {
    GIVEN.get().is_some_and(|g| g.iter().any(|x| x == id))
}

/// Fails when any of `flags` (field ids) was given: it does not apply, for `why`.
pub fn not_applicable(flags: &[&str], why: &str) -> CliResult<()> {
    match flags.iter().find(|f| given(f)) {
        Some(f) => Err(invalid(
            &format!("--{}", f.replace('_', "-")),
            format!("does not apply: {why}"),
        )),
        None => Ok(()),
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
    if let Some(n) = threads.filter(|&n| n > mcdropout::limits::MAX_THREADS) {
        return Err(CliError::Msg(format!(
            "{n} worker threads requested; at most {} are allowed (this machine has {} cores)",
            mcdropout::limits::MAX_THREADS,
            std::thread::available_parallelism().map_or(1, |c| c.get())
        )));
    }
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder
        .build()
        .map_err(|e| CliError::Msg(format!("cannot start the thread pool: {e}")))
}

/// Checks an output file before any work is done: its folder exists; it is not a folder,
/// a read-only file or a dangling link; and it is none of the command's `inputs` (each
/// with its argument name). Special files such as `/dev/null` are written through later.
pub fn check_output_path(name: &str, path: &Path, inputs: &[(&str, &Path)]) -> CliResult<()> {
    let mut plan = mcdropout::output::Plan::new();
    for (flag, input) in inputs {
        plan.input(flag, input);
    }
    plan.output(name, path);
    Ok(plan.check()?)
}

/// Creates an output folder (checked by `output::Plan::folder`) if it does not exist yet.
pub fn make_out_folder(dir: &Path) -> CliResult<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(_) if dir.is_dir() => Ok(()),
        Err(e) => Err(CliError::Msg(format!(
            "cannot create the folder {}: {e}",
            dir.display()
        ))),
    }
}

/// The data file of an experiment: `given` (its `--data`), else `default` (found through
/// `$MCDROPOUT_DATA`, else `../shared/data`). A default that does not exist is an error
/// naming the path tried and how to set it.
pub fn experiment_data(
    given: Option<&Path>,
    default: std::path::PathBuf,
    rel: &str,
) -> CliResult<std::path::PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    if default.exists() {
        return Ok(default);
    }
    let from = match std::env::var_os("MCDROPOUT_DATA") {
        Some(v) => format!("MCDROPOUT_DATA={}", Path::new(&v).display()),
        None => "MCDROPOUT_DATA is not set, so ../shared/data was tried".into(),
    };
    Err(CliError::Msg(format!(
        "{} not found ({from}); pass --data FILE, or set MCDROPOUT_DATA to the folder holding {rel} (README, Data)",
        default.display()
    )))
}

/// The values of `--header`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HeaderWhen {
    /// A header when no cell of the first line is a number and one is text.
    Auto,
    /// The first line is the header.
    Yes,
    /// No header: every line is data.
    No,
}

/// The values of `--data-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatWhen {
    /// Parquet by the name (.parquet, .pq) or the magic bytes PAR1; text otherwise.
    Auto,
    /// CSV or whitespace-separated text.
    Text,
    /// Parquet.
    Parquet,
}

/// `--header` and `--data-format`, shared by every command that reads a data table.
#[derive(Debug, Clone, Copy, Args)]
pub struct HeaderArg {
    /// Whether the data file's first non-empty line is a header of column names. `auto`:
    /// it is one when none of its cells is a number and at least one is text (empty and
    /// NaN cells count as neither); a line holding a number is data, so `1,x,3` is an
    /// error at line 1 that suggests `--header yes`. A Parquet file's column names are its
    /// header.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = HeaderWhen::Auto)]
    pub header: HeaderWhen,
    /// The data file's format: `auto` (Parquet by the name .parquet/.pq or the magic
    /// bytes PAR1, else CSV or whitespace-separated text), `text` or `parquet`.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = FormatWhen::Auto)]
    pub data_format: FormatWhen,
}

/// How a data file is read: its header rule and its format.
#[derive(Debug, Clone, Copy)]
pub struct ReadRule {
    /// Whether the first line is a header (text files).
    pub header: Header,
    /// Text or Parquet.
    pub format: DataFormat,
}

impl HeaderArg {
    /// The library's header and format rules.
    pub fn rule(&self) -> ReadRule {
        ReadRule {
            header: match self.header {
                HeaderWhen::Auto => Header::Auto,
                HeaderWhen::Yes => Header::Yes,
                HeaderWhen::No => Header::No,
            },
            format: match self.data_format {
                FormatWhen::Auto => DataFormat::Auto,
                FormatWhen::Text => DataFormat::Text,
                FormatWhen::Parquet => DataFormat::Parquet,
            },
        }
    }
}

fn column_match(by_position: bool) -> ColumnMatch {
    if by_position {
        ColumnMatch::ByPosition
    } else {
        ColumnMatch::ByName
    }
}

/// The model's feature columns of `table` (for `predict`): by name when the file has a
/// header; a header-less file is an error when the model knows its column names, unless
/// `--by-position` (see [`Table::model_data`]).
pub fn model_x(
    table: &Table,
    features: &[String],
    targets: &[String],
    by_position: bool,
) -> CliResult<Array2<f64>> {
    Ok(table
        .model_data(features, targets, None, column_match(by_position))?
        .x)
}

/// The features, the target column `spec` (`--target`) and the name of the column used, of
/// a single-target model with target `target_name`: the target must be the model's
/// (by name, or by index for a model trained on a header-less file) unless `--by-position`.
pub fn model_xy(
    table: &Table,
    features: &[String],
    target_name: &str,
    spec: &str,
    by_position: bool,
) -> CliResult<(Array2<f64>, Array1<f64>, String)> {
    let targets = [target_name.to_owned()];
    let d = table.model_data(features, &targets, Some(spec), column_match(by_position))?;
    let y =
        d.y.ok_or_else(|| CliError::Msg("internal: no target column".into()))?;
    let used = d.target_columns.into_iter().next().unwrap_or_default();
    Ok((d.x, y.column(0).to_owned(), used))
}

/// The features and the target columns `spec` (`--target a,b,…`, in any order) of a
/// several-target model, in the model's order, with the names of the columns used.
pub fn model_xys(
    table: &Table,
    features: &[String],
    targets: &[String],
    spec: &str,
    by_position: bool,
) -> CliResult<(Array2<f64>, Array2<f64>, Vec<String>)> {
    let d = table.model_data(features, targets, Some(spec), column_match(by_position))?;
    let y =
        d.y.ok_or_else(|| CliError::Msg("internal: no target columns".into()))?;
    Ok((d.x, y, d.target_columns))
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

/// Names joined by `, `, at most ten, then `… (N more)`: a message never lists ten
/// thousand columns.
pub fn short_list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(", … ({} more)", names.len() - SHOWN));
    }
    s
}

/// A figure with four decimals, or in exponent form with four when it is very large or
/// very small, so that no line prints three hundred digits.
pub fn fmt_value(v: f64) -> String {
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) {
        format!("{v:.4}")
    } else {
        format!("{v:.4e}")
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

/// Ends an experiment command: stages `<stem>.md` and `<stem>.json` (the report as pretty
/// JSON) into `out` after the files already in `batch` (the figures), puts them all in
/// place together, says on stderr what was written (`what`, e.g. "the
/// figures") and how long the run took since `start`, and prints the Markdown to stdout.
pub fn finish_report<R: serde::Serialize>(
    out: &Path,
    stem: &str,
    what: &str,
    md: &str,
    report: &R,
    start: std::time::Instant,
    mut batch: mcdropout::output::Batch,
) -> CliResult<()> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| CliError::Msg(format!("cannot encode the report as JSON: {e}")))?;
    batch.add_bytes(&out.join(format!("{stem}.md")), md.as_bytes())?;
    batch.add_bytes(&out.join(format!("{stem}.json")), json.as_bytes())?;
    batch.commit()?;
    note!(
        "{stem}.md, {stem}.json and {what} written to {} ({} total)",
        out.display(),
        fmt_seconds(start.elapsed().as_secs_f64())
    );
    emit(None, |w| w.write_all(md.as_bytes()))
}
