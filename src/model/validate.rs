//! Checks of the quantities read from a model file against their meaning: a file that
//! parses is still refused when a standard deviation is not positive, τ is not positive,
//! or a size is beyond the limits of [`crate::limits`]. Shared by every model kind.

use crate::error::{Error, Result};
use crate::prior::Prior;
use std::path::Path;

fn bad(path: &Path, reason: String) -> Error {
    Error::ModelFormat {
        path: path.to_path_buf(),
        reason,
    }
}

/// The feature names and target names of a model file must all differ (as `fit` and
/// `train` require): a duplicated name would make matching columns by name ambiguous.
pub(crate) fn names(features: &[String], targets: &[String], path: &Path) -> Result<()> {
    let all: Vec<(&str, &str, usize)> = features
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), "feature", i))
        .chain(
            targets
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), "target", i)),
        )
        .collect();
    for (j, &(name, kind, k)) in all.iter().enumerate() {
        if let Some(&(_, kind0, k0)) = all[..j].iter().find(|(n, _, _)| *n == name) {
            return Err(bad(
                path,
                format!(
                    "the name {name:?} is given to {kind0} {k0} and to {kind} {k} (0-based); every feature and target needs its own name"
                ),
            ));
        }
    }
    Ok(())
}

/// `v` must be finite.
pub(crate) fn finite(name: &str, v: f64, path: &Path) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(bad(path, format!("{name} is {v}, must be finite")))
    }
}

/// `v` must be finite and positive.
pub(crate) fn positive(name: &str, v: f64, path: &Path) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(bad(
            path,
            format!("{name} is {v}, must be positive and finite"),
        ))
    }
}

/// A standardisation: every mean finite, every standard deviation positive and finite,
/// one of each per feature name.
pub(crate) fn scaler(mean: &[f64], std: &[f64], names: usize, path: &Path) -> Result<()> {
    if mean.len() != std.len() || mean.len() != names {
        return Err(bad(
            path,
            format!(
                "{} feature means, {} standard deviations and {names} feature names",
                mean.len(),
                std.len()
            ),
        ));
    }
    for (i, (&m, &s)) in mean.iter().zip(std).enumerate() {
        finite(&format!("the mean of feature {i}"), m, path)?;
        positive(&format!("the standard deviation of feature {i}"), s, path)?;
    }
    Ok(())
}

/// The prior: length-scale, τ and target standard deviation positive, N ≥ 1.
pub(crate) fn prior(p: &Prior, path: &Path) -> Result<()> {
    positive("the prior length-scale", p.length_scale, path)?;
    positive("τ (tau)", p.tau, path)?;
    positive("the prior's target standard deviation", p.target_std, path)?;
    if p.n == 0 {
        return Err(bad(path, "the prior's training-set size N is 0".into()));
    }
    Ok(())
}

/// Layer widths within the memory limit, refused before any tensor is read.
pub(crate) fn widths(sizes: &[usize], path: &Path) -> Result<()> {
    crate::limits::check_network(sizes).map_err(|e| in_file(e, path))
}

/// Adds the model file to a [`Error::TooLarge`] message.
pub(crate) fn in_file(e: Error, path: &Path) -> Error {
    match e {
        Error::TooLarge {
            what,
            estimate,
            limit,
        } => Error::TooLarge {
            what: format!("{what} (model file {})", path.display()),
            estimate,
            limit,
        },
        e => e,
    }
}
