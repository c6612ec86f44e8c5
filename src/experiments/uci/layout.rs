//! Reading a UCI dataset in the layout of Gal's repository (`<root>/<name>/data/`):
//! `data.txt` (whitespace-separated numbers), `index_features.txt`, `index_target.txt`,
//! `index_train_K.txt` / `index_test_K.txt` (0-based rows), `n_splits.txt`,
//! `n_epochs.txt`, `n_hidden.txt`, `dropout_rates.txt`, `tau_values.txt`.

use crate::data::{LoadOptions, parse_table};
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, Axis};
use std::path::{Path, PathBuf};

/// One dataset with its splits and the grid of Gal's protocol.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UciDataset {
    /// Folder name (e.g. `bostonHousing`).
    pub name: String,
    /// Inputs, all rows of data.txt, the feature columns.
    pub x: Array2<f64>,
    /// Target column.
    pub y: Array1<f64>,
    /// (train rows, test rows) per split.
    pub splits: Vec<(Vec<usize>, Vec<usize>)>,
    /// Base number of epochs (multiplied by the protocol's epoch multiplier).
    pub n_epochs: usize,
    /// Hidden units.
    pub n_hidden: usize,
    /// Grid of dropout rates.
    pub dropout_rates: Vec<f64>,
    /// Grid of τ values.
    pub tau_values: Vec<f64>,
    /// Questionable but usable layout (test rows that are also training rows), one line
    /// each; the command-line tool prints them.
    pub warnings: Vec<String>,
}

/// Where the layout's files come from: `Ok(None)` for a file that does not exist.
type Source<'a> = &'a dyn Fn(&Path) -> Result<Option<Vec<u8>>>;

fn read_text(src: Source, path: &Path) -> Result<String> {
    let bytes = src(path)?.ok_or_else(|| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
    })?;
    String::from_utf8(bytes).map_err(|_| Error::InvalidFile {
        path: path.to_path_buf(),
        line: None,
        reason: "not text (invalid UTF-8; binary data?)".into(),
    })
}

fn from_disk(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn invalid(path: &Path, reason: String) -> Error {
    Error::InvalidFile {
        path: path.to_path_buf(),
        line: None,
        reason,
    }
}

/// The first value listed twice, if any.
fn first_duplicate(v: &[usize]) -> Option<usize> {
    let mut seen = std::collections::HashSet::new();
    v.iter().copied().find(|x| !seen.insert(*x))
}

/// Parses every whitespace-separated token of `path` with `parse`, naming file and line on
/// failure.
fn tokens<T>(
    src: Source,
    path: &Path,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>> {
    let text = read_text(src, path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for tok in line.split_whitespace() {
            out.push(parse(tok).ok_or_else(|| Error::InvalidFile {
                path: path.to_path_buf(),
                line: Some(i + 1),
                reason: format!("{tok:?} is not {what}"),
            })?);
        }
    }
    if out.is_empty() {
        return Err(Error::InvalidFile {
            path: path.to_path_buf(),
            line: None,
            reason: format!("empty: expected {what}"),
        });
    }
    Ok(out)
}

/// A non-negative integer; Gal's index files write them as integers or as `12.0`.
fn index(tok: &str) -> Option<usize> {
    if let Ok(v) = tok.parse::<usize>() {
        return Some(v);
    }
    let f = tok.parse::<f64>().ok()?;
    (f >= 0.0 && f.fract() == 0.0 && f < 1e15).then_some(f as usize)
}

fn positive_number(tok: &str) -> Option<f64> {
    tok.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
}

fn rate(tok: &str) -> Option<f64> {
    tok.parse::<f64>().ok().filter(|v| (0.0..1.0).contains(v))
}

fn single(src: Source, path: &Path, what: &str) -> Result<usize> {
    let v = tokens(src, path, what, index)?;
    match v.as_slice() {
        [n] if *n > 0 => Ok(*n),
        _ => Err(Error::InvalidFile {
            path: path.to_path_buf(),
            line: None,
            reason: format!("expected one positive integer ({what})"),
        }),
    }
}

/// Reads rows indices and checks them against the number of data rows.
fn indices(src: Source, path: &Path, n_rows: usize) -> Result<Vec<usize>> {
    let text = read_text(src, path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for tok in line.split_whitespace() {
            let v = index(tok).ok_or_else(|| Error::InvalidFile {
                path: path.to_path_buf(),
                line: Some(i + 1),
                reason: format!("{tok:?} is not a non-negative integer row index"),
            })?;
            if v >= n_rows {
                return Err(Error::InvalidFile {
                    path: path.to_path_buf(),
                    line: Some(i + 1),
                    reason: format!("row index {v} out of range (data.txt has {n_rows} rows)"),
                });
            }
            out.push(v);
        }
    }
    if out.is_empty() {
        return Err(Error::InvalidFile {
            path: path.to_path_buf(),
            line: None,
            reason: "no row indices".into(),
        });
    }
    if let Some(v) = first_duplicate(&out) {
        return Err(invalid(path, format!("row index {v} is listed twice")));
    }
    Ok(out)
}

impl UciDataset {
    /// Loads `<root>/<name>/data/`.
    pub fn load(root: &Path, name: &str) -> Result<Self> {
        let dir: PathBuf = root.join(name).join("data");
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "dataset folder not found",
                ),
            });
        }
        Self::load_from(&dir, name, &from_disk)
    }

    /// As [`load`](Self::load), with the files' bytes from `files` (file name in the
    /// layout, e.g. `data.txt`, to its contents; `None` for a missing file). Used to
    /// check the reader without a file system (tests, fuzzing); messages name the files
    /// as `<name>/data/<file>`.
    pub fn from_files(name: &str, files: &dyn Fn(&str) -> Option<Vec<u8>>) -> Result<Self> {
        let src = |p: &Path| -> Result<Option<Vec<u8>>> {
            Ok(p.file_name().and_then(|f| files(&f.to_string_lossy())))
        };
        Self::load_from(&Path::new(name).join("data"), name, &src)
    }

    fn load_from(dir: &Path, name: &str, src: Source) -> Result<Self> {
        let f = |n: &str| dir.join(n);
        let data = f("data.txt");
        let bytes = src(&data)?.ok_or_else(|| Error::Io {
            path: data.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        })?;
        let table = parse_table(&bytes, &data, &LoadOptions::default())?;
        let n_cols = table.n_cols();
        let check_cols = |path: PathBuf, cols: Vec<usize>| -> Result<Vec<usize>> {
            if let Some(&c) = cols.iter().find(|&&c| c >= n_cols) {
                return Err(invalid(
                    &path,
                    format!("column {c} out of range (data.txt has {n_cols} columns)"),
                ));
            }
            if let Some(c) = first_duplicate(&cols) {
                return Err(invalid(&path, format!("column {c} is listed twice")));
            }
            Ok(cols)
        };
        let features = check_cols(
            f("index_features.txt"),
            tokens(src, &f("index_features.txt"), "a column index", index)?,
        )?;
        let target = check_cols(
            f("index_target.txt"),
            tokens(src, &f("index_target.txt"), "a column index", index)?,
        )?;
        if target.len() != 1 {
            return Err(invalid(
                &f("index_target.txt"),
                format!("expected one target column, found {}", target.len()),
            ));
        }
        if features.contains(&target[0]) {
            return Err(invalid(
                &f("index_features.txt"),
                format!(
                    "the target column {} (index_target.txt) is also a feature",
                    target[0]
                ),
            ));
        }
        let n_splits = single(src, &f("n_splits.txt"), "the number of splits")?;
        let n_rows = table.n_rows();
        let mut splits = Vec::new();
        let mut warnings = Vec::new();
        for k in 0..n_splits {
            let train_path = f(&format!("index_train_{k}.txt"));
            let test_path = f(&format!("index_test_{k}.txt"));
            for p in [&train_path, &test_path] {
                if src(p)?.is_none() {
                    return Err(invalid(
                        &f("n_splits.txt"),
                        format!("says {n_splits} splits but {} is missing", p.display()),
                    ));
                }
            }
            let train = indices(src, &train_path, n_rows)?;
            let test = indices(src, &test_path, n_rows)?;
            let in_train: std::collections::HashSet<usize> = train.iter().copied().collect();
            let shared = test.iter().filter(|r| in_train.contains(r)).count();
            if shared > 0 {
                warnings.push(format!(
                    "warning: {}: {shared} of its {} test rows are also training rows in {} (the test figures of split {k} are optimistic)",
                    test_path.display(),
                    test.len(),
                    train_path.display()
                ));
            }
            splits.push((train, test));
        }
        Ok(Self {
            name: name.to_string(),
            x: table.data.select(Axis(1), &features),
            y: table.data.column(target[0]).to_owned(),
            splits,
            n_epochs: single(src, &f("n_epochs.txt"), "the number of epochs")?,
            n_hidden: single(src, &f("n_hidden.txt"), "the number of hidden units")?,
            dropout_rates: tokens(
                src,
                &f("dropout_rates.txt"),
                "a dropout rate in [0, 1)",
                rate,
            )?,
            tau_values: tokens(src, &f("tau_values.txt"), "a positive τ", positive_number)?,
            warnings,
        })
    }
}
