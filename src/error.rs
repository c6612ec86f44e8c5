//! The one error type of the crate: every failure a user can cause or act on.

use std::path::PathBuf;

/// Names joined by `, `, at most ten, then `… (N more)`, so that a message never lists
/// thousands of columns.
pub(crate) fn name_list(names: &[String]) -> String {
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

/// Why `value` is not a class label: not an integer, or an integer beyond ±2⁵³ (which an
/// f64 does not hold exactly).
pub fn label_problem(value: f64) -> &'static str {
    if value.is_finite() && value.fract() == 0.0 {
        "is too large for a class label: class labels must be integers of magnitude below 2^53 = 9007199254740992 (from 2^53 on a double cannot tell neighbouring integers apart, so distinct labels would merge)"
    } else {
        "is not an integer class label"
    }
}

/// The operating system's reason, in words for the common mistake of giving a folder
/// where a file is needed. A reason composed by this crate (no OS error code) is kept.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::IsADirectory && e.raw_os_error().is_some() {
        "is a folder, not a file (a file is needed here)".to_owned()
    } else {
        e.to_string()
    }
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in `mcdropout`, with enough context (file, line, column,
/// argument name, epoch) for a user to act on the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed at the operating-system level.
    #[error("{}: {}", path.display(), io_reason(source))]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The data file holds no rows at all.
    #[error("{}: file is empty", path.display())]
    EmptyFile {
        /// The file involved.
        path: PathBuf,
    },
    /// The data file has a header line but no data rows.
    #[error("{}: header only, no data rows", path.display())]
    NoDataRows {
        /// The file involved.
        path: PathBuf,
    },
    /// A row has a different number of cells than the first row.
    #[error("{}:{line}: row has {found} columns, expected {expected}", path.display())]
    RaggedRow {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Cells expected (from the first row).
        expected: usize,
        /// Cells found.
        found: usize,
    },
    /// A cell is not a number.
    #[error("{}:{line}: column {column}: cannot parse {value:?} as a number", path.display())]
    NonNumeric {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Column: header name and 0-based index.
        column: String,
        /// The offending text.
        value: String,
    },
    /// A cell of the first row is not a number, and the row was read as data because
    /// other cells of it are numbers (header detection [`crate::data::Header::Auto`]).
    #[error(
        "{}:{line}: column {column}: cannot parse {value:?} as a number (line {line} was read as data, not as a header, because it holds numbers; pass --header yes if it is a header)",
        path.display()
    )]
    NonNumericFirstRow {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Column: 0-based index.
        column: String,
        /// The offending text.
        value: String,
    },
    /// A cell is empty, NaN or infinite.
    #[error(
        "{}:{line}: column {column}: missing or non-finite value {value:?} (use --missing drop to skip such rows, or --missing impute to fill them with the training mean and add a missing-indicator column)",
        path.display()
    )]
    MissingValue {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Column: header name and 0-based index.
        column: String,
        /// The offending text.
        value: String,
    },
    /// A column of numbers with a few text cells: most likely a typo or a missing-value
    /// marker, not a categorical column.
    #[error(
        "{}:{line}: column {column}: {value:?} is text, but {numbers} of the column's {total} filled cells are numbers: fix the cell, or, if the column is categorical, name it in --categorical (for a missing-value marker, leave the cell empty or write NA)",
        path.display(),
        total = numbers + texts
    )]
    MostlyNumbers {
        /// The file involved.
        path: PathBuf,
        /// 1-based line of the first text cell.
        line: usize,
        /// Column: header name and 0-based index.
        column: String,
        /// The first text cell.
        value: String,
        /// Cells holding numbers.
        numbers: usize,
        /// Cells holding text.
        texts: usize,
    },
    /// A text (categorical) column has more distinct values than allowed.
    #[error(
        "{}: column {column:?} has {count} distinct text values, more than --max-categories {max}; it looks like an identifier or free text: leave it out (--features), raise --max-categories, or, if it holds numbers with a few typos, fix them",
        path.display()
    )]
    TooManyCategories {
        /// The file involved.
        path: PathBuf,
        /// The column's name.
        column: String,
        /// Distinct values found.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// At prediction, a categorical column holds a value the model was not trained on.
    #[error(
        "{}:{line}: column {column:?}: category {value:?} was not seen in training (known: {known}); pass --unknown-category ignore to encode such cells as all zeros",
        path.display()
    )]
    UnknownCategory {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The column's name.
        column: String,
        /// The value.
        value: String,
        /// The categories the model knows (abbreviated).
        known: String,
    },
    /// A column used as numbers (a numeric feature or a target) holds text.
    #[error(
        "{}:{line}: column {column}: {value:?} is text, but this column is used as numbers ({why})",
        path.display()
    )]
    TextInNumericColumn {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Column: header name and 0-based index.
        column: String,
        /// The offending text.
        value: String,
        /// Why numbers are needed here.
        why: String,
    },
    /// A column given by name or index does not exist.
    #[error("{}: unknown column {spec:?} (columns: {available})", path.display())]
    UnknownColumn {
        /// The file involved.
        path: PathBuf,
        /// What the user asked for.
        spec: String,
        /// What the file has.
        available: String,
    },
    /// A data file's columns do not match the model's features (a feature not named by
    /// the header, a duplicated name, the wrong number of columns).
    #[error("{}: {reason}", path.display())]
    ColumnMismatch {
        /// The file involved.
        path: PathBuf,
        /// What does not match, listing the missing and unexpected names.
        reason: String,
    },
    /// A hyper-parameter or argument is out of its valid range.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Name of the parameter (as on the command line where there is one).
        name: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Not enough rows to train on.
    #[error("need at least {needed} training rows, got {got}")]
    TooFewRows {
        /// Minimum number of rows.
        needed: usize,
        /// Rows available.
        got: usize,
    },
    /// The target has zero variance, so there is nothing to learn.
    #[error("target {column} is constant (every value is {value}); nothing to learn")]
    ConstantTarget {
        /// Name of the target column.
        column: String,
        /// The constant value.
        value: f64,
    },
    /// A target outside the domain of the target transform (`log` needs every target
    /// > 0, `log1p` every target ≥ 0); `row` is the first such row.
    #[error(
        "target {column}, row {row} (1-based): {value} is not {requirement}, which the {transform} target transform needs of every target"
    )]
    TargetOutOfDomain {
        /// Name of the target column.
        column: String,
        /// 1-based data row.
        row: usize,
        /// The offending value.
        value: f64,
        /// The transform (`log`, `log1p`).
        transform: String,
        /// What it needs (`> 0`, `≥ 0`).
        requirement: String,
    },
    /// A column whose spread cannot be standardised: its standard deviation is below the
    /// smallest normal double (about 2.2e-308), or, for a regression target, its variance
    /// would overflow a double (standard deviation above 1e150).
    #[error("column {column}: {reason}; rescale the column")]
    Spread {
        /// The column: its name where known, else its 0-based index among the columns used.
        column: String,
        /// The spread found and why it cannot be used.
        reason: String,
    },
    /// Arrays of incompatible shapes were passed in.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An instruction-set level was asked for that is not one, or that the processor lacks
    /// (`MCDROPOUT_SIMD`, [`crate::simd::set_level`]).
    #[error("{0}")]
    SimdLevel(String),
    /// The training loss became NaN or infinite.
    #[error(
        "training diverged: loss became {value} in epoch {epoch}; nothing was saved (try a smaller learning rate or larger weight decay)"
    )]
    Diverged {
        /// 1-based epoch in which the loss stopped being finite.
        epoch: usize,
        /// The non-finite loss value.
        value: f64,
    },
    /// A file holds something other than what its role requires (a split index that is
    /// not an integer or out of range, an empty grid file, …).
    #[error("{}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    InvalidFile {
        /// The file involved.
        path: PathBuf,
        /// 1-based line, where one line is at fault.
        line: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A model file is truncated, corrupted or not a model file.
    #[error("{}: not a valid mcdropout model file: {reason}", path.display())]
    ModelFormat {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A model file of another format version.
    #[error("{}: model format version {found}, this build reads version {expected}", path.display())]
    ModelVersion {
        /// The file involved.
        path: PathBuf,
        /// Version found in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// A kernel expression does not parse.
    #[error("kernel {spec:?}: at position {position}: {reason}")]
    KernelSyntax {
        /// The expression as given.
        spec: String,
        /// 1-based character position of the problem.
        position: usize,
        /// What was expected or found.
        reason: String,
    },
    /// A (kernel) matrix is not positive definite even after adding the largest jitter.
    #[error(
        "the kernel matrix is not positive definite: Cholesky pivot {pivot} (0-based) is not positive even with jitter {jitter:e} added to the diagonal (check the kernel's parameters and the inputs for huge or non-finite values)"
    )]
    NotPositiveDefinite {
        /// 0-based index of the failing pivot.
        pivot: usize,
        /// The largest jitter tried.
        jitter: f64,
    },
    /// An input or target value passed to the library is NaN or infinite.
    #[error("{what} {index} (0-based) is {value}; every value must be finite")]
    NonFinite {
        /// What holds the value ("target", "input row").
        what: String,
        /// 0-based row index.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A value of an input matrix passed to the library is NaN or infinite.
    #[error(
        "{what} has a non-finite value {value} at row {row}, column {column} (0-based); every value must be finite"
    )]
    NonFiniteCell {
        /// What holds the value ("X").
        what: String,
        /// 0-based row.
        row: usize,
        /// 0-based column.
        column: usize,
        /// The offending value.
        value: f64,
    },
    /// Hyper-parameter fitting failed from every starting point.
    #[error("Gaussian-process fitting failed from all {restarts} starting points: {reason}")]
    GpFitFailed {
        /// Starting points tried.
        restarts: usize,
        /// The last failure.
        reason: String,
    },
    /// A class label is not an integer (classification labels must be whole numbers).
    #[error("label column {column}, row {row}: {value} {}", label_problem(*value))]
    NonIntegerLabel {
        /// Name of the label column.
        column: String,
        /// 1-based data row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// The training labels hold only one class: there is nothing to classify.
    #[error(
        "label column {column} holds a single class ({label}); a classifier needs at least two"
    )]
    SingleClass {
        /// Name of the label column.
        column: String,
        /// The only label present.
        label: i64,
    },
    /// A label at evaluation time that the model never saw in training.
    #[error(
        "row {row}: class {label} was never seen in training (the model knows classes {known})"
    )]
    UnseenClass {
        /// 1-based data row.
        row: usize,
        /// The unknown label.
        label: i64,
        /// The model's classes.
        known: String,
    },
    /// A model file of the wrong kind for the request (a regression model asked for class
    /// probabilities, or the other way round).
    #[error("{}: this is a {found} model; {request}", path.display())]
    WrongModelKind {
        /// The file involved.
        path: PathBuf,
        /// The kind stored in the file.
        found: String,
        /// What was requested and why it cannot be done.
        request: String,
    },
    /// Drawing a figure failed.
    #[error("{}: cannot draw the figure: {reason}", path.display())]
    Plot {
        /// The figure file.
        path: PathBuf,
        /// What the plotting library reported.
        reason: String,
    },
    /// The computation was cancelled through its [`Cancel`](crate::cancel::Cancel) token
    /// (for example by Ctrl-C in the Python binding); nothing was produced.
    #[error("interrupted")]
    Interrupted,
    /// A request that would need more memory or time than the limits allow
    /// (see [`crate::limits`]).
    #[error(
        "refusing {what}: it would need {estimate}, more than the limit of {limit}; raise the limit if this machine can afford it"
    )]
    TooLarge {
        /// What was requested.
        what: String,
        /// The estimated need.
        estimate: String,
        /// The limit and the variable that sets it.
        limit: String,
    },
    /// An allocation within the limits was refused by the system (an address-space or
    /// cgroup limit, or no memory left); nothing was produced.
    #[error(
        "out of memory: {what} needs about {}, which the system refused; {hint}",
        crate::limits::show_bytes(*bytes)
    )]
    OutOfMemory {
        /// What was being allocated.
        what: String,
        /// The bytes asked for.
        bytes: f64,
        /// The limit in force and how to get past the refusal.
        hint: String,
    },
    /// A prediction or evaluation figure came out NaN or infinite; it is not reported.
    #[error(
        "{what} came out {value} (inputs far outside the training data, or an extreme model); nothing was written"
    )]
    NonFiniteResult {
        /// Which quantity, with its row where there is one.
        what: String,
        /// The value.
        value: f64,
    },
}
