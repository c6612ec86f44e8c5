//! Reading a UCI dataset in the layout of Gal's repository (`<root>/<name>/data/`):
//! `data.txt` (whitespace-separated numbers), `index_features.txt`, `index_target.txt`,
//! `index_train_K.txt` / `index_test_K.txt` (0-based rows), `n_splits.txt`,
//! `n_epochs.txt`, `n_hidden.txt`, `dropout_rates.txt`, `tau_values.txt`.

use crate::data::{LoadOptions, read_table};
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
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses every whitespace-separated token of `path` with `parse`, naming file and line on
/// failure.
fn tokens<T>(path: &Path, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>> {
    let text = read_text(path)?;
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

fn single(path: &Path, what: &str) -> Result<usize> {
    let v = tokens(path, what, index)?;
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
fn indices(path: &Path, n_rows: usize) -> Result<Vec<usize>> {
    let text = read_text(path)?;
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
        let f = |n: &str| dir.join(n);
        let table = read_table(&f("data.txt"), &LoadOptions::default())?;
        let n_cols = table.n_cols();
        let check_cols = |path: PathBuf, cols: Vec<usize>| -> Result<Vec<usize>> {
            if let Some(&c) = cols.iter().find(|&&c| c >= n_cols) {
                return Err(Error::InvalidFile {
                    path,
                    line: None,
                    reason: format!("column {c} out of range (data.txt has {n_cols} columns)"),
                });
            }
            Ok(cols)
        };
        let features = check_cols(
            f("index_features.txt"),
            tokens(&f("index_features.txt"), "a column index", index)?,
        )?;
        let target = check_cols(
            f("index_target.txt"),
            tokens(&f("index_target.txt"), "a column index", index)?,
        )?;
        if target.len() != 1 {
            return Err(Error::InvalidFile {
                path: f("index_target.txt"),
                line: None,
                reason: format!("expected one target column, found {}", target.len()),
            });
        }
        let n_splits = single(&f("n_splits.txt"), "the number of splits")?;
        let n_rows = table.n_rows();
        let mut splits = Vec::with_capacity(n_splits);
        for k in 0..n_splits {
            let train = f(&format!("index_train_{k}.txt"));
            if !train.exists() {
                return Err(Error::InvalidFile {
                    path: f("n_splits.txt"),
                    line: None,
                    reason: format!("says {n_splits} splits but {} is missing", train.display()),
                });
            }
            splits.push((
                indices(&train, n_rows)?,
                indices(&f(&format!("index_test_{k}.txt")), n_rows)?,
            ));
        }
        Ok(Self {
            name: name.to_string(),
            x: table.data.select(Axis(1), &features),
            y: table.data.column(target[0]).to_owned(),
            splits,
            n_epochs: single(&f("n_epochs.txt"), "the number of epochs")?,
            n_hidden: single(&f("n_hidden.txt"), "the number of hidden units")?,
            dropout_rates: tokens(&f("dropout_rates.txt"), "a dropout rate in [0, 1)", rate)?,
            tau_values: tokens(&f("tau_values.txt"), "a positive τ", positive_number)?,
        })
    }
}
